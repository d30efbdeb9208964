# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL, config, mute_logger

from odoo.addons.integration_log.models.integration_keys import CHAIN_OPTION
from odoo.addons.integration_log.protocol import chain

from .common import OutboundCase

LOG_MODELS = (
    "odoo.addons.integration_log.models.integration_log_entry",
    "odoo.addons.integration_log.models.integration_log_entry_retention",
)


class ChainCase(OutboundCase):
    """Helpers that play someone who can write to the database but has no
    key: they change rows with SQL, as a database user would."""

    @property
    def Entry(self):
        return self.env["integration.log.entry"]

    def make_traffic(self):
        """Entries of every kind about clients, connectors, events and
        deliveries, sealed."""
        self.receiver.respond(500)
        self.ship("C-1")
        self.run_jobs()
        self.post(self.make_event())
        self.run_jobs()
        self.seal_log()

    def ship_and_seal(self, *names):
        self.ship(*names)
        self.run_jobs()
        self.seal_log()

    def assertBroken(self, reason, entry=None):
        result = self.Entry._verify_chain()
        self.assertFalse(result["ok"], result)
        self.assertIn(reason, result["reason"])
        if entry is not None:
            self.assertEqual(result["entry_id"], entry.id)
        return result

    def move(self, table, seq, digest):
        """Point the chain head or the checkpoint elsewhere, by SQL."""
        self.sql(
            SQL(
                "UPDATE %s SET chain_seq = %s, entry_hash = %s",
                SQL.identifier(table),
                seq,
                digest,
            )
        )

    def sql(self, query, *params):
        self.env.flush_all()
        self.env.cr.execute(query, params or None)
        self.env.invalidate_all()

    def sealed_rows(self):
        self.env.cr.execute(
            "SELECT id, chain_seq, prev_hash, entry_hash FROM integration_log_entry "
            "WHERE chain_seq IS NOT NULL ORDER BY chain_seq"
        )
        return self.env.cr.fetchall()

    def rehash_without_key(self, from_seq):
        """Recompute, with plain SHA-256, the hash of the entries from
        position ``from_seq`` on, as someone without the key would."""
        self.env.cr.execute(
            "SELECT prev_hash FROM integration_log_entry WHERE chain_seq = %s",
            [from_seq],
        )
        prev = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM integration_log_entry WHERE chain_seq >= %s "
                "ORDER BY chain_seq",
                self.Entry._hashed_columns_sql(),
                from_seq,
            )
        )
        rows = [self.Entry._entry_mapping(row) for row in self.env.cr.fetchall()]
        last = None
        for row, (previous, digest) in zip(rows, chain.seal(prev, rows), strict=True):
            self.sql(
                "UPDATE integration_log_entry SET prev_hash = %s, entry_hash = %s "
                "WHERE id = %s",
                previous,
                digest,
                row["id"],
            )
            last = (row["chain_seq"], digest)
        return last

    def set_column(self, entry_id, column, value):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE integration_log_entry SET %s = %s WHERE id = %s",
                SQL.identifier(column),
                value,
                entry_id,
            )
        )
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestKeyedChain(ChainCase):
    def test_every_reference_column_is_covered_by_the_hash(self):
        self.make_traffic()
        self.assertTrue(self.Entry._verify_chain()["ok"])
        for column in ("client_id", "connector_id", "event_id", "delivery_id"):
            entry = self.Entry.search(
                [(column, "!=", False), ("chain_seq", "!=", False)], limit=1
            )
            self.assertTrue(entry, f"some entry has a {column}")
            original = entry[column].id
            self.set_column(entry.id, column, None)
            result = self.Entry._verify_chain()
            self.assertFalse(result["ok"], column)
            self.assertEqual(result["entry_id"], entry.id, column)
            self.assertIn("altered", result["reason"])
            self.set_column(entry.id, column, original)
            self.assertTrue(self.Entry._verify_chain()["ok"], column)

    def test_a_hash_recomputed_without_the_key_is_found(self):
        self.make_traffic()
        entry = self.Entry.search(
            [("kind", "=", "request"), ("client_id", "=", self.client.id)], limit=1
        )
        self.assertTrue(entry)
        self.set_column(entry.id, "client_id", None)
        # Every hash from the edited entry on recomputed, without the key.
        last_seq, last_hash = self.rehash_without_key(entry.chain_seq)
        self.assertBroken("altered", entry)
        # The head moved along too: its MAC gives it away first.
        self.move("integration_log_chain_head", last_seq, last_hash)
        self.assertBroken("head does not match its MAC")

    def test_removing_the_latest_entries_and_moving_the_head_back_is_found(self):
        self.make_traffic()
        rows = self.sealed_rows()
        self.assertGreater(len(rows), 3)
        _id, seq, _prev, digest = rows[-3]
        self.sql("DELETE FROM integration_log_entry WHERE chain_seq > %s", seq)
        self.move("integration_log_chain_head", seq, digest)
        self.assertBroken("head")
        # Nothing is sealed on top of a head that does not hold.
        self.post(self.make_event())
        with mute_logger(*LOG_MODELS):
            self.assertEqual(self.seal_log(), 0)
        self.assertGreater(self.Entry._verify_chain()["unsealed"], 0)

    def test_a_key_set_in_the_configuration_takes_over_from_the_database_key(self):
        self.make_traffic()
        before = self.sealed_rows()[-1][1]
        with patch.dict(config.options, {CHAIN_OPTION: "a chain key for the tests"}):
            self.ship("C-2")
            self.run_jobs()
            self.seal_log()
            self.env.cr.execute(
                "SELECT chain_seq, database_key_until FROM integration_log_chain_head"
            )
            head_seq, until = self.env.cr.fetchone()
            self.assertGreater(head_seq, before)
            self.assertEqual(until, before, "older entries keep the database key")
            result = self.Entry._verify_chain()
            self.assertTrue(result["ok"], result)
            self.assertEqual(result["checked"], len(self.sealed_rows()))
            # Entries sealed with the configured key are protected by it.
            newest = self.Entry.search([("chain_seq", "=", head_seq)])
            self.sql(
                "UPDATE integration_log_entry SET detail = 'edited' WHERE id = %s",
                newest.id,
            )
            self.assertEqual(self.Entry._verify_chain()["entry_id"], newest.id)
        # Without the configured key, the head does not verify any more.
        result = self.Entry._verify_chain()
        self.assertFalse(result["ok"])
        self.assertIn("key", result["reason"])


