from . import test_gate_paths
from . import test_reservation
from . import test_qms_loop
from . import test_genealogy_holds
from . import test_overrides
from . import test_untouched
from . import test_observability
