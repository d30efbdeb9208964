# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import uuid

from odoo.tests import tagged

from odoo.addons.integration_log.protocol.envelope import MAX_EVENT_BYTES

from .common import MES, PlantCase

# The arrays the production events carry, with their caps: a change of cap
# is a change of the protocol's schemas, made on purpose.
EXPECTED_CAPS = {
    ("mfg.material.consumed.v1", "lines"): 500,
    ("mfg.production.completed.v1", "outputs"): 100,
    ("mfg.production.completed.v1", "consumed"): 500,
    ("mfg.production.completed.v1", "scrap"): 100,
    ("mfg.schedule.updated.v1", "orders"): 1000,
    ("mfg.production.released.v1", "components"): 2000,
    ("mfg.shipment.dispatched.v1", "lines"): 10000,
}
EXAMPLE_TIME = "2026-03-02T08:00:00Z"


def _arrays(schema, path=""):
    """``(JSON pointer in the schema, array schema)`` of every array that
    ``schema`` declares, at any depth, definitions included."""
    if isinstance(schema, dict):
        if schema.get("type") == "array" or "items" in schema:
            yield path, schema
        for key, value in schema.items():
            yield from _arrays(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _arrays(value, f"{path}/{index}")


def _example(schema, root):
    """The smallest value ``schema`` accepts (the schemas of the suite use
    only these keywords)."""
    if "$ref" in schema:
        return _example(root["$defs"][schema["$ref"].split("/")[-1]], root)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        return {
            name: _example(schema["properties"][name], root)
            for name in schema.get("required", ())
        }
    if kind == "array":
        return [_example(schema["items"], root)] * max(1, schema.get("minItems", 0))
    if kind == "string":
        if schema.get("format") == "date-time":
            return EXAMPLE_TIME
        return "X" * max(1, schema.get("minLength", 1))
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    raise AssertionError(f"no example for {schema}")


@tagged("post_install", "-at_install")
class TestSchemaCaps(PlantCase):
    """Every array of an event schema has a cap, so that one valid event
    cannot hold more work than a worker may do; an inbound event one item
    over a cap is refused at acceptance, an event at the cap is accepted."""

    def catalogue(self):
        EventType = self.env["integration.event.type"]
        return {
            name: dict(entry, schema=EventType._get_schema(name))
            for name, entry in EventType._get_catalogue().items()
        }

    def event_with(self, event_type, entry, array, count):
        """An event of ``event_type`` whose data holds ``count`` items in
        ``array``, everything else as small as the schema allows."""
        schema = entry["schema"]
        data = _example(schema, schema)
        item = _example(schema["properties"][array]["items"], schema)
        data[array] = [item] * count
        return {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": MES,
            "type": event_type,
            "time": EXAMPLE_TIME,
            "subject": data.get(entry["subject_field"]) or "plan-1",
            "data": data,
        }

    def inbound_arrays(self):
        """``(type, catalogue entry, array name, cap)`` of every top-level
        array of the inbound manufacturing events."""
        return [
            (name, entry, array, spec["maxItems"])
            for name, entry in sorted(self.catalogue().items())
            if name.startswith("mfg.") and entry["direction"] != "out"
            for array, spec in entry["schema"].get("properties", {}).items()
            if spec.get("type") == "array"
        ]

    def count_jobs(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*) FROM queue_job")
        return self.env.cr.fetchone()[0]

    def test_every_array_of_every_event_schema_has_a_stated_cap(self):
        found = {}
        for name, entry in self.catalogue().items():
            for path, array in _arrays(entry["schema"]):
                with self.subTest(type=name, array=path):
                    cap = array.get("maxItems")
                    self.assertIsInstance(cap, int, "the array has no maxItems")
                    self.assertIn(
                        f"at most {cap:,}",
                        array.get("description", "").lower(),
                        "the description states the cap and why",
                    )
                found[name, path.rsplit("/", 1)[-1]] = cap
        self.assertEqual(
            {key: cap for key, cap in found.items() if key in EXPECTED_CAPS},
            EXPECTED_CAPS,
        )
        # The caps are what partners read in the schemas served to them.
        served = self.get("/schemas/mfg.material.consumed.v1").json()
        self.assertEqual(served["properties"]["lines"]["maxItems"], 500)

    def test_one_item_over_a_cap_is_refused_at_acceptance_and_the_cap_accepted(
        self,
    ):
        # Every cap an event sent alone can reach (a type that also comes by
        # a larger route, such as a PLM document, may have a higher one): the
        # production events' at least; other installed modules' alike.
        arrays = [
            (event_type, entry, array, cap)
            for event_type, entry, array, cap in self.inbound_arrays()
            if len(json.dumps(self.event_with(event_type, entry, array, cap + 1)))
            <= MAX_EVENT_BYTES
        ]
        self.assertLessEqual(
            {
                key
                for key in EXPECTED_CAPS
                if self.catalogue()[key[0]]["direction"] != "out"
            },
            {(event_type, array) for event_type, _entry, array, _cap in arrays},
        )
        for event_type, entry, array, cap in arrays:
            with self.subTest(type=event_type, array=array):
                jobs = self.count_jobs()
                over = self.event_with(event_type, entry, array, cap + 1)
                problem = self.assertProblem(self.post(over), 400, "invalid_data")
                pointer = f"/data/{array}"
                self.assertIn(
                    pointer, [error["pointer"] for error in problem["errors"]]
                )
                self.assertIn(pointer, problem["detail"])
                self.assertIn(
                    f"has {cap + 1} items; at most {cap} are allowed",
                    problem["detail"],
                )
                self.assertFalse(self.event_record(over), "nothing is stored")
                self.assertEqual(self.count_jobs(), jobs, "no job is queued")
                refusal = self.env["integration.refusal"].search(
                    [("event_id", "=", over["id"])]
                )
                self.assertEqual(refusal.reason, "invalid_data")
                self.assertIn(
                    pointer, [error["pointer"] for error in json.loads(refusal.errors)]
                )

                at_cap = self.event_with(event_type, entry, array, cap)
                response = self.post(at_cap)
                self.assertEqual(response.status_code, 202, response.text)
                stored = self.event_record(at_cap)
                self.assertEqual(stored.state, "received")
                self.assertEqual(len(stored._get_data()[array]), cap)

    def test_in_a_batch_only_the_event_over_the_cap_is_rejected(self):
        entry = self.catalogue()["mfg.schedule.updated.v1"]
        over = self.event_with("mfg.schedule.updated.v1", entry, "orders", 1001)
        at_cap = self.event_with("mfg.schedule.updated.v1", entry, "orders", 1000)
        response = self.post(
            [over, at_cap], content_type="application/cloudevents-batch+json"
        )
        self.assertEqual(response.status_code, 200, response.text)
        rejected, accepted = response.json()["results"]
        self.assertEqual(rejected["status"], "rejected")
        self.assertIn("/data/orders", json.dumps(rejected["error"]))
        self.assertEqual(accepted["status"], "accepted")
        self.assertFalse(self.event_record(over))
        self.assertTrue(self.event_record(at_cap))
