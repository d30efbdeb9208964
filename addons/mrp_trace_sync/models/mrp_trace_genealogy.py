# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..genealogy import formats

DIRECTIONS = ("backward", "forward", "both")

# Lots reachable from the roots through Odoo's own production links: a
# finished move line F "consumed" a component line C when
# (consume_line_id=F, produce_line_id=C) is in stock_move_line_consume_rel
# (mind the counter-intuitive column names).
_BACKWARD_WALK = """
WITH RECURSIVE walk(lot_id) AS (
    SELECT unnest(%(roots)s::int[])
    UNION
    SELECT c.lot_id
    FROM walk w
    JOIN stock_move_line f ON f.lot_id = w.lot_id AND f.state = 'done'
    JOIN stock_move_line_consume_rel r ON r.consume_line_id = f.id
    JOIN stock_move_line c ON c.id = r.produce_line_id
    WHERE c.lot_id IS NOT NULL AND c.state = 'done'
)
SELECT lot_id FROM walk
"""
_FORWARD_WALK = """
WITH RECURSIVE walk(lot_id) AS (
    SELECT unnest(%(roots)s::int[])
    UNION
    SELECT f.lot_id
    FROM walk w
    JOIN stock_move_line c ON c.lot_id = w.lot_id AND c.state = 'done'
    JOIN stock_move_line_consume_rel r ON r.produce_line_id = c.id
    JOIN stock_move_line f ON f.id = r.consume_line_id
    WHERE f.lot_id IS NOT NULL AND f.state = 'done'
)
SELECT lot_id FROM walk
"""
# Each component line counts once per produced lot and MO.
_EDGES = """
SELECT x.from_lot, x.to_lot, x.production_id, sum(x.quantity)
FROM (
    SELECT DISTINCT c.id, c.lot_id AS from_lot, f.lot_id AS to_lot,
        fm.production_id, c.quantity_product_uom AS quantity
    FROM stock_move_line f
    JOIN stock_move fm ON fm.id = f.move_id
    JOIN stock_move_line_consume_rel r ON r.consume_line_id = f.id
    JOIN stock_move_line c ON c.id = r.produce_line_id
    WHERE %(side)s = ANY(%(lots)s::int[])
      AND f.state = 'done' AND c.state = 'done'
      AND f.lot_id IS NOT NULL AND c.lot_id IS NOT NULL
) x
GROUP BY x.from_lot, x.to_lot, x.production_id
"""


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
        """The lot named by the API; raises UserError naming the parameter."""
        if not product_ref or not lot_name:
            raise UserError(
                self.env._("product and lot: both query parameters are required.")
            )
        product = self.env["product.product"]._mes_find(product_ref, "product")
        lot = self.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", lot_name)], limit=1
        )
        if not lot:
            raise UserError(
                self.env._(
                    "lot: no lot %(lot)r of product %(product)r.",
                    lot=lot_name,
                    product=product_ref,
                )
            )
        return lot

    @api.model
    def _trace(self, lot, direction="both"):
        """The genealogy of ``lot`` as the JSON of GET /lots/trace."""
        if direction not in DIRECTIONS:
            raise UserError(
                self.env._(
                    "direction: %(direction)r is not one of backward, forward, both.",
                    direction=direction,
                )
            )
        lot.check_access("read")
        backward = forward = {lot.id}
        edges = []
        if direction in ("backward", "both"):
            backward = self._walk(_BACKWARD_WALK, [lot.id])
            edges += self._edges("f.lot_id", backward)
        if direction in ("forward", "both"):
            forward = self._walk(_FORWARD_WALK, [lot.id])
            edges += self._edges("c.lot_id", forward)
        edges = sorted(set(edges))
        lot_ids = backward | forward
        info = self._lot_info(lot_ids)
        result = {
            "root": {"product": info[lot.id]["product"], "lot": lot.name},
            "direction": direction,
            "nodes": [
                info[lot_id] for lot_id in sorted(lot_ids, key=lambda i: info[i]["lot"])
            ],
            "edges": [],
            "productions": self._productions(edges, info),
            "shipments": self._moves(forward, "customer")
            if direction != "backward"
            else [],
            "receipts": self._moves(backward, "supplier")
            if direction != "forward"
            else [],
        }
        names = self._production_names({e[2] for e in edges})
        for from_lot, to_lot, production_id, quantity in edges:
            result["edges"].append(
                {
                    "from": dict(_key(info[from_lot])),
                    "to": dict(_key(info[to_lot])),
                    "production": names.get(production_id),
                    "quantity": quantity,
                }
            )
        return result

    @api.model
    def _recall(self, lot):
        """Everything a recall of ``lot`` must reach: every lot made from it
        (itself included), their stock, shipments and customers."""
        lot.check_access("read")
        affected = self._walk(_FORWARD_WALK, [lot.id])
        info = self._lot_info(affected)
        shipments = self._moves(affected, "customer")
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
            "stock": self._stock(affected, info),
            "shipments": shipments,
            "customers": sorted(customers.values(), key=lambda c: c["customer"]),
        }

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
        raise UserError(
            self.env._(
                "format: %(format)r is not one of json, epcis, csv, xlsx.", format=fmt
            )
        )

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------
    def _walk(self, query, roots):
        self.env["stock.move.line"].flush_model()
        self.env.cr.execute(SQL(query, roots=list(roots)))
        return {row[0] for row in self.env.cr.fetchall()}

    def _edges(self, side, lot_ids):
        self.env.cr.execute(SQL(_EDGES, side=SQL(side), lots=list(lot_ids)))
        return [
            (from_lot, to_lot, production_id, float(quantity))
            for from_lot, to_lot, production_id, quantity in self.env.cr.fetchall()
        ]

    def _lot_info(self, lot_ids):
        """Product reference, name, quantity brought in and unit of lots."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.name, coalesce(p.default_code, t.name->>'en_US'),
                    t.uom_id,
                    coalesce(sum(ml.quantity_product_uom) FILTER (
                        WHERE src.usage IN ('production', 'supplier', 'inventory')
                          AND dst.usage = 'internal'), 0)
                FROM stock_lot l
                JOIN product_product p ON p.id = l.product_id
                JOIN product_template t ON t.id = p.product_tmpl_id
                LEFT JOIN stock_move_line ml ON ml.lot_id = l.id AND ml.state = 'done'
                LEFT JOIN stock_location src ON src.id = ml.location_id
                LEFT JOIN stock_location dst ON dst.id = ml.location_dest_id
                WHERE l.id = ANY(%s::int[])
                GROUP BY l.id, p.default_code, t.name, t.uom_id
                """,
                list(lot_ids),
            )
        )
        codes = self._uom_codes()
        return {
            lot_id: {
                "product": product,
                "lot": name,
                "quantity": float(quantity),
                "uom": codes(uom_id),
            }
            for lot_id, name, product, uom_id, quantity in self.env.cr.fetchall()
        }

    def _moves(self, lot_ids, usage):
        """Done moves of the lots to customers, or from suppliers."""
        side = "dst" if usage == "customer" else "src"
        self.env.cr.execute(
            SQL(
                """
                SELECT coalesce(pk.name, m.reference, ''), coalesce(partner.name, ''),
                    ml.date, coalesce(p.default_code, t.name->>'en_US'), l.name,
                    ml.quantity_product_uom, t.uom_id, loc.complete_name
                FROM stock_move_line ml
                JOIN stock_move m ON m.id = ml.move_id
                JOIN stock_lot l ON l.id = ml.lot_id
                JOIN product_product p ON p.id = ml.product_id
                JOIN product_template t ON t.id = p.product_tmpl_id
                JOIN stock_location src ON src.id = ml.location_id
                JOIN stock_location dst ON dst.id = ml.location_dest_id
                JOIN stock_location loc ON loc.id = %s
                LEFT JOIN stock_picking pk ON pk.id = ml.picking_id
                LEFT JOIN res_partner partner ON partner.id = coalesce(
                    pk.partner_id, m.partner_id)
                WHERE ml.lot_id = ANY(%s::int[]) AND ml.state = 'done'
                  AND %s.usage = %s
                ORDER BY ml.date, ml.id
                """,
                SQL("ml.location_id" if usage == "customer" else "ml.location_dest_id"),
                list(lot_ids),
                SQL(side),
                usage,
            )
        )
        codes = self._uom_codes()
        key = "shipment" if usage == "customer" else "receipt"
        party = "customer" if usage == "customer" else "supplier"
        return [
            {
                key: document,
                party: partner,
                "date": _iso(date),
                "product": product,
                "lot": lot,
                "quantity": float(quantity),
                "uom": codes(uom_id),
                "location": location,
            }
            for document, partner, date, product, lot, quantity, uom_id, location in (
                self.env.cr.fetchall()
            )
        ]

    def _productions(self, edges, info):
        """One entry per MO of the trace: its input and output lots."""
        by_production = {}
        for from_lot, to_lot, production_id, quantity in edges:
            entry = by_production.setdefault(
                production_id, {"inputs": {}, "outputs": set()}
            )
            entry["inputs"][from_lot] = entry["inputs"].get(from_lot, 0.0) + quantity
            entry["outputs"].add(to_lot)
        if not by_production:
            return []
        self.env.cr.execute(
            SQL(
                """
                SELECT mo.id, mo.name, mo.date_finished, ml.lot_id,
                    sum(ml.quantity_product_uom), min(loc.complete_name)
                FROM mrp_production mo
                JOIN stock_move m ON m.production_id = mo.id
                JOIN stock_move_line ml ON ml.move_id = m.id AND ml.state = 'done'
                JOIN stock_location loc ON loc.id = ml.location_id
                WHERE mo.id = ANY(%s::int[]) AND ml.lot_id IS NOT NULL
                GROUP BY mo.id, mo.name, mo.date_finished, ml.lot_id
                """,
                list(by_production),
            )
        )
        produced, names = {}, {}
        for (
            production_id,
            name,
            date,
            lot_id,
            quantity,
            location,
        ) in self.env.cr.fetchall():
            names[production_id] = (name, _iso(date), location)
            produced[(production_id, lot_id)] = float(quantity)
        result = []
        for production_id, entry in sorted(by_production.items()):
            name, date, location = names.get(production_id, ("", None, ""))
            result.append(
                {
                    "production": name,
                    "date": date,
                    "location": location,
                    "inputs": [
                        dict(info[lot_id], quantity=quantity)
                        for lot_id, quantity in sorted(entry["inputs"].items())
                    ],
                    "outputs": [
                        dict(
                            info[lot_id],
                            quantity=produced.get((production_id, lot_id), 0.0),
                        )
                        for lot_id in sorted(entry["outputs"])
                    ],
                }
            )
        return result

    def _stock(self, lot_ids, info):
        self.env.cr.execute(
            SQL(
                """
                SELECT q.lot_id, loc.complete_name, sum(q.quantity)
                FROM stock_quant q
                JOIN stock_location loc ON loc.id = q.location_id
                WHERE q.lot_id = ANY(%s::int[]) AND loc.usage = 'internal'
                GROUP BY q.lot_id, loc.complete_name
                HAVING sum(q.quantity) <> 0
                ORDER BY loc.complete_name
                """,
                list(lot_ids),
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
            for lot_id, location, quantity in self.env.cr.fetchall()
        ]

    def _production_names(self, production_ids):
        ids = [i for i in production_ids if i]
        if not ids:
            return {}
        self.env.cr.execute(
            SQL("SELECT id, name FROM mrp_production WHERE id = ANY(%s::int[])", ids)
        )
        return dict(self.env.cr.fetchall())

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


def _key(node):
    return (("product", node["product"]), ("lot", node["lot"]))


def _iso(value):
    return value.isoformat() + "Z" if value else None
