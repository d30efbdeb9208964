from . import test_suite
from . import test_digital_thread
from . import test_cockpit
