from . import test_integration_widget
from . import test_integration_widget_category
from . import test_stock_count
