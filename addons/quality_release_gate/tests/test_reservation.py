# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QualityCase

MES = "urn:mes:plant-lyon"


@tagged("post_install", "-at_install")
class TestReservationAndConsumption(QualityCase):
    """Reservation for deliveries and manufacturing orders skips the lots
    they may not take; an order may not consume a held or rejected lot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A-1 (the oldest, first in FIFO) waits; A-2 is released.
        cls.receive(cls.raw, {"A-1": 10})
        cls.receive(cls.raw, {"A-2": 10})
        cls.a1 = cls.lot(cls.raw, "A-1")
        cls.a2 = cls.lot(cls.raw, "A-2")
        cls.a2._quality_decide("released", "Passed", cls.a2._quality_actor())

    def new_delivery(self, product, quantity):
        picking = self._picking(
            self.warehouse.out_type_id,
            self.stock,
            self.customers,
            product,
            {"demand": quantity},
            partner=self.customer,
        )
        picking.action_assign()
        return picking

    def test_delivery_reserves_released_lots_only(self):
        picking = self.new_delivery(self.raw, 15)
        lines = picking.move_ids.move_line_ids
        self.assertEqual(lines.lot_id, self.a2)
        self.assertEqual(sum(lines.mapped("quantity")), 10)
        self.assertEqual(picking.move_ids.state, "partially_available")

    def test_hold_moves_an_unpicked_reservation_to_another_lot(self):
        self.receive(self.raw, {"A-3": 10})
        a3 = self.lot(self.raw, "A-3")
        a3._quality_decide("released", "Passed", a3._quality_actor())
        picking = self.new_delivery(self.raw, 5)
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.a2)
        self.decide(self.inspector, self.a2, "hold", "Customer complaint")
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, a3)
        self.assertEqual(picking.move_ids.quantity, 5)

    def test_picked_lines_stay_for_the_gate(self):
        """A lot a person picked stays on the transfer: the gate names it."""
        picking = self.delivery(self.raw, {"A-2": 4})
        self.decide(self.inspector, self.a2, "hold", "Customer complaint")
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.a2)
        self.assertTrue(picking.quality_blocked)
        with self.assertRaisesRegex(UserError, "A-2 of Q-RAW: On hold"):
            picking.button_validate()

    def make_mo(self):
        production = self.env["mrp.production"].create(
            {"product_id": self.sub.id, "product_qty": 1}
        )
        production.action_confirm()
        production.action_assign()
        return production

    def produce(self, production, lot, finished):
        """Consume 2 kg of ``lot`` (chosen by hand) and finish ``finished``."""
        production.lot_producing_id = self.env["stock.lot"].create(
            {"product_id": self.sub.id, "name": finished}
        )
        production.qty_producing = 1
        production.set_qty_producing()
        move = production.move_raw_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": self.raw.id,
                "lot_id": lot.id,
                "quantity": 2,
                "product_uom_id": self.kg.id,
                "location_id": self.stock.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        return production.button_mark_done()

    def test_mo_reserves_consumable_lots_only(self):
        production = self.make_mo()
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id, self.a2)

    def test_mo_may_not_consume_held_or_rejected_lots(self):
        self.decide(self.inspector, self.a2, "hold", "Suspect batch")
        production = self.make_mo()
        self.assertFalse(production.move_raw_ids.move_line_ids)
        with self.assertRaisesRegex(
            UserError, rf"{production.name} may not consume lot A-2 of Q-RAW: On hold"
        ):
            self.produce(production, self.a2, "S-1")
        self.decide(self.quality_manager, self.a1, "reject", "Wrong grade")
        with self.assertRaisesRegex(UserError, "may not consume lot A-1 of Q-RAW"):
            self.produce(production, self.a1, "S-2")
        self.assertNotEqual(production.state, "done")

    def test_pending_lots_consumed_only_where_allowed(self):
        production = self.make_mo()
        with self.assertRaisesRegex(UserError, "A-1 of Q-RAW: Pending release"):
            self.produce(production, self.a1, "S-1")
        self.company.quality_pending_consumption = True
        self.produce(production, self.a1, "S-2")
        self.assertEqual(production.state, "done")
        made = self.lot(self.sub, "S-2")
        self.assertEqual(
            made.quality_disposition, "pending", "the rule of SUB asks for a release"
        )
        self.assertEqual(made.quality_pending_reason, "production")

    def test_mes_consumption_report_refused(self):
        """The MES reports a held lot as consumed: the event is dead at once,
        naming the line's lot, and nothing is recorded on the order."""
        qms_credentials = (self.token, self.secret)
        self.make_client(
            "Plant MES",
            "mfg.production.*,mfg.material.*",
            groups="mrp.group_mrp_user,stock.group_stock_user",
        )
        mes_credentials = (self.token, self.secret)
        # make_client set the class's credentials: the QMS's again.
        type(self).token, type(self).secret = qms_credentials
        self.decide(self.inspector, self.a2, "hold", "Suspect batch")
        production = self.make_mo()
        event = dict(
            self.qms_event(
                "mfg.material.consumed.v1",
                production.name,
                {
                    "production": production.name,
                    "lines": [
                        {"product": "Q-RAW", "lot": "A-2", "quantity": 2, "uom": "KGM"}
                    ],
                },
            ),
            source=MES,
        )
        token, secret = mes_credentials
        response = self.post(event, token=token, secret=secret)
        self.assertEqual(response.status_code, 202, response.text)
        self.run_jobs()
        record = self.event_record(event)
        self.assertEqual(record.state, "dead")
        self.assertIn("/data/lines/0/lot", record.error)
        self.assertIn(
            f"{production.name} may not consume lot A-2: On hold", record.error
        )
        self.assertFalse(production.move_raw_ids.move_line_ids.filtered("picked"))
