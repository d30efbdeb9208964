# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged
from odoo.tools import SQL

from .common import PlantCase

# A tree as a bulk load writes it: LEVELS levels of lots, the top one made
# from two lots of the level below, and so on down to purchased lots.
LEVELS = 4
# Internal transfers per lot: the lines a trace must not read.
TRANSFERS = 3
# The tables a trace must read through their indexes.
LARGE_TABLES = {"stock_move_line", "stock_move", "stock_move_line_consume_rel"}


@tagged("post_install", "-at_install")
class TestTracePlan(PlantCase):
    """The trace right after a bulk load of move lines, before PostgreSQL
    has analysed them: the same lots as after ANALYZE, read through indexes
    whatever the planner's statistics say."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.levels = [
            Product.create(
                {
                    "name": f"Bulk level {level}",
                    "default_code": f"BULK-L{level}",
                    "is_storable": True,
                    "tracking": "lot",
                }
            )
            for level in range(LEVELS)
        ]
        cls.tree = cls._insert_tree()
        cls.env.invalidate_all()

    # ------------------------------------------------------------------
    # The bulk load: rows as Odoo's receipts, productions and transfers
    # write them, inserted by SQL
    # ------------------------------------------------------------------
    @classmethod
    def _insert_tree(cls):
        """``{(level, index): lot id}`` of a tree of lots, with its MOs,
        moves, move lines and consume links, inserted without the ORM."""
        lots = {}
        for level, product in enumerate(cls.levels):
            for index in range(2 ** (LEVELS - 1 - level)):
                lots[level, index] = cls._sql_id(
                    """
                    INSERT INTO stock_lot (name, product_id, company_id)
                    VALUES (%s, %s, %s) RETURNING id
                    """,
                    f"BULK-{level}-{index}",
                    product.id,
                    cls.env.company.id,
                )
        for (level, index), lot_id in lots.items():
            if level == 0:
                cls._insert_line(lot_id, 0, "supplier", "stock")
            else:
                cls._insert_production(lots, level, index)
            for _transfer in range(TRANSFERS):
                cls._insert_line(lot_id, level, "stock", "stock")
        cls._insert_line(lots[LEVELS - 1, 0], LEVELS - 1, "stock", "customer")
        return lots

    @classmethod
    def _insert_production(cls, lots, level, index):
        product = cls.levels[level]
        production = cls._sql_id(
            """
            INSERT INTO mrp_production (name, product_id, product_qty,
                product_uom_qty, product_uom_id, company_id, consumption,
                date_start, date_finished, location_src_id, location_dest_id,
                production_location_id, picking_type_id, state,
                lot_producing_id, qty_producing, mes_status)
            VALUES (%s, %s, 1, 1, %s, %s, 'flexible', now(), now(), %s, %s, %s,
                %s, 'done', %s, 1, 'not_released')
            RETURNING id
            """,
            f"BULK/MO/{level}-{index}",
            product.id,
            product.uom_id.id,
            cls.env.company.id,
            cls.stock.id,
            cls.stock.id,
            cls._location("production"),
            cls.env["stock.warehouse"]
            .search([("company_id", "=", cls.env.company.id)], limit=1)
            .manu_type_id.id,
            lots[level, index],
        )
        finished = cls._insert_line(
            lots[level, index], level, "production", "stock", production=production
        )
        for component in (2 * index, 2 * index + 1):
            consumed = cls._insert_line(
                lots[level - 1, component],
                level - 1,
                "stock",
                "production",
                raw_production=production,
            )
            cls.env.cr.execute(
                SQL(
                    "INSERT INTO stock_move_line_consume_rel "
                    "(consume_line_id, produce_line_id) VALUES (%s, %s)",
                    finished,
                    consumed,
                )
            )

    @classmethod
    def _insert_line(
        cls, lot_id, level, source, destination, production=None, raw_production=None
    ):
        """A done move and its move line of ``lot_id``; returns the line."""
        product = cls.levels[level]
        locations = [cls._location(source), cls._location(destination)]
        move = cls._sql_id(
            """
            INSERT INTO stock_move (name, product_id, product_uom,
                product_uom_qty, product_qty, quantity, company_id, date,
                location_id, location_dest_id, location_final_id,
                procure_method, state, picked, production_id,
                raw_material_production_id)
            VALUES ('bulk', %s, %s, 1, 1, 1, %s, now(), %s, %s, %s,
                'make_to_stock', 'done', true, %s, %s)
            RETURNING id
            """,
            product.id,
            product.uom_id.id,
            cls.env.company.id,
            *locations,
            locations[1],
            production,
            raw_production,
        )
        return cls._sql_id(
            """
            INSERT INTO stock_move_line (move_id, product_id, product_uom_id,
                lot_id, quantity, quantity_product_uom, picked, state,
                company_id, date, location_id, location_dest_id, reference,
                production_id)
            VALUES (%s, %s, %s, %s, 1, 1, true, 'done', %s, now(), %s, %s,
                'BULK', %s)
            RETURNING id
            """,
            move,
            product.id,
            product.uom_id.id,
            lot_id,
            cls.env.company.id,
            *locations,
            production,
        )

    @classmethod
    def _location(cls, kind):
        return {
            "supplier": cls.env.ref("stock.stock_location_suppliers"),
            "customer": cls.env.ref("stock.stock_location_customers"),
            "production": cls.env["stock.location"].search(
                [("usage", "=", "production"), ("company_id", "=", cls.env.company.id)],
                limit=1,
            ),
            "stock": cls.stock,
        }[kind].id

    @classmethod
    def _sql_id(cls, query, *args):
        cls.env.cr.execute(SQL(query, *args))
        return cls.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def trace(self, level, index, direction):
        response = self.get(
            "/lots/trace",
            product=f"BULK-L{level}",
            lot=f"BULK-{level}-{index}",
            direction=direction,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def lots_of(self, trace):
        return sorted(node["lot"] for node in trace["nodes"])

    def analyze(self):
        for table in (
            "stock_lot",
            "mrp_production",
            "stock_move",
            "stock_move_line",
            "stock_move_line_consume_rel",
        ):
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def plan_nodes(self, query):
        """Every node of the plan PostgreSQL makes for ``query`` under the
        trace's settings, as the client's technical user makes it."""
        genealogy = self.genealogy()
        with genealogy._index_driven():
            genealogy.env.cr.execute(SQL("EXPLAIN (FORMAT JSON) %s", query))
            plan = genealogy.env.cr.fetchone()[0][0]["Plan"]
        nodes, todo = [], [plan]
        while todo:
            node = todo.pop()
            nodes.append(node)
            todo.extend(node.get("Plans", ()))
        return nodes

    def genealogy(self):
        user = self.mes.user_id
        return (
            self.env["mrp.trace.genealogy"]
            .with_user(user)
            .with_company(user.company_id)
        )

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_the_trace_before_analyze_is_the_trace_after_it(self):
        root = (LEVELS - 1, 0)
        before = self.trace(*root, "both")
        purchased = self.trace(0, 5, "forward")
        everything = sorted(f"BULK-{level}-{index}" for level, index in self.tree)
        self.assertEqual(self.lots_of(before), everything)
        self.assertEqual(len(before["edges"]), len(everything) - 1)
        self.assertEqual(len(before["receipts"]), 2 ** (LEVELS - 1))
        self.assertEqual(
            [(s["lot"], s["quantity"]) for s in before["shipments"]],
            [("BULK-3-0", 1.0)],
        )
        self.assertEqual(
            self.lots_of(purchased), ["BULK-0-5", "BULK-1-2", "BULK-2-1", "BULK-3-0"]
        )
        self.analyze()
        self.assertEqual(self.trace(*root, "both"), before)
        self.assertEqual(self.trace(0, 5, "forward"), purchased)

    def test_the_queries_read_move_lines_through_indexes(self):
        genealogy = self.genealogy()
        root = genealogy.env["stock.lot"].browse(self.tree[LEVELS - 1, 0])
        leaf = genealogy.env["stock.lot"].browse(self.tree[0, 0])
        locations = genealogy._locations()
        queries = {
            "backward links": genealogy._links_query(root, "backward", locations),
            "forward links": genealogy._links_query(leaf, "forward", locations),
            "done lines": genealogy._done_lines_query(
                list(self.tree.values()), locations
            ),
        }
        for name, query in queries.items():
            nodes = self.plan_nodes(query)
            scanned = {
                node["Relation Name"]
                for node in nodes
                if node["Node Type"] == "Seq Scan"
            }
            self.assertFalse(scanned & LARGE_TABLES, f"{name}: sequential scans")
            indexes = {
                node["Index Name"]
                for node in nodes
                if node["Node Type"] in ("Index Scan", "Index Only Scan")
                and node["Relation Name"] == "stock_move_line"
            }
            self.assertTrue(
                {
                    "stock_move_line_done_lot_location_id_idx",
                    "stock_move_line_done_lot_location_dest_id_idx",
                }
                & indexes,
                f"{name}: move lines found by lot through {indexes}",
            )

    def test_the_planner_settings_end_with_the_trace(self):
        genealogy = self.genealogy()
        cr = genealogy.env.cr

        def settings():
            cr.execute(
                "SELECT current_setting('enable_seqscan'), "
                "current_setting('join_collapse_limit'), current_setting('jit')"
            )
            return cr.fetchone()

        outside = settings()
        with genealogy._index_driven():
            self.assertEqual(settings()[:2], ("off", "1"))
        self.assertEqual(settings(), outside)
        root = genealogy.env["stock.lot"].browse(self.tree[LEVELS - 1, 0])
        self.assertEqual(len(genealogy._trace(root)["nodes"]), len(self.tree))
        self.assertEqual(settings(), outside)
        with self.assertRaises(ValueError), genealogy._index_driven():
            raise ValueError("a trace that fails half-way")
        self.assertEqual(settings(), outside)

    def test_record_rules_end_the_walk_where_they_hide_a_record(self):
        """A lot or an MO the client may not read cuts the trace there, as
        when the rules were checked after the walk."""
        group = self.env.ref("stock.group_stock_user")
        self.env["ir.rule"].create(
            [
                {
                    "name": "Hide a bulk lot",
                    "model_id": self.env.ref("stock.model_stock_lot").id,
                    "groups": [(4, group.id)],
                    "domain_force": "[('name', '!=', 'BULK-1-0')]",
                },
                {
                    "name": "Hide a bulk MO",
                    "model_id": self.env.ref("mrp.model_mrp_production").id,
                    "groups": [(4, self.env.ref("mrp.group_mrp_user").id)],
                    "domain_force": "[('name', '!=', 'BULK/MO/2-1')]",
                },
            ]
        )
        # BULK-1-0 is hidden, so are the lots under it; BULK-2-1 was made by
        # the hidden MO: the lots it was made from are out of reach.
        self.assertEqual(
            self.lots_of(self.trace(LEVELS - 1, 0, "backward")),
            ["BULK-0-2", "BULK-0-3", "BULK-1-1", "BULK-2-0", "BULK-2-1", "BULK-3-0"],
        )
        self.assertEqual(self.lots_of(self.trace(0, 0, "forward")), ["BULK-0-0"])
        self.assertEqual(
            self.lots_of(self.trace(0, 2, "forward")),
            ["BULK-0-2", "BULK-1-1", "BULK-2-0", "BULK-3-0"],
        )
        self.assertEqual(
            self.lots_of(self.trace(0, 4, "forward")), ["BULK-0-4", "BULK-1-2"]
        )

    def test_rules_that_join_tables_are_checked_through_the_row_id(self):
        """A rule on a field another table holds (here a user's name, on its
        partner) needs a join: the condition checks the row through its id."""
        user = self.mes.user_id
        self.env["ir.rule"].create(
            {
                "name": "Users named otherwise",
                "model_id": self.env.ref("base.model_res_users").id,
                "groups": [(4, self.env.ref("base.group_user").id)],
                "domain_force": f"[('name', '!=', {user.name!r})]",
            }
        )
        genealogy = self.genealogy()
        condition = genealogy._rule_condition("res.users", "u")
        self.assertIn("EXISTS", condition.code)
        genealogy.env.cr.execute(
            SQL(
                "SELECT u.id FROM res_users u WHERE u.id = ANY(%s) AND %s",
                [user.id, self.env.ref("base.user_admin").id],
                condition,
            )
        )
        self.assertEqual(
            [row[0] for row in genealogy.env.cr.fetchall()],
            [self.env.ref("base.user_admin").id],
        )
