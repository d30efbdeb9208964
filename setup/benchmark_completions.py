#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of real work: manufacturing orders completed through signed MES
events against the same completions through Odoo's own JSON-RPC.

Set-up, over JSON-RPC as admin: a lot-tracked product made from a
lot-tracked component and an untracked one (a BoM of two lines), the
components in stock (the tracked one in several lots), and 2 x N confirmed
manufacturing orders (confirming releases them to the MES, as mrp_trace_sync
does). Then, in the same run:

- events: half of the orders are completed by ``mfg.production.completed.v1``
  events (the produced lot, the consumed lots), sent in signed batches by
  concurrent senders, timed from the first request until every event is in
  a final state (processed, dead, stale or skipped);
- JSON-RPC: the other half are completed the way a user or an integration
  does it through Odoo's API, one order per sequence of calls: create the
  produced lot, write ``qty_producing`` and ``lot_producing_id``,
  ``set_qty_producing`` (what the form's onchange does), set the consumed
  lot on the component line, ``button_mark_done``; concurrent callers.

Both halves are then checked: every order done, the produced lot and the
consumed lots with the right quantities. It needs a database with
mfg_integration_suite (mrp_trace_sync) and test_integration_log;
setup/benchmark.sh prepares one and runs the scale-out deployment.
"""

import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import (  # noqa: E402
    BenchmarkError,
    EventWatch,
    JsonRpc,
    argument_parser,
    make_client,
    report,
    send_batches,
    summary_row,
    times,
    write_summary,
)

SOURCE = "urn:mes:benchmark"
COMPLETED = "mfg.production.completed.v1"
UNIT = "C62"  # UN/CEFACT code of Units
QUANTITY = 2  # produced per order; the BoM: 1 tracked + 2 untracked each
# The MES's client: its technical user runs the handlers.
CLIENT = {
    "event_types": "mfg.*",
    "source": SOURCE,
    "groups": ("mrp.group_mrp_user", "stock.group_stock_user"),
}


class Plant:
    """The products, BoM, stock and orders of one run, made over JSON-RPC."""

    def __init__(self, rpc, run, lots):
        self.rpc, self.run = rpc, run
        self.codes = {key: f"BENCH-{key}-{run}" for key in ("FG", "C1", "C2")}
        self.product = {
            key: rpc.execute(
                "product.product",
                "create",
                {
                    "name": f"Benchmark {key} {run}",
                    "default_code": code,
                    "is_storable": True,
                    "tracking": "none" if key == "C2" else "lot",
                },
            )
            for key, code in self.codes.items()
        }
        self.location = rpc.xmlid("stock", "stock_location_stock")
        self.bom = self._make_bom()
        names = [f"C1-{run}-{k:02d}" for k in range(lots)]
        ids = rpc.execute(
            "stock.lot",
            "create",
            [{"name": name, "product_id": self.product["C1"]} for name in names],
        )
        self.component_lots = list(zip(names, ids, strict=True))

    def _make_bom(self):
        template = self.rpc.execute(
            "product.product", "read", [self.product["FG"]], ["product_tmpl_id"]
        )[0]["product_tmpl_id"][0]
        return self.rpc.execute(
            "mrp.bom",
            "create",
            {
                "product_tmpl_id": template,
                "product_qty": 1,
                "bom_line_ids": [
                    (0, 0, {"product_id": self.product["C1"], "product_qty": 1}),
                    (0, 0, {"product_id": self.product["C2"], "product_qty": 2}),
                ],
            },
        )

    def stock_components(self, orders):
        """Stock for ``orders`` orders, half as much again: the tracked
        component spread over the lots, by inventory adjustment."""
        need = orders * QUANTITY * 3 // 2
        per_lot = need // len(self.component_lots) + 1
        quants = [
            {
                "product_id": self.product["C1"],
                "location_id": self.location,
                "lot_id": lot_id,
                "inventory_quantity_auto_apply": per_lot,
            }
            for _name, lot_id in self.component_lots
        ]
        quants.append(
            {
                "product_id": self.product["C2"],
                "location_id": self.location,
                "inventory_quantity_auto_apply": need * 2,
            }
        )
        self.rpc.execute(
            "stock.quant", "create", quants, context={"inventory_mode": True}
        )

    def make_orders(self, count, chunk=100):
        """``count`` confirmed orders; returns ``[(id, name)]``."""
        orders = []
        for start in range(0, count, chunk):
            ids = self.rpc.execute(
                "mrp.production",
                "create",
                [
                    {
                        "product_id": self.product["FG"],
                        "bom_id": self.bom,
                        "product_qty": QUANTITY,
                    }
                    for _index in range(start, min(count, start + chunk))
                ],
            )
            self.rpc.execute("mrp.production", "action_confirm", ids)
            rows = self.rpc.execute(
                "mrp.production", "read", ids, ["name", "state", "mes_status"]
            )
            wrong = [
                r
                for r in rows
                if (r["state"], r["mes_status"]) != ("confirmed", "released")
            ]
            if wrong:
                raise BenchmarkError(f"orders not confirmed and released: {wrong[:3]}")
            orders += [(row["id"], row["name"]) for row in rows]
        return orders

    def plan(self, orders, tag):
        """What each order must produce and consume: ``{id: (name, produced
        lot, (consumed lot name, id))}``."""
        return {
            mo_id: (
                name,
                f"FG-{self.run}-{tag}-{index:04d}",
                self.component_lots[index % len(self.component_lots)],
            )
            for index, (mo_id, name) in enumerate(orders)
        }


def completion_event(plant, mo_id, name, fg_lot, component_lot):
    return {
        "specversion": "1.0",
        "id": f"{plant.run}-completed-{mo_id}",
        "source": SOURCE,
        "type": COMPLETED,
        "time": "2026-03-02T09:00:00Z",
        "subject": name,
        "data": {
            "production": name,
            "completed_at": "2026-03-02T09:00:00Z",
            "outputs": [{"lot": fg_lot, "quantity": QUANTITY, "uom": UNIT}],
            "consumed": [
                {
                    "product": plant.codes["C1"],
                    "lot": component_lot[0],
                    "quantity": QUANTITY,
                    "uom": UNIT,
                },
                {"product": plant.codes["C2"], "quantity": QUANTITY * 2, "uom": UNIT},
            ],
        },
    }


def complete_by_events(args, plant, plan, credentials, watch, batch_size):
    """Send the completions; returns the seconds from the first request
    until every event is final, and the seconds the sending took."""
    events = [
        completion_event(plant, mo_id, name, fg_lot, lot)
        for mo_id, (name, fg_lot, lot) in plan.items()
    ]
    batches = [events[i : i + batch_size] for i in range(0, len(events), batch_size)]
    before = watch.final()
    accepted, start, sent = send_batches(args.url, credentials, batches, args.senders)
    done = watch.wait_final(before + accepted, args.timeout, args.stall)
    return done - start, sent - start


def complete_one_by_rpc(rpc, plant, mo_id, fg_lot, component_lot):
    """One order, as a user or integration completes it through the API."""
    execute = rpc.execute
    lot_id = execute(
        "stock.lot", "create", {"name": fg_lot, "product_id": plant.product["FG"]}
    )
    execute(
        "mrp.production",
        "write",
        [mo_id],
        {"qty_producing": QUANTITY, "lot_producing_id": lot_id},
    )
    execute("mrp.production", "set_qty_producing", [mo_id])
    lines = execute(
        "stock.move.line",
        "search_read",
        [
            ["move_id.raw_material_production_id", "=", mo_id],
            ["product_id", "=", plant.product["C1"]],
        ],
        ["id"],
    )
    values = {"lot_id": component_lot[1], "quantity": QUANTITY, "picked": True}
    if lines:
        execute("stock.move.line", "write", [lines[0]["id"]], values)
        if lines[1:]:
            execute("stock.move.line", "unlink", [line["id"] for line in lines[1:]])
    else:
        execute(
            "stock.move",
            "write",
            execute(
                "stock.move",
                "search",
                [
                    ["raw_material_production_id", "=", mo_id],
                    ["product_id", "=", plant.product["C1"]],
                ],
            ),
            {"move_line_ids": [(0, 0, values)], "picked": True},
        )
    result = execute("mrp.production", "button_mark_done", [mo_id])
    if result is not True:
        raise BenchmarkError(f"button_mark_done asked for more: {result}")


def complete_by_rpc(args, plant, plan):
    """The JSON-RPC half, ``args.rpc_callers`` callers at once; returns the
    seconds taken and the errors."""
    items = list(plan.items())
    errors = []
    callers = []

    def work(worker):
        rpc = JsonRpc(args.url, args.db, args.login, args.password, retries=3)
        callers.append(rpc)
        for mo_id, (_name, fg_lot, lot) in items[worker :: args.rpc_callers]:
            try:
                complete_one_by_rpc(rpc, plant, mo_id, fg_lot, lot)
            except (Exception, BenchmarkError) as err:  # reported with the figures
                errors.append(f"{_name}: {type(err).__name__}: {err}")

    threads = [
        threading.Thread(target=work, args=(w,), daemon=True)
        for w in range(args.rpc_callers)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return elapsed, errors, sum(rpc.retried for rpc in callers)


def check(rpc, plant, plan):
    """Every order done with the planned lots and quantities; returns the
    number of orders done and the problems found."""
    ids = list(plan)
    orders = {
        row["id"]: row
        for row in rpc.execute(
            "mrp.production", "read", ids, ["state", "qty_produced", "lot_producing_id"]
        )
    }
    moves = rpc.execute(
        "stock.move",
        "search_read",
        ["|", ["raw_material_production_id", "in", ids], ["production_id", "in", ids]],
        ["raw_material_production_id", "production_id", "product_id", "state"],
    )
    order_of = {
        move["id"]: (move["raw_material_production_id"] or move["production_id"])[0]
        for move in moves
    }
    seen = {}  # (order, product) -> {lot name: quantity}
    for line in rpc.execute(
        "stock.move.line",
        "search_read",
        [["move_id", "in", list(order_of)], ["state", "=", "done"]],
        ["move_id", "product_id", "lot_id", "quantity"],
    ):
        lots = seen.setdefault(
            (order_of[line["move_id"][0]], line["product_id"][0]), {}
        )
        lot = line["lot_id"][1] if line["lot_id"] else None
        lots[lot] = lots.get(lot, 0) + line["quantity"]
    done, problems = 0, []
    for mo_id, (name, fg_lot, component_lot) in plan.items():
        expected = {
            plant.product["FG"]: {fg_lot: QUANTITY},
            plant.product["C1"]: {component_lot[0]: QUANTITY},
            plant.product["C2"]: {None: QUANTITY * 2},
        }
        got = {product: seen.get((mo_id, product), {}) for product in expected}
        order = orders[mo_id]
        if order["state"] != "done":
            problems.append(f"{name} is {order['state']}")
        elif got != expected:
            problems.append(f"{name}: done lines {got}, expected {expected}")
        else:
            done += 1
    return done, problems


def warm_up(args, plant):
    """A few orders each way first, with a client of their own: the first
    call of a worker loads the registry, which is not what is measured."""
    count = args.warmup
    client_id, credentials = make_client(rpc=plant.rpc, **CLIENT)
    watch = EventWatch(args.db, client_id)
    orders = plant.make_orders(2 * count)
    complete_by_events(
        args, plant, plant.plan(orders[:count], "warm-ev"), credentials, watch, 1
    )
    _seconds, errors, _retried = complete_by_rpc(
        args, plant, plant.plan(orders[count:], "warm-rpc")
    )
    if errors:
        raise BenchmarkError(f"warm-up through JSON-RPC failed: {errors[0]}")


def parse_arguments():
    parser = argument_parser(__doc__)
    parser.add_argument("--orders", type=int, default=500, help="orders each way")
    parser.add_argument("--batch-size", type=int, default=50, help="events per batch")
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--rpc-callers", type=int, default=2)
    parser.add_argument("--lots", type=int, default=10, help="component lots")
    parser.add_argument("--warmup", type=int, default=4, help="orders each way")
    parser.add_argument("--timeout", type=int, default=1800, help="per wait, s")
    parser.add_argument(
        "--stall", type=int, default=180, help="fail when no event is final for so long"
    )
    return parser.parse_args()


def figures(args, setup_seconds, events, rpc):
    """The figures of a run; ``events`` and ``rpc`` are dicts of seconds,
    orders done and what else each way has to tell."""
    events_rate = events["done"] / events["seconds"]
    rpc_rate = rpc["done"] / rpc["seconds"]
    return {
        "deployment": args.deployment,
        "setup_seconds": round(setup_seconds, 1),
        "orders_each_way": args.orders,
        "events_batch_size": args.batch_size,
        "events_senders": args.senders,
        "events_seconds": round(events["seconds"], 2),
        "events_sending_seconds": round(events["sending"], 2),
        "events_orders_done": events["done"],
        "events_orders_per_second": round(events_rate, 2),
        "event_states": events["states"],
        "rpc_callers": args.rpc_callers,
        "rpc_seconds": round(rpc["seconds"], 2),
        "rpc_orders_done": rpc["done"],
        "rpc_calls_retried_after_a_conflict": rpc["retried"],
        "rpc_orders_per_second": round(rpc_rate, 2),
        "ratio_events_to_rpc": round(events_rate / rpc_rate, 2) if rpc_rate else None,
        # The goal: at least as fast as JSON-RPC; aim: twice.
        "goal_events_at_least_as_fast": events_rate >= rpc_rate,
        "aim_events_twice_as_fast": events_rate >= 2 * rpc_rate,
    }


def summary(args, results):
    """The headline figure of the ``results`` of :func:`figures`: README.rst's
    goal is twice JSON-RPC's rate (the full figures also tell whether it is
    at least as fast)."""
    events_rate = results["events_orders_per_second"]
    ratio = times(events_rate, results["rpc_orders_per_second"])
    return [
        summary_row(
            "completions",
            f"MOs completed by events ({args.orders:,}, batches of {args.batch_size})",
            events_rate,
            "MOs/s",
            yardstick=(
                f"the same by JSON-RPC ({args.rpc_callers} callers)",
                results["rpc_orders_per_second"],
                "MOs/s",
            ),
            ratio=ratio,
            goal="≥ 2× JSON-RPC",
            goal_met=None if ratio is None else ratio >= 2,
        )
    ]


def main():
    args = parse_arguments()
    rpc = JsonRpc(args.url, args.db, args.login, args.password)
    start = time.perf_counter()
    plant = Plant(rpc, uuid.uuid4().hex[:6], args.lots)
    plant.stock_components(2 * (args.orders + args.warmup))
    warm_up(args, plant)
    client_id, credentials = make_client(rpc=rpc, **CLIENT)
    watch = EventWatch(args.db, client_id)
    orders = plant.make_orders(2 * args.orders)
    setup_seconds = time.perf_counter() - start
    by_events = plant.plan(orders[: args.orders], "ev")
    by_rpc = plant.plan(orders[args.orders :], "rpc")

    events_seconds, sending_seconds = complete_by_events(
        args, plant, by_events, credentials, watch, args.batch_size
    )
    rpc_seconds, rpc_errors, rpc_retried = complete_by_rpc(args, plant, by_rpc)
    done_events, problems_events = check(rpc, plant, by_events)
    done_rpc, problems_rpc = check(rpc, plant, by_rpc)
    events = {
        "seconds": events_seconds,
        "sending": sending_seconds,
        "done": done_events,
        "states": watch.states(),
    }
    rpc_way = {"seconds": rpc_seconds, "done": done_rpc, "retried": rpc_retried}
    results = figures(args, setup_seconds, events, rpc_way)
    report(results, args.json)
    write_summary(args.summary, summary(args, results))
    problems = problems_events + rpc_errors + problems_rpc
    if problems:
        print(
            f"FAILED: {len(problems_events)} order(s) wrong through events, "
            f"{len(problems_rpc)} through JSON-RPC ({len(rpc_errors)} call errors)"
            + "".join(f"\n  {problem}" for problem in problems[:10])
            + watch.dead_errors(),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted")
