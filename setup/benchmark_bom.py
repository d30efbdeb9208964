#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the PLM BOM import (plm_bom_import) against a running Odoo.

A PLM client releases ``--lines`` components (5,000 by default) as
``mfg.item.released.v1`` events, in signed batches of 500 (timed on its own:
item releases applied per second), then a BOM of all of them, end to end,
three times:

- as an XML ``BomRelease`` document, POST /integration/v1/plm/bom;
- as JSON: one ``mfg.bom.released.v1`` CloudEvent to the same route (a
  5,000-line BOM is larger than the 256 KiB POST /events takes);
- as XML again, a second revision of the first BOM with 1 % of its lines
  changed, which is diffed against the first and supersedes it.

Each is timed from the first byte sent until the release is *applied* (its
BOM active, the revision it replaces ended), read from the database; the
answer time of the POST (checks included) is reported too. BOMs larger than
``plm_bom_import.chunk_size`` (1,000 lines by default) are imported by queue
jobs in chunks, so the job runner must run (the scale-out deployment of
setup/lib.sh does).

It needs a database with plm_bom_import installed (as part of
mfg_integration_suite) and its server(s) running; it sets up its client over
JSON-RPC as admin and reads states from the database (libpq defaults).
Figures on a shared machine are noisy: run it more than once.
"""

import json
import sys
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import (  # noqa: E402
    BATCH,
    BenchmarkError,
    EventWatch,
    JsonRpc,
    Sender,
    argument_parser,
    make_client,
    report,
    summary_row,
    write_summary,
)
from protocol import signature  # noqa: E402 (put on the path by benchmark_common)

SOURCE = "urn:plm:benchmark"
BATCH_SIZE = 500
FINAL = ("applied", "rejected", "superseded", "failed")


def item_event(reference, run):
    return {
        "specversion": "1.0",
        "id": f"{run}-item-{reference}",
        "source": SOURCE,
        "type": "mfg.item.released.v1",
        "time": "2026-03-01T08:00:00Z",
        "subject": reference,
        "data": {
            "item": reference,
            "revision": "A",
            "name": f"Component {reference}",
            "uom": "C62",
            "tracking": "none",
            "attributes": {"material": "steel"},
        },
    }


def bom_data(item, revision, components, changed=0):
    """A BOM of every component, a position and a designator per line; the
    first ``changed`` lines get another quantity."""
    return {
        "item": item,
        "revision": revision,
        "change_order": f"ECO-{item}-{revision}",
        "effective_from": "2020-01-01",
        "quantity": 1,
        "uom": "C62",
        "approval": "approved",
        "lines": [
            {
                "item": reference,
                "quantity": 2 if index < changed else 1,
                "uom": "C62",
                "position": str(10 * (index + 1)),
                "designators": [f"P{index + 1}"],
            }
            for index, reference in enumerate(components)
        ],
    }


def bom_xml(data, event_id):
    head = "".join(
        f"  <{key}>{escape(str(value))}</{key}>\n"
        for key, value in data.items()
        if key != "lines"
    )
    lines = "".join(
        "    <line><item>{item}</item><quantity>{quantity}</quantity>"
        "<uom>{uom}</uom><position>{position}</position><designators>{designators}"
        "</designators></line>\n".format(
            item=escape(line["item"]),
            quantity=line["quantity"],
            uom=line["uom"],
            position=line["position"],
            designators="".join(
                f"<designator>{escape(d)}</designator>" for d in line["designators"]
            ),
        )
        for line in data["lines"]
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<BomRelease id="{event_id}" source="{SOURCE}">\n{head}'
        f"  <lines>\n{lines}  </lines>\n</BomRelease>\n"
    ).encode()


def bom_event(data, event_id):
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": SOURCE,
        "type": "mfg.bom.released.v1",
        "time": "2026-03-01T09:00:00Z",
        "subject": data["item"],
        "data": data,
    }


class BomSender:
    """POSTs signed documents to /integration/v1/plm/bom."""

    def __init__(self, base_url, credentials):
        self.url = base_url.rstrip("/") + "/integration/v1/plm/bom"
        self.token = credentials["token"]
        self.secret = credentials["signing_secret"]
        self.session = requests.Session()

    def post(self, raw, content_type):
        headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {self.token}",
            **signature.sign_headers(self.secret, f"msg_{uuid.uuid4().hex}", raw),
        }
        response = self.session.post(self.url, data=raw, headers=headers, timeout=600)
        if response.status_code != 202:
            raise BenchmarkError(
                f"POST /plm/bom answered {response.status_code}: {response.text[:500]}"
            )
        return response


def release_state(watch, item, revision):
    rows = watch.query(
        "SELECT state, lines_done, reason FROM plm_bom_release"
        " WHERE item = %s AND revision = %s ORDER BY id DESC LIMIT 1",
        item,
        revision,
    )
    return rows[0] if rows else (None, 0, None)


def wait_applied(watch, item, revision, timeout):
    """Wait until the release is final; returns the perf_counter time."""
    start = time.perf_counter()
    while True:
        state, done, reason = release_state(watch, item, revision)
        if state in FINAL:
            if state != "applied":
                raise BenchmarkError(f"{item} rev. {revision} is {state}: {reason}")
            return time.perf_counter()
        dead = watch.query(
            "SELECT error FROM integration_event WHERE client_id = %s"
            " AND state = 'dead' AND subject = %s LIMIT 1",
            watch.client_id,
            item,
        )
        if dead:
            raise BenchmarkError(f"the release of {item} is dead: {dead[0][0]}")
        if time.perf_counter() - start > timeout:
            raise BenchmarkError(
                f"{item} rev. {revision} not applied after {timeout} s "
                f"(state {state}, {done} lines); jobs {watch.job_states()}"
            )
        time.sleep(0.05)


def release_items(args, credentials, watch, references, run):
    """Release the components in signed batches; returns the seconds taken
    until every one is applied."""
    sender = Sender(args.url, credentials)
    events = [item_event(reference, run) for reference in references]
    start = time.perf_counter()
    for offset in range(0, len(events), BATCH_SIZE):
        response = sender.post(events[offset : offset + BATCH_SIZE], BATCH)
        if response.status_code != 200:
            raise BenchmarkError(f"item batch refused: {response.text[:300]}")
    end = watch.wait_final(len(events), args.timeout, 300)
    dead = watch.dead_errors()
    if dead:
        raise BenchmarkError(f"item releases died:{dead}")
    return end - start


def import_bom(args, watch, sender, item, revision, raw, content_type):
    """POST one BOM and wait for it; returns (answer s, end-to-end s)."""
    start = time.perf_counter()
    sender.post(raw, content_type)
    answered = time.perf_counter()
    applied = wait_applied(watch, item, revision, args.timeout)
    return answered - start, applied - start


def bench_boms(args, watch, sender, run, components, finished):
    """The three BOM imports; returns their figures, and the seconds each
    took end to end."""
    figures, seconds = {}, {}
    raw_xml = bom_xml(bom_data(finished[0], "A", components), f"{run}-xml-a")
    answer, total = import_bom(
        args, watch, sender, finished[0], "A", raw_xml, "application/xml"
    )
    figures["XML: document size (KiB)"] = round(len(raw_xml) / 1024)
    figures["XML: POST answered (s)"] = round(answer, 2)
    figures["XML: end to end, applied (s)"] = seconds["xml"] = round(total, 2)
    raw_json = json.dumps(
        bom_event(bom_data(finished[1], "A", components), f"{run}-json-a")
    ).encode()
    answer, total = import_bom(
        args, watch, sender, finished[1], "A", raw_json, "application/cloudevents+json"
    )
    figures["JSON: event size (KiB)"] = round(len(raw_json) / 1024)
    figures["JSON: POST answered (s)"] = round(answer, 2)
    figures["JSON: end to end, applied (s)"] = seconds["json"] = round(total, 2)
    revision_b = bom_data(finished[0], "B", components, changed=len(components) // 100)
    raw_b = bom_xml(revision_b, f"{run}-xml-b")
    _answer, total = import_bom(
        args, watch, sender, finished[0], "B", raw_b, "application/xml"
    )
    key = "XML revision B (1 % changed, diffed, supersedes A): end to end (s)"
    figures[key] = seconds["revision"] = round(total, 2)
    return figures, seconds


def summary(args, item_rate, seconds):
    """The headline figures; README.rst's goal for each import is under 10 s
    end to end. The run measures no yardstick."""
    rows = [
        summary_row(
            "bom",
            f"item releases applied ({args.lines + 2:,}, batches of {BATCH_SIZE})",
            item_rate,
            "items/s",
        )
    ]
    for key, figure in (
        ("xml", f"{args.lines:,}-line BOM as XML, end to end"),
        ("json", "the same as a CloudEvent, end to end"),
        ("revision", "XML revision, 1 % changed, end to end"),
    ):
        rows.append(
            summary_row(
                "bom",
                figure,
                seconds[key],
                "s",
                goal="< 10 s",
                goal_met=seconds[key] < 10,
            )
        )
    return rows


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--lines", type=int, default=5000, help="lines of the BOM")
    parser.add_argument("--timeout", type=int, default=1800, help="per wait, s")
    args = parser.parse_args()
    rpc = JsonRpc(args.url, args.db, args.login, args.password)
    run = uuid.uuid4().hex[:6]
    client_id, credentials = make_client(
        rpc,
        "mfg.item.*, mfg.bom.*",
        SOURCE,
        groups=("plm_bom_import.group_plm_integration",),
    )
    watch = EventWatch(args.db, client_id)
    components = [f"B{run}-C{index:05d}" for index in range(args.lines)]
    finished = [f"B{run}-FG-XML", f"B{run}-FG-JSON"]
    item_seconds = release_items(args, credentials, watch, components + finished, run)
    item_rate = round((len(components) + 2) / item_seconds, 1)
    figures = {
        "deployment": args.deployment,
        "BOM lines": args.lines,
        "item releases applied per second": item_rate,
    }
    sender = BomSender(args.url, credentials)
    bom_figures, seconds = bench_boms(args, watch, sender, run, components, finished)
    figures.update(bom_figures)
    report(figures, args.json)
    write_summary(args.summary, summary(args, item_rate, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
