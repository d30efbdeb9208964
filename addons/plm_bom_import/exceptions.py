# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.integration_log.exceptions import IntegrationPointerError


class PlmValidationError(IntegrationPointerError):
    """Several business errors of one release, each about a value of the
    payload: the event is dead with the first ones in its message, the XML
    route answers 400 with all of them (and their line numbers).

    ``errors`` are :class:`IntegrationPointerError` instances; the error
    itself reads as the first one followed by a count of the others.
    """

    def __init__(self, errors, message):
        first = errors[0]
        super().__init__(first.pointer, message, first.value)
        self.errors = errors

    def to_problem_errors(self):
        return [error.to_problem_error() for error in self.errors]
