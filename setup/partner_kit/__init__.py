# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Partner kit of the manufacturing integration protocol, version 1.

The reference client a partner system copies to talk to the suite (signed
CloudEvents, retries, a store-and-forward buffer, a webhook receiver), and
the simulated MES, QMS and PLM of the demo plant built on it. It needs
``requests`` and ``lxml`` only.
"""

__version__ = "1.0.0"
