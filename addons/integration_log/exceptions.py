# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors a handler or a resolver raises to tell the platform what to do next.

- :class:`IntegrationPointerError` (a ``UserError``): a business rule
  violation about one value of the partner's input, named by its JSON
  Pointer. An event becomes ``dead`` at once with the message; a synchronous
  route answers 400 with the pointer and the value.
- :class:`IntegrationNotFoundError`: the input names a record that does not
  exist (404 on a synchronous route, ``dead`` for an event).
- :class:`TransientIntegrationError`: a temporary failure; the event is
  retried on the retry schedule.

Any other ``UserError`` or ``ValidationError`` is a business error too; see
``integration.event._business_exceptions`` and ``_transient_exceptions`` to
classify a module's own exceptions.
"""

from odoo.exceptions import UserError


class TransientIntegrationError(Exception):
    """A temporary failure: the event is retried on the retry schedule."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class IntegrationPointerError(UserError):
    """A business error about the value at ``pointer`` of the partner's input.

    ``message`` is already translated and does not repeat the pointer: the
    error reads ``"<pointer>: <message>"``.
    """

    def __init__(self, pointer, message, value=None):
        super().__init__(f"{pointer}: {message}" if pointer else message)
        self.pointer = pointer
        self.message = message
        self.value = value

    def to_problem_error(self):
        """The pointer error as one entry of a problem's ``errors``."""
        entry = {"pointer": self.pointer or "", "message": self.message}
        if self.value is not None:
            entry["value"] = self.value
        return entry


class IntegrationNotFoundError(IntegrationPointerError):
    """The input names a record that does not exist."""
