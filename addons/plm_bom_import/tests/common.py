# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import uuid
from datetime import date, timedelta
from xml.sax.saxutils import escape

from odoo.addons.integration_log.protocol import signature
from odoo.addons.integration_log.tests.common import API, BATCH, IntegrationHttpCase

PLM = "urn:plm:test-plant"
ITEM_TYPE = "mfg.item.released.v1"
BOM_TYPE = "mfg.bom.released.v1"
APPLIED_TYPE = "mfg.bom.applied.v1"
PAST = "2020-01-01"


def day(offset):
    """A date ``offset`` days from today, as the PLM writes it."""
    return (date.today() + timedelta(days=offset)).isoformat()


def line(item, quantity=1, uom="C62", position=None, designators=None):
    result = {"item": item, "quantity": quantity, "uom": uom}
    if position:
        result["position"] = position
    if designators:
        result["designators"] = designators
    return result


class PlmCase(IntegrationHttpCase):
    """A PLM client whose technical user has the PLM integration group; its
    releases go through Odoo's HTTP server and queue_job, as a PLM's do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plm = cls.make_client(
            "Test PLM",
            "mfg.item.*, mfg.bom.*",
            groups="plm_bom_import.group_plm_integration",
            allowed_sources=PLM,
        )
        cls.env.company.write(
            {"plm_bom_auto_apply": True, "plm_bom_update_productions": False}
        )
        cls.unit = cls.env.ref("uom.product_uom_unit")
        cls.kg = cls.env.ref("uom.product_uom_kgm")

    # ------------------------------------------------------------------
    # Events the PLM sends
    # ------------------------------------------------------------------
    def event(self, event_type, data, **envelope):
        return {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": PLM,
            "type": event_type,
            "time": "2026-03-02T08:00:00Z",
            "subject": data["item"],
            "data": data,
            **envelope,
        }

    def item_event(self, item, revision="A", uom="C62", tracking="none", **extra):
        data = {
            "item": item,
            "revision": revision,
            "name": extra.pop("name", f"Part {item}"),
            "uom": uom,
            "tracking": tracking,
            **extra,
        }
        return self.event(ITEM_TYPE, data)

    def bom_data(self, item, revision, lines, effective_from=PAST, **extra):
        return {
            "item": item,
            "revision": revision,
            "effective_from": effective_from,
            "quantity": extra.pop("quantity", 1),
            "uom": extra.pop("uom", "C62"),
            "approval": extra.pop("approval", "approved"),
            "lines": lines,
            **extra,
        }

    def bom_event(self, item, revision, lines, effective_from=PAST, **extra):
        return self.event(
            BOM_TYPE, self.bom_data(item, revision, lines, effective_from, **extra)
        )

    def send(self, *events):
        """POST the events (a batch when several), run the jobs; returns the
        integration.event records, in order."""
        if len(events) == 1:
            response = self.post(events[0])
            self.assertEqual(response.status_code, 202, response.text)
        else:
            response = self.post(list(events), content_type=BATCH)
            self.assertEqual(response.status_code, 200, response.text)
            statuses = [r["status"] for r in response.json()["results"]]
            self.assertEqual(statuses, ["accepted"] * len(events), response.text)
        self.run_jobs()
        return self.events(*events)

    def events(self, *events):
        Event = self.env["integration.event"]
        return Event.concat(*(self.event_record(event) for event in events))

    def items(self, *references, uom="C62"):
        """Release the items (revision A) in one batch; returns the products."""
        self.send(*(self.item_event(ref, uom=uom) for ref in references))
        return self.products(*references)

    def products(self, *references):
        Product = self.env["product.product"]
        return Product.concat(
            *(Product.search([("default_code", "=", ref)]) for ref in references)
        )

    # ------------------------------------------------------------------
    # The XML route
    # ------------------------------------------------------------------
    def post_bom(self, body, content_type="application/xml", sign=True):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {self.token}",
        }
        if sign:
            headers.update(
                signature.sign_headers(self.secret, f"msg_{uuid.uuid4().hex}", raw)
            )
        return self.url_open(f"{API}/plm/bom", data=raw, headers=headers, timeout=120)

    def bom_document(self, data, **attributes):
        """The XML form of ``data`` (a mfg.bom.released.v1 payload)."""
        attrs = "".join(f' {k}="{escape(str(v))}"' for k, v in attributes.items())
        head = "".join(
            f"  <{key}>{escape(str(value))}</{key}>\n"
            for key, value in data.items()
            if key != "lines"
        )
        body = "".join(self._xml_line(item) for item in data["lines"])
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<BomRelease{attrs}>\n'
            f"{head}  <lines>\n{body}  </lines>\n</BomRelease>\n"
        ).encode()

    def _xml_line(self, item):
        parts = [
            f"<{key}>{escape(str(value))}</{key}>"
            for key, value in item.items()
            if key != "designators"
        ]
        if item.get("designators"):
            parts.append(
                "<designators>"
                + "".join(f"<designator>{d}</designator>" for d in item["designators"])
                + "</designators>"
            )
        return f"    <line>{''.join(parts)}</line>\n"

    # ------------------------------------------------------------------
    # What Odoo made of it
    # ------------------------------------------------------------------
    def bom_at(self, product, moment=None):
        """The BOM Odoo picks for ``product`` (at ``moment``, else now)."""
        Bom = self.env["mrp.bom"]
        if moment:
            Bom = Bom.with_context(plm_bom_date=moment)
        return Bom._bom_find(product, bom_type="normal")[product]

    def releases(self, item):
        return self.env["plm.bom.release"].search([("item", "=", item)], order="id")

    def revisions(self, product):
        return (
            self.env["mrp.bom"]
            .with_context(active_test=False)
            .search(
                [
                    ("product_tmpl_id", "=", product.product_tmpl_id.id),
                    ("plm_revision", "!=", False),
                ],
                order="id",
            )
        )

    def applied_events(self, item):
        """The data of the mfg.bom.applied.v1 events about ``item``."""
        events = self.env["integration.event"].search(
            [
                ("direction", "=", "out"),
                ("event_type", "=", APPLIED_TYPE),
                ("subject", "=", item),
            ],
            order="id",
        )
        return [event._get_data() for event in events]

    def result(self, event):
        return json.loads(event.result or "null")
