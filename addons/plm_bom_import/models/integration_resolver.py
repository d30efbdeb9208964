# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import api, models

from odoo.addons.integration_log.exceptions import IntegrationPointerError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class IntegrationResolver(models.AbstractModel):
    """The kit, extended with the effectivity dates of PLM releases."""

    _inherit = "integration.resolver"

    @api.model
    def _plm_moment(self, value, pointer):
        """The UTC datetime a PLM effectivity date means: a date is its
        midnight in the plant's time zone (the technical user's, else its
        company's, else UTC); an RFC 3339 time is taken as is."""
        if not value:
            return False
        if not _DATE_RE.match(value):
            return self._time(value)
        try:
            day = datetime.strptime(value, "%Y-%m-%d")
        except ValueError as err:
            raise IntegrationPointerError(
                pointer,
                self.env._("%(value)s is not a valid date.", value=value),
                value,
            ) from err
        zone = self._plm_zone()
        return day.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    @api.model
    def _plm_zone(self):
        name = self.env.user.tz or self.env.company.partner_id.tz or "UTC"
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")
