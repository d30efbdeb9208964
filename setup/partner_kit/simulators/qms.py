# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The simulated QMS: inspects the lots Odoo asks it to.

On ``mfg.inspection.requested.v1`` it waits ``inspection_delay`` seconds
(the lot waits in Odoo meanwhile), then records a pass with probability
``pass_rate`` (drawn per lot and inspection from ``seed``), with its
measurements, and sends back the request's ``inspection``. A fail also
opens a major nonconformance (NCR) on the lot, closed ``ncr_close_delay``
seconds later. Lot dispositions Odoo announces are only logged.
"""

import dataclasses
import random

from ..events import now_rfc3339
from .common import PartnerSystem, sanitize

SOURCE = "urn:qms:plant-demo"
TOKEN = "qms-demo-token"
SECRET = "whsec_cW1zLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="
PORT = 8098
CONNECTOR_SECRET = "whsec_cW1zLXdlYmhvb2stc2lnbmluZy1zZWNyZXQtMzJieXRl"

REQUESTED = "mfg.inspection.requested.v1"
RECORDED = "mfg.inspection.recorded.v1"
DISPOSITION = "mfg.lot.disposition.changed.v1"
NCR_OPENED = "mfg.nonconformance.opened.v1"
NCR_CLOSED = "mfg.nonconformance.closed.v1"
# A diameter of 10 mm +/- 0.05 mm (MMT: UNECE millimetre).
NOMINAL, TOLERANCE = 10.0, 0.05


@dataclasses.dataclass
class QmsOptions:
    inspection_delay: float = 20.0
    pass_rate: float = 0.85
    ncr_close_delay: float = 60.0
    seed: int | None = None
    inspector: str = "QMS demo inspector"


class QmsSimulator(PartnerSystem):
    name = "QMS"
    handlers = {REQUESTED: "on_requested", DISPOSITION: "on_disposition"}

    def __init__(self, endpoint, options=None):
        super().__init__(endpoint)
        self.options = options or QmsOptions()

    def on_requested(self, event):
        data = event["data"]
        self.log(
            "inspection requested",
            data["lot"],
            f"{data['product']} ({data['reason']}, {data.get('origin') or '-'})",
        )
        self.scheduler.call_later(self.options.inspection_delay, self._record, data)

    def on_disposition(self, event):
        data = event["data"]
        self.log(
            f"lot {data['disposition']} in Odoo", data["lot"], data.get("reason", "")
        )

    def _record(self, request):
        rng = random.Random(
            f"{self.options.seed}:{request['lot']}:{request.get('inspection')}"
        )
        passed = rng.random() < self.options.pass_rate
        result = self.result(request, passed, rng)
        self.emit(RECORDED, request["lot"], result, f"result {result['result']}")
        if not passed:
            self._open_ncr(request, rng)

    def result(self, request, passed, rng):
        """The data of the inspection result of ``request``."""
        recorded = {
            "lot": request["lot"],
            "product": request["product"],
            "result": "pass" if passed else "fail",
            "recorded_at": now_rfc3339(),
            "inspector": self.options.inspector,
            "measurements": _measurements(passed, rng),
        }
        if request.get("inspection"):
            recorded["inspection"] = request["inspection"]
        return recorded

    def _open_ncr(self, request, rng):
        ncr = f"NCR-{sanitize(request['lot'])[:40]}-{rng.randrange(16**6):06X}"
        opened = {
            "ncr": ncr,
            "severity": "major",
            "description": f"Lot {request['lot']} of {request['product']} failed "
            f"inspection: diameter outside {NOMINAL:g} +/- {TOLERANCE:g} mm.",
            "opened_at": now_rfc3339(),
            "lots": [{"lot": request["lot"], "product": request["product"]}],
        }
        self.emit(NCR_OPENED, ncr, opened, f"major, holds lot {request['lot']}")
        self.scheduler.call_later(self.options.ncr_close_delay, self._close_ncr, ncr)

    def _close_ncr(self, ncr):
        closed = {
            "ncr": ncr,
            "closed_at": now_rfc3339(),
            "resolution": "Cause found (worn tool) and corrected; containment done.",
        }
        self.emit(NCR_CLOSED, ncr, closed)


def _measurements(passed, rng):
    if passed:
        value = NOMINAL + rng.uniform(-0.8, 0.8) * TOLERANCE
    else:
        value = NOMINAL + rng.choice((-1, 1)) * rng.uniform(1.2, 2.0) * TOLERANCE
    return [
        {
            "characteristic": "Diameter",
            "value": round(value, 3),
            "uom": "MMT",
            "lower": round(NOMINAL - TOLERANCE, 3),
            "upper": round(NOMINAL + TOLERANCE, 3),
            "result": "pass" if passed else "fail",
        },
        {"characteristic": "Visual aspect", "value": "no defect", "result": "pass"},
    ]
