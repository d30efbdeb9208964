# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.integration_log.exceptions import (
    IntegrationNotFoundError,
    IntegrationPointerError,
)
from odoo.addons.integration_log.protocol.times import iso_utc

from ..genealogy import formats

DIRECTIONS = ("backward", "forward", "both")
# A lot enters the company from these locations (its "quantity" in a trace).
_INCOMING_USAGES = ("production", "supplier", "inventory")
# ... and leaves it towards these.
_TRACE_USAGES = (*_INCOMING_USAGES, "customer")

# What a trace returns, by model: the caller needs read access to each.
_TRACE_MODELS = (
    "stock.lot",
    "stock.move.line",
    "mrp.production",
    "stock.picking",
    "res.partner",
)
_RECALL_MODELS = (*_TRACE_MODELS, "stock.quant")

# Links from a lot through Odoo's own production links, at every depth: a
# finished move line F "consumed" a component line C when
# (consume_line_id=F, produce_line_id=C) is in stock_move_line_consume_rel
# (mind the counter-intuitive column names). Each row is one (F, C) pair with
# what the trace shows of it, so one query answers a whole direction.
# Finished lines leave a production location and component lines enter one:
# with the indexes of stock.move.line, each step reads only those lines,
# not the lot's many transfers. Only lines of the caller's companies are
# followed; the rows are then checked against its access rules.
_BACKWARD_LINKS = """
WITH RECURSIVE link(component_lot, produced_lot, production_id, component_line,
    component_qty, finished_line, finished_qty) AS (
    SELECT c.lot_id, f.lot_id, fm.production_id,
        c.id, c.quantity_product_uom, f.id, f.quantity_product_uom
    FROM stock_move_line f
    JOIN stock_move fm ON fm.id = f.move_id
    JOIN stock_move_line_consume_rel r ON r.consume_line_id = f.id
    JOIN stock_move_line c ON c.id = r.produce_line_id
    WHERE f.lot_id = %(root)s AND f.state = 'done'
      AND f.location_id = ANY(%(production)s::int[])
      AND c.state = 'done' AND c.lot_id IS NOT NULL
      AND f.company_id = ANY(%(companies)s::int[])
      AND c.company_id = ANY(%(companies)s::int[])
    UNION
    SELECT c.lot_id, f.lot_id, fm.production_id,
        c.id, c.quantity_product_uom, f.id, f.quantity_product_uom
    FROM link
    JOIN stock_move_line f ON f.lot_id = link.component_lot AND f.state = 'done'
        AND f.location_id = ANY(%(production)s::int[])
    JOIN stock_move fm ON fm.id = f.move_id
    JOIN stock_move_line_consume_rel r ON r.consume_line_id = f.id
    JOIN stock_move_line c ON c.id = r.produce_line_id
    WHERE c.state = 'done' AND c.lot_id IS NOT NULL
      AND f.company_id = ANY(%(companies)s::int[])
      AND c.company_id = ANY(%(companies)s::int[])
)
SELECT link.*, mo.name, mo.date_finished, loc.complete_name
FROM link
LEFT JOIN mrp_production mo ON mo.id = link.production_id
LEFT JOIN stock_location loc ON loc.id = mo.production_location_id
"""
_FORWARD_LINKS = """
WITH RECURSIVE link(component_lot, produced_lot, production_id, component_line,
    component_qty, finished_line, finished_qty) AS (
    SELECT c.lot_id, f.lot_id, fm.production_id,
        c.id, c.quantity_product_uom, f.id, f.quantity_product_uom
    FROM stock_move_line c
    JOIN stock_move_line_consume_rel r ON r.produce_line_id = c.id
    JOIN stock_move_line f ON f.id = r.consume_line_id
    JOIN stock_move fm ON fm.id = f.move_id
    WHERE c.lot_id = %(root)s AND c.state = 'done'
      AND c.location_dest_id = ANY(%(production)s::int[])
      AND f.state = 'done' AND f.lot_id IS NOT NULL
      AND c.company_id = ANY(%(companies)s::int[])
      AND f.company_id = ANY(%(companies)s::int[])
    UNION
    SELECT c.lot_id, f.lot_id, fm.production_id,
        c.id, c.quantity_product_uom, f.id, f.quantity_product_uom
    FROM link
    JOIN stock_move_line c ON c.lot_id = link.produced_lot AND c.state = 'done'
        AND c.location_dest_id = ANY(%(production)s::int[])
    JOIN stock_move_line_consume_rel r ON r.produce_line_id = c.id
    JOIN stock_move_line f ON f.id = r.consume_line_id
    JOIN stock_move fm ON fm.id = f.move_id
    WHERE f.state = 'done' AND f.lot_id IS NOT NULL
      AND c.company_id = ANY(%(companies)s::int[])
      AND f.company_id = ANY(%(companies)s::int[])
)
SELECT link.*, mo.name, mo.date_finished, loc.complete_name
FROM link
LEFT JOIN mrp_production mo ON mo.id = link.production_id
LEFT JOIN stock_location loc ON loc.id = mo.production_location_id
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
        _links, affected, lines, info = self._forward_scope(lot)
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
            "stock": self._stock(affected, info),
            "shipments": shipments,
            "customers": sorted(customers.values(), key=lambda c: c["customer"]),
        }

    @api.model
    def _recall_sheet(self, lot):
        """What the recall spreadsheet (FSMA 204) lists: the receipts,
        productions and shipments of every lot made from ``lot`` (itself
        included), as a forward trace has them, and their stock on hand now."""
        links, affected, lines, info = self._forward_scope(lot)
        now = iso_utc(fields.Datetime.now())
        return {
            "root": {"product": info[lot.id]["product"], "lot": lot.name},
            "lots": [info[i] for i in sorted(affected, key=lambda i: info[i]["lot"])],
            "receipts": self._moves(lines, affected, "supplier", info),
            "productions": self._productions(links, info, _production_headers(links)),
            "shipments": self._moves(lines, affected, "customer", info),
            "stock": [dict(item, date=now) for item in self._stock(affected, info)],
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

    def _readable(self, model_name, ids):
        """The ids among ``ids`` the caller may read (access rules), in one
        query per model."""
        ids = sorted(set(ids) - {None})
        Model = self.env[model_name]
        if not ids or self.env.su:
            return set(ids)
        if not Model.has_access("read"):
            return set()
        rules = self.env["ir.rule"]._compute_domain(model_name, "read")
        if not rules:
            return set(ids)
        # The rules evaluated by the database, as _filtered_access would in
        # Python after reading every field of every record; sudo: the rule
        # domain is the restriction, as in _filtered_access.
        found = (
            Model.sudo()
            .with_context(active_test=False)
            ._search(expression.AND([[("id", "in", ids)], rules]))
        )
        return set(found)

    def _readable_links(self, links, root, direction):
        """The links whose lines, lots and MO the caller may read, and that
        still reach ``root`` without the others."""
        lines = self._readable(
            "stock.move.line", [r[3] for r in links] + [r[5] for r in links]
        )
        lots = self._readable(
            "stock.lot", [r[0] for r in links] + [r[1] for r in links]
        )
        productions = self._readable("mrp.production", [r[2] for r in links])
        readable = [
            link
            for link in links
            if {link[3], link[5]} <= lines
            and {link[0], link[1]} <= lots
            and (not link[2] or link[2] in productions)
        ]
        return _reachable(readable, root, direction)

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------
    def _links(self, lot, direction, locations):
        """Every production link reachable from ``lot`` in ``direction``:
        ``(component lot, produced lot, MO id, component line, its quantity,
        finished line, its quantity, MO name, MO finish date, production
        location)``, through lines, lots and MOs the caller may read."""
        self.env["stock.move.line"].flush_model()
        query = _BACKWARD_LINKS if direction == "backward" else _FORWARD_LINKS
        self.env.cr.execute(
            SQL(
                query,
                root=lot.id,
                production=locations["production"],
                companies=self._company_ids(),
            )
        )
        return self._readable_links(self.env.cr.fetchall(), lot.id, direction)

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
        location, document, partner)``, of lines the caller may read."""
        incoming = [i for usage in _INCOMING_USAGES for i in locations[usage]]
        self.env.cr.execute(
            SQL(
                """
                SELECT ml.lot_id, ml.date, ml.quantity_product_uom, src.usage,
                    dst.usage, src.complete_name,
                    coalesce(pk.name, ml.reference, ''), coalesce(partner.name, ''),
                    ml.id, pk.id, partner.id
                FROM stock_move_line ml
                JOIN stock_location src ON src.id = ml.location_id
                JOIN stock_location dst ON dst.id = ml.location_dest_id
                LEFT JOIN stock_move m ON m.id = ml.move_id
                LEFT JOIN stock_picking pk ON pk.id = ml.picking_id
                LEFT JOIN res_partner partner
                    ON partner.id = coalesce(pk.partner_id, m.partner_id)
                WHERE ml.lot_id = ANY(%s::int[]) AND ml.state = 'done'
                  AND ml.company_id = ANY(%s::int[])
                  AND (ml.location_id = ANY(%s::int[])
                       OR ml.location_dest_id = ANY(%s::int[]))
                ORDER BY ml.date, ml.id
                """,
                list(lot_ids),
                self._company_ids(),
                incoming,
                locations["customer"],
            )
        )
        return self._readable_lines(self.env.cr.fetchall())

    def _readable_lines(self, rows):
        """Rows of :meth:`_done_lines` whose line and transfer the caller may
        read; a partner it may not read is left unnamed."""
        lines = self._readable("stock.move.line", [row[8] for row in rows])
        pickings = self._readable("stock.picking", [row[9] for row in rows])
        partners = self._readable("res.partner", [row[10] for row in rows])
        return [
            (*row[:7], row[7] if row[10] in partners else "")
            for row in rows
            if row[8] in lines and (not row[9] or row[9] in pickings)
        ]

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

    def _stock(self, lot_ids, info):
        """Stock of the lots by internal location, from the quants the caller
        may read."""
        self.env.cr.execute(
            SQL(
                """
                SELECT q.id FROM stock_quant q
                JOIN stock_location loc ON loc.id = q.location_id
                WHERE q.lot_id = ANY(%s::int[]) AND loc.usage = 'internal'
                  AND q.company_id = ANY(%s::int[])
                """,
                list(lot_ids),
                self._company_ids(),
            )
        )
        quants = self._readable(
            "stock.quant", [row[0] for row in self.env.cr.fetchall()]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT q.lot_id, loc.complete_name, sum(q.quantity)
                FROM stock_quant q
                JOIN stock_location loc ON loc.id = q.location_id
                WHERE q.id = ANY(%s::int[])
                GROUP BY q.lot_id, loc.complete_name
                HAVING sum(q.quantity) <> 0
                ORDER BY loc.complete_name
                """,
                sorted(quants),
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


def _reachable(links, root, direction):
    """The links reachable from ``root`` in ``direction`` (some may have been
    left out, cutting the paths through them)."""
    start, end = (1, 0) if direction == "backward" else (0, 1)
    by_start = {}
    for link in links:
        by_start.setdefault(link[start], []).append(link)
    seen, todo, kept = {root}, [root], []
    while todo:
        for link in by_start.get(todo.pop(), ()):
            kept.append(link)
            if link[end] not in seen:
                seen.add(link[end])
                todo.append(link[end])
    return kept


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
