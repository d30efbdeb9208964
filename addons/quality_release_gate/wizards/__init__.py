from . import quality_lot_decision_wizard
from . import mrp_trace_recall_wizard
