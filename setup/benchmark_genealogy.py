#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the lot genealogy against Odoo's built-in traceability report.

Builds a plant history in Odoo's own tables, rows shaped as Odoo writes them
when it receives, produces and ships lots: stock.lot, mrp.production,
stock.move, stock.move.line and the consume links of
``stock_move_line_consume_rel``. Each tree is a finished lot made, through 7
levels of manufacturing orders, from 128 purchased lots (255 lots, 127 MOs);
every lot also travels through internal transfers, as stock does. Then, in
one run, it times the full trace (both directions) of a finished lot and the
forward trace of a purchased lot through ``GET /integration/v1/lots/trace``
and through Odoo's traceability report walked to the end as its UI is, one
``get_lines`` call per click (see ``ReportWalk``).

Writing the history in bulk SQL is what makes a 1,000,000-line history
possible in minutes; the rows are what Odoo's own flows write.

``--before-analyze`` measures the trace as it is right after such a bulk
load, before PostgreSQL has statistics of the loaded tables: the history is
written with autovacuum off on them and without ANALYZE, the API is timed,
then the tables are analysed and it is timed again. With
``--stale-statistics`` the tables are analysed as installed, nearly empty,
before the load: the statistics a live database has before an import.
``--explain`` prints the plan of each link query, as EXPLAIN ANALYZE gives
it, at each stage.
"""

import ast
import json
import re
import statistics
import sys
import time
from pathlib import Path

import psycopg2
import requests
from psycopg2 import sql
from psycopg2.extensions import AsIs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import (  # noqa: E402
    JsonRpc,
    argument_parser,
    report,
    summary_row,
    times,
    write_summary,
)

LEVELS = 8  # L0 (purchased) .. L7 (finished): a depth-7 genealogy
# The tables the history is written into: without ANALYZE, the planner knows
# nothing of what was loaded into them.
HISTORY_TABLES = (
    "stock_lot",
    "mrp_production",
    "stock_move",
    "stock_move_line",
    "stock_move_line_consume_rel",
)
# Where the trace's link queries may live (read as text, without Odoo).
LINKS_SOURCES = tuple(
    Path(__file__).resolve().parents[1] / "addons/mrp_trace_sync/models" / name
    for name in ("mrp_trace_queries.py", "mrp_trace_genealogy.py")
)


def setup_products(rpc):
    ids = []
    for level in range(LEVELS):
        ids.append(
            rpc.execute(
                "product.product",
                "create",
                {
                    "name": f"Genealogy level {level}",
                    "default_code": f"GEN-L{level}",
                    "is_storable": True,
                    "tracking": "lot",
                },
            )
        )
    return ids


def setup_client(rpc):
    user_id = rpc.execute(
        "res.users",
        "create",
        {"name": "Genealogy reader", "login": "genealogy-reader"},
    )
    group = rpc.execute(
        "ir.model.data", "check_object_reference", "stock", "group_stock_user"
    )[1]
    rpc.execute("res.users", "write", [user_id], {"groups_id": [(4, group)]})
    client_id = rpc.execute(
        "integration.client",
        "create",
        {
            "name": "Genealogy benchmark",
            "user_id": user_id,
            "allowed_event_types": "mfg.*",
            "allowed_sources": "urn:mes:*",
            "allow_lot_trace": True,
            "rate_limit_per_minute": 0,
        },
    )
    return rpc.execute("integration.client", "issue_credentials", [client_id])["token"]


def reuse_client(rpc):
    client_ids = rpc.execute(
        "integration.client", "search", [("name", "=", "Genealogy benchmark")]
    )
    if not client_ids:
        raise SystemExit("no history to reuse: run once without --reuse-history")
    return rpc.execute("integration.client", "issue_credentials", client_ids)["token"]


def build_history(conn, products, trees, noise, stats="fresh"):
    """Lots, MOs, moves, move lines and consume links of ``trees`` trees.

    ``stats``: ``fresh``, ANALYZE after the load; ``none``, the tables
    are left as a bulk load leaves them, without ANALYZE, and autovacuum
    (whose auto-analyze would run a minute later) off on them until
    :func:`analyze_history`; ``stale``, the same after an ANALYZE of the
    tables before the load.
    """
    cur = conn.cursor()
    if stats != "fresh":
        for table in HISTORY_TABLES:
            table = sql.Identifier(table)
            cur.execute(
                sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(table)
            )
            if stats == "stale":
                cur.execute(sql.SQL("ANALYZE {}").format(table))
        conn.commit()
    cur.execute(
        """
        SELECT (SELECT res_id FROM ir_model_data
                WHERE module = 'stock' AND name = 'stock_location_stock'),
               (SELECT res_id FROM ir_model_data
                WHERE module = 'stock' AND name = 'stock_location_suppliers'),
               (SELECT res_id FROM ir_model_data
                WHERE module = 'stock' AND name = 'stock_location_customers'),
               (SELECT id FROM stock_location WHERE usage = 'production' LIMIT 1),
               (SELECT manu_type_id FROM stock_warehouse ORDER BY id LIMIT 1),
               (SELECT in_type_id FROM stock_warehouse ORDER BY id LIMIT 1),
               (SELECT out_type_id FROM stock_warehouse ORDER BY id LIMIT 1),
               (SELECT res_id FROM ir_model_data
                WHERE module = 'uom' AND name = 'product_uom_unit'),
               (SELECT id FROM res_company ORDER BY id LIMIT 1)
        """
    )
    stock, supplier, customer, production, manu, in_type, out_type, uom, company = (
        cur.fetchone()
    )
    params = {
        "stock": stock,
        "supplier": supplier,
        "customer": customer,
        "production": production,
        "manu": manu,
        "in_type": in_type,
        "out_type": out_type,
        "uom": uom,
        "company": company,
        "trees": trees,
        "noise": noise,
        "products": products,
    }
    statements = [
        # Positions of a binary tree: level k has 2^(7-k) lots.
        """
        CREATE TEMP TABLE gen_pos AS
        SELECT t, k, i, %(products)s::int[] AS products
        FROM generate_series(0, %(trees)s - 1) t,
             generate_series(0, 7) k,
             LATERAL generate_series(0, (1 << (7 - k)) - 1) i
        """,
        """
        CREATE TEMP TABLE gen_lot AS
        WITH ins AS (
            INSERT INTO stock_lot (name, product_id, company_id, create_uid,
                create_date, write_uid, write_date)
            SELECT format('T%%s-L%%s-%%s', t, k, i), products[k + 1], %(company)s,
                1, now(), 1, now()
            FROM gen_pos
            RETURNING id, name, product_id
        )
        SELECT p.t, p.k, p.i, ins.id AS lot_id, ins.product_id,
            timestamp '2026-01-01' + make_interval(hours => p.t, mins => p.k * 5)
                AS day
        FROM ins JOIN gen_pos p ON ins.name = format('T%%s-L%%s-%%s', p.t, p.k, p.i)
        """,
        "CREATE INDEX ON gen_lot (t, k, i)",
        # One done MO per made lot.
        """
        CREATE TEMP TABLE gen_mo AS
        WITH ins AS (
            INSERT INTO mrp_production (name, product_id, product_qty,
                product_uom_qty, product_uom_id, company_id, consumption,
                date_start, date_finished, location_src_id, location_dest_id,
                production_location_id, picking_type_id, state, lot_producing_id,
                qty_producing, mes_status, create_uid, create_date, write_uid,
                write_date)
            SELECT format('GEN/MO/%%s', l.lot_id), l.product_id, 1, 1, %(uom)s,
                %(company)s, 'flexible', l.day, l.day, %(stock)s, %(stock)s,
                %(production)s, %(manu)s, 'done', l.lot_id, 1, 'not_released',
                1, now(), 1, now()
            FROM gen_lot l WHERE l.k > 0
            RETURNING id, lot_producing_id
        )
        SELECT ins.id AS mo_id, l.* FROM ins JOIN gen_lot l
            ON l.lot_id = ins.lot_producing_id
        """,
        # Moves and lines: receipts of purchased lots, finished lines of MOs,
        # component lines of MOs, shipments of finished lots, and internal
        # transfers of every lot; one move per line.
        """
        CREATE TEMP TABLE gen_line AS
        SELECT l.lot_id, l.product_id, 'receipt' AS kind, NULL::int AS mo_id,
            %(supplier)s AS src, %(stock)s AS dst, l.day - interval '1 day' AS day,
            %(in_type)s AS picking_type, NULL::int AS component_of
        FROM gen_lot l WHERE l.k = 0
        UNION ALL
        SELECT m.lot_id, m.product_id, 'finished', m.mo_id, %(production)s,
            %(stock)s, m.day, %(manu)s, NULL
        FROM gen_mo m
        UNION ALL
        SELECT c.lot_id, c.product_id, 'component', m.mo_id, %(stock)s,
            %(production)s, m.day, %(manu)s, m.mo_id
        FROM gen_mo m
        JOIN gen_lot c ON c.t = m.t AND c.k = m.k - 1 AND c.i IN (2 * m.i, 2 * m.i + 1)
        UNION ALL
        SELECT l.lot_id, l.product_id, 'shipment', NULL, %(stock)s, %(customer)s,
            l.day + interval '1 day', %(out_type)s, NULL
        FROM gen_lot l WHERE l.k = 7
        UNION ALL
        SELECT l.lot_id, l.product_id, 'internal', NULL, %(stock)s, %(stock)s,
            l.day + make_interval(mins => n), NULL, NULL
        FROM gen_lot l, generate_series(1, %(noise)s) n
        """,
        "ALTER TABLE gen_line ADD COLUMN line_id int, ADD COLUMN move_id int",
        "UPDATE gen_line SET move_id = nextval('stock_move_id_seq'), "
        "line_id = nextval('stock_move_line_id_seq')",
        """
        INSERT INTO stock_move (id, name, reference, product_id, product_uom,
            product_uom_qty, product_qty, quantity, company_id, date,
            location_id, location_dest_id, location_final_id, procure_method,
            state, picked, production_id, raw_material_production_id,
            picking_type_id, create_uid, create_date, write_uid, write_date)
        SELECT g.move_id, g.kind, CASE WHEN g.mo_id IS NOT NULL
                THEN format('GEN/MO/%%s', g.mo_id) ELSE format('GEN/%%s', g.kind) END,
            g.product_id, %(uom)s, 1, 1, 1, %(company)s, g.day, g.src, g.dst,
            g.dst, 'make_to_stock', 'done', true,
            CASE WHEN g.kind = 'finished' THEN g.mo_id END,
            CASE WHEN g.kind = 'component' THEN g.mo_id END,
            g.picking_type, 1, now(), 1, now()
        FROM gen_line g
        """,
        """
        INSERT INTO stock_move_line (id, move_id, product_id, product_uom_id,
            lot_id, quantity, quantity_product_uom, picked, state, company_id,
            date, location_id, location_dest_id, reference, production_id,
            create_uid, create_date, write_uid, write_date)
        SELECT g.line_id, g.move_id, g.product_id, %(uom)s, g.lot_id, 1, 1, true,
            'done', %(company)s, g.day, g.src, g.dst,
            CASE WHEN g.mo_id IS NOT NULL THEN format('GEN/MO/%%s', g.mo_id)
                ELSE format('GEN/%%s', g.kind) END,
            CASE WHEN g.kind = 'finished' THEN g.mo_id END,
            1, now(), 1, now()
        FROM gen_line g
        """,
        # Odoo's link: (consume_line_id = finished line, produce_line_id =
        # component line).
        """
        INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id)
        SELECT f.line_id, c.line_id
        FROM gen_line f JOIN gen_line c
            ON c.component_of = f.mo_id AND c.kind = 'component'
        WHERE f.kind = 'finished'
        """,
    ]
    for statement in statements:
        cur.execute(statement, params)
    conn.commit()
    if stats == "fresh":
        analyze_history(conn)
    return count_history(cur)


def analyze_history(conn):
    """ANALYZE the tables of the history; autovacuum on again."""
    cur = conn.cursor()
    for table in HISTORY_TABLES:
        table = sql.Identifier(table)
        cur.execute(sql.SQL("ALTER TABLE {} RESET (autovacuum_enabled)").format(table))
        cur.execute(sql.SQL("ANALYZE {}").format(table))
    conn.commit()


def analyzed_tables(cur):
    """The history tables PostgreSQL has statistics of."""
    cur.execute(
        "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
        "AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL",
        [list(HISTORY_TABLES)],
    )
    return sorted(row[0] for row in cur.fetchall())


def count_history(cur):
    cur.execute(
        "SELECT (SELECT count(*) FROM stock_move_line), (SELECT count(*) FROM "
        "stock_lot), (SELECT count(*) FROM mrp_production), (SELECT count(*) FROM "
        "stock_move_line_consume_rel)"
    )
    return dict(
        zip(
            ("move_lines", "lots", "productions", "consume_links"),
            cur.fetchone(),
            strict=True,
        )
    )


def link_queries():
    """The trace's link queries and the planner settings they run under, as
    the module declares them (module-level constants of LINKS_SOURCES)."""
    wanted = {"_BACKWARD_LINKS", "_FORWARD_LINKS", "_PLANNER_SETTINGS"}
    found = {}
    for path in filter(Path.exists, LINKS_SOURCES):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                name = getattr(node.targets[0], "id", None)
                if name in wanted and name not in found:
                    found[name] = ast.literal_eval(node.value)
    return found if "_BACKWARD_LINKS" in found else {}


def explain_links(conn, lot_id, direction, queries):
    """EXPLAIN ANALYZE of the link query of ``direction`` from ``lot_id``, as
    the trace runs it (its planner settings, every company, the production
    locations), for a caller without record rules (the rule conditions are
    TRUE): ``(milliseconds planning and running it, tables read by a
    sequential scan, plan text)``."""
    cur = conn.cursor()
    cur.execute("SELECT array_agg(id) FROM stock_location WHERE usage = 'production'")
    params = {"root": lot_id, "production": cur.fetchone()[0]}
    cur.execute("SELECT array_agg(id) FROM res_company")
    params["companies"] = cur.fetchone()[0]
    cur.execute("SET LOCAL statement_timeout = '120s'")
    for name, value in queries.get("_PLANNER_SETTINGS", ()):
        cur.execute("SELECT set_config(%s, %s, true)", [name, value])
    query = queries["_BACKWARD_LINKS" if direction == "backward" else "_FORWARD_LINKS"]
    for rule in re.findall(r"%\((\w+_rule)\)s", query):
        params[rule] = AsIs("TRUE")
    try:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query, params)
    except psycopg2.errors.QueryCanceled:
        conn.rollback()
        return "over 120000", ["(cancelled after 120 s)"], ""
    plan = cur.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    text_options = "ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF"
    cur.execute(f"EXPLAIN ({text_options}) " + query, params)
    text = "\n".join(row[0] for row in cur.fetchall())
    conn.rollback()  # the planner settings end with the transaction
    scans = sorted(set(_seq_scans(plan["Plan"])))
    return round(plan["Execution Time"] + plan["Planning Time"], 2), scans, text


def _seq_scans(node):
    if node.get("Node Type") == "Seq Scan":
        yield node["Relation Name"]
    for child in node.get("Plans", ()):
        yield from _seq_scans(child)


def time_api(base_url, token, product, lot, direction, repeat):
    session = requests.Session()
    url = base_url.rstrip("/") + "/integration/v1/lots/trace"
    params = {"product": product, "lot": lot, "direction": direction}
    headers = {"Authorization": f"Bearer {token}"}
    response = session.get(url, params=params, headers=headers, timeout=120)
    response.raise_for_status()
    body = response.json()
    timings = []
    for _run in range(repeat):
        start = time.perf_counter()
        session.get(url, params=params, headers=headers, timeout=120).raise_for_status()
        timings.append(time.perf_counter() - start)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, body, timings[0], timings[-1]


class ReportWalk:
    """Odoo's traceability report walked as a person does in its UI, one RPC
    per click, until nothing is left to open or the time limit is reached.

    Backward: every unfoldable line is unfolded (``toggleLine``). The report
    shows the same move line under several parents (a component line lists
    every earlier line of its lot that reached its location); each distinct
    line is unfolded once, which is the least the report can cost.
    Forward: the report cannot unfold forward; its "Traceability Report" icon
    on an "is used" line opens the lines made from it, and the link on their
    lot opens that lot's report, whose "is used" lines continue the walk.
    """

    def __init__(self, rpc, limit_seconds):
        self.rpc, self.limit = rpc, limit_seconds
        self.calls = self.rows = 0
        self.unfolded, self.jumped, self.opened = set(), set(), set()
        self.lots = set()  # every lot the report showed, to compare with ours
        self.started = time.perf_counter()

    def run(self, lot_id, backward, forward):
        queue = self._open_lot(lot_id)
        while queue:
            if time.perf_counter() - self.started > self.limit:
                return False
            line = queue.pop()
            key = (line["model"], line["model_id"])
            if backward and line.get("unfoldable") and key not in self.unfolded:
                self.unfolded.add(key)
                queue.extend(self._unfold(line))
            if forward and line.get("is_used") and key not in self.jumped:
                self.jumped.add(key)
                for made in self._downstream(line):
                    queue.extend(self._open_lot(made["lot_id"]))
        return True

    def figures(self, complete):
        return {
            "report_seconds": round(time.perf_counter() - self.started, 2),
            "report_calls": self.calls,
            "report_rows": self.rows,
            "report_lots": len(self.lots),
            "report_complete": complete,
        }

    def _get_lines(self, *args, **kwargs):
        lines = self.rpc.execute(
            "stock.traceability.report", "get_lines", *args, **kwargs
        )
        self.calls += 1
        self.rows += len(lines)
        self.lots.update(line["lot_id"] for line in lines if line.get("lot_id"))
        return lines

    def _open_lot(self, lot_id):
        if not lot_id or lot_id in self.opened:
            return []
        self.opened.add(lot_id)
        return self._get_lines([], context={"active_id": lot_id, "model": "stock.lot"})

    def _unfold(self, line):
        return self._get_lines(
            [line["id"]],
            model_id=line["model_id"],
            model_name=line["model"],
            level=line["level"] + 30,
        )

    def _downstream(self, line):
        return self._get_lines(
            [],
            context={
                "active_id": line["model_id"],
                "model": line["model"],
                "lot_name": line["lot_name"],
            },
        )


# The lots traced: a finished lot both ways, a purchased lot forward.
CASES = (
    ("finished_both", "GEN-L7", "T0-L7-0", "both"),
    ("purchased_forward", "GEN-L0", "T0-L0-0", "forward"),
)


def parse_arguments():
    parser = argument_parser(__doc__)
    parser.add_argument("--trees", type=int, default=400, help="255 lots each")
    parser.add_argument("--noise", type=int, default=8, help="transfers per lot")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--report-limit", type=int, default=1800, help="seconds")
    parser.add_argument(
        "--reuse-history",
        action="store_true",
        help="time the history an earlier run left in the database",
    )
    parser.add_argument(
        "--before-analyze",
        action="store_true",
        help="time the trace right after the bulk load, before any ANALYZE of "
        "the loaded tables, then again after ANALYZE",
    )
    parser.add_argument(
        "--stale-statistics",
        action="store_true",
        help="with --before-analyze: ANALYZE the tables before the load",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the plans of the link queries (EXPLAIN ANALYZE)",
    )
    parser.add_argument("--skip-report", action="store_true", help="time the API only")
    args = parser.parse_args()
    if args.stale_statistics:
        args.before_analyze = True
    if args.before_analyze and args.reuse_history:
        parser.error("--before-analyze builds a new history: not with --reuse-history")
    return args


def time_cases(args, token, conn, lot_ids):
    """API timings of each case, with the plans of its link queries."""
    figures = {}
    queries = link_queries()
    for name, product, lot, direction in CASES:
        started = time.perf_counter()
        try:
            median, p95, body, fastest, slowest = time_api(
                args.url, token, product, lot, direction, args.repeat
            )
        except requests.RequestException as err:
            # A request the server could not answer in time (its worker is
            # killed after 120 s): the figure is how long it lasted.
            figures[name] = {
                "api_failed": f"{type(err).__name__} after "
                f"{time.perf_counter() - started:.0f} s"
            }
            continue
        figures[name] = {
            "lots_in_trace": len(body["nodes"]),
            "edges": len(body["edges"]),
            "shipments": len(body["shipments"]),
            "receipts": len(body["receipts"]),
            "api_ms_median": round(median * 1000, 1),
            "api_ms_p95": round(p95 * 1000, 1),
            "api_ms_range": f"{fastest * 1000:.1f}-{slowest * 1000:.1f}",
        }
        for step in ("backward", "forward"):
            if not queries or direction not in (step, "both"):
                continue
            ms, scans, text = explain_links(conn, lot_ids[lot], step, queries)
            figures[name][f"{step}_links_sql_ms"] = ms
            figures[name][f"{step}_links_seq_scans"] = ", ".join(scans) or "none"
            if args.explain:
                print(f"--- {name}, {step} links ({ms} ms):\n{text}")
    return figures


def report_yardstick(walk):
    """Odoo's report walked in the same run, as a yardstick (None when it
    was not walked); a walk stopped at --report-limit says so."""
    if not walk:
        return None
    name = f"Odoo's report, {walk['report_calls']:,} calls"
    if not walk["report_complete"]:
        name += ", stopped at the limit"
    return (name, walk["report_seconds"], "s")


def trace_row(figure, milliseconds, walk, goal=None, check=None):
    """A trace timed through the API against the report's walk; ``check``
    tells from the time and the ratio whether ``goal`` is met."""
    yardstick = report_yardstick(walk)
    ratio = times(yardstick[1] * 1000, milliseconds) if yardstick else None
    return summary_row(
        "genealogy",
        figure,
        milliseconds,
        "ms",
        yardstick=yardstick,
        ratio=ratio,
        goal=goal,
        goal_met=check(milliseconds, ratio) if check else None,
    )


def deep_trace_goal(milliseconds, ratio):
    """README.rst: under 50 ms end to end and at least 500 times faster
    than Odoo's report."""
    if milliseconds is None or (milliseconds < 50 and ratio is None):
        return None
    return milliseconds < 50 and ratio >= 500


