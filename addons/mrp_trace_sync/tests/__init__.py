from . import test_production_flow
from . import test_business_rules
from . import test_lot_race
from . import test_exports
from . import test_isolation
from . import test_trace_plan
from . import test_schema_caps
