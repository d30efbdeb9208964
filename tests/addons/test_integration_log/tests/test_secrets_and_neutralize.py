# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import new_test_user, tagged
from odoo.tools import config

from odoo.addons.integration_log.models import integration_keys

from .common import OutboundCase

PASSWORD = "manager-pass-123"  # noqa: S105 (a test user's password)


@tagged("post_install", "-at_install")
class TestEventsCannotBeRewritten(OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "chain_manager",
            "integration_log.group_integration_manager",
            password=PASSWORD,
        )

    def rpc(self, service, method, *args):
        """A call to Odoo's external JSON-RPC API, as any script makes it."""
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"service": service, "method": method, "args": args},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def execute_kw(self, model, method, args, kwargs=None):
        db = self.env.cr.dbname
        uid = self.rpc("common", "login", db, self.manager.login, PASSWORD)["result"]
        self.assertEqual(uid, self.manager.id)
        return self.rpc(
            "object", "execute_kw", db, uid, PASSWORD, model, method, args, kwargs or {}
        )

    def dead_event(self):
        event = self.make_event(data={"name": "W-1", "quantity": 2, "category": "No"})
        self.post(event)
        self.run_jobs()
        record = self.event_record(event)
        self.assertEqual(record.state, "dead")
        return record

    def test_a_manager_cannot_rewrite_an_event_over_the_external_api(self):
        event = self.dead_event()
        before = (event.payload, event.payload_hash, event.result, event.error)
        tampered = json.dumps({"data": {"quantity": 999}})
        for values in (
            {"payload": tampered},
            {"result": '{"ok": true}'},
            {"error": "nothing went wrong"},
            {"payload_hash": "0" * 64},
        ):
            answer = self.execute_kw("integration.event", "write", [[event.id], values])
            self.assertIn("error", answer, values)
            self.assertEqual(
                answer["error"]["data"]["name"], "odoo.exceptions.AccessError"
            )
            self.assertIn(next(iter(values)), answer["error"]["data"]["message"])
        # Nor by sending the engine's context key: only the engine holds its
        # value.
        answer = self.execute_kw(
            "integration.event",
            "write",
            [[event.id], {"payload": tampered}],
            {"context": {"integration_event_engine": True}},
        )
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        event.invalidate_recordset()
        self.assertEqual(
            (event.payload, event.payload_hash, event.result, event.error), before
        )
        # The same refusal from Python code without the engine.
        with self.assertRaises(AccessError):
            event.with_user(self.manager).write({"error": "edited"})

    def test_replay_refuses_a_payload_that_no_longer_matches_its_hash(self):
        event = self.dead_event()
        data = json.loads(event.payload)
        data["data"]["quantity"] = 999
        self.env.cr.execute(
            "UPDATE integration_event SET payload = %s WHERE id = %s",
            [json.dumps(data), event.id],
        )
        event.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "does not match the hash") as caught:
            event.with_user(self.manager).action_replay()
        self.assertIn(event.display_name, str(caught.exception))
        self.assertEqual(event.state, "dead")

    def test_a_purged_event_cannot_be_replayed(self):
        event = self.dead_event()
        self.env["integration.event"]._purge_payloads(
            fields.Datetime.now() + timedelta(minutes=1)
        )
        event.invalidate_recordset()
        self.assertTrue(event.payload_purged_at)
        with self.assertRaisesRegex(UserError, "purged") as caught:
            event.with_user(self.manager).action_replay()
        self.assertIn(event.display_name, str(caught.exception))

    def test_an_intact_event_is_still_replayed(self):
        event = self.dead_event()
        self.env["test.integration.widget.category"].create({"name": "No"})
        event.with_user(self.manager).action_replay()
        self.run_jobs()
        self.assertEqual(event.state, "processed")
        self.assertTrue(event.result)


