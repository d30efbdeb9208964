from . import controllers
from . import models
from . import wizards


def post_load():
    """Run when the module is loaded server-wide (``--load``)."""
    from . import unavailable

    unavailable.install()
