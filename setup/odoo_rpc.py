# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's external JSON-RPC (``/jsonrpc``) as one user: what the set-up
scripts (the demo's story and screenshots, the benchmarks) call Odoo with."""

import requests


class OdooRpcError(Exception):
    """Odoo answered with an error: the message is Odoo's (a UserError's
    text, an access error...)."""


class OdooUnreachable(OdooRpcError):
    """No answer from Odoo, or not a JSON-RPC one (it may still be starting)."""


class OdooRpc:
    """A logged-in user of one database, on a connection of its own."""

    def __init__(self, url, db, login, password, timeout=300):
        self.url = url.rstrip("/") + "/jsonrpc"
        self.db, self.password, self.timeout = db, password, timeout
        self.session = requests.Session()
        self.uid = self.call("common", "login", db, login, password)
        if not self.uid:
            raise OdooRpcError(f"cannot log in to database {db} as {login}")
        self._xmlids = {}

    def call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": 1,
        }
        try:
            response = self.session.post(self.url, json=payload, timeout=self.timeout)
        except requests.RequestException as err:
            raise OdooUnreachable(f"Odoo at {self.url} does not answer: {err}") from err
        if response.status_code != 200:
            raise OdooUnreachable(
                f"Odoo answered HTTP {response.status_code} to {method}: "
                f"{response.text[:300]}"
            )
        body = response.json()
        if "error" in body:
            data = body["error"].get("data") or {}
            raise OdooRpcError(data.get("message") or body["error"].get("message"))
        # Odoo leaves "result" out when the method returned None.
        return body.get("result")

    def execute(self, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` as this user."""
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

    def xmlid(self, module, name):
        """The database id of the record of XML id ``module.name``."""
        key = (module, name)
        if key not in self._xmlids:
            rows = self.execute(
                "ir.model.data",
                "search_read",
                [["module", "=", module], ["name", "=", name]],
                ["res_id"],
            )
            if not rows:
                raise OdooRpcError(f"no record {module}.{name} in database {self.db}")
            self._xmlids[key] = rows[0]["res_id"]
        return self._xmlids[key]
