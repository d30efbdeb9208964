from . import test_inbound_statuses
from . import test_inbound_batch
from . import test_processing
from . import test_api_documents
from . import test_outbound_delivery
from . import test_outbound_modes
from . import test_toy_module
