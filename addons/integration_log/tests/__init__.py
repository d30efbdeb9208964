from . import test_client_credentials
from . import test_event_type_registry
from . import test_event_type_protection
