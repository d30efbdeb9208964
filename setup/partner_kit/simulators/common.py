# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the three simulated systems share: a client with its
store-and-forward buffer, a webhook receiver, timers and the log line."""

import dataclasses
import heapq
import itertools
import logging
import re
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from ..buffer import EventBuffer
from ..client import IntegrationClient
from ..events import SequenceCounter, make_event
from ..forwarder import Forwarder
from ..receiver import WebhookReceiver
from ..retry import RetryPolicy

_logger = logging.getLogger(__name__)
# The client gives up quickly: the forwarder keeps the events and backs off,
# by at most 10 s, so that the plant catches up soon after Odoo is back.
CLIENT_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=2.0)
FORWARD_BACKOFF = RetryPolicy(base_delay=1.0, max_delay=10.0)
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9]+")
_PRINT_LOCK = threading.Lock()


def log_line(system, what, subject="", detail="", stream=None):
    """One readable line: time, system, what it did, subject, detail."""
    text = f"{datetime.now():%H:%M:%S} {system:<3} {what:<34} {subject}"
    if detail:
        text += f"  {detail}"
    with _PRINT_LOCK:
        print(text.rstrip(), file=stream or sys.stdout, flush=True)


def sanitize(name):
    """``WH/MO/00012`` -> ``WH-MO-00012``: a name fit for a lot or serial."""
    return _UNSAFE_RE.sub("-", name).strip("-") or "X"


@dataclasses.dataclass
class Endpoint:
    """How one simulated system reaches Odoo and is reached by it."""

    odoo_url: str
    token: str
    secret: str
    source: str
    state_dir: Path
    port: int | None = None
    connector_secret: str | None = None
    forward_interval: float = 2.0
    retry: RetryPolicy = CLIENT_RETRY


class Scheduler:
    """Run callables later on one thread, in due order."""

    def __init__(self, name):
        self._heap = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def call_later(self, delay, func, *args):
        with self._cond:
            heapq.heappush(
                self._heap, (time.monotonic() + delay, next(self._counter), func, args)
            )
            self._cond.notify()

    def pending(self):
        with self._cond:
            return len(self._heap)

    def stop(self, timeout=5.0):
        """Stop; what was planned and not yet done is dropped (and said)."""
        with self._cond:
            self._stopped = True
            dropped = len(self._heap)
            self._cond.notify()
        self._thread.join(timeout)
        return dropped

    def _run(self):
        while True:
            with self._cond:
                while not self._stopped and not self._due():
                    self._cond.wait(self._wait_time())
                if self._stopped:
                    return
                _due, _n, func, args = heapq.heappop(self._heap)
            try:
                func(*args)
            except Exception:  # one failed step must not stop the others
                _logger.exception("planned step %s failed", func)

    def _due(self):
        return bool(self._heap) and self._heap[0][0] <= time.monotonic()

    def _wait_time(self):
        return max(0.0, self._heap[0][0] - time.monotonic()) if self._heap else None


class PartnerSystem:
    """A simulated system: sends through a buffer, receives webhooks.

    Subclasses set ``name`` and ``handlers`` (event type -> method name).
    """

    name = "SYS"
    handlers = {}

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.client = IntegrationClient(
            endpoint.odoo_url,
            endpoint.token,
            endpoint.secret,
            endpoint.source,
            retry=endpoint.retry,
        )
        self.buffer = EventBuffer(
            Path(endpoint.state_dir) / f"{self.name.lower()}.sqlite"
        )
        self.forwarder = Forwarder(
            self.buffer,
            self.client,
            interval=endpoint.forward_interval,
            backoff=FORWARD_BACKOFF,
            on_report=self._log_report,
        )
        self.scheduler = Scheduler(f"{self.name}-timers")
        self.sequences = SequenceCounter()
        self.receiver = None
        if endpoint.port is not None and endpoint.connector_secret:
            self.receiver = WebhookReceiver(
                endpoint.connector_secret, self.on_event, port=endpoint.port
            )
        self._odoo_down = False

    def start(self):
        self.forwarder.start()
        self.scheduler.start()
        if self.receiver:
            self.receiver.start()
            self.log("listening", self.receiver.url)
        return self

    def stop(self):
        """Stop receiving, drop the timers, then flush the buffer once."""
        if self.receiver:
            self.receiver.stop()
        dropped = self.scheduler.stop()
        if dropped:
            self.log("stopped with planned steps dropped", str(dropped))
        left = self.forwarder.stop(flush=True)
        if left:
            self.log("events kept for the next start", str(left))
        self.buffer.close()

    def close(self):
        """Release what a system that was never started holds."""
        if self.receiver:
            self.receiver.close()
        self.buffer.close()

    def log(self, what, subject="", detail=""):
        log_line(self.name, what, subject, detail)

    def emit(self, event_type, subject, data, detail="", sequence=True, **attributes):
        """Put a new event in the buffer (durable), then wake the forwarder."""
        if sequence:
            attributes["sequence"] = self.sequences.next(subject)
        event = make_event(
            event_type, subject, data, self.endpoint.source, **attributes
        )
        queued = self.buffer.put(event).queued
        self.log(
            ("queued " if queued else "already sent ") + event_type, subject, detail
        )
        self.forwarder.wake()
        return event

    def on_event(self, event, _webhook_id):
        """Webhook handler: dispatch on the event type."""
        method = self.handlers.get(event.get("type"))
        if method:
            getattr(self, method)(event)

    def _log_report(self, report):
        for row, error in report.rejected:
            detail = (error or {}).get("detail") or error
            self.log("REJECTED by Odoo (parked)", row.subject, f"{row.type}: {detail}")
        if report.error and not self._odoo_down:
            self._odoo_down = True
            self.log(
                "Odoo unreachable, keeping events",
                f"{report.pending} pending",
                str(report.error),
            )
        elif report.sent and self._odoo_down:
            self._odoo_down = False
            self.log("Odoo is back, forwarding")
        if report.sent:
            self.log(
                "delivered to Odoo",
                f"{report.sent} event(s)",
                f"{report.pending} pending",
            )
