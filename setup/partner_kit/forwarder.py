# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A background thread that empties an :class:`~.buffer.EventBuffer`.

It forwards every ``interval`` seconds, or at once when :meth:`wake` is
called after a put. While Odoo is down it backs off (exponential, with
jitter, honouring ``Retry-After``) and ignores wake-ups, so a busy producer
does not hammer a server that is coming back up.
"""

import logging
import random
import threading

from .buffer import DEFAULT_BATCH_SIZE
from .retry import RetryPolicy

_logger = logging.getLogger(__name__)
# Only its caps are used: the forwarder never gives up.
DEFAULT_BACKOFF = RetryPolicy(base_delay=1.0, max_delay=60.0)


class Forwarder:
    """Forward ``buffer`` through ``client`` until :meth:`stop`.

    :param on_report: called with each :class:`~.buffer.ForwardReport`
        that sent, rejected or failed something (for logging).
    """

    def __init__(
        self,
        buffer,
        client,
        interval=2.0,
        batch_size=DEFAULT_BATCH_SIZE,
        backoff=DEFAULT_BACKOFF,
        on_report=None,
        rng=None,
    ):
        self.buffer = buffer
        self.client = client
        self.interval = interval
        self.batch_size = batch_size
        self.backoff = backoff
        self.on_report = on_report
        self.failures = 0
        self._rng = rng or random.Random()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"forwarder:{buffer.path.name}", daemon=True
        )

    def start(self):
        self._thread.start()
        return self

    def wake(self):
        """Forward now (unless backing off): an event was put."""
        self._wake.set()

    def stop(self, flush=True, timeout=10.0):
        """Stop the thread; with ``flush``, try once more to send what is
        pending. Returns the number of events left in the buffer."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if flush and self.failures == 0:
            self.forward_once()
        return self.buffer.pending_count()

    def forward_once(self):
        """One forwarding pass; returns its report."""
        try:
            report = self.buffer.forward(self.client, self.batch_size)
        except Exception:  # keep the thread alive whatever happens
            _logger.exception("forwarding %s failed", self.buffer.path)
            self.failures += 1
            return None
        self.failures = self.failures + 1 if report.error else 0
        if self.on_report and (report.sent or report.rejected or report.error):
            self.on_report(report)
        return report

    def next_delay(self, report):
        """Seconds until the next pass after ``report``."""
        if report is None or report.error is None:
            return self.interval
        if report.blocked:
            return self.backoff.max_delay
        cap = self.backoff.cap(self.failures)
        # Half fixed, half jitter: never 0, so a down server is not hammered.
        delay = cap / 2 + self._rng.uniform(0, cap / 2)
        return max(delay, getattr(report.error, "retry_after", None) or 0)

    def _run(self):
        while not self._stopping.is_set():
            report = self.forward_once()
            delay = self.next_delay(report)
            if self.failures:
                self._stopping.wait(delay)
            else:
                self._wake.wait(delay)
                self._wake.clear()
