# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The simulated MES: runs the manufacturing orders Odoo releases.

On ``mfg.production.released.v1`` it waits ``delay`` seconds, reports the
order started, waits again and reports it completed:

- a serial-tracked product (``serial_products``) gives one output per unit,
  quantity 1, serials ``SN-<order>-<n>``; any other product one lot
  ``LOT-<order>`` (the schema requires a lot; Odoo ignores it for an
  untracked product);
- a share of the orders (``partial_rate``) is first completed in part with
  ``close: false``: Odoo then splits a backorder (``<order>-002``) and
  releases it, and the MES completes that one in full;
- a share (``scrap_rate``) scraps one unit of an untracked component;
- ``consumed`` is left out (Odoo consumes what it reserved) unless
  ``report_consumed``; tracked components are never reported, since their
  lots are Odoo's choice.

The draws are made per order from ``seed``, so a run can be repeated.
"""

import dataclasses
import random
import re
import threading

from ..events import now_rfc3339
from .common import PartnerSystem, sanitize

SOURCE = "urn:mes:plant-demo"
TOKEN = "mes-demo-token"
SECRET = "whsec_bWVzLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="
PORT = 8099
CONNECTOR_SECRET = "whsec_ZGVtby1wYXJ0bmVyLXNpZ25pbmctc2VjcmV0LTMyYg=="

RELEASED = "mfg.production.released.v1"
STARTED = "mfg.production.started.v1"
COMPLETED = "mfg.production.completed.v1"
# The schema's limit; more serials are completed through backorders.
MAX_OUTPUTS = 100
# Odoo names a backorder after its order: WH/MO/00012-002.
_BACKORDER_RE = re.compile(r"-\d{3}$")
_STARTED = object()
SCRAP_REASON = "damaged during assembly"


@dataclasses.dataclass
class MesOptions:
    delay: float = 3.0
    serial_products: frozenset = frozenset()
    partial_rate: float = 0.2
    scrap_rate: float = 0.2
    report_consumed: bool = False
    seed: int | None = None
    workcenter: str = "Assembly line 1"


class MesSimulator(PartnerSystem):
    name = "MES"
    handlers = {RELEASED: "on_released"}

    def __init__(self, endpoint, options=None):
        super().__init__(endpoint)
        self.options = options or MesOptions()
        # Order name -> its latest released data, or _STARTED.
        self._orders = {}
        self._lock = threading.Lock()

    def on_released(self, event):
        data = event["data"]
        name = data["production"]
        with self._lock:
            previous = self._orders.get(name)
            if previous is not _STARTED:
                self._orders[name] = data
        if previous is _STARTED:
            self.log("release ignored: already started", name)
        elif previous is not None:
            self.log("release updated before start", name, _summary(data))
        else:
            self.log("order released", name, _summary(data))
            self.scheduler.call_later(self.options.delay, self._start, name)

    def _start(self, name):
        with self._lock:
            data, self._orders[name] = self._orders[name], _STARTED
        started = {"production": name, "started_at": now_rfc3339()}
        if self.options.workcenter:
            started["workcenter"] = self.options.workcenter
        self.emit(STARTED, name, started)
        self.scheduler.call_later(self.options.delay, self._complete, data)

    def _complete(self, data):
        report = self.completion(data)
        self.emit(COMPLETED, data["production"], report, _completion_summary(report))

    def completion(self, data):
        """The data of the completion report of a released order."""
        name = data["production"]
        rng = random.Random(f"{self.options.seed}:{name}")
        quantity = self._quantity_now(data, rng)
        serial = data["product"] in self.options.serial_products
        outputs = (
            _serial_outputs(name, quantity, data["uom"])
            if serial
            else [
                {
                    "lot": "LOT-" + sanitize(name),
                    "quantity": quantity,
                    "uom": data["uom"],
                }
            ]
        )
        done = sum(output["quantity"] for output in outputs)
        report = {
            "production": name,
            "completed_at": now_rfc3339(),
            "outputs": outputs,
            "close": done >= data["quantity"],
        }
        scrap = self._scrap(data, rng)
        if scrap:
            report["scrap"] = scrap
        if self.options.report_consumed:
            report["consumed"] = _consumed(data, done / data["quantity"])
        return report

    def _quantity_now(self, data, rng):
        """All of the order, or half of it for a partial completion."""
        quantity = data["quantity"]
        eligible = (
            float(quantity).is_integer()
            and quantity >= 2
            and not _BACKORDER_RE.search(data["production"])
        )
        if rng.random() < self.options.partial_rate and eligible:
            return int(quantity) // 2
        return int(quantity) if float(quantity).is_integer() else quantity

    def _scrap(self, data, rng):
        if rng.random() >= self.options.scrap_rate:
            return []
        untracked = [
            c for c in data["components"] if c["tracking"] == "none" and c["quantity"]
        ]
        if not untracked:
            return []
        component = untracked[0]
        return [
            {
                "product": component["product"],
                "quantity": 1,
                "uom": component["uom"],
                "reason": SCRAP_REASON,
            }
        ]


def _serial_outputs(name, quantity, uom):
    count = min(max(1, int(quantity)), MAX_OUTPUTS)
    stem = "SN-" + sanitize(name)
    return [
        {"lot": f"{stem}-{n}", "quantity": 1, "uom": uom} for n in range(1, count + 1)
    ]


def _consumed(data, share):
    return [
        {
            "product": c["product"],
            "quantity": round(c["quantity"] * share, 6),
            "uom": c["uom"],
        }
        for c in data["components"]
        if c["tracking"] == "none" and c["quantity"]
    ]


def _summary(data):
    return f"{data['quantity']:g} {data['uom']} of {data['product']}"


def _completion_summary(report):
    outputs = report["outputs"]
    done = sum(output["quantity"] for output in outputs)
    text = f"{done:g} {outputs[0]['uom']} in {len(outputs)} lot(s)/serial(s)"
    if report.get("scrap"):
        text += f", scrap {report['scrap'][0]['product']}"
    if not report["close"]:
        text += ", partial: Odoo makes a backorder for the rest"
    return text
