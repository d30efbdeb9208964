# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the benchmark scripts share: Odoo's JSON-RPC, signed senders of
events, the watch of the events' states in the database, their common
command line, and how they report figures: each in full, and the headline
ones as rows of the one table of setup/benchmark.sh."""

import argparse
import json
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg2
import requests
from odoo_rpc import OdooRpc, OdooRpcError

# The suite's protocol package (signatures), importable without Odoo.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addons/integration_log"))
from protocol import signature  # noqa: E402

# The states in which an inbound event is done with (protocol v1).
FINAL_STATES = ("processed", "dead", "stale", "skipped")
SINGLE = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"


class BenchmarkError(SystemExit):
    """A benchmark that cannot go on: its message says why, on stderr."""

    def __init__(self, message):
        super().__init__(f"benchmark failed: {message}")


# What PostgreSQL says when two transactions collide: the call may be tried
# again (Odoo itself tries 5 times before it gives up).
CONFLICTS = ("could not serialize access", "deadlock detected")


class JsonRpc(OdooRpc):
    """Odoo's JSON-RPC, whose errors end the benchmark. With ``retries``, a
    call that failed on a conflict between transactions is sent again, up to
    that many times, as an integration would do; ``retried`` counts them."""

    def __init__(self, url, db, login, password, retries=0):
        self.retries, self.retried = retries, 0
        try:
            super().__init__(url, db, login, password, timeout=300)
        except OdooRpcError as err:
            raise BenchmarkError(str(err)) from err

    def call(self, service, method, *args):
        try:
            return super().call(service, method, *args)
        except OdooRpcError as err:
            raise BenchmarkError(f"JSON-RPC {method} {args[3:5]}: {err}") from err

    def execute(self, model, method, *args, **kwargs):
        for attempt in range(self.retries + 1):
            try:
                return super().execute(model, method, *args, **kwargs)
            except BenchmarkError as err:
                if attempt == self.retries or not any(c in str(err) for c in CONFLICTS):
                    raise
                self.retried += 1
                time.sleep(0.1 * (attempt + 1))

    def xmlid(self, module, name):
        try:
            return super().xmlid(module, name)
        except OdooRpcError as err:
            raise BenchmarkError(str(err)) from err


def make_client(rpc, event_types, source, groups=()):
    """A new integration client with a technical user (in ``groups``, XML
    ids); returns ``(client id, credentials)``."""
    suffix = uuid.uuid4().hex[:8]
    user = {"name": f"Benchmark partner {suffix}", "login": f"bench-{suffix}"}
    if groups:
        ids = [rpc.xmlid(*group.split(".")) for group in groups]
        user["groups_id"] = [(4, group_id) for group_id in ids]
    client_id = rpc.execute(
        "integration.client",
        "create",
        {
            "name": f"Benchmark {suffix}",
            "user_id": rpc.execute("res.users", "create", user),
            "allowed_event_types": event_types,
            "allowed_sources": source,
            "rate_limit_per_minute": 0,
        },
    )
    credentials = rpc.execute("integration.client", "issue_credentials", [client_id])
    return client_id, credentials


class Sender:
    """Posts signed events as a partner does, on a connection of its own."""

    def __init__(self, base_url, credentials):
        self.url = base_url.rstrip("/") + "/integration/v1/events"
        self.token = credentials["token"]
        self.secret = credentials["signing_secret"]
        self.session = requests.Session()

    def post(self, body, content_type=SINGLE):
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {self.token}",
            **signature.sign_headers(self.secret, f"msg_{uuid.uuid4().hex}", raw),
        }
        return self.session.post(self.url, data=raw, headers=headers, timeout=300)

    def post_batch(self, events):
        """POST one batch; returns how many events were accepted. Any other
        answer than 200 with every event accepted is an error."""
        response = self.post(events, BATCH)
        if response.status_code != 200:
            raise BenchmarkError(
                f"a batch answered HTTP {response.status_code}: {response.text[:300]}"
            )
        results = response.json()["results"]
        refused = [r for r in results if r["status"] != "accepted"]
        if refused:
            raise BenchmarkError(
                f"{len(refused)} event(s) of a batch not accepted, e.g. {refused[0]}"
            )
        return len(results)


def send_batches(base_url, credentials, batches, concurrency):
    """Send the ``batches`` (lists of events) from ``concurrency`` senders at
    once, each its share in order; returns the events accepted, and the time
    when the first request left and the last answer came (perf_counter)."""
    accepted = [0] * concurrency
    errors = []

    def work(worker):
        sender = Sender(base_url, credentials)
        try:
            for batch in batches[worker::concurrency]:
                accepted[worker] += sender.post_batch(batch)
        except (Exception, BenchmarkError) as err:  # the main thread reports it
            errors.append(f"{type(err).__name__}: {err}")

    threads = [
        threading.Thread(target=work, args=(w,), daemon=True)
        for w in range(concurrency)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchmarkError(errors[0])
    return sum(accepted), start, time.perf_counter()


class EventWatch:
    """Reads the states of a client's inbound events straight from the
    database: polling through the API would load the HTTP workers whose
    latency is measured. Connects with the libpq defaults (PGHOST...)."""

    def __init__(self, db, client_id):
        self.client_id = client_id
        try:
            self.connection = psycopg2.connect(dbname=db)
        except psycopg2.Error as err:
            raise BenchmarkError(f"cannot connect to the database {db}: {err}") from err
        self.connection.autocommit = True

    def query(self, sql, *params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def states(self):
        """``{state: count}`` of the client's inbound events."""
        return dict(
            self.query(
                "SELECT state, count(*) FROM integration_event"
                " WHERE client_id = %s AND direction = 'in' GROUP BY state",
                self.client_id,
            )
        )

    def final(self, states=None):
        states = self.states() if states is None else states
        return sum(states.get(state, 0) for state in FINAL_STATES)

    def wait_final(self, expected, timeout, stall, interval=0.1):
        """Wait until ``expected`` events are in a final state; returns the
        perf_counter time when that was seen. Fails when it takes longer
        than ``timeout`` seconds, or when no event reaches a final state for
        ``stall`` seconds."""
        start = last_move = time.perf_counter()
        last_final = -1
        while True:
            states = self.states()
            now = time.perf_counter()
            final = self.final(states)
            if final >= expected:
                return now
            if final != last_final:
                last_final, last_move = final, now
            if now - last_move > stall or now - start > timeout:
                why = (
                    f"no event reached a final state for {stall} s"
                    if now - last_move > stall
                    else f"timed out after {timeout} s"
                )
                raise BenchmarkError(
                    f"{why}: {final} of {expected} events final; states {states}; "
                    f"queue jobs {self.job_states()}{self.dead_errors()}"
                )
            time.sleep(interval)

    def job_states(self):
        return dict(self.query("SELECT state, count(*) FROM queue_job GROUP BY state"))

    def dead_errors(self, limit=5):
        """The distinct errors of the client's dead events, as text to append
        to a message ('' when there is none)."""
        rows = self.query(
            "SELECT error, count(*) FROM integration_event"
            " WHERE client_id = %s AND state = 'dead'"
            " GROUP BY error ORDER BY count(*) DESC LIMIT %s",
            self.client_id,
            limit,
        )
        return "".join(
            f"\n  dead x{count}: {(error or '').strip()[:500]}" for error, count in rows
        )


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def argument_parser(doc):
    """The arguments every benchmark takes: server, database, login, output."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--deployment", default="", help="the processes measured, printed as is"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--summary",
        help="append the headline figures to this file as JSON lines, for "
        "setup/benchmark_table.py",
    )
    return parser


def report(figures, path=None):
    """Print the figures, one per line, and write them to ``path`` as JSON."""
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    sys.stdout.flush()
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)


def times(numerator, denominator):
    """``numerator / denominator`` rounded, or None when a side is missing."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)


def summary_row(
    benchmark,
    figure,
    value,
    unit,
    *,
    yardstick=None,
    ratio=None,
    goal=None,
    goal_met=None,
):
    """One row of the table of setup/benchmark_table.py: a headline figure.

    ``yardstick``: ``(name, value, unit)`` of the yardstick measured in the
    same run, left out when the run has none. ``ratio``: how many times
    better than the yardstick the figure is, so that above 1 is better: the
    figure divided by the yardstick for a rate, the yardstick divided by the
    figure for a duration. ``goal``: the goal of README.rst as text, left out
    when there is none; ``goal_met``: whether the figure meets it (None when
    it cannot be told).
    """
    name, measured, yardstick_unit = yardstick or (None, None, None)
    return {
        "benchmark": benchmark,
        "figure": figure,
        "value": value,
        "unit": unit,
        "yardstick_name": name,
        "yardstick": measured,
        "yardstick_unit": yardstick_unit,
        "ratio": ratio,
        "goal": goal,
        "goal_met": None if goal_met is None else bool(goal_met),
    }


def write_summary(path, rows):
    """Append ``rows`` (of :func:`summary_row`) to ``path`` as JSON lines:
    the runs of one setup/benchmark.sh add up to one table."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
