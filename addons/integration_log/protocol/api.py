# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Constants of the HTTP API of protocol v1 (section 2)."""

API_BASE = "/integration/v1"
# Methods that change something: the inbound pipeline requires a signature.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
