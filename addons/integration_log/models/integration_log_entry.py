# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from ..protocol import chain

_logger = logging.getLogger(__name__)

ENTRY_KINDS = [
    ("request", "Inbound request"),
    ("refusal", "Refusal"),
    ("event", "Event state"),
    ("delivery", "Delivery attempt"),
    ("delivery_state", "Delivery state"),
    ("connector", "Connector"),
    ("retention", "Retention"),
]
DETAIL_CHARS = 1000
SEAL_CHUNK = 5000
VERIFY_CHUNK = 5000
_COLUMNS = (
    "logged_at",
    "kind",
    "reference",
    "event_id",
    "delivery_id",
    "connector_id",
    "client_id",
    "state",
    "http_status",
    "latency_ms",
    "detail",
    "payload_hash",
    "user_id",
)
# The field linking an entry to the record it is about, per model.
LINK_FIELDS = {
    "integration.event": "event_id",
    "integration.delivery": "delivery_id",
    "integration.connector": "connector_id",
    "integration.client": "client_id",
}


class IntegrationLogEntry(models.Model):
    """Append-only, hash-chained journal of everything the integration did.

    Writers only append rows, without any lock, so the chain never slows the
    API down; a sealer then gives committed entries their place in the chain
    (``chain_seq``) and their hash, under a lock on the chain head. It runs
    after each integration job and every minute.
    """

    _name = "integration.log.entry"
    _description = "Integration Log Entry"
    _inherit = "integration.bulk.insert.mixin"
    _order = "id desc"
    _rec_name = "reference"

    logged_at = fields.Datetime(required=True, readonly=True, index=True)
    kind = fields.Selection(ENTRY_KINDS, required=True, readonly=True)
    reference = fields.Char(readonly=True, help="The record the entry is about.")
    event_id = fields.Many2one(
        "integration.event", readonly=True, ondelete="set null", index="btree_not_null"
    )
    delivery_id = fields.Many2one(
        "integration.delivery",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    connector_id = fields.Many2one(
        "integration.connector", readonly=True, ondelete="set null"
    )
    client_id = fields.Many2one(
        "integration.client", readonly=True, ondelete="set null"
    )
    state = fields.Char(readonly=True)
    http_status = fields.Integer("HTTP Status", readonly=True)
    latency_ms = fields.Integer("Latency (ms)", readonly=True)
    detail = fields.Text(readonly=True)
    payload_hash = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    chain_seq = fields.Integer("Chain Position", readonly=True, copy=False)
    prev_hash = fields.Char("Previous Hash", readonly=True, copy=False)
    entry_hash = fields.Char(readonly=True, copy=False)
    sealed = fields.Boolean(compute="_compute_sealed", search="_search_sealed")

    _sql_constraints = [
        ("chain_seq_uniq", "unique(chain_seq)", "A chain position is used once."),
    ]

    def init(self):
        cr = self.env.cr
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS integration_log_chain_head (
                id integer PRIMARY KEY CHECK (id = 1),
                chain_seq integer NOT NULL,
                entry_hash varchar NOT NULL
            )
            """
        )
        # The head's MAC, and the positions sealed with the database key
        # before the server configuration gave one.
        cr.execute(
            "ALTER TABLE integration_log_chain_head "
            "ADD COLUMN IF NOT EXISTS mac varchar, "
            "ADD COLUMN IF NOT EXISTS database_key_until integer NOT NULL DEFAULT 0"
        )
        # The last purged position: verification starts after it.
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS integration_log_chain_checkpoint (
                id integer PRIMARY KEY CHECK (id = 1),
                chain_seq integer NOT NULL,
                entry_hash varchar NOT NULL,
                purged_count integer NOT NULL,
                purged_at timestamp NOT NULL,
                mac varchar NOT NULL
            )
            """
        )
        cr.execute(
            SQL(
                "INSERT INTO integration_log_chain_head VALUES (1, 0, %s, NULL, 0) "
                "ON CONFLICT DO NOTHING",
                chain.GENESIS_HASH,
            )
        )
        self._key_unkeyed_head()
        cr.execute(
            "CREATE INDEX IF NOT EXISTS integration_log_entry_unsealed_idx "
            "ON integration_log_entry (id) WHERE chain_seq IS NULL"
        )
        # Dashboard and /metrics read the recent delivery attempts per connector.
        cr.execute(
            "CREATE INDEX IF NOT EXISTS integration_log_entry_delivery_idx "
            "ON integration_log_entry (connector_id, logged_at) "
            "WHERE kind = 'delivery'"
        )

    def _key_unkeyed_head(self):
        """Give its MAC to a new chain head, or to the head of a chain sealed
        before the chain was keyed: those entries are closed by a checkpoint
        (kept, no longer verified) and the keyed chain continues after them."""
        self.env.cr.execute(
            "SELECT chain_seq, entry_hash FROM integration_log_chain_head "
            "WHERE id = 1 AND mac IS NULL"
        )
        row = self.env.cr.fetchone()
        if not row:
            return
        seq, digest = row
        key = self.env["integration.keys"]._chain_key()
        if seq:
            _logger.warning(
                "The %s integration log entries sealed before the chain was keyed "
                "are closed by a checkpoint: they are kept, no longer verified.",
                seq,
            )
            self._write_checkpoint(key, seq, digest, 0)
        self._write_head(key, seq, digest, 0)

    def _compute_sealed(self):
        for entry in self:
            entry.sealed = bool(entry.chain_seq)

    def _search_sealed(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        positive = (operator == "=") == bool(value)
        return [("chain_seq", "!=" if positive else "=", False)]

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    @api.model
    def _vals_for(self, record, kind, **values):
        """An entry of ``kind`` about ``record``, for :meth:`_append`.

        Sets the ``reference`` to the record and, for the integration
        models, the field that links to it; ``values`` add the other columns
        (or override these).
        """
        vals = {"kind": kind, "reference": f"{record._name},{record.id}"}
        link = LINK_FIELDS.get(record._name)
        if link in self._fields:
            vals[link] = record.id
        vals.update(values)
        return vals

    @api.model
    def _append(self, entries):
        """Append entries (dicts with the keys of ``_COLUMNS``) in one INSERT.

        Runs in the caller's transaction: an entry exists exactly when the
        change it records was committed.
        """
        if not entries:
            return
        defaults = {"logged_at": fields.Datetime.now(), "user_id": self.env.uid}
        self._bulk_insert(
            [
                {
                    column: _bounded(entry.get("detail"))
                    if column == "detail"
                    else entry.get(column, defaults.get(column))
                    for column in _COLUMNS
                }
                for entry in entries
            ],
            returning=(),
        )

    # ------------------------------------------------------------------
    # Sealing
    # ------------------------------------------------------------------
    @api.model
    def _seal_after_commit(self):
        """Seal the chain once the current transaction is committed."""
        data = self.env.cr.postcommit.data
        if data.get("integration_log.seal"):
            return
        data["integration_log.seal"] = True
        self.env.cr.postcommit.add(self._seal_pending)

    @api.model
    def _seal_pending(self, max_entries=200000):
        """Give committed unsealed entries their chain position and hash.

        Each chunk is sealed in a transaction of its own, never the caller's.

        :returns: the number of entries sealed; 0 when another sealer holds
            the chain head (it will seal them).
        """
        sealed = 0
        while sealed < max_entries:
            with self.env.registry.cursor() as cr:
                count = self.with_env(self.env(cr=cr))._seal_chunk()
            if not count:
                break
            sealed += count
        return sealed

    def _seal_chunk(self):
        cr = self.env.cr
        keys = self._chain_keys()
        try:
            with cr.savepoint(flush=False):
                seq, head, until, holds = self._read_head(keys, lock=True)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            # Another sealer is at work, or committed after our snapshot.
            return 0
        if not holds:
            _logger.error(
                "The integration log chain head does not match its MAC: it was "
                "altered, or the chain key of the server configuration changed. "
                "New entries stay unsealed; run Verify Chain."
            )
            return 0
        cr.execute(
            SQL(
                "SELECT id, %s FROM integration_log_entry WHERE chain_seq IS NULL "
                "ORDER BY id LIMIT %s",
                self._hashed_columns_sql(),
                SEAL_CHUNK,
            )
        )
        entries = [self._entry_mapping(row) for row in cr.fetchall()]
        if not entries:
            return 0
        for offset, entry in enumerate(entries, start=1):
            entry["chain_seq"] = seq + offset
        hashes = chain.seal(head, entries, keys[0])
        values = SQL(", ").join(
            SQL("(%s, %s, %s, %s)", entry["id"], entry["chain_seq"], prev, digest)
            for entry, (prev, digest) in zip(entries, hashes, strict=True)
        )
        cr.execute(
            SQL(
                """
                UPDATE integration_log_entry AS e
                SET chain_seq = v.seq, prev_hash = v.prev, entry_hash = v.hash
                FROM (VALUES %s) AS v(id, seq, prev, hash)
                WHERE e.id = v.id
                """,
                values,
            )
        )
        self._write_head(keys[0], entries[-1]["chain_seq"], hashes[-1][1], until)
        return len(entries)

    @api.model
    def _cron_seal(self):
        return self._seal_pending()

    # ------------------------------------------------------------------
    # Chain head and keys
    # ------------------------------------------------------------------
    @api.model
    def _chain_keys(self):
        """``(key, database_key)``: the chain key, and the one used while
        the server configuration had none (the same when it still has none)."""
        Keys = self.env["integration.keys"]
        return Keys._chain_key(), Keys._database_chain_key()

    def _read_head(self, keys, lock=False):
        """The chain head, checked against its MAC.

        :returns: ``(seq, hash, until, holds)``; positions up to ``until``
            were sealed with the database key (before the server
            configuration gave a key); ``holds`` is False when the MAC holds
            under neither key: the head was altered, or the key changed.
        """
        self.env.cr.execute(
            SQL(
                "SELECT chain_seq, entry_hash, database_key_until, mac "
                "FROM integration_log_chain_head WHERE id = 1 %s",
                SQL("FOR UPDATE NOWAIT") if lock else SQL(),
            )
        )
        seq, digest, until, mac = self.env.cr.fetchone()
        key, database_key = keys
        if chain.position_holds(key, "head", seq, digest, until, mac):
            return seq, digest, until, True
        if key != database_key and chain.position_holds(
            database_key, "head", seq, digest, until, mac
        ):
            # Sealed with the database key up to here; the server
            # configuration gives the key from now on.
            return seq, digest, seq, True
        return seq, digest, until, False

    def _write_head(self, key, seq, digest, until):
        self.env.cr.execute(
            SQL(
                "UPDATE integration_log_chain_head SET chain_seq = %s, "
                "entry_hash = %s, database_key_until = %s, mac = %s WHERE id = 1",
                seq,
                digest,
                until,
                chain.position_mac(key, "head", seq, digest, until),
            )
        )

    def _read_checkpoint(self, keys, until):
        """The last purged position: ``(seq, hash, purged count, holds)``."""
        self.env.cr.execute(
            "SELECT chain_seq, entry_hash, purged_count, mac "
            "FROM integration_log_chain_checkpoint WHERE id = 1"
        )
        row = self.env.cr.fetchone()
        if not row:
            return 0, chain.GENESIS_HASH, 0, True
        seq, digest, count, mac = row
        key, database_key = keys
        holds = chain.position_holds(key, "checkpoint", seq, digest, count, mac) or (
            seq <= until
            and chain.position_holds(
                database_key, "checkpoint", seq, digest, count, mac
            )
        )
        return seq, digest, count, holds


def _bounded(text):
    if not text:
        return None
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"
