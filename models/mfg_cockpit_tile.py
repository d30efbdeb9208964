# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .mfg_cockpit import FIGURE_SELECTION, SECTIONS

TILE_STATES = [
    ("ok", "OK"),
    ("warning", "Warning"),
    ("danger", "Danger"),
    ("no_access", "No access"),
]
# Kanban highlight colours: green, orange, red, none.
STATE_COLORS = {"ok": 10, "warning": 2, "danger": 1, "no_access": 0}


class MfgCockpitTile(models.Model):
    """One tile of the operations cockpit: a figure (computed by
    ``mfg.cockpit`` for the current user, never stored) with the thresholds
    that colour it, opening the records behind it when clicked."""

    _name = "mfg.cockpit.tile"
    _description = "Operations Cockpit Tile"
    _order = "sequence, id"

    name = fields.Char("Title", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    section = fields.Selection(
        SECTIONS, required=True, group_expand="_read_group_section"
    )
    figure = fields.Selection(
        FIGURE_SELECTION, required=True, help="What the tile counts."
    )
    description = fields.Text(
        translate=True, help="What the figure means and what to do about it."
    )
    warning_threshold = fields.Float(
        help="The tile turns orange when its alert measure reaches this "
        "level; 0: never."
    )
    danger_threshold = fields.Float(
        help="The tile turns red when its alert measure reaches this level; 0: never."
    )
    value = fields.Float("Number", compute="_compute_figure", digits=(16, 2))
    value_display = fields.Char("Value", compute="_compute_figure")
    level = fields.Float("Alert Level", compute="_compute_figure", digits=(16, 2))
    measure = fields.Char(
        "Alert Measure",
        compute="_compute_figure",
        help="What the thresholds are compared with.",
    )
    state = fields.Selection(TILE_STATES, compute="_compute_figure")
    color = fields.Integer(compute="_compute_figure")
    detail = fields.Char(compute="_compute_figure")
    graph_line = fields.Text(compute="_compute_figure")
    graph_line_title = fields.Char(compute="_compute_figure")
    graph_bars = fields.Text(compute="_compute_figure")
    graph_bars_title = fields.Char(compute="_compute_figure")
    is_accessible = fields.Boolean(
        compute="_compute_is_accessible",
        search="_search_is_accessible",
        help="The user may read the records behind the figure.",
    )

    @api.model
    def _read_group_section(self, sections, domain):
        """The sections that have tiles, in the order of the selection."""
        return [key for key, _label in SECTIONS if key in sections]

    @api.depends("figure", "warning_threshold", "danger_threshold")
    @api.depends_context("uid", "allowed_company_ids", "tz", "lang")
    def _compute_figure(self):
        figures = self.env["mfg.cockpit"]._figures(
            list(dict.fromkeys(self.mapped("figure")))
        )
        for tile in self:
            tile.update(tile._figure_values(figures[tile.figure]))

    def _figure_values(self, figure):
        state = "no_access" if figure["no_access"] else self._state_of(figure["level"])
        line_title, line = self._graph(figure["line"], "line")
        bars_title, bars = self._graph(figure["bars"], "bar")
        return {
            "value": figure["value"],
            "value_display": figure["display"],
            "level": figure["level"],
            "measure": figure["measure"],
            "state": state,
            "color": STATE_COLORS[state],
            "detail": figure["detail"],
            "graph_line": line,
            "graph_line_title": line_title,
            "graph_bars": bars,
            "graph_bars_title": bars_title,
        }

    def _state_of(self, level):
        if self.danger_threshold and level >= self.danger_threshold:
            return "danger"
        if self.warning_threshold and level >= self.warning_threshold:
            return "warning"
        return "ok"

    @api.model
    def _graph(self, graph, graph_type):
        """``(title, JSON)`` for the ``dashboard_graph`` widget of the web
        client: line charts read x/y, bar charts label/value/type."""
        if not graph or not graph[1]:
            return False, False
        title, points = graph
        values = [
            {
                "x": label,
                "y": number,
                "name": label,
                "label": label,
                "value": number,
                "type": "past",
            }
            for label, number in points
        ]
        series = {
            "values": values,
            "key": title,
            "title": title,
            "area": graph_type == "line",
            "is_sample_data": False,
        }
        return title, json.dumps([series])

    @api.depends("figure")
    @api.depends_context("uid")
    def _compute_is_accessible(self):
        readable = self.env["mfg.cockpit"]._readable_figures()
        for tile in self:
            tile.is_accessible = tile.figure in readable

    def _search_is_accessible(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        readable = self.env["mfg.cockpit"]._readable_figures()
        positive = (operator == "=") == bool(value)
        return [("figure", "in" if positive else "not in", readable)]

    def action_open_records(self):
        """The records behind the figure, as the figure counts them."""
        self.ensure_one()
        Cockpit = self.env["mfg.cockpit"]
        figure = Cockpit._figures([self.figure])[self.figure]
        if figure["no_access"]:
            raise AccessError(
                self.env._(
                    "Your access rights do not cover the records of the tile %(tile)s.",
                    tile=self.name,
                )
            )
        return Cockpit._records_action(figure, self.name)
