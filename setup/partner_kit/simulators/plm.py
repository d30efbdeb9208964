# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The simulated PLM: plays an engineering scenario at start.

A scenario is a JSON list of steps, played in order::

    {"kind": "item", "data": {...mfg.item.released.v1 data...}}
    {"kind": "bom", "data": {...mfg.bom.released.v1 data...}}
    {"kind": "bom_xml", "data": {...the same BOM data...}}

each with an optional ``"delay"`` (seconds to wait before the step).
``item`` and ``bom`` steps are events sent through the buffer; a
``bom_xml`` step is the BomRelease document POSTed to ``/plm/bom`` once
the events before it are delivered. Playing a scenario again is harmless:
Odoo answers a release of a revision it has, with the same content, as a
duplicate. The ``mfg.bom.applied.v1`` answers are logged.

PLM events carry no ``sequence``: XML documents have none either, and
Odoo orders the events of an item by time, then arrival, alike.
"""

import json
import threading
from pathlib import Path

from ..bom_xml import bom_document
from ..errors import ProblemError, TransportError
from .common import PartnerSystem

SOURCE = "urn:plm:plant-demo"
TOKEN = "plm-demo-token"
SECRET = "whsec_cGxtLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="
PORT = 8097
CONNECTOR_SECRET = "whsec_cGxtLXdlYmhvb2stc2lnbmluZy1zZWNyZXQtMzJieXRl"

ITEM_RELEASED = "mfg.item.released.v1"
BOM_RELEASED = "mfg.bom.released.v1"
BOM_APPLIED = "mfg.bom.applied.v1"
EVENT_KINDS = {"item": ITEM_RELEASED, "bom": BOM_RELEASED}
KINDS = (*EVENT_KINDS, "bom_xml")
EXAMPLE_SCENARIO = (
    Path(__file__).resolve().parent.parent / "scenarios" / "plm-example.json"
)
# While Odoo is down, how long the XML step waits between tries (seconds).
XML_RETRY_SECONDS = 5.0


def load_scenario(path):
    """The steps of a scenario file; ValueError says what is wrong."""
    steps = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(steps, list):
        raise ValueError(f"{path}: a scenario is a JSON list of steps")
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("kind") not in KINDS:
            raise ValueError(f"{path}: step {index} needs a kind among {KINDS}")
        if not isinstance(step.get("data"), dict) or "item" not in step["data"]:
            raise ValueError(f"{path}: step {index} needs data with an item")
    return steps


class PlmSimulator(PartnerSystem):
    name = "PLM"
    handlers = {BOM_APPLIED: "on_applied"}

    def __init__(self, endpoint, steps=()):
        super().__init__(endpoint)
        self.steps = list(steps)
        self.done = threading.Event()
        self._stopping = threading.Event()
        self._player = threading.Thread(
            target=self.play, name="PLM-scenario", daemon=True
        )

    def start(self):
        super().start()
        self._player.start()
        return self

    def stop(self):
        self._stopping.set()
        self._player.join(5.0)
        super().stop()

    def play(self):
        """Play the scenario's steps in order (on the player thread)."""
        for step in self.steps:
            if self._stopping.wait(step.get("delay") or 0):
                return
            if step["kind"] == "bom_xml":
                self._post_xml(step["data"])
            else:
                data = step["data"]
                self.emit(
                    EVENT_KINDS[step["kind"]],
                    data["item"],
                    data,
                    f"revision {data['revision']}",
                    sequence=False,
                )
        self.log("scenario played", f"{len(self.steps)} step(s)")
        self.done.set()

    def on_applied(self, event):
        data = event["data"]
        detail = f"revision {data['revision']} {data.get('change_order') or ''}"
        if data.get("reason"):
            detail += f": {data['reason']}"
        self.log(f"BOM {data['status']} in Odoo", data["item"], detail.strip())

    def _post_xml(self, data):
        """POST the document once the events before it are delivered."""
        document = bom_document(data, source=self.endpoint.source)
        while not self._stopping.is_set():
            if self.buffer.pending_count():
                self._stopping.wait(0.2)
                continue
            try:
                result = self.client.post_bom_xml(document)
            except TransportError as err:
                self.log("BOM XML not sent, Odoo down", data["item"], str(err))
                self._stopping.wait(XML_RETRY_SECONDS)
                continue
            except ProblemError as err:
                self.log("BOM XML REJECTED by Odoo", data["item"], str(err))
                return
            self.log(
                f"BOM XML {result.status}", data["item"], f"revision {data['revision']}"
            )
            return