def summary(figures):
    """The headline figures: the history's size, then each trace against
    Odoo's report walked for the same lot."""
    history = figures["history"]
    built = history.get("build_seconds")
    timed = figures.get("after_analyze") or figures["api"]
    deep, forward = timed["finished_both"], timed["purchased_forward"]
    deep_walk = figures.get("finished_both")
    return [
        summary_row(
            "genealogy",
            f"history (built in {built:.0f} s)" if built else "history (reused)",
            history["move_lines"],
            "move lines",
        ),
        trace_row(
            f"full trace, finished lot ({deep.get('lots_in_trace', '?')} lots), "
            "API p50",
            deep.get("api_ms_median"),
            deep_walk,
            goal="< 50 ms and ≥ 500× the report",
            check=deep_trace_goal,
        ),
        trace_row("same trace, API p95", deep.get("api_ms_p95"), deep_walk),
        trace_row(
            f"forward trace, purchased lot ({forward.get('lots_in_trace', '?')} "
            "lots), API p50",
            forward.get("api_ms_median"),
            figures.get("purchased_forward"),
        ),
    ]


def main():
    args = parse_arguments()
    rpc = JsonRpc(args.url, args.db, args.login, args.password)
    started = time.perf_counter()
    conn = psycopg2.connect(dbname=args.db)
    cur = conn.cursor()
    if args.reuse_history:
        token = reuse_client(rpc)
        history = count_history(cur)
    else:
        products = setup_products(rpc)
        token = setup_client(rpc)
        history = build_history(
            conn,
            products,
            args.trees,
            args.noise,
            stats="fresh"
            if not args.before_analyze
            else "stale"
            if args.stale_statistics
            else "none",
        )
        history["build_seconds"] = round(time.perf_counter() - started, 1)
    cur.execute("SELECT name, id FROM stock_lot WHERE name IN ('T0-L7-0', 'T0-L0-0')")
    lot_ids = dict(cur.fetchall())
    conn.commit()

    figures = {"history": history}
    if args.before_analyze:
        history["analyzed_tables_before"] = ", ".join(analyzed_tables(cur)) or "none"
        conn.commit()
        figures["before_analyze"] = time_cases(args, token, conn, lot_ids)
        analyze_history(conn)
        figures["after_analyze"] = time_cases(args, token, conn, lot_ids)
    else:
        figures["api"] = time_cases(args, token, conn, lot_ids)
    conn.close()
    if not args.skip_report:
        timed = figures.get("after_analyze") or figures["api"]
        for name, _product, lot, direction in CASES:
            walk = ReportWalk(rpc, args.report_limit)
            complete = walk.run(
                lot_ids[lot],
                backward=direction != "forward",
                forward=direction != "backward",
            )
            figures[name] = walk.figures(complete)
            if "api_ms_median" in timed[name]:
                figures[name]["ratio"] = round(
                    figures[name]["report_seconds"]
                    * 1000
                    / timed[name]["api_ms_median"]
                )
    report(figures, args.json)
    write_summary(args.summary, summary(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
