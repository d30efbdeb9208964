# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import csv
import io

import openpyxl

from odoo.tests import tagged

from .common import PlantCase

SUPPLIER = "@SUM(A1)"
CUSTOMER = '=HYPERLINK("http://example.com","x")'
# RAW lot =1+1 -> SUB lot +CMD -> FG serial -2, shipped to CUSTOMER.
RAW_LOT, SUB_LOT, FG_LOT = "=1+1", "+CMD", "-2"
# Columns of the FSMA 204 spreadsheet.
EVENT, DATE, LOT, QUANTITY = 0, 1, 2, 5
DOCUMENT, LOCATION, SOURCE, DESTINATION, INPUTS = 7, 8, 9, 10, 11


@tagged("post_install", "-at_install")
class TestExports(PlantCase):
    """FSMA 204 spreadsheets of lots and partners whose names look like
    formulas, and the recall spreadsheet of a raw lot that went into a
    finished lot that shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier.name = SUPPLIER
        cls.customer.name = CUSTOMER
        cls.raw_receipt = cls.receive(cls.raw, {RAW_LOT: 10})

    def _make_and_ship(self):
        """Completions reported by the MES, then a shipment: returns the sub
        MO, the finished MO and the shipment."""
        orders = []
        for product, lot, (code, used, quantity, uom) in (
            (self.sub, SUB_LOT, ("RAW", RAW_LOT, 2, "KGM")),
            (self.fg, FG_LOT, ("SUB", SUB_LOT, 1, "C62")),
        ):
            production = self.make_mo(product, 1)
            event = self.send(
                "mfg.production.completed.v1",
                production.name,
                {
                    "production": production.name,
                    "completed_at": "2026-03-02T09:00:00Z",
                    "outputs": [{"lot": lot, "quantity": 1, "uom": "C62"}],
                    "consumed": [
                        {"product": code, "lot": used, "quantity": quantity, "uom": uom}
                    ],
                },
            )
            self.assertEqual(event.state, "processed", event.error)
            self.assertEqual(production.lot_producing_id.name, lot)
            orders.append(production)
        return (*orders, self.ship(self.fg, {FG_LOT: 1}))

    def _csv(self, path, product, lot):
        response = self.get(path, product=product, lot=lot, format="csv")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("text/csv"))
        return list(csv.reader(io.StringIO(response.text)))

    def _xlsx(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [list(row) for row in sheet.iter_rows(min_row=2)]

    def test_recall_spreadsheet_lists_every_event_and_the_stock(self):
        mo_sub, mo_fg, shipment = self._make_and_ship()
        rows = self._csv("/lots/recall", "RAW", RAW_LOT)
        self.assertEqual(rows[0][EVENT], "Critical tracking event")
        self.assertEqual(
            [
                (r[EVENT], r[LOT], r[QUANTITY], r[DOCUMENT], r[SOURCE], r[DESTINATION])
                for r in rows[1:]
            ],
            [
                ("Receiving", "'=1+1", "10.0", self.raw_receipt.name, "'@SUM(A1)", ""),
                ("Transformation", "'+CMD", "1.0", mo_sub.name, "", ""),
                ("Transformation", "'-2", "1.0", mo_fg.name, "", ""),
                ("Shipping", "'-2", "1.0", shipment.name, "", "'" + CUSTOMER),
                ("On hand", "'=1+1", "8.0", "", "", ""),
            ],
            "receiving, transformation and shipping events, then the stock; "
            "every name that looks like a formula is quoted",
        )
        self.assertEqual(
            [r[INPUTS] for r in rows[2:4]], ["RAW/=1+1", "SUB/+CMD"], "input lots"
        )
        self.assertEqual(rows[-1][LOCATION], self.stock.complete_name)
        self.assertTrue(rows[-1][DATE], "the stock is dated: when it was read")
        # The recall JSON keeps its shape: the spreadsheet's events are extra.
        recall = self.get("/lots/recall", product="RAW", lot=RAW_LOT).json()
        self.assertEqual(
            set(recall), {"root", "lots", "stock", "shipments", "customers"}
        )
        self.assertEqual(recall["customers"][0]["customer"], CUSTOMER)
        # The Recall dialog downloads the same spreadsheet.
        wizard_action = self.lot(self.raw, RAW_LOT).action_open_recall()
        wizard = self.env[wizard_action["res_model"]].browse(wizard_action["res_id"])
        download = wizard.with_context(export_format="csv").action_download()
        self.authenticate("admin", "admin")
        response = self.url_open(download["url"])
        self.assertEqual(response.status_code, 200)
        downloaded = list(csv.reader(io.StringIO(response.text)))
        self.assertEqual(
            [r[:DATE] + r[DATE + 1 :] for r in downloaded],
            [r[:DATE] + r[DATE + 1 :] for r in rows],
        )

    def test_xlsx_cells_are_text_never_formulas_or_links(self):
        self._make_and_ship()
        recall = self._xlsx(
            self.get("/lots/recall", product="RAW", lot=RAW_LOT, format="xlsx")
        )
        self.assertEqual(
            [(row[EVENT].value, row[LOT].value) for row in recall],
            [
                ("Receiving", RAW_LOT),
                ("Transformation", SUB_LOT),
                ("Transformation", FG_LOT),
                ("Shipping", FG_LOT),
                ("On hand", RAW_LOT),
            ],
            "names are written as they are, as text",
        )
        self.assertEqual(recall[0][SOURCE].value, SUPPLIER)
        self.assertEqual(recall[3][DESTINATION].value, CUSTOMER)
        self.assertEqual([row[QUANTITY].value for row in recall], [10, 1, 1, 1, 8])
        trace = self._xlsx(
            self.get("/lots/trace", product="FG", lot=FG_LOT, format="xlsx")
        )
        self.assertEqual(
            [row[EVENT].value for row in trace],
            ["Receiving", "Transformation", "Transformation", "Shipping"],
        )
        for row in recall + trace:
            for cell in row:
                self.assertIsNone(cell.hyperlink, cell.coordinate)
                self.assertIn(cell.data_type, ("s", "n"), (cell.coordinate, cell.value))
            self.assertEqual(row[QUANTITY].data_type, "n", "numbers stay numbers")
            self.assertEqual(row[LOT].data_type, "s")

    def test_trace_csv_quotes_formula_names(self):
        self._make_and_ship()
        rows = self._csv("/lots/trace", "FG", FG_LOT)[1:]
        self.assertEqual(
            [(r[EVENT], r[LOT], r[SOURCE], r[DESTINATION]) for r in rows],
            [
                ("Receiving", "'=1+1", "'@SUM(A1)", ""),
                ("Transformation", "'+CMD", "", ""),
                ("Transformation", "'-2", "", ""),
                ("Shipping", "'-2", "", "'" + CUSTOMER),
            ],
        )
