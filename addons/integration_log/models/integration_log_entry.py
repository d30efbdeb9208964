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
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS integration_log_chain_head (
                id integer PRIMARY KEY CHECK (id = 1),
                chain_seq integer NOT NULL,
                entry_hash varchar NOT NULL
            )
            """
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO integration_log_chain_head VALUES (1, 0, %s) "
                "ON CONFLICT DO NOTHING",
                chain.GENESIS_HASH,
            )
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS integration_log_entry_unsealed_idx "
            "ON integration_log_entry (id) WHERE chain_seq IS NULL"
        )
        # Dashboard and /metrics read the recent delivery attempts per connector.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS integration_log_entry_delivery_idx "
            "ON integration_log_entry (connector_id, logged_at) "
            "WHERE kind = 'delivery'"
        )

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
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    "SELECT chain_seq, entry_hash FROM integration_log_chain_head "
                    "WHERE id = 1 FOR UPDATE NOWAIT"
                )
                seq, head = cr.fetchone()
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            # Another sealer is at work, or committed after our snapshot.
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
        hashes = chain.seal(head, entries)
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
        cr.execute(
            SQL(
                "UPDATE integration_log_chain_head SET chain_seq = %s, entry_hash = %s "
                "WHERE id = 1",
                entries[-1]["chain_seq"],
                hashes[-1][1],
            )
        )
        return len(entries)

    @api.model
    def _cron_seal(self):
        return self._seal_pending()

    # ------------------------------------------------------------------
    # Verification
    # ------------------------------------------------------------------
    @api.model
    def _verify_chain(self):
        """Recompute the whole chain.

        :returns: dict with ``ok``, ``checked``, ``unsealed``, and for a
            broken chain ``entry_id``, ``chain_seq`` and ``reason`` of the
            first broken link.
        """
        self.env.flush_all()
        cr = self.env.cr
        prev_seq, prev_hash, checked = 0, chain.GENESIS_HASH, 0
        while True:
            cr.execute(
                SQL(
                    "SELECT id, %s, prev_hash, entry_hash "
                    "FROM integration_log_entry WHERE chain_seq > %s "
                    "ORDER BY chain_seq LIMIT %s",
                    self._hashed_columns_sql(),
                    prev_seq,
                    VERIFY_CHUNK,
                )
            )
            rows = cr.fetchall()
            if not rows:
                break
            entries = [self._entry_mapping(row, with_chain=True) for row in rows]
            broken, prev_seq, prev_hash = chain.check_links(
                entries, prev_seq, prev_hash
            )
            if broken:
                checked += entries.index(broken[0]) + 1
                return self._verification_result(checked, broken[0], broken[1])
            checked += len(entries)
        cr.execute(
            "SELECT chain_seq, entry_hash FROM integration_log_chain_head WHERE id = 1"
        )
        head_seq, head_hash = cr.fetchone()
        if (head_seq, head_hash) != (prev_seq, prev_hash):
            return self._verification_result(
                checked,
                None,
                self.env._(
                    "the chain ends at position %(end)s but its head records "
                    "position %(head)s: the latest entries were removed or altered",
                    end=prev_seq,
                    head=head_seq,
                ),
            )
        return self._verification_result(checked)

    def _verification_result(self, checked, entry=None, reason=None):
        self.env.cr.execute(
            "SELECT count(*) FROM integration_log_entry WHERE chain_seq IS NULL"
        )
        result = {
            "ok": reason is None,
            "checked": checked,
            "unsealed": self.env.cr.fetchone()[0],
        }
        if reason:
            result.update(
                entry_id=entry["id"] if entry else None,
                chain_seq=entry["chain_seq"] if entry else None,
                reason=reason,
            )
        return result

    def _hashed_columns_sql(self):
        return SQL(", ").join(
            SQL.identifier(name) for name in chain.HASHED_FIELDS if name != "id"
        )

    def _entry_mapping(self, row, with_chain=False):
        names = ["id"] + [n for n in chain.HASHED_FIELDS if n != "id"]
        if with_chain:
            names += ["prev_hash", "entry_hash"]
        return dict(zip(names, row, strict=True))


def _bounded(text):
    if not text:
        return None
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"
