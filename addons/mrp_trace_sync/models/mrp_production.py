# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, float_is_zero

from odoo.addons.integration_log.protocol import envelope

MES_STATUSES = [
    ("not_released", "Not released"),
    ("released", "Released to MES"),
    ("started", "Started by MES"),
    ("completed", "Completed by MES"),
]
OPEN_STATES = ("confirmed", "progress", "to_close")
RELEASED_TYPE = "mfg.production.released.v1"
# A change of these fields before the MES starts the order sends it again.
RELEASE_FIELDS = ("product_qty", "date_start", "date_finished")


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    mes_status = fields.Selection(
        MES_STATUSES,
        "MES Status",
        default="not_released",
        copy=False,
        tracking=True,
        index=True,
    )
    mes_released_at = fields.Datetime("Released to MES", copy=False, readonly=True)
    mes_started_at = fields.Datetime("Started by MES", copy=False, readonly=True)
    mes_completed_at = fields.Datetime("Completed by MES", copy=False, readonly=True)
    mes_workcenter = fields.Char("MES Work Center", copy=False, readonly=True)
    integration_event_count = fields.Integer(compute="_compute_integration_counts")
    integration_delivery_count = fields.Integer(compute="_compute_integration_counts")

    def _integration_events(self):
        links = (
            self.env["integration.record.link"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        return links.event_id

    def _compute_integration_counts(self):
        links = (
            self.env["integration.record.link"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        for production in self:
            events = links.filtered(
                lambda link, pid=production.id: link.res_id == pid
            ).event_id
            production.integration_event_count = len(events)
            production.integration_delivery_count = len(events.delivery_ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_integration_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "integration_log.integration_event_action"
        )
        action["domain"] = [("id", "in", self._integration_events().ids)]
        action["context"] = {}
        return action

    def action_view_integration_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "integration_log.integration_delivery_action"
        )
        action["domain"] = [("event_id", "in", self._integration_events().ids)]
        action["context"] = {}
        return action

    @api.model
    def _mes_unacknowledged(self):
        """Orders released to the MES that it has not started: how many, and
        the age in seconds of the oldest."""
        self.flush_model(["mes_status", "mes_released_at", "state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*),
                    coalesce(extract(epoch FROM %s - min(mes_released_at)), 0)
                FROM mrp_production
                WHERE mes_status = 'released' AND state IN %s
                """,
                fields.Datetime.now(),
                OPEN_STATES,
            )
        )
        count, age = self.env.cr.fetchone()
        return count, float(age)

    def _reconcile_completed(self, Drift, tolerance):
        self.ensure_one()
        findings = []
        if self.state not in ("done", "cancel"):
            findings.append(
                Drift._finding(
                    self,
                    "not_closed",
                    self.env._(
                        "The MES reported completion; the order is still %(state)s.",
                        state=self.state,
                    ),
                )
            )
        if self.state == "done":
            for move in self.move_raw_ids.filtered(
                lambda m: m.state == "done" and m.bom_line_id
            ):
                expected = move.product_uom_qty or 0.0
                if not expected:
                    continue
                gap = abs(move.quantity - expected) * 100.0 / expected
                if float_compare(gap, tolerance, precision_digits=2) > 0:
                    findings.append(
                        Drift._finding(
                            self,
                            "consumption",
                            self.env._(
                                "%(product)s: consumed %(done)s %(uom)s for "
                                "%(planned)s planned (%(gap).1f %% off, tolerance "
                                "%(tolerance)s %%).",
                                product=move.product_id.display_name,
                                done=move.quantity,
                                uom=move.product_uom.name,
                                planned=expected,
                                gap=gap,
                                tolerance=tolerance,
                            ),
                        )
                    )
        return findings

    # ------------------------------------------------------------------
    # Outbound: released to the shop floor
    # ------------------------------------------------------------------
    def action_confirm(self):
        result = super().action_confirm()
        self.filtered(lambda p: p.state in OPEN_STATES)._emit_released()
        return result

    def _split_productions(
        self, amounts=False, cancel_remaining_qty=False, set_consumed_qty=False
    ):
        productions = super()._split_productions(
            amounts=amounts,
            cancel_remaining_qty=cancel_remaining_qty,
            set_consumed_qty=set_consumed_qty,
        )
        if any(p.mes_status != "not_released" for p in self):
            # A backorder of an order the MES knows is new work for the MES.
            (productions - self).filtered(
                lambda p: p.state in OPEN_STATES and p.mes_status == "not_released"
            )._emit_released()
        return productions

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in RELEASE_FIELDS):
            self.filtered(
                lambda p: p.mes_status == "released" and p.state == "confirmed"
            )._emit_released()
        return result

    def _emit_released(self):
        """Tell the MES about these orders (again, with a new event id)."""
        if not self:
            return
        UomCode = self.env["integration.uom.code"]
        self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": RELEASED_TYPE,
                    "subject": production.name,
                    "data": production._released_data(UomCode),
                    "records": production,
                }
                for production in self
            ]
        )
        # Bypass write(): this bookkeeping must not send the order again.
        super().write(
            {"mes_status": "released", "mes_released_at": fields.Datetime.now()}
        )

    def _released_data(self, UomCode):
        self.ensure_one()
        return {
            "production": self.name,
            "product": _reference(self.product_id),
            "product_name": self.product_id.name,
            "quantity": self.product_qty,
            "uom": UomCode._code_of(self.product_uom_id),
            "bom_revision": self.bom_id.code or None,
            "planned_start": _iso(self.date_start),
            "planned_finish": _iso(self.date_finished or self.date_start),
            "components": [
                {
                    "product": _reference(move.product_id),
                    "quantity": move.product_uom_qty,
                    "uom": UomCode._code_of(move.product_uom),
                    "tracking": move.product_id.tracking,
                }
                for move in self.move_raw_ids
                if move.state != "cancel"
            ],
        }

    # ------------------------------------------------------------------
    # Inbound handlers (run as the client's technical user)
    # ------------------------------------------------------------------
    @api.model
    def _integration_handle_started(self, event):
        data = event._get_data()
        production = self._mes_production(data["production"], "/data/production")
        if production.mes_status == "completed" or production.state == "done":
            raise UserError(
                self.env._(
                    "production: %(mo)s is already completed; it cannot start.",
                    mo=production.name,
                )
            )
        production.with_context(tracking_disable=True).write(
            {
                "mes_status": "started",
                "mes_started_at": envelope.parse_time(data["started_at"]),
                "mes_workcenter": data.get("workcenter") or False,
            }
        )
        event._link_records(production)
        return {"production": production.name, "mes_status": "started"}

    @api.model
    def _integration_handle_consumed(self, event):
        data = event._get_data()
        production = self._mes_production(data["production"], "/data/production")
        resolved = production._mes_resolve_lines(
            data["lines"], "/data/lines", event.client_id
        )
        lines = production._mes_apply_consumption(resolved)
        production._mes_mark_started()
        event._link_records(production, lines.lot_id)
        return {
            "production": production.name,
            "lines": [
                {
                    "product": _reference(line.product_id),
                    "lot": line.lot_id.name or None,
                }
                for line in lines
            ],
        }

    @api.model
    def _integration_handle_completed(self, event):
        data = event._get_data()
        client = event.client_id
        production = self._mes_production(data["production"], "/data/production")
        outputs = production._mes_check_outputs(data["outputs"], client)
        consumed = production._mes_resolve_lines(
            data.get("consumed") or [], "/data/consumed", client
        )
        scraps = production._mes_check_scrap(data.get("scrap") or [], client)
        Scrap = self.env["stock.scrap"]
        done_scraps = Scrap.create(
            [
                vals
                for vals, _lot in scraps
                if vals["product_id"] != production.product_id.id
            ]
        )
        done_scraps.do_scrap()
        close = data.get("close", True)
        if production.product_id.tracking == "serial" and len(outputs) > 1:
            completed, lots, backorder = production._mes_complete_serials(
                outputs, consumed, close
            )
        else:
            production._mes_apply_consumption(consumed)
            lots = production._mes_produce(outputs)
            backorder = production._mes_mark_done(close=close)
            completed = production
        product_scraps = Scrap.create(
            [
                dict(vals, lot_id=production._mes_output_lot(lot_name, lots).id)
                for vals, lot_name in scraps
                if vals["product_id"] == production.product_id.id
            ]
        )
        product_scraps.do_scrap()
        done_scraps |= product_scraps
        completed.with_context(tracking_disable=True).write(
            {
                "mes_status": "completed",
                "mes_completed_at": envelope.parse_time(data["completed_at"]),
            }
        )
        event._link_records(completed | backorder, lots)
        return {
            "production": production.name,
            "productions": completed.mapped("name"),
            "state": production.state,
            "lots": lots.mapped("name"),
            "backorder": backorder.name or None,
            "scrapped": len(done_scraps),
        }

    @api.model
    def _integration_handle_schedule(self, event):
        data = event._get_data()
        applied, conflicts = [], []
        orders = []
        for index, order in enumerate(data["orders"]):
            production = self._mes_production(
                order["production"], f"/data/orders/{index}/production", states=None
            )
            start = envelope.parse_time(order["planned_start"])
            finish = envelope.parse_time(order["planned_finish"])
            if finish < start:
                raise UserError(
                    self.env._(
                        "/data/orders/%(index)s/planned_finish: %(finish)s is before "
                        "planned_start %(start)s.",
                        index=index,
                        finish=order["planned_finish"],
                        start=order["planned_start"],
                    )
                )
            orders.append((production, start, finish, order))
        for production, start, finish, order in orders:
            if production.state not in (
                "draft",
                "confirmed",
            ) or production.mes_status in (
                "started",
                "completed",
            ):
                conflicts.append(
                    {
                        "production": production.name,
                        "reason": self.env._(
                            "already %(state)s: not rescheduled",
                            state=production.mes_status
                            if production.mes_status in ("started", "completed")
                            else production.state,
                        ),
                    }
                )
                continue
            vals = {"date_start": start, "date_finished": finish}
            if order.get("sequence") is not None:
                vals["priority"] = production.priority
            production.write(vals)
            applied.append(production.name)
        event._link_records(self.browse([p.id for p, *_rest in orders]))
        return {"applied": applied, "conflicts": conflicts}

    # ------------------------------------------------------------------
    # Business validation helpers
    # ------------------------------------------------------------------
    @api.model
    def _mes_production(self, name, pointer, states=OPEN_STATES):
        production = self.search([("name", "=", name)], limit=1)
        if not production:
            raise UserError(
                self.env._(
                    "%(pointer)s: no manufacturing order %(name)r.",
                    pointer=pointer,
                    name=name,
                )
            )
        if states and production.state not in states:
            raise UserError(
                self.env._(
                    "%(pointer)s: manufacturing order %(name)s is %(state)s; the MES "
                    "can only report on confirmed or running orders.",
                    pointer=pointer,
                    name=name,
                    state=dict(
                        production._fields["state"]._description_selection(self.env)
                    ).get(production.state),
                )
            )
        return production

    def _mes_mark_started(self):
        to_start = self.filtered(lambda p: p.mes_status in ("not_released", "released"))
        if to_start:
            to_start.with_context(tracking_disable=True).write(
                {"mes_status": "started", "mes_started_at": fields.Datetime.now()}
            )

    def _mes_quantity(self, line, pointer, client, product):
        """Quantity of an event line in the product's unit."""
        uom = self.env["integration.uom.code"]._resolve(
            line["uom"], client, pointer=f"{pointer}/uom"
        )
        if uom.category_id != product.uom_id.category_id:
            raise UserError(
                self.env._(
                    "%(pointer)s/uom: %(code)s (%(uom)s) cannot measure %(product)s, "
                    "counted in %(product_uom)s.",
                    pointer=pointer,
                    code=line["uom"],
                    uom=uom.name,
                    product=_reference(product),
                    product_uom=product.uom_id.name,
                )
            )
        return uom._compute_quantity(line["quantity"], product.uom_id)

    def _mes_resolve_lines(self, lines, pointer, client):
        """Check reported consumption lines; returns ``(product, lot,
        quantity in the product's unit)`` for each, in order."""
        self.ensure_one()
        Product = self.env["product.product"]
        resolved = []
        for index, line in enumerate(lines):
            line_pointer = f"{pointer}/{index}"
            product = Product._mes_find(line["product"], f"{line_pointer}/product")
            if not self.move_raw_ids.filtered(
                lambda m, p=product: (
                    m.product_id == p and m.state not in ("done", "cancel")
                )
            ):
                raise UserError(
                    self.env._(
                        "%(pointer)s/product: %(product)s is not a component of %(mo)s "
                        "still to consume.",
                        pointer=line_pointer,
                        product=line["product"],
                        mo=self.name,
                    )
                )
            quantity = self._mes_quantity(line, line_pointer, client, product)
            lot = self.env["stock.lot"]._mes_find_existing(
                product, line.get("lot"), f"{line_pointer}/lot", self.company_id
            )
            resolved.append((product, lot, quantity))
        return resolved

    def _mes_apply_consumption(self, resolved):
        """Record consumed component lots on the raw moves (picked lines)."""
        self.ensure_one()
        created = self.env["stock.move.line"]
        for product, lot, quantity in resolved:
            move = self.move_raw_ids.filtered(
                lambda m, p=product: (
                    m.product_id == p and m.state not in ("done", "cancel")
                )
            )[:1]
            created |= move._mes_add_consumption(lot, quantity)
        return created

    def _mes_complete_serials(self, outputs, consumed, close):
        """Several serials in one report: one order per serial, as Odoo's
        mass production does, so each serial gets its own genealogy.

        Reported components are allocated to the serials in the order
        reported, each serial taking its BoM quantity.

        :returns: ``(orders completed, lots, backorder)``
        """
        self.ensure_one()
        count = len(outputs)
        rest = self.product_qty - self.qty_produced - count
        amounts = [1.0] * count
        if rest > 0:
            amounts.append(rest)
        productions = self._split_productions({self: amounts})
        serial_orders, remainder = productions[:count], productions[count:]
        allocation = serial_orders._mes_allocate(consumed)
        lots = self.env["stock.lot"]
        for order, output in zip(serial_orders, outputs, strict=True):
            order._mes_apply_consumption(allocation[order])
            lots |= order._mes_produce([output])
            order._mes_mark_done(close=True)
        if remainder and close:
            remainder.action_cancel()
            remainder = self.browse()
        return serial_orders, lots, remainder

    def _mes_allocate(self, consumed):
        """Share reported ``(product, lot, quantity)`` lines among ``self`` by
        their BoM demand; what is left goes to the last order."""
        allocation = {order: [] for order in self}
        for product in {line[0] for line in consumed}:
            queue = [[lot, qty] for p, lot, qty in consumed if p == product]
            for position, order in enumerate(self):
                move = order.move_raw_ids.filtered(
                    lambda m, p=product: m.product_id == p
                )
                need = sum(
                    m.product_uom._compute_quantity(m.product_uom_qty, product.uom_id)
                    for m in move
                )
                last = position == len(self) - 1
                while queue and (need > 1e-9 or last):
                    lot, qty = queue[0]
                    take = qty if last else min(qty, need)
                    allocation[order].append((product, lot, take))
                    need -= take
                    queue[0][1] -= take
                    if queue[0][1] <= 1e-9:
                        queue.pop(0)
        return allocation

    def _mes_check_outputs(self, outputs, client):
        self.ensure_one()
        product = self.product_id
        seen, checked = set(), []
        for index, output in enumerate(outputs):
            pointer = f"/data/outputs/{index}"
            quantity = self._mes_quantity(output, pointer, client, product)
            if product.tracking == "serial" and float_compare(
                quantity, 1.0, precision_rounding=product.uom_id.rounding
            ):
                raise UserError(
                    self.env._(
                        "%(pointer)s/quantity: %(product)s is tracked by serial "
                        "number: one output per serial, with quantity 1 (got "
                        "%(quantity)s).",
                        pointer=pointer,
                        product=_reference(product),
                        quantity=output["quantity"],
                    )
                )
            if output["lot"] in seen:
                raise UserError(
                    self.env._(
                        "%(pointer)s/lot: %(lot)s appears twice in the outputs.",
                        pointer=pointer,
                        lot=output["lot"],
                    )
                )
            seen.add(output["lot"])
            if product.tracking == "serial":
                existing = self.env["stock.lot"].search(
                    [("product_id", "=", product.id), ("name", "=", output["lot"])],
                    limit=1,
                )
                if existing and self._is_finished_sn_already_produced(existing):
                    raise UserError(
                        self.env._(
                            "%(pointer)s/lot: serial %(lot)s of %(product)s was "
                            "already produced.",
                            pointer=pointer,
                            lot=output["lot"],
                            product=_reference(product),
                        )
                    )
            expiration = output.get("expiration_date")
            checked.append(
                {
                    "lot": output["lot"],
                    "quantity": quantity,
                    "expiration_date": envelope.parse_time(expiration)
                    if expiration
                    else False,
                }
            )
        total = sum(item["quantity"] for item in checked)
        remaining = self.product_qty - self.qty_produced
        if float_compare(total, 0, precision_rounding=product.uom_id.rounding) <= 0:
            raise UserError(
                self.env._("/data/outputs: the total quantity must be positive.")
            )
        if (
            product.tracking == "serial"
            and float_compare(
                total, remaining, precision_rounding=product.uom_id.rounding
            )
            > 0
        ):
            raise UserError(
                self.env._(
                    "/data/outputs: %(count)s serials reported but only %(remaining)s "
                    "remain to produce on %(mo)s.",
                    count=len(checked),
                    remaining=remaining,
                    mo=self.name,
                )
            )
        return checked

    def _mes_check_scrap(self, scraps, client):
        self.ensure_one()
        Product = self.env["product.product"]
        vals_list = []
        for index, item in enumerate(scraps):
            pointer = f"/data/scrap/{index}"
            product = Product._mes_find(item["product"], f"{pointer}/product")
            if (
                product != self.product_id
                and product not in self.move_raw_ids.product_id
            ):
                raise UserError(
                    self.env._(
                        "%(pointer)s/product: %(product)s is neither the product nor a "
                        "component of %(mo)s.",
                        pointer=pointer,
                        product=item["product"],
                        mo=self.name,
                    )
                )
            quantity = self._mes_quantity(item, pointer, client, product)
            lot = False
            if product != self.product_id:
                lot = self.env["stock.lot"]._mes_find_existing(
                    product, item.get("lot"), f"{pointer}/lot", self.company_id
                )
            vals_list.append(
                (
                    {
                        "production_id": self.id,
                        "product_id": product.id,
                        "product_uom_id": product.uom_id.id,
                        "scrap_qty": quantity,
                        "lot_id": lot.id if lot else False,
                        "location_id": self.location_src_id.id
                        if product != self.product_id
                        else self.location_dest_id.id,
                        "scrap_reason_tag_ids": [
                            (
                                6,
                                0,
                                self.env["stock.scrap.reason.tag"]
                                ._mes_get(item["reason"])
                                .ids,
                            )
                        ],
                        "origin": self.name,
                        "company_id": self.company_id.id,
                    },
                    item.get("lot"),
                )
            )
        return vals_list

    def _mes_output_lot(self, lot_name, produced_lots):
        """The lot of a scrapped finished product: one just produced, or an
        earlier one of the same product."""
        if not lot_name or self.product_id.tracking == "none":
            return self.env["stock.lot"]
        lot = produced_lots.filtered(lambda lot: lot.name == lot_name)
        return lot or self.env["stock.lot"]._mes_find_existing(
            self.product_id, lot_name, "/data/scrap/lot", self.company_id
        )

    def _mes_produce(self, outputs):
        """Set the produced quantity and the finished lots of this report."""
        self.ensure_one()
        Lot = self.env["stock.lot"]
        lots = Lot.browse()
        for item in outputs:
            lots |= Lot._mes_get_or_create(
                self.product_id, item["lot"], self.company_id, item["expiration_date"]
            )
        if self.product_id.tracking == "none":
            lots = Lot.browse()
        total = sum(item["quantity"] for item in outputs)
        reported = self.move_raw_ids.filtered("picked")
        reported.manual_consumption = True
        single_lot = len(lots) == 1
        self.write(
            {
                "qty_producing": self.qty_produced + total,
                "lot_producing_id": lots.id if single_lot else False,
            }
        )
        self.set_qty_producing()
        if lots and not single_lot:
            self._mes_set_finished_lines(outputs, lots)
        return lots

    def _mes_set_finished_lines(self, outputs, lots):
        move = self.move_finished_ids.filtered(
            lambda m: (
                m.product_id == self.product_id and m.state not in ("done", "cancel")
            )
        )[:1]
        move.move_line_ids.unlink()
        lot_by_name = {lot.name: lot for lot in lots}
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "product_id": self.product_id.id,
                    "product_uom_id": self.product_id.uom_id.id,
                    "lot_id": lot_by_name[item["lot"]].id,
                    "quantity": item["quantity"],
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picked": True,
                    "company_id": self.company_id.id,
                }
                for item in outputs
            ]
        )
        move.picked = True

    def _mes_mark_done(self, close=True):
        """Post the report through Odoo's own flow; returns the backorder."""
        self.ensure_one()
        remaining = self.product_qty - self.qty_producing
        backorder_wanted = (
            not close
            and not float_is_zero(
                remaining, precision_rounding=self.product_uom_id.rounding
            )
            and remaining > 0
        )
        before = self.procurement_group_id.mrp_production_ids
        result = self.with_context(
            skip_consumption=True,
            skip_expired=True,
            skip_backorder=True,
            skip_redirection=True,
            mo_ids_to_backorder=self.ids if backorder_wanted else [],
        ).button_mark_done()
        if self.state != "done":
            raise UserError(
                self.env._(
                    "production: Odoo could not close %(mo)s (it asked: %(what)s).",
                    mo=self.name,
                    what=result.get("name") if isinstance(result, dict) else result,
                )
            )
        return self.procurement_group_id.mrp_production_ids - before - self


def _reference(product):
    """How products are named in events: their internal reference."""
    return product.default_code or product.display_name


def _iso(value):
    return value.isoformat() + "Z" if value else None
