# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.integration_log.models.integration_delivery import (
    DELIVERY_OPEN_STATES,
)
from odoo.addons.integration_log.models.integration_event import EVENT_OPEN_STATES


class MfgCockpit(models.AbstractModel):
    """Integration figures: dead events by partner, and per connector the
    dead deliveries, the backlog and the partners' response time (the
    figures of the Delivery Dashboard, ``_dashboard_figures``), the inbound
    backlog and processing time per client."""

    # Split by concern on purpose: the engine lives in mfg_cockpit.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mfg.cockpit"

    def _figures_dead_events(self):
        domain = [("direction", "=", "in"), ("state", "=", "dead")]
        breakdown = self._by_client(domain)
        total = sum(count for _name, count in breakdown)
        if total:
            name, count = max(breakdown, key=lambda item: item[1])
            detail = self.env._(
                "Most from %(partner)s (%(count)s). Replay them once the cause "
                "is fixed.",
                partner=name,
                count=self._format_count(count),
            )
        else:
            detail = self.env._("Every event received was processed or is on its way.")
        figure = self._figure(
            total,
            detail,
            "integration.event",
            domain,
            group_by="client_id",
            measure=self.env._("Dead inbound events"),
            bars=(self.env._("Dead events by partner"), breakdown),
        )
        return {"events_dead": figure}

    def _by_client(self, domain, aggregates=()):
        """``[(client name, count, *aggregates)]`` of the inbound events of
        ``domain``, by client."""
        groups = self.env["integration.event"]._read_group(
            domain, ["client_id"], ["__count", *aggregates]
        )
        # sudo: the name of a partner system whose events the user reads,
        # though the client may belong to a company the user does not see.
        return [
            (client.sudo().display_name or self.env._("No client"), *values)
            for client, *values in groups
        ]

    def _figures_inbound_backlog(self):
        domain = [("direction", "=", "in"), ("state", "in", EVENT_OPEN_STATES)]
        groups = self._by_client(domain, ["received_at:min"])
        total = sum(count for _name, count, _oldest in groups)
        oldest = min(
            ((since, name) for name, _count, since in groups if since), default=None
        )
        age = self._age_since(oldest[0]) if oldest else 0.0
        if oldest:
            detail = self.env._(
                "Oldest waiting %(age)s, from %(partner)s.",
                age=self._format_age(age),
                partner=oldest[1],
            )
        else:
            detail = self.env._("Every event received has been applied.")
        figure = self._figure(
            total,
            detail,
            "integration.event",
            domain,
            level=age / 60,
            group_by="client_id",
            measure=self.env._("Minutes the oldest has waited"),
            bars=(
                self.env._("Waiting events by partner"),
                [(name, count) for name, count, _oldest in groups],
            ),
        )
        return {"inbound_backlog": figure}

    def _figures_processing_latency(self):
        since = fields.Datetime.now() - timedelta(days=1)
        domain = [
            ("direction", "=", "in"),
            ("state", "=", "processed"),
            ("processed_at", ">=", self._domain_time(since)),
        ]
        rows = self._processing_percentiles(domain)
        slowest = max(rows, key=lambda row: row[3], default=None)
        if slowest:
            detail = self.env._(
                "Slowest: %(partner)s, median %(p50)s, 95 %% within %(p95)s, "
                "%(count)s events in 24 h.",
                partner=slowest[0],
                p50=self._format_duration_ms(slowest[2] * 1000),
                p95=self._format_duration_ms(slowest[3] * 1000),
                count=self._format_count(slowest[1]),
            )
        else:
            detail = self.env._("No event processed in the last 24 h.")
        p95 = slowest[3] if slowest else 0.0
        figure = self._figure(
            p95,
            detail,
            "integration.event",
            domain,
            display=self._format_duration_ms(p95 * 1000),
            group_by="client_id",
            measure=self.env._("Seconds, 95th percentile of the slowest partner"),
            bars=(
                self.env._("95th percentile by partner, seconds"),
                [(name, round(p95, 1)) for name, _count, _p50, p95 in rows],
            ),
        )
        return {"processing_latency": figure}

    def _processing_percentiles(self, domain):
        """``[(client name, events, p50 s, p95 s)]`` from reception to
        processing of the events of ``domain`` the user may read."""
        Event = self.env["integration.event"]
        Event.flush_model(["client_id", "received_at", "processed_at"])
        # The ORM's query applies the record rules (the user's companies);
        # percentiles are beyond _read_group.
        query = Event._search(domain)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT client_id, count(*),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds)
                FROM (
                    SELECT client_id,
                        extract(epoch FROM processed_at - received_at) AS seconds
                    FROM integration_event
                    WHERE id IN %s
                ) AS processed
                GROUP BY client_id
                """,
                query.subselect(),
            )
        )
        # sudo: as in _by_client, the names of the events' partner systems.
        clients = (
            self.env["integration.client"]
            .sudo()
            .browse([row[0] for row in rows if row[0]])
        )
        names = dict(zip(clients.ids, clients.mapped("display_name"), strict=True))
        return [
            (
                names.get(client_id) or self.env._("No client"),
                count,
                float(p50 or 0),
                float(p95 or 0),
            )
            for client_id, count, p50, p95 in rows
        ]

    # ------------------------------------------------------------------
    # Connectors: the Delivery Dashboard's figures
    # ------------------------------------------------------------------
    def _figures_connectors(self):
        connectors = (
            self.env["integration.connector"].with_context(active_test=False).search([])
        )
        figures = connectors._dashboard_figures()
        rows = [(connector, figures.get(connector.id, {})) for connector in connectors]
        return {
            "deliveries_dead": self._dead_deliveries_figure(rows),
            "delivery_backlog": self._delivery_backlog_figure(rows),
            "delivery_latency": self._delivery_latency_figure(connectors, rows),
        }

    def _dead_deliveries_figure(self, rows):
        breakdown = [(c.display_name, f.get("dead_count", 0)) for c, f in rows]
        total = sum(count for _name, count in breakdown)
        if total:
            name, count = max(breakdown, key=lambda item: item[1])
            detail = self.env._(
                "Most to %(connector)s (%(count)s). Replay them once the "
                "partner is fixed.",
                connector=name,
                count=self._format_count(count),
            )
        else:
            detail = self.env._("Every partner received what was sent to it.")
        return self._figure(
            total,
            detail,
            "integration.delivery",
            [("state", "=", "dead")],
            group_by="connector_id",
            measure=self.env._("Dead deliveries"),
            bars=(self.env._("Dead deliveries by connector"), breakdown),
        )

    def _delivery_backlog_figure(self, rows):
        breakdown = [(c.display_name, f.get("backlog_count", 0)) for c, f in rows]
        oldest = max(
            ((f.get("oldest_pending_minutes", 0.0), c.display_name) for c, f in rows),
            default=(0.0, None),
        )
        if oldest[0]:
            detail = self.env._(
                "Oldest waiting %(age)s, to %(connector)s.",
                age=self._format_age(oldest[0] * 60),
                connector=oldest[1],
            )
        else:
            detail = self.env._("Nothing waits to be sent.")
        return self._figure(
            sum(count for _name, count in breakdown),
            detail,
            "integration.delivery",
            [("state", "in", DELIVERY_OPEN_STATES)],
            level=oldest[0],
            group_by="connector_id",
            measure=self.env._("Minutes the oldest has waited"),
            bars=(self.env._("Waiting deliveries by connector"), breakdown),
        )

    def _delivery_latency_figure(self, connectors, rows):
        measured = [(c, f) for c, f in rows if f.get("latency_p95_day")]
        slowest = max(measured, key=lambda row: row[1]["latency_p95_day"], default=None)
        if slowest:
            connector, values = slowest
            detail = self.env._(
                "Slowest: %(connector)s, median %(p50)s, 95 %% within %(p95)s; "
                "%(rate).1f %% of attempts failed in the last hour.",
                connector=connector.display_name,
                p50=self._format_duration_ms(values["latency_p50_day"]),
                p95=self._format_duration_ms(values["latency_p95_day"]),
                rate=values.get("failure_rate_hour", 0.0),
            )
        else:
            detail = self.env._("No delivery attempt in the last 24 h.")
        p95 = slowest[1]["latency_p95_day"] if slowest else 0
        since = fields.Datetime.now() - timedelta(days=1)
        return self._figure(
            p95,
            detail,
            "integration.log.entry",
            [
                ("kind", "=", "delivery"),
                ("connector_id", "in", connectors.ids),
                ("logged_at", ">=", self._domain_time(since)),
            ],
            display=self._format_duration_ms(p95),
            group_by="connector_id",
            measure=self.env._("Milliseconds, 95th percentile of the slowest"),
            bars=(
                self.env._("95th percentile by connector, 24 h (ms)"),
                [(c.display_name, f.get("latency_p95_day", 0)) for c, f in rows],
            ),
        )
