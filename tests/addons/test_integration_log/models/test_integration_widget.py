# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.integration_log.exceptions import TransientIntegrationError


class TestIntegrationWidget(models.Model):
    """A toy business record updated by ``test.widget.upserted.v1`` events."""

    _name = "test.integration.widget"
    _description = "Test Integration Widget"
    _inherit = ["mail.thread", "mail.activity.mixin"]

    name = fields.Char(required=True)
    quantity = fields.Float()
    category_id = fields.Many2one("test.integration.widget.category")
    applied = fields.Char(help="Event ids applied to this widget, in order.")

    _sql_constraints = [("name_uniq", "unique(name)", "Widget names are unique.")]

    def _integration_handle_upserted(self, event):
        # The trivial type of the benchmarks: a search and a write, no chatter.
        self = self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        data = event._get_data()
        if event.attempt_count <= data.get("fail_times", 0):
            raise TransientIntegrationError(
                f"simulated outage, attempt {event.attempt_count}"
            )
        widget = self.search([("name", "=", data["name"])], limit=1)
        applied = f"{widget.applied or ''} {event.cloudevent_id}".strip()
        vals = {"quantity": data["quantity"], "applied": applied}
        if widget:
            widget.write(vals)
        else:
            widget = self.create({"name": data["name"], **vals})
        # The category is checked after the write on purpose: a refused event
        # must leave nothing behind, whatever its handler wrote first.
        if data.get("category"):
            category = self.env["test.integration.widget.category"].search(
                [("name", "=", data["category"])], limit=1
            )
            if not category:
                raise UserError(
                    self.env._(
                        "category: no widget category %(category)s.",
                        category=data["category"],
                    )
                )
            widget.category_id = category
        event._link_records(widget)
        return {"widget_id": widget.id}

    def action_ship(self, fail_after_emitting=False):
        """Emit ``test.widget.shipped.v1`` through the outbox; optionally fail
        afterwards, so the whole business transaction rolls back."""
        for widget in self:
            self.env["integration.event"]._emit_outbound(
                "test.widget.shipped.v1",
                widget.name,
                {"name": widget.name, "quantity": widget.quantity},
                records=widget,
            )
            widget.quantity = 0
        if fail_after_emitting:
            raise UserError(self.env._("quantity: the carrier refused the shipment."))
        return True

    # ------------------------------------------------------------------
    # Benchmark helpers (setup/benchmark.sh); public so RPC can call them
    # ------------------------------------------------------------------
    @api.model
    def enqueue_noop_jobs(self, count):
        """The yardstick: ``count`` queue jobs that do nothing."""
        for _index in range(count):
            self.with_delay(channel="root.integration.outbound")._job_noop()
        return count

    @api.model
    def _job_noop(self):
        return "nothing done"

    @api.model
    def emit_benchmark_events(self, count, prefix):
        """Emit ``count`` outbound events in one business transaction."""
        events = self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": "test.widget.shipped.v1",
                    "subject": f"{prefix}-{index % 500}",
                    "data": {"name": f"{prefix}-{index}", "quantity": index % 7},
                }
                for index in range(count)
            ]
        )
        return len(events)
