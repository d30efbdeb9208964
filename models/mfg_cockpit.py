# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import formatLang

SECTIONS = [
    ("quality", "Quality"),
    ("production", "Production"),
    ("engineering", "Engineering"),
    ("integration", "Integration"),
    ("trends", "Trends"),
]
# (key, label, model of the records the figure counts, engine method that
# computes it). One method computes every figure that its queries serve.
FIGURES = [
    (
        "lots_awaiting_release",
        "Lots awaiting quality release",
        "stock.lot",
        "_figures_release",
    ),
    ("lots_on_hold", "Holds on lots, by reason", "quality.lot.hold", "_figures_holds"),
    (
        "deliveries_blocked",
        "Deliveries blocked by quality",
        "stock.picking",
        "_figures_blocked_deliveries",
    ),
    (
        "mo_not_started",
        "Orders released to the MES, not started",
        "mrp.production",
        "_figures_mes_not_started",
    ),
    (
        "mo_completion_missing",
        "Orders past their planned finish, no completion",
        "mrp.production",
        "_figures_mes_completion_missing",
    ),
    (
        "mes_drifts",
        "MES reconciliation differences",
        "mrp.trace.drift",
        "_figures_mes_drifts",
    ),
    (
        "bom_pending_approval",
        "BOM changes awaiting approval",
        "plm.bom.release",
        "_figures_bom_pending",
    ),
    (
        "events_dead",
        "Dead inbound events, by partner",
        "integration.event",
        "_figures_dead_events",
    ),
    (
        "deliveries_dead",
        "Dead deliveries, by connector",
        "integration.delivery",
        "_figures_connectors",
    ),
    (
        "delivery_backlog",
        "Delivery backlog, by connector",
        "integration.delivery",
        "_figures_connectors",
    ),
    (
        "delivery_latency",
        "Partner response time, by connector",
        "integration.log.entry",
        "_figures_connectors",
    ),
    (
        "inbound_backlog",
        "Inbound backlog, by partner",
        "integration.event",
        "_figures_inbound_backlog",
    ),
    (
        "processing_latency",
        "Inbound processing time, by partner",
        "integration.event",
        "_figures_processing_latency",
    ),
    (
        "trend_events_accepted",
        "Trend: inbound events accepted",
        "integration.event",
        "_figures_event_trends",
    ),
    (
        "trend_events_processed",
        "Trend: inbound events processed",
        "integration.event",
        "_figures_event_trends",
    ),
    (
        "trend_events_dead",
        "Trend: inbound events dead",
        "integration.event",
        "_figures_event_trends",
    ),
    (
        "trend_deliveries_delivered",
        "Trend: delivery attempts delivered",
        "integration.log.entry",
        "_figures_delivery_trends",
    ),
    (
        "trend_deliveries_failed",
        "Trend: delivery attempts failed",
        "integration.log.entry",
        "_figures_delivery_trends",
    ),
    (
        "trend_lots_released",
        "Trend: lots released",
        "quality.lot.disposition.log",
        "_figures_lot_trends",
    ),
    (
        "trend_lots_held",
        "Trend: lots held or rejected",
        "quality.lot.disposition.log",
        "_figures_lot_trends",
    ),
]
FIGURE_SELECTION = [(key, label) for key, label, _model, _method in FIGURES]
FIGURE_MODELS = {key: model for key, _label, model, _method in FIGURES}
FIGURE_METHODS = {key: method for key, _label, _model, method in FIGURES}


