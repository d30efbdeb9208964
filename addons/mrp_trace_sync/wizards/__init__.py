from . import mrp_trace_line
from . import mrp_trace_genealogy_wizard
from . import mrp_trace_recall_wizard
