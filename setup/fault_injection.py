#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fault-injection run against a running scale-out deployment of the suite.

setup/fault_injection.sh prepares the database and the two Odoo processes
(the API process and the job process of setup/lib.sh, start_scaleout) and
runs this script, which:

1. sets up, over JSON-RPC as admin: short retry schedules, three connectors
   to three loopback receivers (setup/fault_receivers.py: one answers 500 to
   30 % of the requests, one times out on 5 %, one answers 429 with
   Retry-After: 1 on 5 %), products, a BoM, manufacturing orders confirmed
   (so released to the MES) and an integration client;
2. sends the inbound events, signed, in batches and one by one, paced over
   the sending time: widget upserts (test addon), lot counts (test addon;
   each emits an outbound confirmation) and completions of the manufacturing
   orders (mrp_trace_sync); a request that fails (connection reset, 5xx,
   429, timeout) is sent again with the same event ids;
3. meanwhile kills Odoo's worker processes with SIGKILL, found by process id
   among the children of the job process (preferably one running a job) and
   of the API process, and once terminates every database connection of
   Odoo;
4. waits (bounded) until everything settles, then checks through SQL that
   nothing was lost, applied twice, left stuck or looping, and prints a
   summary; the exit status is 1 when any of those counts is not zero.
"""

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import JsonRpc  # noqa: E402
from fault_receivers import FaultyReceiver  # noqa: E402
from protocol import signature  # noqa: E402

WIDGET = "test.widget.upserted.v1"
COUNT = "test.stock.counted.v1"
COMPLETED = "mfg.production.completed.v1"
CONFIRMED = "test.stock.count.confirmed.v1"
RELEASED = "mfg.production.released.v1"
INBOUND_TYPES = (WIDGET, COUNT, COMPLETED)
OUTBOUND_TYPES = (CONFIRMED, RELEASED)
# Short schedules, so that retries happen within minutes: 5 event retries
# (67 s in all) and 12 delivery retries (136 s in all, +/-10 % jitter). With
# 30 % of failures, a delivery dies after 13 failures in a row about once in
# 6 million.
EVENT_RETRY_SCHEDULE = "2,5,10,20,30"
DELIVERY_RETRY_SCHEDULE = "1,2,3,5,5,10,10,15,15,20,20,30"
CONNECTOR_TIMEOUT = 2.0
RECEIVERS = (
    ("receiver 1 (500 on 30 %)", "error", 0.30),
    ("receiver 2 (timeout on 5 %)", "timeout", 0.05),
    ("receiver 3 (429 on 5 %)", "throttle", 0.05),
)
OPEN_EVENT_STATES = ("received", "processing", "failed")
OPEN_DELIVERY_STATES = ("pending", "sending", "retrying")
# Shares of the inbound events (the rest are widget upserts).
COUNT_SHARE, COMPLETION_SHARE = 0.35, 0.05
MO_QUANTITY = 2.0
SEND_ATTEMPTS = 30
# Waiting stops when nothing can move and nothing moved for this long.
STALL_SECONDS = 120


def log(message):
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ----------------------------------------------------------------------
# Read-only SQL (and the connection cut) on the database Odoo serves
# ----------------------------------------------------------------------
class Database:
    """One autocommit connection, opened again when it was lost."""

    def __init__(self, name):
        self.name = name
        self.conn = None
        self.lock = threading.Lock()

    def rows(self, query, params=()):
        with self.lock:
            for attempt in (1, 2):
                try:
                    if self.conn is None or self.conn.closed:
                        self.conn = psycopg2.connect(dbname=self.name)
                        self.conn.autocommit = True
                    with self.conn.cursor() as cr:
                        cr.execute(query, params)
                        return cr.fetchall()
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    self.conn = None
                    if attempt == 2:
                        raise
        return []

    def value(self, query, params=()):
        return self.rows(query, params)[0][0]

    def terminate_odoo_connections(self):
        return self.value(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.name,),
        )

    def close(self):
        if self.conn is not None and not self.conn.closed:
            self.conn.close()


# ----------------------------------------------------------------------
# Set-up over JSON-RPC, as an administrator would do it
# ----------------------------------------------------------------------
def ref_id(rpc, xmlid):
    module, name = xmlid.split(".")
    found = rpc.execute(
        "ir.model.data",
        "search_read",
        [["module", "=", module], ["name", "=", name]],
        fields=["res_id"],
    )
    if not found:
        raise SystemExit(f"{xmlid} not found in the database")
    return found[0]["res_id"]


def set_up_connectors(rpc, run, receivers):
    rpc.execute("integration.allowed.host", "create", {"name": "127.0.0.1"})
    connector_ids = []
    for number, receiver in enumerate(receivers, 1):
        connector_id = rpc.execute(
            "integration.connector",
            "create",
            {
                "name": f"Fault run {run} receiver {number}",
                "url": receiver.url,
                "event_types": ", ".join(OUTBOUND_TYPES),
                "timeout": CONNECTOR_TIMEOUT,
                "retry_schedule": DELIVERY_RETRY_SCHEDULE,
            },
        )
        secret = rpc.execute(
            "integration.connector", "issue_signing_secret", [connector_id]
        )
        receiver.secrets = [secret["signing_secret"]]
        connector_ids.append(connector_id)
    return connector_ids


def set_up_products(rpc, run):
    def product(code, **values):
        return rpc.execute(
            "product.product", "create", {"name": code, "default_code": code, **values}
        )

    counted = product(f"FI-{run}-COUNTED", is_storable=True, tracking="lot")
    finished = product(f"FI-{run}-FG", is_storable=True, tracking="lot")
    part = product(f"FI-{run}-PART")
    template = rpc.execute("product.product", "read", [finished], ["product_tmpl_id"])[
        0
    ]["product_tmpl_id"][0]
    bom = rpc.execute(
        "mrp.bom",
        "create",
        {
            "product_tmpl_id": template,
            "product_qty": 1,
            "bom_line_ids": [[0, 0, {"product_id": part, "product_qty": 1}]],
        },
    )
    return {"counted": counted, "finished": finished, "bom": bom}


def set_up_productions(rpc, products, count):
    """``count`` manufacturing orders, confirmed: each is released to the
    MES, which sends an outbound event to every connector."""
    names = []
    for start in range(0, count, 20):
        ids = rpc.execute(
            "mrp.production",
            "create",
            [
                {
                    "product_id": products["finished"],
                    "bom_id": products["bom"],
                    "product_qty": MO_QUANTITY,
                }
                for _index in range(start, min(count, start + 20))
            ],
        )
        rpc.execute("mrp.production", "action_confirm", ids)
        names += [
            r["name"] for r in rpc.execute("mrp.production", "read", ids, ["name"])
        ]
    return names


def set_up_client(rpc, run, source):
    groups = [
        ref_id(rpc, xmlid)
        for xmlid in ("base.group_user", "mrp.group_mrp_user", "stock.group_stock_user")
    ]
    user_id = rpc.execute(
        "res.users",
        "create",
        {
            "name": f"Fault run MES {run}",
            "login": f"fault-mes-{run}",
            "groups_id": [[6, 0, groups]],
        },
    )
    client_id = rpc.execute(
        "integration.client",
        "create",
        {
            "name": f"Fault run MES {run}",
            "user_id": user_id,
            "allowed_event_types": ", ".join(INBOUND_TYPES),
            "allowed_sources": source,
            "rate_limit_per_minute": 0,
        },
    )
    credentials = rpc.execute("integration.client", "issue_credentials", [client_id])
    return client_id, credentials


def set_up(rpc, run, source, receivers, mo_count):
    log("Set-up: retry schedules, allowed host, connectors")
    rpc.execute(
        "ir.config_parameter",
        "set_param",
        "integration_log.event_retry_schedule",
        EVENT_RETRY_SCHEDULE,
    )
    connector_ids = set_up_connectors(rpc, run, receivers)
    log("Set-up: products, BoM, integration client")
    products = set_up_products(rpc, run)
    client_id, credentials = set_up_client(rpc, run, source)
    log(f"Set-up: {mo_count} manufacturing orders, confirmed (released to the MES)")
    productions = set_up_productions(rpc, products, mo_count)
    return {
        "connectors": dict(zip(connector_ids, receivers, strict=True)),
        "products": products,
        "client_id": client_id,
        "credentials": credentials,
        "productions": productions,
    }


# ----------------------------------------------------------------------
# The inbound events
# ----------------------------------------------------------------------
class Plan:
    """The events to send, and what each is expected to do."""

    def __init__(self, total, run, seed):
        self.run, self.source = run, f"urn:mes:fault-run:{run}"
        self.rng = random.Random(seed)
        self.completions = max(1, round(total * COMPLETION_SHARE))
        self.counts = round(total * COUNT_SHARE)
        self.widgets = total - self.completions - self.counts
        self.lots = max(1, self.counts // 10)
        self.events = []
        self.kind_of = {}  # event id -> (type, business key)

    def build(self, productions):
        kinds = (
            [WIDGET] * self.widgets
            + [COUNT] * self.counts
            + [COMPLETED] * self.completions
        )
        self.rng.shuffle(kinds)
        made = Counter()
        for kind in kinds:
            index = made[kind]
            made[kind] += 1
            if kind == WIDGET:
                key = f"FI-{self.run}-W-{index}"
                data = {"name": key, "quantity": 1 + index % 5}
            elif kind == COUNT:
                key = f"FI-{self.run}-LOT-{index % self.lots}"
                data = {
                    "product": f"FI-{self.run}-COUNTED",
                    "lot": key,
                    "quantity": 1 + index % 9,
                    "uom": "C62",
                }
            else:
                key = productions[index]
                data = self._completion(key, index)
            self._add(kind, key, data)
        return self.events

    def _completion(self, production, index):
        return {
            "production": production,
            "completed_at": now_iso(),
            "outputs": [
                {
                    "lot": f"FI-{self.run}-FG-{index}",
                    "quantity": MO_QUANTITY,
                    "uom": "C62",
                }
            ],
        }

    def _add(self, kind, subject, data):
        event_id = str(uuid.uuid4())
        self.events.append(
            {
                "specversion": "1.0",
                "id": event_id,
                "source": self.source,
                "type": kind,
                "time": now_iso(),
                "subject": subject,
                "data": data,
            }
        )
        self.kind_of[event_id] = (kind, subject)

    def of_kind(self, kind):
        """``[(event id, business key)]`` of the events of type ``kind``."""
        return [(i, key) for i, (k, key) in self.kind_of.items() if k == kind]

    def requests(self, batch_size):
        """The request bodies: mostly batches, every tenth chunk as single
        events, so both content types are exercised."""
        bodies = []
        for number, start in enumerate(range(0, len(self.events), batch_size)):
            chunk = self.events[start : start + batch_size]
            if number % 10 == 9:
                bodies += [[event] for event in chunk]
            else:
                bodies.append(chunk)
        return bodies


# ----------------------------------------------------------------------
# Sending, as a partner that retries what failed
# ----------------------------------------------------------------------
class SendStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = set()  # ids the server answered accepted or duplicate
        self.statuses = Counter()  # per event: accepted, duplicate, rejected...
        self.requests = 0
        self.in_flight = 0
        self.retries = Counter()  # why a request was sent again
        self.refused = []  # (event ids, why, answer excerpt) of requests given up
        self.rejected = []

    def record(self, results):
        with self.lock:
            for result in results:
                status = result.get("status")
                self.statuses[status] += 1
                if status in ("accepted", "duplicate"):
                    self.accepted.add(result["id"])
                else:
                    self.rejected.append(result)


class Sender:
    def __init__(self, base_url, credentials, stats):
        self.url = base_url.rstrip("/") + "/integration/v1/events"
        self.token = credentials["token"]
        self.secret = credentials["signing_secret"]
        self.stats = stats
        self.session = requests.Session()

    def send(self, events):
        """POST the events (one, or a batch) until the server answers."""
        single = len(events) == 1
        raw = json.dumps(events[0] if single else events).encode()
        content_type = (
            "application/cloudevents+json"
            if single
            else "application/cloudevents-batch+json"
        )
        message_id = f"msg_{events[0]['id']}"
        for attempt in range(SEND_ATTEMPTS):
            reason, response = self._post(raw, content_type, message_id)
            if reason is None:
                body = response.json()
                self.stats.record([body] if single else body["results"])
                return
            if reason.startswith("refused"):
                # What a partner does with a 4xx: give up (the protocol's
                # statuses to retry are 429 and 5xx).
                break
            with self.stats.lock:
                self.stats.retries[reason] += 1
            time.sleep(min(5.0, 0.25 * 2**attempt))
        with self.stats.lock:
            excerpt = response.text[:200] if response is not None else ""
            self.stats.refused.append(([e["id"] for e in events], reason, excerpt))

    def _post(self, raw, content_type, message_id):
        """``(None, response)`` when answered, else ``(why, response)``."""
        headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {self.token}",
            # A connection per request: a worker holding a connection is
            # then serving a request, which is where the kills aim.
            "Connection": "close",
            **signature.sign_headers(self.secret, message_id, raw),
        }
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.in_flight += 1
        try:
            response = self.session.post(
                self.url, data=raw, headers=headers, timeout=(5, 120)
            )
        except requests.RequestException as err:
            self.session.close()
            self.session = requests.Session()
            return type(err).__name__, None
        finally:
            with self.stats.lock:
                self.stats.in_flight -= 1
        if response.status_code in (200, 202):
            return None, response
        if response.status_code == 429 or response.status_code >= 500:
            return f"HTTP {response.status_code}", response
        return f"refused HTTP {response.status_code}", response


def send_all(plan, stats, base_url, credentials, batch_size, seconds, senders):
    """Send every request, paced evenly over ``seconds``, from ``senders``
    threads."""
    bodies = plan.requests(batch_size)
    rate = len(plan.events) / max(seconds, 1)
    cursor = {"next": 0, "events_before": 0}
    lock = threading.Lock()
    start = time.monotonic()

    def work():
        sender = Sender(base_url, credentials, stats)
        while True:
            with lock:
                if cursor["next"] >= len(bodies):
                    return
                body = bodies[cursor["next"]]
                due = start + cursor["events_before"] / rate
                cursor["next"] += 1
                cursor["events_before"] += len(body)
            time.sleep(max(0.0, due - time.monotonic()))
            sender.send(body)

    threads = [threading.Thread(target=work, daemon=True) for _i in range(senders)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(5)
        with lock:
            done = cursor["events_before"]
        log(
            f"Sending: {done}/{len(plan.events)} events handed to senders, "
            f"{len(stats.accepted)} acknowledged, {sum(stats.retries.values())} "
            "request retries"
        )


# ----------------------------------------------------------------------
# Faults: SIGKILL of Odoo's workers, one cut of the database connections
# ----------------------------------------------------------------------
def child_pids(parent):
    """Processes whose parent is ``parent``, read from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces: split after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            children.append(int(entry))
    return children


