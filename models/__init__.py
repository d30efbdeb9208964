from . import mfg_cockpit
from . import mfg_cockpit_quality
from . import mfg_cockpit_production
from . import mfg_cockpit_integration
from . import mfg_cockpit_trends
from . import mfg_cockpit_tile
