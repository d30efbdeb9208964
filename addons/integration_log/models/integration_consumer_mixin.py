# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo import api, fields, models
from odoo.tools import SQL

BUTTONS_TEMPLATE = "integration_log.integration_consumer_buttons"


class IntegrationConsumerMixin(models.AbstractModel):
    """A business document that integration events are about.

    Inherit it (``_inherit = ["stock.lot", "integration.consumer.mixin"]``)
    and the document gets its linked events and deliveries, their counts,
    and the two smart buttons in its form's button box: the buttons are
    inserted from one template, so no view of the module has to name them.
    """

    _name = "integration.consumer.mixin"
    _description = "Business Document with Integration Events"

    integration_event_count = fields.Integer(
        "Integration Events", compute="_compute_integration_counts"
    )
    integration_delivery_count = fields.Integer(
        "Integration Deliveries", compute="_compute_integration_counts"
    )

    def _compute_integration_counts(self):
        counts = self._integration_counts()
        for record in self:
            events, deliveries = counts.get(record.id, (0, 0))
            record.integration_event_count = events
            record.integration_delivery_count = deliveries

    def _integration_counts(self):
        """``{record id: (events, deliveries)}`` in one grouped query."""
        ids = [record_id for record_id in self.ids if isinstance(record_id, int)]
        if not ids:
            return {}
        self.env["integration.record.link"].flush_model()
        self.env["integration.delivery"].flush_model(["event_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT link.res_id, count(DISTINCT link.event_id),
                    count(DISTINCT delivery.id)
                FROM integration_record_link link
                LEFT JOIN integration_delivery delivery
                    ON delivery.event_id = link.event_id
                WHERE link.res_model = %s AND link.res_id IN %s
                GROUP BY link.res_id
                """,
                self._name,
                tuple(ids),
            )
        )
        return {
            res_id: (events, deliveries)
            for res_id, events, deliveries in self.env.cr.fetchall()
        }

    def _integration_events(self):
        """The events linked to these documents."""
        # sudo: links are bookkeeping of the integration; what a person may
        # open is decided by the access rules of the events themselves.
        links = (
            self.env["integration.record.link"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        return links.event_id.with_env(self.env)

    def action_view_integration_events(self):
        self.ensure_one()
        return self._integration_action(
            "integration_log.integration_event_action",
            [("id", "in", self._integration_events().ids)],
        )

    def action_view_integration_deliveries(self):
        self.ensure_one()
        return self._integration_action(
            "integration_log.integration_delivery_action",
            [("event_id", "in", self._integration_events().ids)],
        )

    def _integration_action(self, xmlid, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = {}
        return action

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        box = arch.xpath("//div[@name='button_box']") if view_type == "form" else []
        template = box and self.env.ref(BUTTONS_TEMPLATE, raise_if_not_found=False)
        if template:
            # The template's arch is read in the user's language, so its
            # labels are translated like any view's.
            for button in list(etree.fromstring(template.sudo().arch).iter("button")):
                box[0].append(button)
        return arch, view