def is_long_polling(pid):
    """Odoo's gevent process (the bus), not a worker that serves requests."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True
    return b"gevent" in argv[1:3]


def socket_inodes(pid):
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def connections_to(port):
    """Socket inodes of the established TCP connections to local ``port``:
    a worker holding one is serving a request."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == "01" and local_port == port:
                inodes.add(fields[9])
    return inodes


class FaultInjector(threading.Thread):
    """Kills ``kills`` workers spread over ``window`` seconds (the time the
    events are being sent, when both processes are busy) and cuts Odoo's
    database connections once between two kills.

    The kills alternate between the job process (the worker of a running
    job, when there is one within 10 s) and the API process (a worker that
    holds a connection of a request in flight, when there is one within
    10 s).
    """

    def __init__(self, db, pids, api_port, kills, cut, window, seed):
        super().__init__(daemon=True)
        self.db, self.pids, self.api_port = db, pids, api_port
        self.rng = random.Random(seed)
        self.in_flight = lambda: 0  # set by the caller: requests being sent
        interval = window / max(kills, 1)
        self.schedule = [
            (interval * (i + 0.5), "job" if i % 2 == 0 else "api") for i in range(kills)
        ]
        if cut:
            self.schedule.append(
                (interval * (kills // 2) if kills > 1 else window / 2, "cut")
            )
        self.schedule.sort()
        self.actions = []
        self.kills_done = 0
        self.cuts_done = 0
        self.stopping = threading.Event()

    def run(self):
        start = time.monotonic()
        for at, what in self.schedule:
            if self.stopping.wait(max(0.0, start + at - time.monotonic())):
                return
            try:
                note = self._cut() if what == "cut" else self._kill(what)
            except (OSError, psycopg2.Error) as err:
                note = f"{what} fault failed: {err}"
            offset = round(time.monotonic() - start, 1)
            self.actions.append((offset, note))
            log(f"FAULT at +{offset}s: {note}")

    def _cut(self):
        count = self.db.terminate_odoo_connections()
        self.cuts_done += 1
        return f"terminated {count} database connection(s) of Odoo"

    def _running_jobs(self, workers):
        return {
            pid: f"running job {method} {uuid_}"
            for pid, method, uuid_ in self.db.rows(
                "SELECT worker_pid, method_name, uuid FROM queue_job "
                "WHERE state = 'started' AND worker_pid IS NOT NULL"
            )
            if pid in workers
        }

    def _busy_workers(self, role, parent):
        """The workers of ``parent`` and, among them, those known busy
        (waiting up to 10 s for one to be)."""
        deadline = time.monotonic() + 10
        while True:
            workers = [p for p in child_pids(parent) if not is_long_polling(p)]
            if role == "job":
                busy = self._running_jobs(workers)
            elif self.in_flight():
                serving = connections_to(self.api_port)
                busy = {
                    pid: "serving a request"
                    for pid in workers
                    if socket_inodes(pid) & serving
                }
            else:
                busy = {}
            if busy or time.monotonic() > deadline:
                return workers, busy
            time.sleep(0.05 if role == "api" else 0.2)

    def _kill(self, role):
        parent = self.pids[role]
        workers, busy = self._busy_workers(role, parent)
        if not workers:
            return f"no worker of the {role} process {parent} to kill"
        victim = self.rng.choice(sorted(busy) or workers)
        if victim not in child_pids(parent):  # it ended meanwhile
            return f"worker {victim} of the {role} process ended before the kill"
        os.kill(victim, signal.SIGKILL)
        self.kills_done += 1
        doing = busy.get(victim, "idle as far as known")
        return f"SIGKILL worker {victim} of the {role} process {parent} ({doing})"


# ----------------------------------------------------------------------
# Waiting for the end, bounded
# ----------------------------------------------------------------------
def progress(db):
    events = dict(
        db.rows(
            "SELECT state, count(*) FROM integration_event "
            "WHERE direction = 'in' AND state IN %s GROUP BY state",
            (OPEN_EVENT_STATES,),
        )
    )
    deliveries = dict(
        db.rows(
            "SELECT state, count(*) FROM integration_delivery "
            "WHERE state IN %s GROUP BY state",
            (OPEN_DELIVERY_STATES,),
        )
    )
    jobs = dict(
        db.rows(
            "SELECT CASE WHEN state = 'pending' AND eta > now() at time zone 'UTC' "
            "THEN 'pending later' ELSE state END, count(*) FROM queue_job "
            "WHERE state IN ('pending', 'enqueued', 'started') GROUP BY 1"
        )
    )
    started_pids = [
        pid
        for (pid,) in db.rows(
            "SELECT worker_pid FROM queue_job WHERE state = 'started'"
        )
    ]
    return {
        "events": events,
        "deliveries": deliveries,
        "jobs": jobs,
        "pids": started_pids,
    }


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def wait_until_settled(db, timeout, capacity):
    """Poll until no event, delivery or job is left to do; returns
    ``(seconds waited, why it stopped)``.

    It stops early when nothing can move any more: jobs left 'started' by
    killed workers hold all of the runner's ``capacity`` (queue_job counts
    them as running and never runs them again) and nothing changed for
    STALL_SECONDS.
    """
    start = time.monotonic()
    last_print, last_change, seen = -15.0, 0.0, None
    while True:
        state = progress(db)
        elapsed = time.monotonic() - start
        jobs = state["jobs"]
        orphans = sum(not pid_alive(pid) for pid in state["pids"])
        busy = jobs.get("pending", 0) + jobs.get("enqueued", 0)
        if not (state["events"] or state["deliveries"] or busy):
            if jobs.get("started", 0) == orphans:
                return elapsed, "settled" + (
                    f", except {orphans} job(s) left 'started' by killed workers"
                    if orphans
                    else ""
                )
        now = (state["events"], state["deliveries"], jobs.get("enqueued"), orphans)
        if now != seen:
            seen, last_change = now, elapsed
        if orphans >= capacity and elapsed - last_change >= STALL_SECONDS:
            return elapsed, (
                f"STALLED: nothing moved for {STALL_SECONDS} s, and {orphans} job(s) "
                "left 'started' by killed workers hold all of the runner's capacity"
            )
        if elapsed >= timeout:
            return elapsed, f"NOT settled after {timeout} s"
        if elapsed - last_print >= 15:
            last_print = elapsed
            log(
                f"Waiting {elapsed:.0f}s: open events {state['events'] or 0}, open "
                f"deliveries {state['deliveries'] or 0}, jobs {jobs or 0} "
                f"({orphans} started by workers now dead)"
            )
        time.sleep(3)


# ----------------------------------------------------------------------
# The checks
# ----------------------------------------------------------------------
class Verdict:
    """Counts of each kind of failure, with a few examples of each."""

    KINDS = ("lost", "applied twice", "stuck", "looping", "other")

    def __init__(self):
        self.counts = {kind: Counter() for kind in self.KINDS}
        self.samples = defaultdict(list)

    def add(self, kind, what, number=1, sample=None):
        if number <= 0:
            return
        self.counts[kind][what] += number
        if sample is not None and len(self.samples[what]) < 3:
            self.samples[what].append(sample)

    def total(self, kind):
        return sum(self.counts[kind].values())


def check_inbound(db, plan, stats, verdict, figures):
    """Each event counts once: stuck while open, lost when never stored or
    ended other than processed; the effects of processed events are checked
    next. :returns: ``{event id: state}``."""
    rows = db.rows(
        "SELECT cloudevent_id, event_type, state, attempt_count FROM integration_event "
        "WHERE direction = 'in' AND source = %s",
        (plan.source,),
    )
    per_type = defaultdict(Counter)
    for _id, event_type, state, _attempts in rows:
        per_type[event_type][state] += 1
    figures["inbound events by type and state"] = {
        t: dict(sorted(c.items())) for t, c in sorted(per_type.items())
    }
    states = {row[0]: row[2] for row in rows}
    given_up = {event_id: why for ids, why, _text in stats.refused for event_id in ids}
    for event_id in plan.kind_of:
        if event_id in states:
            continue
        if event_id in stats.accepted:
            what = "events acknowledged by Odoo but not stored"
        elif event_id in given_up:
            what = f"events not stored: the sender gave up ({given_up[event_id]})"
        else:
            what = "events not stored"
        verdict.add("lost", what, sample=event_id)
    for event_id, event_type, state, _attempts in rows:
        if state in OPEN_EVENT_STATES:
            verdict.add("stuck", f"inbound events still {state}", sample=event_id)
        elif state != "processed":
            verdict.add("lost", f"inbound {event_type} events {state}", sample=event_id)
    limit = len(EVENT_RETRY_SCHEDULE.split(",")) + 1
    looping = [r[0] for r in rows if r[3] > limit]
    verdict.add("looping", f"inbound events with over {limit} attempts", len(looping))
    figures["inbound attempts (max)"] = max((r[3] for r in rows), default=0)
    return states


def check_widgets(db, plan, states, verdict, figures):
    expected = plan.of_kind(WIDGET)
    rows = db.rows(
        "SELECT name, applied FROM test_integration_widget WHERE name LIKE %s",
        (f"FI-{plan.run}-W-%",),
    )
    widgets = {name: (applied or "").split() for name, applied in rows}
    processed = sum(states.get(i) == "processed" for i, _name in expected)
    figures["widgets created / widget events (processed)"] = (
        f"{len(widgets)} / {len(expected)} ({processed})"
    )
    for event_id, name in expected:
        applied = widgets.get(name)
        if applied is None:
            if states.get(event_id) == "processed":
                verdict.add("lost", "processed widget events without their widget")
        elif len(applied) > 1:
            verdict.add("applied twice", "widgets applied more than once", sample=name)
        elif applied != [event_id]:
            verdict.add("other", "widgets applied by another event", sample=name)
        elif states.get(event_id) != "processed":
            verdict.add("other", "widgets made by an event not processed", sample=name)


def check_counts(db, plan, setup, states, verdict, figures):
    expected = Counter(
        lot for i, lot in plan.of_kind(COUNT) if states.get(i) == "processed"
    )
    created = Counter(
        dict(
            db.rows(
                "SELECT l.name, count(*) FROM test_integration_stock_count c "
                "JOIN stock_lot l ON l.id = c.lot_id WHERE l.product_id = %s "
                "GROUP BY l.name",
                (setup["products"]["counted"],),
            )
        )
    )
    confirmed = Counter(
        dict(
            db.rows(
                "SELECT subject, count(*) FROM integration_event "
                "WHERE direction = 'out' AND event_type = %s GROUP BY subject",
                (CONFIRMED,),
            )
        )
    )
    figures["counts created / count events (processed)"] = (
        f"{sum(created.values())} / {len(plan.of_kind(COUNT))} "
        f"({sum(expected.values())})"
    )
    figures["count confirmations emitted"] = sum(confirmed.values())
    for lot in set(expected) | set(created) | set(confirmed):
        verdict.add(
            "lost",
            "processed count events without their count",
            expected[lot] - created[lot],
            lot,
        )
        verdict.add(
            "applied twice",
            "counts beyond their processed events",
            created[lot] - expected[lot],
            lot,
        )
        verdict.add(
            "applied twice",
            "count confirmations emitted twice",
            confirmed[lot] - created[lot],
            lot,
        )
        verdict.add(
            "lost", "counts without confirmation", created[lot] - confirmed[lot], lot
        )


def check_productions(db, plan, setup, states, verdict, figures):
    processed = {
        name for i, name in plan.of_kind(COMPLETED) if states.get(i) == "processed"
    }
    rows = db.rows(
        "SELECT p.name, p.state, p.product_qty::float, "
        "coalesce(sum(m.quantity), 0)::float "
        "FROM mrp_production p LEFT JOIN stock_move m ON m.production_id = p.id "
        "AND m.state = 'done' AND m.product_id = p.product_id "
        "WHERE p.name IN %s GROUP BY p.id",
        (tuple(setup["productions"]),),
    )
    done = [row for row in rows if row[1] == "done"]
    figures["MOs done / completion events (processed)"] = (
        f"{len(done)} / {len(plan.of_kind(COMPLETED))} ({len(processed)})"
    )
    for name, state, planned, produced in rows:
        if name in processed and state != "done":
            verdict.add(
                "lost", "processed completions whose MO is not done", sample=name
            )
        elif state == "done" and name not in processed:
            verdict.add("other", "MOs done by an event not processed", sample=name)
        if produced > planned + 1e-6:
            verdict.add("applied twice", "MOs produced more than planned", sample=name)
        elif state == "done" and produced < planned - 1e-6:
            verdict.add("other", "MOs done with less produced", sample=name)


def check_outbound(db, setup, faults, verdict, figures):
    connectors = setup["connectors"]
    events = db.rows(
        "SELECT id, cloudevent_id, event_type FROM integration_event "
        "WHERE direction = 'out' AND event_type IN %s",
        (OUTBOUND_TYPES,),
    )
    deliveries = defaultdict(list)
    for row in db.rows(
        "SELECT event_id, connector_id, state, webhook_id, attempt_count "
        "FROM integration_delivery WHERE connector_id IN %s",
        (tuple(connectors),),
    ):
        deliveries[row[0], row[1]].append(row)
    figures["outbound events by type"] = dict(Counter(e[2] for e in events))
    figures["deliveries by state"] = dict(
        Counter(d[2] for rows in deliveries.values() for d in rows)
    )
    for event_id, cloudevent_id, _type in events:
        for connector_id, receiver in connectors.items():
            found = deliveries.get((event_id, connector_id), [])
            check_delivery(found, cloudevent_id, receiver, verdict)
    limit = len(DELIVERY_RETRY_SCHEDULE.split(",")) + 1
    looping = [d for rows in deliveries.values() for d in rows if d[4] > limit]
    verdict.add("looping", f"deliveries with over {limit} attempts", len(looping))
    figures["delivery attempts (max)"] = max(
        (d[4] for rows in deliveries.values() for d in rows), default=0
    )
    known = {e[1] for e in events}
    for receiver in connectors.values():
        check_receiver(receiver, known, limit + faults, verdict)


def check_delivery(found, cloudevent_id, receiver, verdict):
    """One outbound event to one receiver: delivered once, with its id."""
    if not found:
        verdict.add("lost", "outbound events with no delivery", sample=cloudevent_id)
        return
    verdict.add("applied twice", "deliveries created twice", len(found) - 1)
    _event, _connector, state, webhook_id, _attempts = found[0]
    if webhook_id != cloudevent_id:
        verdict.add(
            "other", "deliveries sent with another webhook-id", sample=webhook_id
        )
    if state in OPEN_DELIVERY_STATES:
        verdict.add("stuck", f"deliveries still {state}", sample=cloudevent_id)
    elif state != "delivered":
        verdict.add("lost", f"deliveries {state}", sample=cloudevent_id)
    elif cloudevent_id not in receiver.acked:
        verdict.add(
            "lost",
            "deliveries recorded delivered that the receiver never took",
            sample=cloudevent_id,
        )


def check_receiver(receiver, known, receipts_limit, verdict):
    with receiver.lock:
        unknown = [i for i in receiver.received if i not in known]
        looping = [i for i, n in receiver.received.items() if n > receipts_limit]
        bad = receiver.bad_signatures
        mismatched = receiver.id_mismatches
    verdict.add("other", "webhook-ids received that Odoo does not know", len(unknown))
    verdict.add("other", "requests whose signature did not verify", bad)
    verdict.add("other", "requests whose event id is not the webhook-id", mismatched)
    verdict.add(
        "looping",
        f"webhook-ids received over {receipts_limit} times by one receiver",
        len(looping),
        looping[0] if looping else None,
    )


def check_jobs(db, verdict, figures):
    jobs = dict(db.rows("SELECT state, count(*) FROM queue_job GROUP BY state"))
    figures["queue jobs by state"] = jobs
    # queue_job counts the first run as try 1.
    figures["queue jobs run more than once"] = db.value(
        "SELECT count(*) FROM queue_job WHERE retry > 1"
    )
    for state in ("started", "enqueued"):
        verdict.add("stuck", f"queue jobs still {state}", jobs.get(state, 0))


def scan_logs(paths, figures):
    for path in paths:
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        figures[f"log {Path(path).name}: tracebacks / ERROR lines"] = (
            f"{text.count('Traceback (most recent call last)')} / "
            f"{sum(' ERROR ' in line for line in text.splitlines())}"
        )


# ----------------------------------------------------------------------
# The summary
# ----------------------------------------------------------------------
def print_section(title, figures):
    print(f"\n--- {title}")
    if not figures:
        print("  (none)")
    width = max((len(key) for key in figures), default=0)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")


def print_verdict(verdict):
    print("\n--- Failures")
    for kind in Verdict.KINDS:
        print(f"  {kind}: {verdict.total(kind)}")
        for what, number in sorted(verdict.counts[kind].items()):
            examples = ", ".join(map(str, verdict.samples.get(what, [])))
            print(
                f"      {number:>6}  {what}"
                + (f"  (e.g. {examples})" if examples else "")
            )


def sending_figures(stats):
    return {
        "requests made (with retries)": stats.requests,
        "requests sent again, by reason": dict(stats.retries) or 0,
        "event answers, by status": dict(stats.statuses),
        "events acknowledged (accepted or duplicate)": len(stats.accepted),
        "requests given up": len(stats.refused),
        "events given up, by reason": dict(
            Counter(why for ids, why, _text in stats.refused for _id in ids)
        )
        or 0,
        "first answer given up on": stats.refused[0][2] if stats.refused else "-",
        "first rejected event": stats.rejected[0] if stats.rejected else "-",
    }


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------
def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the API process")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--api-pid", type=int, required=True)
    parser.add_argument("--job-pid", type=int, required=True)
    parser.add_argument("--short", action="store_true", help="1,000 events, 2 kills")
    parser.add_argument("--events", type=int, help="default 10000 (short: 1000)")
    parser.add_argument("--kills", type=int, help="default 5 (short: 2)")
    parser.add_argument(
        "--cuts",
        type=int,
        choices=(0, 1),
        default=1,
        help="cut Odoo's database connections once (1, the default) or not (0); "
        "--kills 0 --cuts 0 is a control run without faults",
    )
    parser.add_argument(
        "--send-seconds", type=int, help="pace of sending; default 150 (short: 30)"
    )
    parser.add_argument(
        "--settle-timeout", type=int, help="default 600 s (short: 300 s)"
    )
    parser.add_argument("--batch", type=int, default=25, help="events per batch")
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument(
        "--capacity", type=int, default=2, help="the job runner's capacity"
    )
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--log", action="append", default=[], help="a server log")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args()
    defaults = (1000, 2, 30, 300) if args.short else (10000, 5, 150, 600)
    for name, default in zip(
        ("events", "kills", "send_seconds", "settle_timeout"), defaults, strict=True
    ):
        if getattr(args, name) is None:
            setattr(args, name, default)
    return args


def run_faults(args, db, plan, setup):
    """Send the events under faults; returns the timings and statistics."""
    window = args.send_seconds
    pids = {"api": args.api_pid, "job": args.job_pid}
    api_port = urlsplit(args.url).port
    injector = FaultInjector(
        db, pids, api_port, args.kills, args.cuts, window, args.seed
    )
    stats = SendStats()
    injector.in_flight = lambda: stats.in_flight
    log(
        f"Sending {len(plan.events)} events over about {args.send_seconds} s; "
        f"{args.kills} kills and {args.cuts} connection cut(s) over {window} s"
    )
    start = time.monotonic()
    injector.start()
    send_all(
        plan,
        stats,
        args.url,
        setup["credentials"],
        args.batch,
        args.send_seconds,
        args.senders,
    )
    sent = time.monotonic() - start
    injector.join()
    log("Faults done; waiting for everything to settle")
    waited, why = wait_until_settled(db, args.settle_timeout, args.capacity)
    log(f"Wait over after {waited:.0f} s: {why}")
    return (
        injector,
        stats,
        {
            "sending (s)": round(sent, 1),
            "faults window (s)": window,
            "waiting after the faults (s)": round(waited, 1),
            "until settled (s)": round(time.monotonic() - start, 1),
            "end of the wait": why,
        },
    )


def main():
    args = parse_args()
    run = uuid.uuid4().hex[:6]
    receivers = [
        FaultyReceiver(name, fault, share, args.seed + number, CONNECTOR_TIMEOUT + 1.5)
        for number, (name, fault, share) in enumerate(RECEIVERS)
    ]
    db = Database(args.db)
    begin = time.monotonic()
    try:
        rpc = JsonRpc(args.url, args.db, args.login, args.password)
        plan = Plan(args.events, run, args.seed)
        setup = set_up(rpc, run, plan.source, receivers, plan.completions)
        plan.build(setup["productions"])
        setup_seconds = round(time.monotonic() - begin, 1)
        injector, stats, timings = run_faults(args, db, plan, setup)
        figures, verdict = {}, Verdict()
        states = check_inbound(db, plan, stats, verdict, figures)
        check_widgets(db, plan, states, verdict, figures)
        check_counts(db, plan, setup, states, verdict, figures)
        check_productions(db, plan, setup, states, verdict, figures)
        check_outbound(db, setup, args.kills + args.cuts, verdict, figures)
        check_jobs(db, verdict, figures)
        scan_logs(args.log, figures)
        verdict.add(
            "other", "kills asked but not done", args.kills - injector.kills_done
        )
        verdict.add("other", "connection cuts not done", args.cuts - injector.cuts_done)
    finally:
        for receiver in receivers:
            receiver.stop()
        db.close()
    summary = {
        "run": {
            "run id": run,
            "events": len(plan.events),
            "widgets / counts / completions": (
                f"{plan.widgets} / {plan.counts} / {plan.completions}"
            ),
            "kills": args.kills,
            "set-up (s)": setup_seconds,
            **timings,
        },
        "sending": sending_figures(stats),
        "faults": {f"+{at}s": note for at, note in injector.actions},
        "checks": figures,
        "receivers": {r.name: r.snapshot() for r in receivers},
    }
    return report(summary, verdict, args.json)


def report(summary, verdict, json_path):
    print("\n===== Fault-injection run: summary =====")
    for title, figures in summary.items():
        print_section(title, figures)
    print_verdict(verdict)
    totals = {kind: verdict.total(kind) for kind in Verdict.KINDS}
    failed = any(totals.values())
    print(
        "\nRESULT: "
        + ("FAIL" if failed else "PASS")
        + " ("
        + ", ".join(f"{kind} {number}" for kind, number in totals.items())
        + f"; total time {summary['run']['until settled (s)']} s after set-up)"
    )
    if json_path:
        summary["failures"] = {k: dict(v) for k, v in verdict.counts.items()}
        with open(json_path, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2, default=str)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
