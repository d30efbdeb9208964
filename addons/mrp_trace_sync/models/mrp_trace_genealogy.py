# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.integration_log.exceptions import (
    IntegrationNotFoundError,
    IntegrationPointerError,
)
from odoo.addons.integration_log.protocol.times import iso_utc

from ..genealogy import formats

DIRECTIONS = ("backward", "forward", "both")
# What a trace returns, by model: the caller needs read access to each.
_TRACE_MODELS = (
    "stock.lot",
    "stock.move.line",
    "mrp.production",
    "stock.picking",
    "res.partner",
)
_RECALL_MODELS = (*_TRACE_MODELS, "stock.quant")


class MrpTraceGenealogy(models.AbstractModel):
    """Lot genealogy and recall, a handful of SQL queries whatever the depth
    (protocol v1, section 7)."""

    _name = "mrp.trace.genealogy"
    _description = "Lot Genealogy"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _find_lot(self, product_ref, lot_name):
        """The lot named by the API; raises a pointer error naming the
        parameter."""
        if not product_ref or not lot_name:
            raise IntegrationPointerError(
                "product and lot", self.env._("both query parameters are required.")
            )
        lot = self.env["stock.lot"].search(
            [("product_id.default_code", "=", product_ref), ("name", "=", lot_name)],
            limit=2,
        )
        if len(lot) == 1:
            return lot
        # Name what is wrong: an unknown or ambiguous product, or no such lot.
        self.env["integration.resolver"]._product(product_ref, "product")
        raise IntegrationNotFoundError(
            "lot",
            self.env._(
                "no lot %(lot)r of product %(product)r.",
                lot=lot_name,
                product=product_ref,
            ),
            lot_name,
        )

    @api.model
    def _trace(self, lot, direction="both"):
        """The genealogy of ``lot`` as the JSON of GET /lots/trace."""
        with self._index_driven():
            return self._trace_data(lot, direction)

    def _trace_data(self, lot, direction):
        if direction not in DIRECTIONS:
            raise IntegrationPointerError(
                "direction",
                self.env._(
                    "%(direction)r is not one of backward, forward, both.",
                    direction=direction,
                ),
                direction,
            )
        self._check_trace_access(lot, _TRACE_MODELS)
        locations = self._locations()
        links = []
        backward = forward = {lot.id}
        if direction in ("backward", "both"):
            found = self._links(lot, "backward", locations)
            backward = {lot.id} | {row[0] for row in found}
            links += found
        if direction in ("forward", "both"):
            found = self._links(lot, "forward", locations)
            forward = {lot.id} | {row[1] for row in found}
            links += found
        edges = _edges_of(links)
        lot_ids = backward | forward
        headers = _production_headers(links)
        lines = self._done_lines(lot_ids, locations)
        info = self._lot_info(lot_ids, lines)
        result = {
            "root": {"product": info[lot.id]["product"], "lot": lot.name},
            "direction": direction,
            "nodes": [
                info[lot_id] for lot_id in sorted(lot_ids, key=lambda i: info[i]["lot"])
            ],
            "edges": [],
            "productions": self._productions(links, info, headers),
            "shipments": self._moves(lines, forward, "customer", info)
            if direction != "backward"
            else [],
            "receipts": self._moves(lines, backward, "supplier", info)
            if direction != "forward"
            else [],
        }
        for from_lot, to_lot, production_id, quantity in edges:
            result["edges"].append(
                {
                    "from": dict(_key(info[from_lot])),
                    "to": dict(_key(info[to_lot])),
                    "production": headers.get(production_id, {}).get("production"),
                    "quantity": quantity,
                }
            )
        return result

    @api.model
    def _recall(self, lot):
        """Everything a recall of ``lot`` must reach: every lot made from it
        (itself included), their stock, shipments and customers."""
        with self._index_driven():
            _links, affected, lines, info = self._forward_scope(lot)
            stock = self._stock(affected, info)
        shipments = self._moves(lines, affected, "customer", info)
        customers = {}
        for shipment in shipments:
            entry = customers.setdefault(
                shipment["customer"],
                {"customer": shipment["customer"], "shipments": []},
            )
            if shipment["shipment"] not in entry["shipments"]:
                entry["shipments"].append(shipment["shipment"])
        return {
            "root": {"product": info[lot.id]["product"], "lot": lot.name},
            "lots": [info[i] for i in sorted(affected, key=lambda i: info[i]["lot"])],
            "stock": stock,
            "shipments": shipments,
            "customers": sorted(customers.values(), key=lambda c: c["customer"]),
        }

    @api.model
    def _recall_sheet(self, lot):
        """What the recall spreadsheet (FSMA 204) lists: the receipts,
        productions and shipments of every lot made from ``lot`` (itself
        included), as a forward trace has them, and their stock on hand now."""
        with self._index_driven():
            links, affected, lines, info = self._forward_scope(lot)
            stock = self._stock(affected, info)
        now = iso_utc(fields.Datetime.now())
        return {
            "root": {"product": info[lot.id]["product"], "lot": lot.name},
            "lots": [info[i] for i in sorted(affected, key=lambda i: info[i]["lot"])],
            "receipts": self._moves(lines, affected, "supplier", info),
            "productions": self._productions(links, info, _production_headers(links)),
            "shipments": self._moves(lines, affected, "customer", info),
            "stock": [dict(item, date=now) for item in stock],
        }

    def _forward_scope(self, lot):
        """``(links, lot ids, done lines, lot info)`` of every lot made from
        ``lot``, itself included."""
        self._check_trace_access(lot, _RECALL_MODELS)
        locations = self._locations()
        links = self._links(lot, "forward", locations)
        affected = {lot.id} | {row[1] for row in links}
        lines = self._done_lines(affected, locations)
        return links, affected, lines, self._lot_info(affected, lines)

    @api.model
    def _export(self, data, fmt):
        """``(content_type, body bytes, file extension)`` of a trace or recall."""
        if fmt == "epcis":
            document = formats.epcis_document(
                data, fields.Datetime.now().isoformat() + "Z", self._gtins(data)
            )
            return "application/ld+json", document, "jsonld"
        rows = formats.fsma_rows(data, self._descriptions(data))
        if fmt == "csv":
            return "text/csv; charset=utf-8", formats.to_csv(rows), "csv"
        if fmt == "xlsx":
            return (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                formats.to_xlsx(rows),
                "xlsx",
            )
        raise IntegrationPointerError(
            "format",
            self.env._("%(format)r is not one of json, epcis, csv, xlsx.", format=fmt),
            fmt,
        )

    # ------------------------------------------------------------------
    # What the caller may read
    # ------------------------------------------------------------------
    def _check_trace_access(self, lot, model_names):
        """A trace shows records of ``model_names``: the caller needs read
        access to each model, and to the lot it starts from."""
        for model_name in model_names:
            self.env[model_name].check_access("read")
        lot.check_access("read")

    def _company_ids(self):
        """The caller's companies (those active in the UI, all of its
        companies over the API): the queries read only their rows."""
        return self.env.companies.ids

    @api.model
    def _cids(self):
        """The caller's companies as the ``cids`` parameter of the download
        route: a downloaded file shows what the dialog shows."""
        return "-".join(str(company_id) for company_id in self._company_ids())

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------
    def _moves(self, lines, lot_ids, usage, info):
        """Done moves of the lots to customers, or from suppliers."""
        key = "shipment" if usage == "customer" else "receipt"
        party = "customer" if usage == "customer" else "supplier"
        result = []
        for (
            lot_id,
            date,
            quantity,
            src_usage,
            dst_usage,
            location,
            document,
            partner,
        ) in lines:
            if lot_id not in lot_ids:
                continue
            if (usage == "customer" and dst_usage != "customer") or (
                usage == "supplier" and src_usage != "supplier"
            ):
                continue
            result.append(
                {
                    key: document,
                    party: partner,
                    "date": iso_utc(date),
                    "product": info[lot_id]["product"],
                    "lot": info[lot_id]["lot"],
                    "quantity": float(quantity),
                    "uom": info[lot_id]["uom"],
                    "location": location,
                }
            )
        return result

    def _productions(self, links, info, headers):
        """One entry per MO of the trace: its input and output lots."""
        inputs, outputs = {}, {}
        for (
            component_lot,
            produced_lot,
            production_id,
            c_line,
            c_qty,
            f_line,
            f_qty,
            *_header,
        ) in links:
            inputs.setdefault(production_id, {})[(component_lot, c_line)] = c_qty
            outputs.setdefault(production_id, {})[(produced_lot, f_line)] = f_qty
        result = []
        for production_id in sorted(inputs):
            header = headers.get(production_id, {"production": "", "date": None})
            result.append(
                dict(
                    header,
                    inputs=_by_lot(inputs[production_id], info),
                    outputs=_by_lot(outputs[production_id], info),
                )
            )
        return result

    def _uom_codes(self):
        UomCode = self.env["integration.uom.code"]
        cache = {}

        def code(uom_id):
            if uom_id not in cache:
                cache[uom_id] = UomCode._code_of(self.env["uom.uom"].browse(uom_id))
            return cache[uom_id]

        return code

    def _descriptions(self, data):
        refs = {node["product"] for node in data.get("nodes", data.get("lots", []))}
        products = self.env["product.product"].search(
            [("default_code", "in", list(refs))]
        )
        return {p.default_code: p.name for p in products}

    def _gtins(self, data):
        refs = {node["product"] for node in data.get("nodes", data.get("lots", []))}
        products = self.env["product.product"].search(
            [("default_code", "in", list(refs))]
        )
        return {p.default_code: p.barcode for p in products if p.barcode}


def _edges_of(links):
    """Lot-level edges; each component line counts once per produced lot."""
    quantities = {}
    for component_lot, produced_lot, production_id, c_line, c_qty, *_rest in links:
        key = (component_lot, produced_lot, production_id)
        quantities.setdefault(key, {})[c_line] = float(c_qty)
    return sorted((*key, sum(lines.values())) for key, lines in quantities.items())


def _production_headers(links):
    """Name, finish date and production location of the MOs of ``links``."""
    return {
        production_id: {
            "production": name,
            "date": iso_utc(date),
            "location": location or "",
        }
        for _c, _p, production_id, *_lines, name, date, location in links
        if production_id
    }


def _by_lot(lines, info):
    """Quantities of distinct move lines summed per lot."""
    totals = {}
    for (lot_id, _line), quantity in lines.items():
        totals[lot_id] = totals.get(lot_id, 0.0) + float(quantity)
    return [dict(info[lot_id], quantity=qty) for lot_id, qty in sorted(totals.items())]


def _key(node):
    return (("product", node["product"]), ("lot", node["lot"]))
