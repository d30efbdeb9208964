# Pure-Python parts of the module (no Odoo import): revision order, BOM diff,
# the XML document. They are unit-tested by tests/pure without Odoo.
from . import bom_xml
from . import diff
from . import revisions
