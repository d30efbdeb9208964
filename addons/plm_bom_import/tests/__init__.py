from . import test_item_release
from . import test_bom_release
from . import test_effectivity
from . import test_approval
from . import test_validation
from . import test_large_bom
from . import test_forms
