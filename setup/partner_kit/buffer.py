# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Store and forward: a local SQLite outbox that survives Odoo outages.

:meth:`EventBuffer.put` returns once the event is on disk. :meth:`forward`
sends the pending events oldest first and marks them sent only when Odoo
answered ``accepted`` or ``duplicate``; at the first transport failure it
stops and keeps that event and every later one, so the order is kept.
Events Odoo refuses are parked as ``rejected`` with the problem, to be
replayed after a fix; nothing is ever deleted.

Several processes may open the same file: writes take SQLite's write lock
(``BEGIN IMMEDIATE``), and only one of them forwards at a time (a lock file
next to the database), so two forwarders never interleave events.
"""

import contextlib
import dataclasses
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import NamedTuple

from . import batching, events
from .client import EventResult
from .errors import ProblemError, TransportError

try:
    import fcntl
except ImportError:  # Windows: one forwarder per process only.
    fcntl = None

PENDING, SENT, REJECTED = "pending", "sent", "rejected"
DEFAULT_BATCH_SIZE = 100
# Refusals that are about the event itself, not about the client or request.
_EVENT_STATUSES = (400, 409, 413)
_EVENT_REASONS = ("type-forbidden", "source-forbidden")

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (source, event_id)
)""",
    "CREATE INDEX IF NOT EXISTS outbox_state_position ON outbox (state, position)",
)
_COLUMNS = (
    "position, source, event_id, type, subject, body, state, attempts, error, "
    "created_at, updated_at"
)


class Put(NamedTuple):
    """Where :meth:`EventBuffer.put` stored an event; ``queued`` is False
    when the buffer already had it (same source and id) pending or sent."""

    position: int
    queued: bool


@dataclasses.dataclass
class BufferedEvent:
    """One row of the buffer."""

    position: int
    source: str
    event_id: str
    type: str
    subject: str
    body: str
    state: str
    attempts: int
    error: dict | None
    created_at: float
    updated_at: float

    @property
    def event(self):
        return json.loads(self.body)


@dataclasses.dataclass
class ForwardReport:
    """What one :meth:`EventBuffer.forward` did.

    ``error`` is the TransportError (Odoo down: try again later) or the
    ProblemError (``blocked``: the token, secret or URL needs a fix) that
    stopped it; ``busy`` means another forwarder had the file.
    """

    sent: int = 0
    duplicates: int = 0
    rejected: list = dataclasses.field(default_factory=list)
    pending: int = 0
    error: Exception | None = None
    blocked: bool = False
    busy: bool = False


