# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager

import psycopg2

from odoo import models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.query import Query

# A lot enters the company from these locations (its "quantity" in a trace).
_INCOMING_USAGES = ("production", "supplier", "inventory")
# ... and leaves it towards these.
_TRACE_USAGES = (*_INCOMING_USAGES, "customer")

# Planner settings of a trace's queries, for the trace only. A trace reads a
# few hundred rows of tables of millions, each step of its walk through an
# index. Without statistics (right after a bulk load, until ANALYZE runs)
# the planner takes the lines of a lot for thousands and the lines matching
# a company filter for a handful: it then reads every line of the company at
# each step (a trace of 255 lots took minutes). Nested loops over index
# scans, in the order the queries are written, are the right plan at any
# size, and the planner need not search for them.
_PLANNER_SETTINGS = (
    ("enable_seqscan", "off"),
    ("enable_bitmapscan", "off"),
    ("enable_hashjoin", "off"),
    ("enable_mergejoin", "off"),
    ("join_collapse_limit", "1"),
    ("jit", "off"),
)

# Links from a lot through Odoo's own production links, at every depth: a
# finished move line F "consumed" a component line C when
# (consume_line_id=F, produce_line_id=C) is in stock_move_line_consume_rel
# (mind the counter-intuitive column names). Each row is one (F, C) pair with
# what the trace shows of it, so one query answers a whole direction; the
# first row stands for the lot traced and is left out of the result.
# Finished lines leave a production location and component lines enter one:
# with the partial indexes of stock.move.line, each step reads only those
# lines, not the lot's many transfers. A step follows only lines of the
# caller's companies, and only lines, lots and MOs its record rules let it
# read, so a path through a record it may not read ends there.
_BACKWARD_LINKS = """
WITH RECURSIVE link(component_lot, produced_lot, production_id, component_line,
    component_qty, finished_line, finished_qty, production, finished_at,
    production_location) AS (
    SELECT %(root)s::int, NULL::int, NULL::int, NULL::int, NULL::numeric,
        NULL::int, NULL::numeric, NULL::varchar, NULL::timestamp, NULL::int
    UNION
    SELECT c.lot_id, f.lot_id, fm.production_id, c.id, c.quantity_product_uom,
        f.id, f.quantity_product_uom, mo.name, mo.date_finished,
        mo.production_location_id
    FROM link
    JOIN stock_move_line f ON f.lot_id = link.component_lot AND f.state = 'done'
        AND f.location_id = ANY(%(production)s::int[])
    JOIN stock_move fm ON fm.id = f.move_id
    LEFT JOIN mrp_production mo ON mo.id = fm.production_id
    JOIN stock_move_line_consume_rel r ON r.consume_line_id = f.id
    JOIN stock_move_line c ON c.id = r.produce_line_id
    JOIN stock_lot next_lot ON next_lot.id = c.lot_id
    WHERE c.state = 'done'
      AND f.company_id = ANY(%(companies)s::int[])
      AND c.company_id = ANY(%(companies)s::int[])
      AND %(f_rule)s AND %(c_rule)s AND %(lot_rule)s
      AND (mo.id IS NULL OR %(production_rule)s)
)
SELECT link.component_lot, link.produced_lot, link.production_id,
    link.component_line, link.component_qty, link.finished_line,
    link.finished_qty, link.production, link.finished_at, loc.complete_name
FROM link
LEFT JOIN stock_location loc ON loc.id = link.production_location
WHERE link.finished_line IS NOT NULL
"""
_FORWARD_LINKS = """
WITH RECURSIVE link(component_lot, produced_lot, production_id, component_line,
    component_qty, finished_line, finished_qty, production, finished_at,
    production_location) AS (
    SELECT NULL::int, %(root)s::int, NULL::int, NULL::int, NULL::numeric,
        NULL::int, NULL::numeric, NULL::varchar, NULL::timestamp, NULL::int
    UNION
    SELECT c.lot_id, f.lot_id, fm.production_id, c.id, c.quantity_product_uom,
        f.id, f.quantity_product_uom, mo.name, mo.date_finished,
        mo.production_location_id
    FROM link
    JOIN stock_move_line c ON c.lot_id = link.produced_lot AND c.state = 'done'
        AND c.location_dest_id = ANY(%(production)s::int[])
    JOIN stock_move_line_consume_rel r ON r.produce_line_id = c.id
    JOIN stock_move_line f ON f.id = r.consume_line_id
    JOIN stock_move fm ON fm.id = f.move_id
    LEFT JOIN mrp_production mo ON mo.id = fm.production_id
    JOIN stock_lot next_lot ON next_lot.id = f.lot_id
    WHERE f.state = 'done'
      AND c.company_id = ANY(%(companies)s::int[])
      AND f.company_id = ANY(%(companies)s::int[])
      AND %(f_rule)s AND %(c_rule)s AND %(lot_rule)s
      AND (mo.id IS NULL OR %(production_rule)s)
)
SELECT link.component_lot, link.produced_lot, link.production_id,
    link.component_line, link.component_qty, link.finished_line,
    link.finished_qty, link.production, link.finished_at, loc.complete_name
FROM link
LEFT JOIN stock_location loc ON loc.id = link.production_location
WHERE link.finished_line IS NOT NULL
"""


