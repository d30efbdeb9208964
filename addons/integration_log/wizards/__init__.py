from . import integration_client_credentials
from . import integration_delivery_replay
from . import integration_log_verification
