#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo plant's day, played in Odoo by its people.

Goods-in receives supplier lots, which wait for the QMS's release; the
planner confirms the drive modules, then the infusion pumps, which Odoo
releases to the MES; shipping tries a delivery before its pumps are
released (the release gate refuses it) and ships it once they are; quality
recalls a supplier lot that reached a hospital. The MES, QMS and PLM are the
simulators of setup/partner_kit, which setup/demo.sh starts with this story.

Everything goes through Odoo's JSON-RPC as one user (admin by default); each
step prints one line. Every wait has a time limit and the whole story a
deadline: it never waits for ever. Run again on the same database, it plays
another day with new lot numbers.
"""

import argparse
import itertools
import sys
import time
from datetime import datetime

from odoo_rpc import OdooRpc, OdooRpcError, OdooUnreachable

MODULE = "mfg_integration_suite"
RUN_PARAM = "mfg_integration_suite.demo_story_runs"
# Planned quantities of the day.
DRIVE_MODULES = 6
PUMPS = 5
# Lots received per supplier: (product XML id, lot numbers, quantity per lot);
# no lot numbers for untracked parts. "{run}" makes each day's lots new.
RECEIPTS = [
    (
        "demo_partner_kessler",
        [("demo_product_motor", ["KA-24{run}12", "KA-24{run}19"], 12)],
    ),
    (
        "demo_partner_northfield",
        [
            ("demo_product_driver_board", ["NE{run}-D2231", "NE{run}-D2232"], 12),
            ("demo_product_controller_board", ["NE{run}-C1870", "NE{run}-C1871"], 10),
        ],
    ),
    (
        "demo_partner_moravia",
        [
            ("demo_product_housing", ["R5512-{run}A", "R5512-{run}B"], 10),
            ("demo_product_gasket", [], 40),
        ],
    ),
    (
        "demo_partner_vitaflex",
        [("demo_product_tubing", ["VF{run}-88120", "VF{run}-88121"], 12)],
    ),
    ("demo_partner_alpine", [("demo_product_screw", [], 500)]),
]
# Deliveries: (customer XML id, pumps). The first is the one tried before
# its pumps are released.
DELIVERIES = [
    ("demo_partner_st_aurelia", 2),
    ("demo_partner_lakeside", 1),
    ("demo_partner_medsupply", 1),
]
# What the supplier's notice says of a lot of each part, should it be recalled.
DEFECTS = {
    "demo_product_motor": "the winding insulation may break down",
    "demo_product_driver_board": "a capacitor batch may drift out of tolerance",
    "demo_product_controller_board": "a flash memory batch may lose data",
    "demo_product_housing": "the resin lot may crack under disinfectants",
    "demo_product_tubing": "the wall thickness may be out of tolerance",
}
RECALL_REASON = (
    "Supplier notice from {supplier}: {defect} in lot {lot} of {code}; field "
    "safety corrective action opened."
)
CONCESSION_REASON = (
    "MRB concession: the nonconformance of lot {lot} was reviewed; use as is "
    "for the demo day's production."
)


class StoryError(Exception):
    """The story cannot go on; its message says why."""


class Odoo(OdooRpc):
    """Odoo's JSON-RPC as the plant's people: ``odoo(model, method, ...)``."""

    __call__ = OdooRpc.execute

    def ref(self, name):
        """The id of the record of XML id ``name`` (``module.name``, or a
        name of this module)."""
        module, _dot, local = name.rpartition(".")
        try:
            return self.xmlid(module or MODULE, local)
        except OdooRpcError as err:
            raise StoryError(
                f"{err}: was {MODULE} installed with its demo data?"
            ) from err


class Clock:
    """Seconds since the story started, and its deadline."""

    def __init__(self, deadline):
        self.start = time.monotonic()
        self.deadline = self.start + deadline

    def elapsed(self):
        return time.monotonic() - self.start

    def left(self):
        return self.deadline - time.monotonic()


class Story:
    """The day of the demo plant, one step after the other."""

    def __init__(self, odoo, args):
        self.odoo, self.args = odoo, args
        self.clock = Clock(args.deadline)
        self.run = 0
        self.codes = {}
        # What the watchers printed last: lots, orders, BOM releases.
        self.lot_seen = {}
        self.mo_seen = {}
        self.release_seen = {}
        self.groups = []
        self.raw_lots = {}
        self.deliveries = []

    # ------------------------------------------------------------------
    # Printing and waiting
    # ------------------------------------------------------------------
    def say(self, who, text):
        print(
            f"{datetime.now():%H:%M:%S} +{self.clock.elapsed():5.1f}s  {who:<9} {text}",
            flush=True,
        )

    def wait_for(self, what, check, timeout=None):
        """Call ``check`` every poll interval until it returns something
        true, printing what the partner systems did meanwhile."""
        limit = min(timeout or self.args.step_timeout, self.clock.left())
        until = time.monotonic() + max(limit, 0)
        while True:
            self.watch()
            result = check()
            if result:
                return result
            if time.monotonic() >= until:
                raise StoryError(f"gave up after {limit:.0f} s waiting for {what}")
            time.sleep(self.args.poll)

    def watch(self):
        self._watch_orders()
        self._watch_lots()
        self._watch_releases()

    def _watch_orders(self):
        if not self.groups:
            return
        orders = self.odoo(
            "mrp.production",
            "search_read",
            [["procurement_group_id", "in", self.groups]],
            ["name", "state", "mes_status", "lot_producing_id", "qty_produced"],
            order="id",
        )
        for order in orders:
            seen = self.mo_seen.get(order["id"])
            now = (order["mes_status"], order["state"])
            if seen == now:
                continue
            self.mo_seen[order["id"]] = now
            text = self._order_news(order, seen)
            if text:
                self.say("MES", text)

    def _order_news(self, order, seen):
        if order["state"] == "done":
            lot = order["lot_producing_id"]
            made = f"{order['qty_produced']:g} made"
            return f"{order['name']} completed: {made}" + (
                f", lot/serial {lot[1]}" if lot else ""
            )
        if order["state"] == "cancel":
            return f"{order['name']} cancelled (the rest was not made)"
        if seen and seen[0] == order["mes_status"]:
            return None
        return {
            "released": f"{order['name']} received by the MES (released to the floor)",
            "started": f"{order['name']} started on the line",
        }.get(order["mes_status"])

    def _watch_lots(self):
        if not self.lot_seen:
            return
        lots = self.odoo(
            "stock.lot",
            "read",
            list(self.lot_seen),
            ["name", "product_id", "quality_disposition", "quality_hold_ids"],
        )
        for lot in lots:
            before = self.lot_seen[lot["id"]]
            if lot["quality_disposition"] == before:
                continue
            self.lot_seen[lot["id"]] = lot["quality_disposition"]
            who, text = self._lot_news(lot, before)
            self.say(who, text)

    def _lot_news(self, lot, before):
        """``(who, what)`` of a lot's new disposition: the QMS's results,
        or the holds of people (a recall, say)."""
        label = f"{self.codes.get(lot['product_id'][0], '')} lot {lot['name']}"
        disposition = lot["quality_disposition"]
        if disposition == "pending" and before is None:
            return "QMS", f"{label} waits for its release (inspection requested)"
        if disposition != "hold":
            return "QMS", f"{label} {disposition}"
        holds = self.odoo(
            "quality.lot.hold",
            "search_read",
            [["lot_id", "=", lot["id"]], ["state", "=", "active"]],
            ["display_name", "source"],
        )
        by_people = all(hold["source"] in ("recall", "manual") for hold in holds)
        why = ", ".join(hold["display_name"] for hold in holds)
        return ("Quality" if by_people else "QMS"), f"{label} on hold ({why})"

    def _watch_releases(self):
        releases = self.odoo(
            "plm.bom.release",
            "search_read",
            [],
            ["name", "state", "added_count", "removed_count", "changed_count"],
            order="id",
        )
        for release in releases:
            if self.release_seen.get(release["id"]) == release["state"]:
                continue
            self.release_seen[release["id"]] = release["state"]
            changes = (
                f"{release['added_count']} added, {release['removed_count']} "
                f"removed, {release['changed_count']} changed"
            )
            if release["state"] == "pending":
                self.say(
                    "PLM",
                    f"BOM {release['name']} waits for an engineering manager's "
                    f"approval ({changes})",
                )
            elif release["state"] == "applied":
                self.say("PLM", f"BOM {release['name']} applied ({changes})")

    # ------------------------------------------------------------------
    # The day
    # ------------------------------------------------------------------
    def play(self):
        self.prepare()
        self.receive_supplier_lots()
        self.wait_raw_released()
        drive = self.make("demo_product_drive_module", DRIVE_MODULES)
        self.wait_made(drive, "demo_product_drive_module", PUMPS)
        pumps = self.make("demo_product_pump", PUMPS)
        self.deliver(pumps)
        self.recall()
        self.summary()

    def prepare(self):
        odoo = self.odoo
        self.run = int(odoo("ir.config_parameter", "get_param", RUN_PARAM) or 0) + 1
        odoo("ir.config_parameter", "set_param", RUN_PARAM, str(self.run))
        products = odoo(
            "product.product",
            "search_read",
            [["default_code", "=like", "IP-%"]],
            ["default_code"],
        )
        self.codes = {p["id"]: p["default_code"] for p in products}
        odoo.ref("demo_product_pump")
        # Earlier days' BOM releases are old news.
        for release in odoo("plm.bom.release", "search_read", [], ["state"]):
            self.release_seen[release["id"]] = release["state"]
        self.say("Plant", f"Day {self.run} of the infusion pump plant begins")

    def receive_supplier_lots(self):
        for supplier, lines in RECEIPTS:
            name, lots = self._receive(supplier, lines)
            received = ", ".join(
                f"{code} lots {' '.join(names)}" if names else code
                for code, names in lots
            )
            self.say("Goods-in", f"{name}: {received}")

    def _receive(self, supplier, lines):
        odoo = self.odoo
        run = f"{self.run:02d}"
        picking_id = odoo(
            "stock.picking",
            "create",
            {
                "picking_type_id": odoo.ref("stock.picking_type_in"),
                "partner_id": odoo.ref(supplier),
                "location_id": odoo.ref("stock.stock_location_suppliers"),
                "location_dest_id": odoo.ref("stock.stock_location_stock"),
                "origin": f"PO-{self.run:02d}-{odoo.ref(supplier):04d}",
                "move_ids": [
                    (0, 0, self._move_vals(product, qty * max(len(names), 1)))
                    for product, names, qty in lines
                ],
            },
        )
        odoo("stock.picking", "action_confirm", [picking_id])
        moves = odoo(
            "stock.move",
            "search_read",
            [["picking_id", "=", picking_id]],
            ["product_id", "location_id", "location_dest_id", "product_uom"],
        )
        odoo("stock.move.line", "unlink", self._line_ids(picking_id))
        received, vals_list = [], []
        for (product, names, qty), move in zip(lines, moves, strict=True):
            names = [n.format(run=run) for n in names]
            received.append((self.codes[odoo.ref(product)], names))
            for lot_name in names or [None]:
                vals = self._line_vals(move, picking_id, qty)
                if lot_name:
                    vals["lot_name"] = lot_name
                vals_list.append(vals)
        odoo("stock.move.line", "create", vals_list)
        self._validate(picking_id)
        picking = odoo("stock.picking", "read", [picking_id], ["name"])[0]
        lot_names = [n for _code, names in received for n in names]
        if lot_names:
            for lot in odoo(
                "stock.lot",
                "search_read",
                [["name", "in", lot_names]],
                ["product_id", "quality_disposition"],
            ):
                self.raw_lots[lot["id"]] = lot["product_id"][0]
                self.lot_seen.setdefault(lot["id"], None)
        partner = odoo("res.partner", "read", [odoo.ref(supplier)], ["name"])[0]
        return f"{picking['name']} from {partner['name']}", received

    def _move_vals(self, product, quantity, source="stock.stock_location_suppliers"):
        odoo = self.odoo
        product_id = odoo.ref(product)
        return {
            "name": self.codes[product_id],
            "product_id": product_id,
            "product_uom_qty": quantity,
            "location_id": odoo.ref(source),
            "location_dest_id": odoo.ref(
                "stock.stock_location_customers"
                if source == "stock.stock_location_stock"
                else "stock.stock_location_stock"
            ),
        }

    def _line_vals(self, move, picking_id, quantity):
        return {
            "move_id": move["id"],
            "picking_id": picking_id,
            "product_id": move["product_id"][0],
            "product_uom_id": move["product_uom"][0],
            "location_id": move["location_id"][0],
            "location_dest_id": move["location_dest_id"][0],
            "quantity": quantity,
            "picked": True,
        }

    def _line_ids(self, picking_id):
        return self.odoo("stock.move.line", "search", [["picking_id", "=", picking_id]])

    def _validate(self, picking_id):
        result = self.odoo("stock.picking", "button_validate", [picking_id])
        if result is not True:
            raise StoryError(
                f"validating picking {picking_id} asked for a wizard: "
                f"{(result or {}).get('res_model')}"
            )

    # ------------------------------------------------------------------
    # Production
    # ------------------------------------------------------------------
    def wait_raw_released(self):
        self.say("Quality", "Incoming inspection: waiting for the QMS's results")
        self.wait_for("the QMS to release the supplier lots", self._raw_ready)
        self.say("Quality", "Every part has a released lot: production may start")

    def _raw_ready(self):
        """Whether every part received today has a released lot (each lot
        covers the day's orders)."""
        lots = self.odoo(
            "stock.lot",
            "read",
            list(self.raw_lots),
            ["product_id", "quality_disposition", "product_qty", "name"],
        )
        ready = True
        for product in set(self.raw_lots.values()):
            mine = [lot for lot in lots if lot["product_id"][0] == product]
            states = {lot["quality_disposition"] for lot in mine}
            if "released" in states:
                continue
            ready = False
            if "pending" not in states:
                self._concede(mine)
        return ready

    def _concede(self, lots):
        """Every lot of a part failed its inspection: the review board
        releases one of them by hand (a manager's override, with reason)."""
        lot = max(lots, key=lambda lot: lot["product_qty"])
        wizard = self.odoo(
            "quality.lot.decision.wizard",
            "create",
            {
                "lot_ids": [(6, 0, [lot["id"]])],
                "decision": "release",
                "reason": CONCESSION_REASON.format(lot=lot["name"]),
            },
        )
        self.odoo("quality.lot.decision.wizard", "action_apply", [wizard])
        self.say(
            "Quality",
            f"Review board releases lot {lot['name']} by hand (concession): "
            "no lot of the part passed",
        )

    def make(self, product, quantity):
        """Plan and confirm an order of the BOM revision Odoo picks: Odoo
        reserves its components and releases it to the MES. Returns its
        procurement group."""
        odoo = self.odoo
        product_id = odoo.ref(product)
        production = odoo(
            "mrp.production",
            "create",
            {
                "product_id": product_id,
                "product_qty": quantity,
                "origin": f"Demo day {self.run}",
            },
        )
        odoo("mrp.production", "action_confirm", [production])
        order = odoo(
            "mrp.production",
            "read",
            [production],
            ["name", "reservation_state", "procurement_group_id", "bom_id"],
        )[0]
        self.groups.append(order["procurement_group_id"][0])
        self.mo_seen[production] = ("released", "confirmed")
        bom = odoo("mrp.bom", "read", [order["bom_id"][0]], ["code"])[0]
        reserved = (
            "components reserved"
            if order["reservation_state"] == "assigned"
            else f"components {order['reservation_state']}"
        )
        self.say(
            "Planner",
            f"{order['name']}: {quantity} x {self.codes[product_id]} "
            f"(BOM rev. {bom['code']}) confirmed, {reserved}; released to the MES",
        )
        return order["procurement_group_id"][0]

    def _made_lots(self, group):
        """``(open orders, {lot id: lot name})`` of the orders of ``group``."""
        orders = self.odoo(
            "mrp.production",
            "search_read",
            [["procurement_group_id", "=", group]],
            ["state", "lot_producing_id"],
        )
        lots = {}
        for order in orders:
            if order["state"] == "done" and order["lot_producing_id"]:
                lot_id, name = order["lot_producing_id"]
                lots[lot_id] = name
        for lot_id in lots:
            self.lot_seen.setdefault(lot_id, None)
        still_open = [o for o in orders if o["state"] not in ("done", "cancel")]
        return still_open, lots

    def wait_made(self, group, product, needed):
        """Wait until the MES made ``needed`` units of lots the QMS released."""
        self.wait_for(
            f"the MES and the QMS to make and release {needed} "
            f"{self.codes[self.odoo.ref(product)]}",
            lambda: self._made_ready(group, needed),
        )

    def _made_ready(self, group, needed):
        """Whether ``needed`` units were made and released. Once every order
        is done and every lot decided, the review board releases a held lot,
        or the day goes on with what was made."""
        still_open, lots = self._made_lots(group)
        if not lots:
            return False
        data = self.odoo(
            "stock.lot",
            "read",
            list(lots),
            ["name", "quality_disposition", "product_qty"],
        )
        released = sum(
            lot["product_qty"]
            for lot in data
            if lot["quality_disposition"] == "released"
        )
        if released >= needed:
            return True
        if still_open or any(lot["quality_disposition"] == "pending" for lot in data):
            return False
        held = [lot for lot in data if lot["quality_disposition"] != "released"]
        if held:
            self._concede(held)
            return False
        return True

    # ------------------------------------------------------------------
    # Shipping
    # ------------------------------------------------------------------
    def deliver(self, group):
        customer, count = DELIVERIES[0]
        serials = self.wait_for(
            f"the MES to make {count} pumps",
            lambda: self._serials(group, count),
        )
        self.watch()
        first = self._delivery(customer, self._pick(serials, count))
        self._try_early(first)
        wanted = sum(n for _c, n in DELIVERIES)
        serials = self.wait_for(
            f"the MES to make {wanted} pumps",
            lambda: self._serials(group, wanted, accept_fewer=True),
        )
        for customer, count in DELIVERIES[1:]:
            free = self._pick(serials, count)
            if len(free) < count:
                self.say("Shipping", "Not enough pumps made for every order today")
                break
            delivery = self._delivery(customer, free)
            self.say(
                "Shipping",
                f"{delivery['name']} for {delivery['customer']} prepared "
                f"({', '.join(delivery['serials'].values())}); waits for release",
            )
        shipped = self.wait_for(
            "a delivery whose pumps the QMS released",
            lambda: self._ship_one(group),
        )
        self.say(
            "Shipping",
            f"{shipped['name']} shipped to {shipped['customer']} "
            f"({', '.join(shipped['serials'].values())}); the MES is told "
            "(mfg.shipment.dispatched.v1)",
        )

    def _serials(self, group, count, accept_fewer=False):
        still_open, lots = self._made_lots(group)
        if len(lots) >= count or (accept_fewer and not still_open and lots):
            return lots
        return None

    def _pick(self, serials, count):
        """The serials no delivery took yet, those still waiting for their
        release first (the gate then has something to refuse)."""
        taken = {lot for d in self.deliveries for lot in d["serials"]}
        free = [lot for lot in serials if lot not in taken]
        states = {
            lot["id"]: lot["quality_disposition"]
            for lot in self.odoo("stock.lot", "read", free, ["quality_disposition"])
        }
        free.sort(key=lambda lot: (states[lot] != "pending", lot))
        return {lot: serials[lot] for lot in free[:count]}

    def _delivery(self, customer, serials):
        """A delivery of these serials to ``customer``, scanned (picked)."""
        odoo = self.odoo
        product = odoo.ref("demo_product_pump")
        picking_id = odoo(
            "stock.picking",
            "create",
            {
                "picking_type_id": odoo.ref("stock.picking_type_out"),
                "partner_id": odoo.ref(customer),
                "location_id": odoo.ref("stock.stock_location_stock"),
                "location_dest_id": odoo.ref("stock.stock_location_customers"),
                "origin": f"SO-{self.run:02d}{len(self.deliveries) + 1:02d}",
                "move_ids": [
                    (
                        0,
                        0,
                        self._move_vals(
                            "demo_product_pump",
                            len(serials),
                            source="stock.stock_location_stock",
                        ),
                    )
                ],
            },
        )
        odoo("stock.picking", "action_confirm", [picking_id])
        # The clerk scans the serials; whatever Odoo reserved by itself goes.
        odoo("stock.picking", "do_unreserve", [picking_id])
        move = odoo(
            "stock.move",
            "search_read",
            [["picking_id", "=", picking_id], ["product_id", "=", product]],
            ["product_id", "location_id", "location_dest_id", "product_uom"],
        )[0]
        odoo(
            "stock.move.line",
            "create",
            [
                dict(self._line_vals(move, picking_id, 1.0), lot_id=lot)
                for lot in serials
            ],
        )
        data = odoo("stock.picking", "read", [picking_id], ["name", "partner_id"])[0]
        delivery = {
            "id": picking_id,
            "name": data["name"],
            "customer": data["partner_id"][1],
            "serials": serials,
        }
        self.deliveries.append(delivery)
        return delivery

    def _try_early(self, delivery):
        """Shipping validates before the pumps are released: the gate
        refuses, and the clerk notes it on the delivery."""
        serials = ", ".join(delivery["serials"].values())
        try:
            self._validate(delivery["id"])
        except OdooRpcError as err:
            message = str(err)
            if "release gate" not in message:
                raise
            self.say(
                "Shipping",
                f"{delivery['name']} for {delivery['customer']} ({serials}) "
                "refused by the release gate:",
            )
            for line in message.splitlines():
                print(f"{'':27}{line}", flush=True)
            self.odoo(
                "stock.picking",
                "message_post",
                [delivery["id"]],
                body=(
                    "Tried to ship; refused. "
                    + " ".join(message.splitlines())
                    + " Waiting for the final inspection."
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            return
        delivery["shipped"] = True
        self.say(
            "Shipping",
            f"{delivery['name']} shipped at once: its pumps were already released",
        )

    def _ship_one(self, group):
        """Ship the refused delivery once its pumps are released; a pump the
        QMS put on hold is swapped for a released one no order took. Only
        when no such pump is left does another delivery ship instead."""
        first = self.deliveries[0]
        if first.get("shipped"):
            return first
        states = self._states(first["serials"])
        if all(state == "released" for state in states.values()):
            return self._ship(first)
        held = [lot for lot, s in states.items() if s not in ("pending", "released")]
        if not held or self._swap(first, held, group):
            return None
        for delivery in self.deliveries[1:]:
            if all(s == "released" for s in self._states(delivery["serials"]).values()):
                return self._ship(delivery)
        return None

    def _ship(self, delivery):
        self._validate(delivery["id"])
        delivery["shipped"] = True
        return delivery

    def _states(self, serials):
        return {
            lot["id"]: lot["quality_disposition"]
            for lot in self.odoo(
                "stock.lot", "read", list(serials), ["quality_disposition"]
            )
        }

    def _swap(self, delivery, held, group):
        """Replace the held pumps of ``delivery`` by released spares; returns
        how many were replaced."""
        _open, made = self._made_lots(group)
        taken = {lot for d in self.deliveries for lot in d["serials"]}
        free = {lot: None for lot in made if lot not in taken}
        spare = [lot for lot, s in self._states(free).items() if s == "released"]
        for lot, replacement in zip(held, spare, strict=False):
            line = self.odoo(
                "stock.move.line",
                "search",
                [["picking_id", "=", delivery["id"]], ["lot_id", "=", lot]],
            )
            self.odoo("stock.move.line", "write", line, {"lot_id": replacement})
            old = delivery["serials"].pop(lot)
            delivery["serials"][replacement] = made[replacement]
            self.say(
                "Shipping",
                f"{delivery['name']}: pump {old} is on hold; "
                f"replaced by released pump {made[replacement]}",
            )
        return min(len(held), len(spare))

    # ------------------------------------------------------------------
    # Recall
    # ------------------------------------------------------------------
    def recall(self):
        """Quality recalls a supplier lot of the day's orders that reached a
        customer, and holds everything made from it still in stock."""
        for lot_id in self._consumed_supplier_lots():
            found = self._recall_wizard(lot_id)
            if found["customer_count"]:
                self._hold_affected(found)
                return
        self.say("Quality", "No supplier lot of the day reached a customer: no recall")

    def _consumed_supplier_lots(self):
        """The supplier lots the day's orders consumed, motors first."""
        odoo = self.odoo
        lines = odoo(
            "stock.move.line",
            "search_read",
            [
                ["state", "=", "done"],
                ["lot_id", "!=", False],
                ["product_id.categ_id", "=", odoo.ref("demo_categ_raw")],
                [
                    "move_id.raw_material_production_id.procurement_group_id",
                    "in",
                    self.groups,
                ],
            ],
            ["lot_id", "product_id"],
        )
        motor = odoo.ref("demo_product_motor")
        lots = {line["lot_id"][0]: line["product_id"][0] for line in lines}
        return sorted(lots, key=lambda lot: (lots[lot] != motor, lot))

    def _recall_wizard(self, lot_id):
        odoo = self.odoo
        wizard = odoo("mrp.trace.recall.wizard", "create", {"lot_id": lot_id})
        odoo("mrp.trace.recall.wizard", "action_refresh", [wizard])
        found = odoo(
            "mrp.trace.recall.wizard",
            "read",
            [wizard],
            ["lot_id", "lot_count", "shipment_count", "customer_count"],
        )[0]
        lot = odoo("stock.lot", "read", [lot_id], ["name", "product_id"])[0]
        return dict(found, wizard=wizard, lot=lot)

    def _hold_affected(self, found):
        odoo = self.odoo
        lot = found["lot"]
        product = lot["product_id"][0]
        parts = {odoo.ref(p): (s, p) for s, lines in RECEIPTS for p, *_rest in lines}
        supplier, part = parts[product]
        reason = RECALL_REASON.format(
            supplier=odoo("res.partner", "read", [odoo.ref(supplier)], ["name"])[0][
                "name"
            ],
            defect=DEFECTS.get(part, "the lot may be defective"),
            lot=lot["name"],
            code=self.codes[product],
        )
        wizard = found["wizard"]
        odoo("mrp.trace.recall.wizard", "write", [wizard], {"hold_reason": reason})
        odoo("mrp.trace.recall.wizard", "action_hold_affected", [wizard])
        odoo(
            "stock.lot",
            "message_post",
            [lot["id"]],
            body=f"Recall opened. {reason}",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        holds = odoo(
            "quality.lot.hold",
            "search_count",
            [["reference", "=", lot["name"]], ["source", "=", "recall"]],
        )
        self.say(
            "Quality",
            f"Recall of {self.codes[product]} lot {lot['name']}: it reached "
            f"{found['lot_count']} lots, {found['shipment_count']} shipment(s) to "
            f"{found['customer_count']} customer(s); {holds} lots still in stock "
            "put on hold",
        )
        self.watch()

    # ------------------------------------------------------------------
    # Where the day ends
    # ------------------------------------------------------------------
    def summary(self):
        odoo = self.odoo
        blocked = odoo(
            "stock.picking",
            "search_read",
            [
                ["quality_blocked", "=", True],
                ["id", "in", [d["id"] for d in self.deliveries]],
            ],
            ["name", "partner_id"],
        )
        for picking in blocked:
            self.say(
                "Shipping",
                f"{picking['name']} for {picking['partner_id'][1]} stays blocked "
                "by the release gate (Inventory > Blocked by Quality)",
            )
        self._wait_plm()
        counts = self._counts()
        self.say(
            "Plant",
            f"Day {self.run} done: {counts['done']} orders completed by the MES, "
            f"{counts['released']} lots released, {counts['hold']} held, "
            f"{counts['pending']} awaiting release; {counts['shipped']} delivery "
            f"shipped, {len(blocked)} blocked",
        )

    def _wait_plm(self):
        """The PLM's pending BOM revision, if it comes within the time left."""
        try:
            self.wait_for(
                "the PLM's BOM revision",
                lambda: self.odoo(
                    "plm.bom.release", "search_count", [["state", "=", "pending"]]
                ),
                timeout=min(self.args.step_timeout, self.args.plm_wait),
            )
        except (StoryError, OdooRpcError) as err:
            self.say("PLM", f"No BOM revision waits for approval ({err})")

    def _counts(self):
        odoo = self.odoo
        lots = list(self.lot_seen)
        counts = {
            state: odoo(
                "stock.lot",
                "search_count",
                [["id", "in", lots], ["quality_disposition", "=", state]],
            )
            for state in ("released", "hold", "pending")
        }
        counts["done"] = odoo(
            "mrp.production",
            "search_count",
            [["procurement_group_id", "in", self.groups], ["state", "=", "done"]],
        )
        counts["shipped"] = sum(1 for d in self.deliveries if d.get("shipped"))
        return counts


def connect(args):
    """Log in, waiting for Odoo to answer (it may still be starting)."""
    until = time.monotonic() + args.step_timeout
    for attempt in itertools.count():
        try:
            return Odoo(args.url, args.db, args.login, args.password, args.rpc_timeout)
        except OdooUnreachable:
            if time.monotonic() >= until:
                raise
            time.sleep(min(1 + attempt, 3))
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="mfg_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=90,
        help="seconds any one step may wait for the partner systems (default 90)",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=300,
        help="seconds the whole story may take (default 300)",
    )
    parser.add_argument(
        "--plm-wait",
        type=float,
        default=30,
        help="seconds to wait at the end for the PLM's BOM revision (default 30)",
    )
    parser.add_argument(
        "--poll", type=float, default=1.0, help="seconds between checks"
    )
    parser.add_argument(
        "--rpc-timeout", type=float, default=120, help="seconds per JSON-RPC call"
    )
    args = parser.parse_args(argv)
    try:
        story = Story(connect(args), args)
        story.play()
    except (StoryError, OdooRpcError) as err:
        print(f"demo story stopped: {err}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
