# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from odoo.addons.integration_log.exceptions import (
    IntegrationNotFoundError,
    IntegrationPointerError,
)

from .mrp_production import OPEN_STATES


class MrpProduction(models.Model):
    """The MES's reports (started, consumed, completed, schedule), checked
    with the integration kit; they run as the client's technical user."""

    # Split by concern on purpose: the record lives in mrp_production.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mrp.production"

    # ------------------------------------------------------------------
    # Inbound handlers (run as the client's technical user)
    # ------------------------------------------------------------------
    @api.model
    def _integration_handle_started(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
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
                "mes_started_at": kit._time(data["started_at"]),
                "mes_workcenter": data.get("workcenter") or False,
            }
        )
        event._link_records(production)
        return {"production": production.name, "mes_status": "started"}

    @api.model
    def _integration_handle_consumed(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
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
                    "product": kit._product_reference(line.product_id),
                    "lot": line.lot_id.name or None,
                }
                for line in lines
            ],
        }

    @api.model
    def _integration_handle_completed(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
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
                "mes_completed_at": kit._time(data["completed_at"]),
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
        kit = self.env["integration.resolver"]
        applied, conflicts = [], []
        orders = []
        for index, order in enumerate(data["orders"]):
            production = self._mes_production(
                order["production"], f"/data/orders/{index}/production", states=None
            )
            start = kit._time(order["planned_start"])
            finish = kit._time(order["planned_finish"])
            if finish < start:
                raise IntegrationPointerError(
                    f"/data/orders/{index}/planned_finish",
                    self.env._(
                        "%(finish)s is before planned_start %(start)s.",
                        finish=order["planned_finish"],
                        start=order["planned_start"],
                    ),
                    order["planned_finish"],
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
            raise IntegrationNotFoundError(
                pointer, self.env._("no manufacturing order %(name)r.", name=name), name
            )
        if states and production.state not in states:
            raise IntegrationPointerError(
                pointer,
                self.env._(
                    "manufacturing order %(name)s is %(state)s; the MES "
                    "can only report on confirmed or running orders.",
                    name=name,
                    state=dict(
                        production._fields["state"]._description_selection(self.env)
                    ).get(production.state),
                ),
            )
        return production

    def _mes_resolve_lines(self, lines, pointer, client):
        """Check reported consumption lines; returns ``(product, lot,
        quantity in the product's unit)`` for each, in order."""
        self.ensure_one()
        kit = self.env["integration.resolver"]
        resolved = []
        for index, line in enumerate(lines):
            line_pointer = f"{pointer}/{index}"
            product = kit._product(line["product"], f"{line_pointer}/product")
            if not self.move_raw_ids.filtered(
                lambda m, p=product: (
                    m.product_id == p and m.state not in ("done", "cancel")
                )
            ):
                raise IntegrationPointerError(
                    f"{line_pointer}/product",
                    self.env._(
                        "%(product)s is not a component of %(mo)s still to consume.",
                        product=line["product"],
                        mo=self.name,
                    ),
                )
            quantity = kit._quantity(
                line["quantity"], line["uom"], product, f"{line_pointer}/uom", client
            )
            lot = kit._lot(
                product, line.get("lot"), f"{line_pointer}/lot", self.company_id
            )
            resolved.append((product, lot, quantity))
        return resolved

    def _mes_check_outputs(self, outputs, client):
        """The reported outputs, each with its quantity in the product's unit."""
        self.ensure_one()
        kit = self.env["integration.resolver"]
        seen, checked = set(), []
        for index, output in enumerate(outputs):
            pointer = f"/data/outputs/{index}"
            quantity = kit._quantity(
                output["quantity"],
                output["uom"],
                self.product_id,
                f"{pointer}/uom",
                client,
            )
            self._mes_check_output_lot(output, quantity, pointer, seen)
            seen.add(output["lot"])
            expiration = output.get("expiration_date")
            checked.append(
                {
                    "lot": output["lot"],
                    "quantity": quantity,
                    "expiration_date": kit._time(expiration) if expiration else False,
                }
            )
        self._mes_check_output_total(checked)
        return checked

    def _mes_check_output_lot(self, output, quantity, pointer, seen):
        product = self.product_id
        reference = self.env["integration.resolver"]._product_reference(product)
        serial = product.tracking == "serial"
        if serial and float_compare(
            quantity, 1.0, precision_rounding=product.uom_id.rounding
        ):
            raise IntegrationPointerError(
                f"{pointer}/quantity",
                self.env._(
                    "%(product)s is tracked by serial "
                    "number: one output per serial, with quantity 1 (got "
                    "%(quantity)s).",
                    product=reference,
                    quantity=output["quantity"],
                ),
                output["quantity"],
            )
        if output["lot"] in seen:
            raise IntegrationPointerError(
                f"{pointer}/lot",
                self.env._("%(lot)s appears twice in the outputs.", lot=output["lot"]),
                output["lot"],
            )
        existing = serial and self.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", output["lot"])], limit=1
        )
        if existing and self._is_finished_sn_already_produced(existing):
            raise IntegrationPointerError(
                f"{pointer}/lot",
                self.env._(
                    "serial %(lot)s of %(product)s was already produced.",
                    lot=output["lot"],
                    product=reference,
                ),
                output["lot"],
            )

    def _mes_check_output_total(self, checked):
        rounding = self.product_id.uom_id.rounding
        total = sum(item["quantity"] for item in checked)
        remaining = self.product_qty - self.qty_produced
        if float_compare(total, 0, precision_rounding=rounding) <= 0:
            raise IntegrationPointerError(
                "/data/outputs", self.env._("the total quantity must be positive.")
            )
        if (
            self.product_id.tracking == "serial"
            and float_compare(total, remaining, precision_rounding=rounding) > 0
        ):
            raise IntegrationPointerError(
                "/data/outputs",
                self.env._(
                    "%(count)s serials reported but only %(remaining)s "
                    "remain to produce on %(mo)s.",
                    count=len(checked),
                    remaining=remaining,
                    mo=self.name,
                ),
            )

    def _mes_check_scrap(self, scraps, client):
        self.ensure_one()
        kit = self.env["integration.resolver"]
        vals_list = []
        for index, item in enumerate(scraps):
            pointer = f"/data/scrap/{index}"
            product = kit._product(item["product"], f"{pointer}/product")
            if (
                product != self.product_id
                and product not in self.move_raw_ids.product_id
            ):
                raise IntegrationPointerError(
                    f"{pointer}/product",
                    self.env._(
                        "%(product)s is neither the product nor a component of %(mo)s.",
                        product=item["product"],
                        mo=self.name,
                    ),
                )
            quantity = kit._quantity(
                item["quantity"], item["uom"], product, f"{pointer}/uom", client
            )
            lot = False
            if product != self.product_id:
                lot = kit._lot(
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