class EventBuffer:
    """The outbox of one partner system, in the SQLite file ``path``."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed put survives a power cut, not only a crash.
        self._db.execute("PRAGMA synchronous=FULL")
        with self._transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    def close(self):
        with self._lock:
            self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    # ------------------------------------------------------------------
    # Producing and inspecting
    # ------------------------------------------------------------------
    def put(self, event):
        """Store ``event`` to be sent; durable when this returns.

        The same (source, id) again is not queued twice, unless the earlier
        copy was rejected: then the new copy (say, corrected) replaces it
        and is pending again.
        """
        events.check(event)
        body = batching.encode(event).decode()
        with self._transaction() as db:
            row = db.execute(
                "SELECT position, state FROM outbox WHERE source = ? AND event_id = ?",
                (event["source"], event["id"]),
            ).fetchone()
            if row is None:
                return Put(_insert(db, event, body), True)
            position, state = row
            if state != REJECTED:
                return Put(position, False)
            db.execute(
                "UPDATE outbox SET body = ?, state = 'pending', error = NULL, "
                "updated_at = ? WHERE position = ?",
                (body, time.time(), position),
            )
            return Put(position, True)

    def pending(self, limit=DEFAULT_BATCH_SIZE):
        """The oldest pending events, in the order they were put."""
        return self.rows(PENDING, limit)

    def pending_count(self):
        with self._lock:
            query = "SELECT count(*) FROM outbox WHERE state = 'pending'"
            return self._db.execute(query).fetchone()[0]

    def rejected(self, limit=None):
        """The events Odoo refused, with the problem in ``error``."""
        return self.rows(REJECTED, limit)

    def counts(self):
        """``{"pending": n, "sent": n, "rejected": n}``."""
        counts = dict.fromkeys((PENDING, SENT, REJECTED), 0)
        with self._lock:
            for state, count in self._db.execute(
                "SELECT state, count(*) FROM outbox GROUP BY state"
            ):
                counts[state] = count
        return counts

    def rows(self, state=None, limit=None, newest_first=False):
        """Rows of the buffer (all states when ``state`` is None)."""
        query = f"SELECT {_COLUMNS} FROM outbox"
        params = []
        if state:
            query += " WHERE state = ?"
            params.append(state)
        query += " ORDER BY position" + (" DESC" if newest_first else "")
        if limit:
            query += " LIMIT ?"
            params.append(int(limit))
        with self._lock:
            return [_row(values) for values in self._db.execute(query, params)]

    def replay_rejected(self, positions=None):
        """Make rejected events pending again (all, or those at
        ``positions``); returns how many."""
        query = "UPDATE outbox SET state = 'pending', error = NULL, updated_at = ?"
        query += " WHERE state = 'rejected'"
        params = [time.time()]
        if positions is not None:
            positions = [int(p) for p in positions]
            if not positions:
                return 0
            query += f" AND position IN ({', '.join('?' * len(positions))})"
            params += positions
        with self._transaction() as db:
            return db.execute(query, params).rowcount

    # ------------------------------------------------------------------
    # Forwarding
    # ------------------------------------------------------------------
    def forward(self, client, batch_size=DEFAULT_BATCH_SIZE):
        """Send the pending events through ``client`` (an
        :class:`~.client.IntegrationClient`) until none is left or one
        cannot be delivered now; returns a :class:`ForwardReport`."""
        report = ForwardReport()
        with _exclusive(self.path.with_name(self.path.name + ".forward.lock")) as mine:
            if mine:
                self._forward_all(client, batch_size, report)
            else:
                report.busy = True
        report.pending = self.pending_count()
        return report

    def _forward_all(self, client, batch_size, report):
        while True:
            rows = self.pending(batch_size)
            if not rows:
                return
            for chunk in _chunks(rows):
                if not self._send_chunk(client, chunk, report):
                    return

    def _send_chunk(self, client, rows, report):
        """Send ``rows`` as one batch; False when forwarding must stop."""
        try:
            result = client.send_batch([row.event for row in rows])
        except TransportError as err:
            report.error = err
            return False
        except ProblemError as err:
            if err.status not in (400, 413):
                report.error, report.blocked = err, True
                return False
            # The batch as a whole was refused: find the bad event(s).
            return self._send_singly(client, rows, report)
        self._record(rows, result.results, report)
        return True

    def _send_singly(self, client, rows, report):
        for row in rows:
            try:
                result = client.send(row.event)
            except TransportError as err:
                report.error = err
                return False
            except ProblemError as err:
                if not _about_the_event(err):
                    report.error, report.blocked = err, True
                    return False
                result = _rejection(row, err)
            self._record([row], [result], report)
        return True

    def _record(self, rows, results, report):
        """Mark each row sent or rejected, per Odoo's answer, at once."""
        now = time.time()
        updates = []
        for row, result in zip(rows, results, strict=True):
            if result.delivered:
                updates.append((SENT, None, now, row.position))
                report.sent += 1
                report.duplicates += result.status == "duplicate"
            else:
                updates.append((REJECTED, json.dumps(result.error), now, row.position))
                report.rejected.append((row, result.error))
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET state = ?, error = ?, updated_at = ?, "
                "attempts = attempts + 1 WHERE position = ?",
                updates,
            )

    @contextlib.contextmanager
    def _transaction(self):
        """A write transaction that holds SQLite's write lock from its start."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


def _insert(db, event, body):
    now = time.time()
    cursor = db.execute(
        "INSERT INTO outbox (source, event_id, type, subject, body, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event["source"], event["id"], event["type"], event["subject"], body, now, now),
    )
    return cursor.lastrowid


def _row(values):
    row = BufferedEvent(*values)
    row.error = json.loads(row.error) if row.error else None
    return row


def _chunks(rows):
    """``rows`` cut as the protocol's batch limits require."""
    offset = 0
    for chunk, _body in batching.split([row.event for row in rows]):
        yield rows[offset : offset + len(chunk)]
        offset += len(chunk)


def _about_the_event(err):
    return err.status in _EVENT_STATUSES or err.reason in _EVENT_REASONS


def _rejection(row, err):
    return EventResult(
        row.event_id, REJECTED, error={"status": err.status, **err.problem}
    )


_THREAD_LOCKS = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _exclusive(lock_path):
    """Yield True when the caller is the only forwarder of the buffer."""
    if fcntl is None:
        with _THREAD_LOCKS_GUARD:
            lock = _THREAD_LOCKS.setdefault(str(lock_path), threading.Lock())
        acquired = lock.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()
        return
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            acquired = False
        else:
            acquired = True
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle, fcntl.LOCK_UN)
