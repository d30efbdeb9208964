from . import integration_event_type
from . import integration_client
from . import integration_event
from . import integration_record_link
from . import integration_refusal
from . import integration_inbound
from . import integration_api