@tagged("post_install", "-at_install")
class TestSecrets(OutboundCase):
    def test_issued_credentials_are_never_stored_in_clear(self):
        action = self.client.action_issue_credentials()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        token, secret = wizard.token, wizard.signing_secret
        self.assertTrue(token and secret.startswith("whsec_"))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(w)::text FROM integration_client_credentials w "
            "WHERE id = %s",
            [wizard.id],
        )
        stored = self.env.cr.fetchone()[0]
        self.assertNotIn(token, stored)
        self.assertNotIn(secret, stored)
        # Only the user who issued them sees them.
        other = new_test_user(
            self.env, "other_manager", "integration_log.group_integration_manager"
        )
        self.assertFalse(wizard.with_user(other).token)
        wizard.action_done()
        self.assertFalse(wizard.exists())

    def test_the_configured_encryption_key_takes_over_and_can_re_encrypt(self):
        old = self.connector.sudo()._signing_secrets()
        self.assertTrue(old)
        with patch.dict(
            config.options,
            {integration_keys.ENCRYPTION_OPTION: "an encryption key for the tests"},
        ):
            # Secrets encrypted with the database key still decrypt...
            self.assertEqual(self.connector.sudo()._signing_secrets(), old)
            settings = self.env["res.config.settings"].create({})
            self.assertTrue(settings.integration_encryption_key_configured)
            settings.action_integration_reencrypt_secrets()
            # ...and once re-encrypted, they need the configured key.
            self.assertEqual(self.connector.sudo()._signing_secrets(), old)
        with self.assertRaisesRegex(UserError, "cannot be decrypted"):
            self.connector.sudo()._signing_secrets()

    def test_a_missing_key_is_reported_at_start(self):
        markers = {
            (self.env.cr.dbname, option)
            for option in (
                integration_keys.ENCRYPTION_OPTION,
                integration_keys.CHAIN_OPTION,
            )
        }
        integration_keys._REPORTED.difference_update(markers)
        with (
            patch.dict(config.options, {integration_keys.CHAIN_OPTION: "set"}),
            self.assertLogs(integration_keys.__name__, "ERROR") as logs,
        ):
            self.env["integration.keys"]._register_hook()
        output = "\n".join(logs.output)
        self.assertIn("integration_log_encryption_key is not set", output)
        self.assertNotIn("integration_log_chain_key", output)
        self.assertFalse(
            self.env["res.config.settings"]
            .create({})
            .integration_encryption_key_configured
        )

    def test_only_managers_test_a_connection(self):
        viewer = new_test_user(
            self.env, "integration_viewer", "integration_log.group_integration_user"
        )
        with self.assertRaises(AccessError):
            self.connector.with_user(viewer).action_test_connection()
        self.assertEqual(self.receiver.requests, [])


@tagged("post_install", "-at_install")
class TestNeutralize(OutboundCase):
    def neutralize(self):
        """What ``odoo-bin neutralize`` and a neutralized copy of the database
        run, for this module."""
        self.env.flush_all()
        queries = list(get_neutralization_queries(["integration_log"]))
        self.assertEqual(len(queries), 1, "integration_log ships a neutralize.sql")
        for query in queries:
            self.env.cr.execute(query)
        self.env.invalidate_all()

    def test_a_neutralized_copy_delivers_nothing(self):
        pending = self.deliveries(self.ship("N-1"))
        self.assertEqual(pending.state, "pending")
        self.neutralize()
        self.assertFalse(self.connector.active)
        self.assertIn("neutralization", self.connector.disabled_reason)
        self.assertEqual(pending.state, "cancelled")
        self.env.cr.execute(
            "SELECT count(*) FROM queue_job WHERE channel = "
            "'root.integration.outbound' AND state = 'pending'"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # New business changes emit events, but no connector sends them.
        later = self.ship("N-2")
        self.assertTrue(later)
        self.env["integration.connector"]._cron_dispatch_overdue()
        self.run_jobs()
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual(self.receiver.requests, [])
        self.assertFalse(
            self.deliveries(later).filtered(lambda d: d.state != "cancelled")
        )
