# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the benchmark scripts share: Odoo's JSON-RPC, their common command
line, and how they report figures."""

import argparse
import json
import sys
from pathlib import Path

import requests

# The suite's protocol package (signatures), importable without Odoo.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addons/integration_log"))


class JsonRpc:
    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url.rstrip("/") + "/jsonrpc", db, password
        self.session = requests.Session()
        self.uid = self.call("common", "login", db, login, password)
        if not self.uid:
            raise SystemExit(f"cannot log in to {db} as {login}")

    def call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": 1,
        }
        response = self.session.post(self.url, json=payload, timeout=60).json()
        if "error" in response:
            raise SystemExit(json.dumps(response["error"], indent=2))
        return response["result"]

    def execute(self, model, method, *args, **kwargs):
        return self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


def argument_parser(doc):
    """The arguments every benchmark takes: server, database, login, output."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser


def report(figures, path=None):
    """Print the figures, one per line, and write them to ``path`` as JSON."""
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