class MrpTraceGenealogy(models.AbstractModel):
    """The queries of a trace (links, lines, lots, stock), the record rules
    they apply and the plan they run with."""

    # Split by concern on purpose: the model is declared in
    # mrp_trace_genealogy.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mrp.trace.genealogy"

    def _links(self, lot, direction, locations):
        """Every production link reachable from ``lot`` in ``direction``
        through lines, lots and MOs the caller may read: ``(component lot,
        produced lot, MO id, component line, its quantity, finished line,
        its quantity, MO name, MO finish date, production location)``."""
        for model_name in (
            "stock.move.line",
            "stock.move",
            "stock.lot",
            "mrp.production",
        ):
            self.env[model_name].flush_model()
        return self.env.execute_query(self._links_query(lot, direction, locations))

    def _links_query(self, lot, direction, locations):
        """The query of :meth:`_links`, for the caller's companies and
        rules."""
        query = _BACKWARD_LINKS if direction == "backward" else _FORWARD_LINKS
        return SQL(
            query,
            root=lot.id,
            production=locations["production"],
            companies=self._company_ids(),
            f_rule=self._rule_condition("stock.move.line", "f"),
            c_rule=self._rule_condition("stock.move.line", "c"),
            lot_rule=self._rule_condition("stock.lot", "next_lot"),
            production_rule=self._rule_condition("mrp.production", "mo"),
        )

    def _rule_condition(self, model_name, alias):
        """The caller's read rules on ``model_name`` as an SQL condition on
        the row ``alias`` of a query, as Odoo builds it for a search
        (``_apply_ir_rules``): TRUE for the superuser or without rules."""
        if self.env.su:
            return SQL("TRUE")
        domain = self.env["ir.rule"]._compute_domain(model_name, "read")
        if not domain:
            return SQL("TRUE")
        # sudo: the rule domain is the restriction, as in _apply_ir_rules.
        Model = self.env[model_name].sudo().with_context(active_test=False)
        query = Query(self.env, alias, Model._table_sql)
        expression.expression(domain, Model, alias, query)
        if query.from_clause == Query(self.env, alias, Model._table_sql).from_clause:
            return SQL("(%s)", query.where_clause)
        # Rules that join other tables: checked on the row through its id.
        inner = f"{alias}_rule"
        query = Query(self.env, inner, Model._table_sql)
        expression.expression(domain, Model, inner, query)
        query.add_where(
            SQL("%s = %s", SQL.identifier(inner, "id"), SQL.identifier(alias, "id"))
        )
        return SQL("EXISTS(%s)", query.select(SQL("1")))

    @contextmanager
    def _index_driven(self):
        """Run the queries of the block with the planner settings of a
        trace (``_PLANNER_SETTINGS``), then restore the previous ones."""
        previous = self._set_planner(_PLANNER_SETTINGS)
        failed = False
        try:
            yield
        except psycopg2.Error:
            # The transaction is aborted: its rollback ends the settings.
            failed = True
            raise
        finally:
            if not failed:
                self._set_planner(previous)

    def _set_planner(self, settings):
        """Set planner ``settings`` (name, value) for the transaction;
        returns the values they had."""
        names, values = zip(*settings, strict=True)
        # Each setting is read (in the CTE) before set_config changes it.
        rows = self.env.execute_query(
            SQL(
                """
                WITH setting AS MATERIALIZED (
                    SELECT v.name, v.value, current_setting(v.name) AS previous
                    FROM unnest(%s::text[], %s::text[]) AS v(name, value)
                )
                SELECT name, previous, set_config(name, value, true) FROM setting
                """,
                list(names),
                list(values),
            )
        )
        return [(name, value) for name, value, _new in rows]

    def _locations(self):
        """Ids of the locations a trace starts from or stops at, by usage."""
        self.env.cr.execute(
            SQL(
                "SELECT usage, array_agg(id) FROM stock_location "
                "WHERE usage IN %s GROUP BY usage",
                _TRACE_USAGES,
            )
        )
        locations = {usage: [] for usage in _TRACE_USAGES}
        locations.update(self.env.cr.fetchall())
        return locations

    def _done_lines(self, lot_ids, locations):
        """The done move lines that bring the lots in (receipts, production,
        inventory) or send them to customers, in one query; internal
        transfers, the bulk of a lot's lines, are left in the table.
        ``(lot, date, quantity, source usage, destination usage, source
        location, document, partner)`` of the lines and transfers the caller
        may read; a partner it may not read is left unnamed."""
        for model_name in ("stock.move.line", "stock.move", "stock.picking"):
            self.env[model_name].flush_model()
        return self.env.execute_query(self._done_lines_query(lot_ids, locations))

    def _done_lines_query(self, lot_ids, locations):
        """The query of :meth:`_done_lines`, for the caller's companies and
        rules. Each lot's lines are read through the partial indexes on
        (lot, source) and (lot, destination), whose two conditions the
        planner takes for more selective than the company filter's one
        whatever its statistics say."""
        return SQL(
            """
            SELECT ml.lot_id, ml.date, ml.quantity_product_uom, src.usage,
                dst.usage, src.complete_name,
                coalesce(pk.name, ml.reference, ''),
                CASE WHEN %(partner_rule)s THEN coalesce(partner.name, '')
                    ELSE '' END
            FROM unnest(%(lots)s::int[]) AS lot(id)
            CROSS JOIN LATERAL (
                SELECT * FROM stock_move_line line
                WHERE line.lot_id = lot.id AND line.state = 'done'
                  AND line.location_id = ANY(%(incoming)s::int[])
                UNION ALL
                SELECT * FROM stock_move_line line
                WHERE line.lot_id = lot.id AND line.state = 'done'
                  AND line.location_dest_id = ANY(%(customer)s::int[])
                  AND NOT line.location_id = ANY(%(incoming)s::int[])
            ) ml
            JOIN stock_location src ON src.id = ml.location_id
            JOIN stock_location dst ON dst.id = ml.location_dest_id
            LEFT JOIN stock_move m ON m.id = ml.move_id
            LEFT JOIN stock_picking pk ON pk.id = ml.picking_id
            LEFT JOIN res_partner partner
                ON partner.id = coalesce(pk.partner_id, m.partner_id)
            WHERE ml.company_id = ANY(%(companies)s::int[])
              AND %(line_rule)s AND (pk.id IS NULL OR %(picking_rule)s)
            ORDER BY ml.date, ml.id
            """,
            lots=list(lot_ids),
            companies=self._company_ids(),
            incoming=[i for usage in _INCOMING_USAGES for i in locations[usage]],
            customer=locations["customer"],
            line_rule=self._rule_condition("stock.move.line", "ml"),
            picking_rule=self._rule_condition("stock.picking", "pk"),
            partner_rule=self._rule_condition("res.partner", "partner"),
        )

    def _lot_info(self, lot_ids, lines):
        """Product reference, name, quantity brought in and unit of lots."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.name, coalesce(p.default_code, t.name->>'en_US'),
                    t.uom_id
                FROM stock_lot l
                JOIN product_product p ON p.id = l.product_id
                JOIN product_template t ON t.id = p.product_tmpl_id
                WHERE l.id = ANY(%s::int[])
                """,
                list(lot_ids),
            )
        )
        brought_in = dict.fromkeys(lot_ids, 0.0)
        for lot_id, _date, quantity, src_usage, dst_usage, *_rest in lines:
            if src_usage in _INCOMING_USAGES and dst_usage == "internal":
                brought_in[lot_id] += float(quantity)
        codes = self._uom_codes()
        return {
            lot_id: {
                "product": product,
                "lot": name,
                "quantity": brought_in[lot_id],
                "uom": codes(uom_id),
            }
            for lot_id, name, product, uom_id in self.env.cr.fetchall()
        }

    def _stock(self, lot_ids, info):
        """Stock of the lots by internal location, from the quants the caller
        may read."""
        self.env["stock.quant"].flush_model()
        # Each lot's quants through the lot index (OFFSET 0 keeps the
        # subquery apart): without statistics, the planner may otherwise
        # start from the internal locations and read all their quants.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT q.lot_id, loc.complete_name, sum(q.quantity)
                FROM unnest(%s::int[]) AS lot(id)
                CROSS JOIN LATERAL (
                    SELECT * FROM stock_quant q
                    WHERE q.lot_id = lot.id AND q.company_id = ANY(%s::int[])
                      AND %s
                    OFFSET 0
                ) q
                JOIN stock_location loc ON loc.id = q.location_id
                WHERE loc.usage = 'internal'
                GROUP BY q.lot_id, loc.complete_name
                HAVING sum(q.quantity) <> 0
                ORDER BY loc.complete_name
                """,
                list(lot_ids),
                self._company_ids(),
                self._rule_condition("stock.quant", "q"),
            )
        )
        return [
            {
                "product": info[lot_id]["product"],
                "lot": info[lot_id]["lot"],
                "location": location,
                "quantity": float(quantity),
                "uom": info[lot_id]["uom"],
            }
            for lot_id, location, quantity in rows
        ]
