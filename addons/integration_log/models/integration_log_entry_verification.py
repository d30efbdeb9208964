# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import SQL

from ..protocol import chain
from .integration_log_entry import VERIFY_CHUNK


class IntegrationLogEntry(models.Model):
    """Verification of the integration log's keyed hash chain, from the
    retention checkpoint to the head."""

    # Split by concern on purpose: the record lives in integration_log_entry.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.log.entry"

    @api.model
    def _verify_chain(self, upto=None):
        """Recompute the chain, from the retention checkpoint on.

        :param upto: stop after this position, without checking the head
            (retention checks what it purges).
        :returns: dict with ``ok``, ``checked``, ``unsealed``, ``purged``
            (entries removed by retention before the checkpoint), and for a
            broken chain ``entry_id``, ``chain_seq`` and ``reason`` of the
            first broken link.
        """
        self.env.flush_all()
        keys = self._chain_keys()
        head_seq, head_hash, until, head_holds = self._read_head(keys)
        prev_seq, prev_hash, purged, holds = self._read_checkpoint(keys, until)
        reason = None
        if not head_holds:
            reason = self.env._(
                "the chain head does not match its MAC: it was altered, or the "
                "chain key of the server configuration changed since it was sealed"
            )
        elif not holds:
            reason = self.env._(
                "the retention checkpoint does not match its MAC: it was altered"
            )
        if reason:
            return self._verification_result(0, purged, reason=reason)
        checked, broken, prev_seq, prev_hash = self._check_stored_links(
            keys, until, prev_seq, prev_hash, upto
        )
        if broken:
            return self._verification_result(checked, purged, *broken)
        if upto is None and (head_seq, head_hash) != (prev_seq, prev_hash):
            return self._verification_result(
                checked,
                purged,
                reason=self.env._(
                    "the chain ends at position %(end)s but its head records "
                    "position %(head)s: the latest entries were removed or altered",
                    end=prev_seq,
                    head=head_seq,
                ),
            )
        return self._verification_result(checked, purged)

    def _check_stored_links(self, keys, until, prev_seq, prev_hash, upto=None):
        """Check the sealed entries after ``prev_seq`` chunk by chunk.

        :returns: ``(checked, broken, last_seq, last_hash)``; ``broken`` is
            ``(entry, reason)`` or None.
        """
        cr = self.env.cr
        checked = 0
        while True:
            cr.execute(
                SQL(
                    "SELECT id, %s, prev_hash, entry_hash "
                    "FROM integration_log_entry WHERE chain_seq > %s %s "
                    "ORDER BY chain_seq LIMIT %s",
                    self._hashed_columns_sql(),
                    prev_seq,
                    SQL("AND chain_seq <= %s", upto) if upto else SQL(),
                    VERIFY_CHUNK,
                )
            )
            entries = [
                self._entry_mapping(row, with_chain=True) for row in cr.fetchall()
            ]
            if not entries:
                return checked, None, prev_seq, prev_hash
            # Entries up to ``until`` were sealed with the database key.
            older = [entry for entry in entries if entry["chain_seq"] <= until]
            for part, key in ((older, keys[1]), (entries[len(older) :], keys[0])):
                broken, prev_seq, prev_hash = chain.check_links(
                    part, prev_seq, prev_hash, key
                )
                if broken:
                    checked += entries.index(broken[0]) + 1
                    return checked, broken, prev_seq, prev_hash
            checked += len(entries)

    def _verification_result(self, checked, purged, entry=None, reason=None):
        self.env.cr.execute(
            "SELECT count(*) FROM integration_log_entry WHERE chain_seq IS NULL"
        )
        result = {
            "ok": reason is None,
            "checked": checked,
            "unsealed": self.env.cr.fetchone()[0],
            "purged": purged,
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