class MfgCockpit(models.AbstractModel):
    """The figures of the operations cockpit (``mfg.cockpit.tile``).

    One method per figure, or per group of figures one query serves; each
    returns ``{figure key: figure}`` where a figure is the dict made by
    :meth:`_figure`. Every figure is read through the ORM as the user, so
    record rules keep it to the user's allowed companies and the records a
    tile opens are exactly those it counts. The figures live in files by
    area: ``mfg_cockpit_quality.py``, ``mfg_cockpit_production.py``,
    ``mfg_cockpit_integration.py`` and ``mfg_cockpit_trends.py``.
    """

    _name = "mfg.cockpit"
    _description = "Operations Cockpit Figures"

    @api.model
    def _figures(self, keys):
        """``{key: figure}`` for these figure keys, each method run once; a
        figure of records the user may not read is a "no access" figure."""
        readable = set(self._readable_figures())
        result = {}
        for method in dict.fromkeys(FIGURE_METHODS[key] for key in keys):
            served = [key for key in keys if FIGURE_METHODS[key] == method]
            if any(key in readable for key in served):
                try:
                    computed = getattr(self, method)()
                except AccessError:
                    # A figure may read a related model the user may not
                    # (a product, a partner): the tile says so, the others
                    # still show.
                    readable.difference_update(served)
                    continue
                result.update({key: computed[key] for key in served})
        for key in keys:
            if key not in readable:
                result[key] = self._figure_no_access(key)
        return result

    @api.model
    def _readable_figures(self):
        return [
            key
            for key, model in FIGURE_MODELS.items()
            if model in self.env and self.env[model].has_access("read")
        ]

    @api.model
    def _figure_no_access(self, key):
        return dict(
            self._figure(
                0,
                self.env._("Your access rights do not cover these records."),
                FIGURE_MODELS[key],
                [],
                display="—",
            ),
            no_access=True,
        )

    @api.model
    def _figure(
        self,
        value,
        detail,
        model,
        domain,
        level=None,
        display=None,
        group_by=None,
        measure=None,
        line=None,
        bars=None,
        res_id=None,
    ):
        """One figure.

        :param value: the number shown.
        :param level: what the tile's thresholds compare (the value when
            None), named by ``measure``.
        :param domain: the records behind the figure, opened with
            ``group_by`` (a field name), or the record ``res_id`` alone.
        :param line: ``(title, [(label, number)])`` drawn as a line.
        :param bars: ``(title, [(label, number)])`` drawn as bars.
        """
        return {
            "value": value,
            "display": display if display is not None else self._format_count(value),
            "level": value if level is None else level,
            "measure": measure or self.env._("The value shown"),
            "detail": detail,
            "model": model,
            "domain": domain,
            "context": {"group_by": [group_by]} if group_by else {},
            "res_id": res_id,
            "line": line,
            "bars": bars,
            "no_access": False,
        }

    @api.model
    def _records_action(self, figure, name):
        """The window action that lists the records behind ``figure``."""
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": figure["model"],
            "domain": figure["domain"],
            "context": dict(figure["context"], create=False),
            "views": [(False, "list"), (False, "form")],
            "target": "current",
        }
        if figure["res_id"]:
            action.update(res_id=figure["res_id"], views=[(False, "form")])
        return action

    # ------------------------------------------------------------------
    # Formatting, in the user's language
    # ------------------------------------------------------------------
    @api.model
    def _format_count(self, number):
        return formatLang(self.env, number, digits=0)

    @api.model
    def _format_age(self, seconds):
        """``45 min``, ``3 h 05`` or ``2 d 4 h``."""
        minutes = int(max(seconds, 0) // 60)
        if minutes < 60:
            return self.env._("%(minutes)s min", minutes=minutes)
        hours, minutes = divmod(minutes, 60)
        if hours < 24:
            return self.env._("%(hours)s h %(minutes)02d", hours=hours, minutes=minutes)
        days, hours = divmod(hours, 24)
        return self.env._("%(days)s d %(hours)s h", days=days, hours=hours)

    @api.model
    def _format_duration_ms(self, milliseconds):
        if milliseconds < 1000:
            return self.env._("%(ms)s ms", ms=int(milliseconds))
        return self.env._("%(seconds).1f s", seconds=milliseconds / 1000)

    @api.model
    def _age_since(self, moment):
        """Seconds from ``moment`` (naive UTC) to now; 0 without one."""
        if not moment:
            return 0.0
        return (fields.Datetime.now() - moment).total_seconds()

    @api.model
    def _domain_time(self, moment):
        """A datetime as a domain value the web client sends back unchanged."""
        return fields.Datetime.to_string(moment)
