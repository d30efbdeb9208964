# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors an event handler raises to tell the pipeline what to do next.

A :class:`odoo.exceptions.UserError` (or ``ValidationError``) from a handler
is a business rule violation: the event becomes ``dead`` at once with that
message. :class:`TransientIntegrationError` asks for a retry later.
"""


class TransientIntegrationError(Exception):
    """A temporary failure: the event is retried on the retry schedule."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after
