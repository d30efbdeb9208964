# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time

from lxml import etree

from odoo.tests import tagged

from .common import API, BOM_TYPE, PlmCase, day, line

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE BomRelease [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<BomRelease><item>&h;</item></BomRelease>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE BomRelease [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<BomRelease><item>&secret;</item></BomRelease>
"""


def line_number(document, text, occurrence=0):
    """The 1-based line of the ``occurrence``-th line of ``document`` that
    contains ``text``."""
    lines = document.decode().splitlines()
    found = [number for number, row in enumerate(lines, 1) if text in row]
    return found[occurrence]


@tagged("post_install", "-at_install")
class TestValidation(PlmCase):
    """Every invalid release is refused whole: nothing is applied."""

    def setUp(self):
        super().setUp()
        self.finished, self.c1, self.c2 = self.items("PLMT-VF", "PLMT-VC1", "PLMT-VC2")
        self.c2.product_tmpl_id.write({"uom_id": self.kg.id, "uom_po_id": self.kg.id})

    def assertNothingApplied(self, item="PLMT-VF"):
        self.assertFalse(self.releases(item))
        product = self.products(item)
        self.assertFalse(self.revisions(product))
        self.assertFalse(self.bom_at(product))

    def stored_bom_events(self):
        return self.env["integration.event"].search_count(
            [("event_type", "=", BOM_TYPE), ("direction", "=", "in")]
        )

    # ------------------------------------------------------------------
    # Business errors, through POST /events and through the XML route
    # ------------------------------------------------------------------
    def test_unknown_component(self):
        data = self.bom_data("PLMT-VF", "A", [line("PLMT-VC1"), line("PLMT-NOPE")])
        (event,) = self.send(self.event(BOM_TYPE, data))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/lines/1/item", event.error)
        self.assertIn("PLMT-NOPE", event.error)
        self.assertNothingApplied()
        document = self.bom_document(data)
        before = self.stored_bom_events()
        response = self.post_bom(document)
        problem = self.assertProblem(response, 400, "invalid_request")
        (error,) = problem["errors"]
        self.assertEqual(error["pointer"], "/data/lines/1/item")
        self.assertEqual(error["value"], "PLMT-NOPE")
        self.assertEqual(error["line"], line_number(document, "PLMT-NOPE"))
        self.assertTrue(problem["detail"].startswith(f"line {error['line']}: "))
        self.assertEqual(self.stored_bom_events(), before)
        self.assertNothingApplied()
        refusal = self.env["integration.refusal"].search(
            [("client_id", "=", self.plm.id)], order="id desc", limit=1
        )
        self.assertEqual(refusal.reason, "invalid_request")
        self.assertIn("PLMT-NOPE", refusal.detail)

    def test_unit_mismatch(self):
        data = self.bom_data(
            "PLMT-VF", "A", [line("PLMT-VC1"), line("PLMT-VC2", 2, "C62")], uom="KGM"
        )
        (event,) = self.send(self.event(BOM_TYPE, data))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/uom", event.error)
        self.assertIn("/data/lines/1/uom", event.error)
        self.assertNothingApplied()
        response = self.post_bom(self.bom_document(data))
        problem = self.assertProblem(response, 400, "invalid_request")
        self.assertEqual(
            [e["pointer"] for e in problem["errors"]],
            ["/data/uom", "/data/lines/1/uom"],
        )
        self.assertNothingApplied()

    def test_cycle(self):
        self.send(self.bom_event("PLMT-VC1", "A", [line("PLMT-VC2", 1, "KGM")]))
        self.send(self.bom_event("PLMT-VC2", "A", [line("PLMT-VF")], uom="KGM"))
        data = self.bom_data(
            "PLMT-VF", "A", [line("PLMT-VC1", position="10"), line("PLMT-VF")]
        )
        (event,) = self.send(self.event(BOM_TYPE, data))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/lines/1/item", event.error)
        self.assertIn("the item itself", event.error)
        self.assertNothingApplied()
        data["lines"].pop()
        (event,) = self.send(self.event(BOM_TYPE, data))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/lines/0/item", event.error)
        self.assertIn("cycle", event.error)
        self.assertNothingApplied()
        problem = self.assertProblem(
            self.post_bom(self.bom_document(data)), 400, "invalid_request"
        )
        self.assertEqual(problem["errors"][0]["pointer"], "/data/lines/0/item")

    def test_positions_and_dates(self):
        data = self.bom_data(
            "PLMT-VF",
            "A",
            [line("PLMT-VC1", position="10"), line("PLMT-VC1", position="10")],
            effective_from=day(5),
            effective_to=day(2),
        )
        (event,) = self.send(self.event(BOM_TYPE, data))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/effective_to", event.error)
        self.assertIn("/data/lines/1/position", event.error)
        self.assertNothingApplied()

    def test_schema_errors_refused_at_once(self):
        data = self.bom_data("PLMT-VF", "A", [line("PLMT-VC1", 0)])
        response = self.post(self.event(BOM_TYPE, data))
        problem = self.assertProblem(response, 400, "invalid_data")
        self.assertEqual(problem["errors"][0]["pointer"], "/data/lines/0/quantity")
        self.assertNothingApplied()

    # ------------------------------------------------------------------
    # The XML document itself
    # ------------------------------------------------------------------
    def test_xsd_violation_with_its_line(self):
        data = self.bom_data(
            "PLMT-VF", "A", [line("PLMT-VC1"), line("PLMT-VC2", 1, "KGM")]
        )
        document = self.bom_document(data).replace(
            b"<quantity>1</quantity><uom>KGM", b"<quantity>-1</quantity><uom>KGM"
        )
        response = self.post_bom(document)
        problem = self.assertProblem(response, 400, "invalid_request")
        error = problem["errors"][0]
        self.assertEqual(error["line"], line_number(document, "<quantity>-1"))
        self.assertEqual(error["pointer"], "/data/lines/1/quantity")
        self.assertIn("minExclusive", error["message"])
        self.assertIn(f"line {error['line']}", problem["detail"])
        unknown = self.bom_document(data).replace(
            b"<approval>", b"<colour>red</colour>\n  <approval>"
        )
        problem = self.assertProblem(self.post_bom(unknown), 400, "invalid_request")
        self.assertEqual(problem["errors"][0]["line"], line_number(unknown, "<colour>"))
        self.assertIn("colour", problem["errors"][0]["message"])
        self.assertNothingApplied()

    def test_entity_expansion_and_external_entities(self):
        before = self.stored_bom_events()
        started = time.monotonic()
        problem = self.assertProblem(
            self.post_bom(BILLION_LAUGHS), 400, "invalid_request"
        )
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("DOCTYPE", problem["detail"])
        self.assertEqual(problem["errors"][0]["line"], 2)
        problem = self.assertProblem(
            self.post_bom(EXTERNAL_ENTITY), 400, "invalid_request"
        )
        self.assertIn("DOCTYPE", problem["detail"])
        refusals = self.env["integration.refusal"].search(
            [("client_id", "=", self.plm.id)]
        )
        self.assertFalse([d for d in refusals.mapped("detail") if "root:" in d])
        broken = b'<?xml version="1.0"?>\n<BomRelease>\n<item>&undefined;</item>'
        problem = self.assertProblem(self.post_bom(broken), 400, "invalid_request")
        self.assertEqual(problem["errors"][0]["line"], 3)
        self.assertEqual(self.stored_bom_events(), before)
        self.assertNothingApplied()

    def test_xml_release_applied_and_resend_is_duplicate(self):
        data = self.bom_data(
            "PLMT-VF",
            "A",
            [
                line("PLMT-VC1", 2, position="10", designators=["U1", "U2"]),
                line("PLMT-VC2", 0.5, "KGM", position="20"),
            ],
            change_order="ECO-X",
        )
        document = self.bom_document(data)
        response = self.post_bom(document)
        self.assertEqual(response.status_code, 202, response.text)
        body = response.json()
        self.assertEqual(body["status"], "accepted")
        self.assertEqual(body["source"], "urn:plm:test-plant")
        self.run_jobs()
        status = self.get(
            body["status_url"][len(API) :].split("?")[0], source=body["source"]
        )
        self.assertEqual(status.json()["status"], "processed", status.text)
        bom = self.bom_at(self.finished)
        self.assertEqual(bom.plm_change_order, "ECO-X")
        self.assertEqual(
            bom.bom_line_ids.sorted("sequence")[0].plm_designators, "U1 U2"
        )
        self.assertEqual(bom.bom_line_ids.sorted("sequence")[1].product_qty, 0.5)
        again = self.post_bom(document)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["status"], "duplicate")
        self.assertEqual(len(self.releases("PLMT-VF")), 1)

    def test_large_event_through_the_bom_route(self):
        event = self.bom_event("PLMT-VF", "A", [line("PLMT-VC1")])
        response = self.post_bom(event, content_type="application/cloudevents+json")
        self.assertEqual(response.status_code, 202, response.text)
        self.run_jobs()
        self.assertEqual(self.event_record(event).state, "processed")
        wrong = self.item_event("PLMT-VF", revision="Z")
        response = self.post_bom(wrong, content_type="application/cloudevents+json")
        self.assertProblem(response, 400, "unknown_type")

    def test_route_is_signed_and_typed(self):
        document = self.bom_document(self.bom_data("PLMT-VF", "A", [line("PLMT-VC1")]))
        self.assertProblem(self.post_bom(document, sign=False), 401, "bad_signature")
        self.assertProblem(
            self.post_bom(document, content_type="text/plain"),
            415,
            "unsupported_media_type",
        )
        self.assertNothingApplied()

    def test_xsd_served_and_documented(self):
        response = self.get("/schemas/bom-release.xsd")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/xml"))
        etree.XMLSchema(etree.fromstring(response.content))
        paths = self.get("/openapi.json").json()["paths"]
        self.assertIn("post", paths["/integration/v1/plm/bom"])
        self.assertIn(
            "application/xml",
            paths["/integration/v1/plm/bom"]["post"]["requestBody"]["content"],
        )
        self.assertIn("/integration/v1/schemas/bom-release.xsd", paths)
        schema = self.get(f"/schemas/{BOM_TYPE}").json()
        self.assertEqual(schema["x-subject-field"], "item")
