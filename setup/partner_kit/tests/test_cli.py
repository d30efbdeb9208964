# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The command line, against the stand-in Odoo."""

import json
import pathlib
import signal
import subprocess
import sys
import time

from partner_kit import cli
from partner_kit.simulators import mes, plm, qms
from stand_in import SECRET, SOURCE, TOKEN, StandInOdoo

LAUNCHER = pathlib.Path(__file__).resolve().parents[2] / "partner-kit"


def _send(odoo, tmp_path, payload, *options):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(payload))
    return cli.main(
        ["send", "--odoo", odoo.url, "--token", TOKEN, "--secret", SECRET,
         "--source", SOURCE, "--state-dir", str(tmp_path / "state"), *options,
         str(path)]
    )  # fmt: skip


def _buffer(tmp_path, *args):
    return cli.main(["buffer", *args, "--state-dir", str(tmp_path / "state")])


def test_the_launcher_runs_the_cli():
    result = subprocess.run(
        [sys.executable, str(LAUNCHER), "simulate", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--plm-scenario" in result.stdout
    assert "demo credentials" in result.stdout


def test_send_fills_the_envelope_and_delivers(odoo, tmp_path, capsys):
    payload = [
        {"type": "mfg.test.v1", "subject": "MO-1", "data": {"n": 1}},
        {"type": "mfg.test.v1", "subject": "MO-2", "data": {"n": 2}, "id": "fixed-2"},
    ]
    assert _send(odoo, tmp_path, payload) == 0
    assert [e["data"]["n"] for e in odoo.received] == [1, 2]
    assert odoo.received[1]["id"] == "fixed-2"
    assert {e["source"] for e in odoo.received} == {SOURCE}
    assert "delivered 2 (0 duplicate), rejected 0, pending 0" in capsys.readouterr().out


def test_send_while_odoo_is_down_keeps_the_events(odoo, tmp_path, capsys):
    odoo.stop()
    event = {"type": "mfg.test.v1", "subject": "MO-1", "data": {"n": 1}}
    assert _send(odoo, tmp_path, event, "--attempts", "1") == cli.EXIT_PENDING
    assert _buffer(tmp_path, "status") == 0
    assert "send   pending 1, sent 0, rejected 0" in capsys.readouterr().out
    odoo.start()
    forward = ["forward", "--odoo", odoo.url, "--token", TOKEN, "--secret", SECRET]
    assert _buffer(tmp_path, *forward) == 0
    assert len(odoo.received) == 1


def test_rejected_events_are_listed_and_replayed(odoo, tmp_path, capsys):
    payload = [
        {"type": "mfg.test.v1", "subject": "MO-1", "data": {"bad": True}},
        {"type": "mfg.test.v1", "subject": "MO-2", "data": {"n": 2}},
    ]
    assert _send(odoo, tmp_path, payload) == cli.EXIT_REFUSED
    capsys.readouterr()
    assert _buffer(tmp_path, "list", "--state", "rejected") == 0
    listing = capsys.readouterr().out
    assert "rejected" in listing and "/0/data/bad: unknown field" in listing
    position = listing.split()[0].lstrip("#")
    assert _buffer(tmp_path, "replay", position) == 0
    odoo.reject = lambda _event: None
    forward = ["forward", "--odoo", odoo.url, "--token", TOKEN, "--secret", SECRET]
    assert _buffer(tmp_path, *forward) == 0
    assert [e["subject"] for e in odoo.received] == ["MO-2", "MO-1"]


def test_trace_recall_and_health_print_json(odoo, capsys):
    args = ["--odoo", odoo.url, "--token", TOKEN, "--product", "P1", "--lot", "L1"]
    assert cli.main(["trace", *args, "--direction", "forward"]) == 0
    assert json.loads(capsys.readouterr().out)["direction"] == "forward"
    assert cli.main(["recall", *args]) == 0
    assert json.loads(capsys.readouterr().out)["lots"][0]["lot"] == "L1"
    assert cli.main(["health", "--odoo", odoo.url]) == 0
    assert json.loads(capsys.readouterr().out) == {"status": "ok"}


def test_a_refusal_is_reported_on_stderr(odoo, capsys):
    args = ["--odoo", odoo.url, "--token", "wrong", "--product", "P", "--lot", "L"]
    assert cli.main(["trace", *args]) == cli.EXIT_REFUSED
    assert "401 Unauthorized" in capsys.readouterr().err


def test_simulate_runs_until_sigterm_then_stops_cleanly(tmp_path):
    odoo = StandInOdoo(clients={m.TOKEN: [m.SECRET] for m in (mes, qms, plm)})
    odoo.start()
    steps = [dict(s, delay=0) for s in plm.load_scenario(plm.EXAMPLE_SCENARIO)]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(steps))
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "simulate", "--odoo", odoo.url,
         "--state-dir", str(tmp_path / "state"), "--mes-port", "0",
         "--qms-port", "0", "--plm-port", "0", "--plm-scenario", str(scenario),
         "--forward-interval", "0.1"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while len(odoo.received) < 4 or not odoo.documents:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        output, _err = process.communicate(timeout=15)
    finally:
        process.kill()
        odoo.stop()
    assert process.returncode == 0
    assert "PLM scenario played" in output and "plant stopping" in output
    assert (tmp_path / "state" / "plm.sqlite").exists()