@tagged("post_install", "-at_install")
class TestLogRetention(ChainCase):
    def append_old(self, count, logged_at):
        self.Entry._append(
            [
                {"kind": "connector", "state": "old", "detail": f"old {index}"}
                | {"logged_at": logged_at}
                for index in range(count)
            ]
        )

    def test_purging_old_entries_keeps_the_chain_verifiable(self):
        self.seal_log()
        start = fields.Datetime.now()
        self.append_old(3, start - timedelta(days=2))
        self.seal_log()
        sealed_before = len(self.sealed_rows())
        # Later entries, logged after the retention limit.
        self.Entry._append(
            [
                {
                    "kind": "connector",
                    "state": "new",
                    "logged_at": start + timedelta(hours=1),
                }
            ]
        )
        self.ship_and_seal("R-1")
        total = len(self.sealed_rows())
        purged = self.Entry._purge_entries(start + timedelta(minutes=30))
        self.assertEqual(purged, sealed_before)
        self.assertFalse(self.Entry.search([("state", "=", "old")]))
        self.seal_log()
        result = self.Entry._verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["purged"], purged)
        self.assertEqual(result["checked"], total - purged + 1, "plus the purge entry")
        retention = self.Entry.search([("kind", "=", "retention")], limit=1)
        self.assertIn(f"{purged} log entries", retention.detail)
        # The Verify Chain wizard says the same.
        wizard = self.env["integration.log.verification"].create({})
        wizard.action_verify()
        self.assertEqual((wizard.result, wizard.purged), ("ok", purged))
        # A remaining row changed is still found.
        kept = self.Entry.search([("state", "=", "new")])
        self.sql(
            "UPDATE integration_log_entry SET state = 'renamed' WHERE id = %s", kept.id
        )
        result = self.Entry._verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["entry_id"], kept.id)

    def test_a_second_purge_continues_from_the_checkpoint(self):
        self.make_traffic()
        first = self.Entry._purge_entries(fields.Datetime.now() + timedelta(minutes=1))
        self.assertGreater(first, 0)
        self.ship_and_seal("R-2")
        second = self.Entry._purge_entries(fields.Datetime.now() + timedelta(minutes=1))
        self.assertGreater(second, 0)
        self.ship_and_seal("R-3")
        result = self.Entry._verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["purged"], first + second)

    def test_a_forged_checkpoint_is_found(self):
        self.make_traffic()
        self.Entry._purge_entries(fields.Datetime.now() + timedelta(minutes=1))
        self.ship_and_seal("R-4")
        # Someone deletes more entries and moves the checkpoint after them.
        rows = self.sealed_rows()
        _id, seq, _prev, digest = rows[1]
        self.sql("DELETE FROM integration_log_entry WHERE chain_seq <= %s", seq)
        self.move("integration_log_chain_checkpoint", seq, digest)
        self.assertBroken("checkpoint")

    def test_a_purge_never_hides_an_altered_entry(self):
        self.make_traffic()
        entry = self.Entry.search([("chain_seq", "!=", False)], limit=1)
        self.sql(
            "UPDATE integration_log_entry SET detail = 'rewritten' WHERE id = %s",
            entry.id,
        )
        with mute_logger(*LOG_MODELS):
            purged = self.Entry._purge_entries(
                fields.Datetime.now() + timedelta(minutes=1)
            )
        self.assertEqual(purged, 0)
        self.assertTrue(entry.exists())
        self.assertEqual(self.Entry._verify_chain()["entry_id"], entry.id)

    def test_the_retention_cron_purges_entries_past_the_setting(self):
        self.make_traffic()
        # Start from an empty chain whose first entries are old.
        first = self.Entry._purge_entries(fields.Datetime.now() + timedelta(minutes=1))
        old = fields.Datetime.now() - timedelta(days=3)
        self.sql(
            "UPDATE integration_log_entry SET logged_at = %s WHERE chain_seq IS NULL",
            old,
        )
        self.append_old(2, old)
        self.seal_log()
        old_count = len(self.sealed_rows())
        self.ship_and_seal("R-5")
        self.env["ir.config_parameter"].set_param(
            "integration_log.log_retention_days", "1"
        )
        self.env["integration.event"]._cron_purge_payloads()
        self.assertFalse(self.Entry.search([("state", "=", "old")]))
        self.seal_log()
        result = self.Entry._verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["purged"], first + old_count)
        self.assertTrue(self.Entry.search([("kind", "=", "delivery")]))
