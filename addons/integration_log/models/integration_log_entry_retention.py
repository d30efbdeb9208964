# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..protocol import chain

_logger = logging.getLogger(__name__)

LOG_RETENTION_PARAM = "integration_log.log_retention_days"


class IntegrationLogEntry(models.Model):
    """Retention of the integration log: old sealed entries are deleted up
    to a checkpoint that keeps the hash of the last one deleted and the
    count, so the rest of the chain stays verifiable."""

    # Split by concern on purpose: the record lives in integration_log_entry.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.log.entry"

    @api.model
    def _cron_purge_entries(self):
        """Delete entries older than ``integration_log.log_retention_days``
        (0 or unset: keep them forever)."""
        days = self._retention_days(LOG_RETENTION_PARAM)
        if days <= 0:
            return 0
        return self._purge_entries(fields.Datetime.now() - timedelta(days=days))

    @api.model
    def _retention_days(self, param):
        value = self.env["ir.config_parameter"].sudo().get_param(param, "0")
        try:
            return int(value or 0)
        except ValueError:
            _logger.warning("Invalid %s %r: nothing is purged", param, value)
            return 0

    @api.model
    def _purge_entries(self, before):
        """Delete the sealed entries logged before ``before``, oldest first.

        Only a run of the chain from its start is deleted, and only when it
        verifies: a purge never hides an altered entry. Waits for a sealer
        at work.

        :returns: the number of entries deleted.
        """
        self.env.flush_all()
        keys = self._chain_keys()
        self.env.cr.execute(
            "SELECT chain_seq FROM integration_log_chain_head WHERE id = 1 FOR UPDATE"
        )
        head_seq, _head, until, holds = self._read_head(keys)
        start_seq, _start, purged, start_holds = self._read_checkpoint(keys, until)
        cut = self._purge_cut(before, head_seq)
        if cut <= start_seq:
            return 0
        check = self._verify_chain(upto=cut)
        if not (holds and start_holds and check["ok"]):
            _logger.error(
                "Integration log entries up to position %s were kept: the chain "
                "does not verify (%s)",
                cut,
                check.get("reason"),
            )
            return 0
        self.env.cr.execute(
            SQL(
                "SELECT entry_hash FROM integration_log_entry WHERE chain_seq = %s", cut
            )
        )
        digest = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL("DELETE FROM integration_log_entry WHERE chain_seq <= %s", cut)
        )
        count = self.env.cr.rowcount
        self._write_checkpoint(keys[0], cut, digest, purged + count)
        self.env.invalidate_all()
        self._append(
            [
                {
                    "kind": "retention",
                    "state": "purged",
                    "detail": self.env._(
                        "%(count)s log entries logged before %(date)s purged, up "
                        "to chain position %(position)s.",
                        count=count,
                        date=before,
                        position=cut,
                    ),
                }
            ]
        )
        return count

    def _purge_cut(self, before, head_seq):
        """The last position to delete: every entry up to it is sealed and
        was logged before ``before``."""
        self.env.cr.execute(
            SQL(
                "SELECT min(chain_seq) FROM integration_log_entry "
                "WHERE chain_seq IS NOT NULL AND logged_at >= %s",
                before,
            )
        )
        first_kept = self.env.cr.fetchone()[0]
        return head_seq if first_kept is None else min(head_seq, first_kept - 1)

    def _write_checkpoint(self, key, seq, digest, count):
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO integration_log_chain_checkpoint
                    (id, chain_seq, entry_hash, purged_count, purged_at, mac)
                VALUES (1, %(seq)s, %(hash)s, %(count)s,
                        now() at time zone 'UTC', %(mac)s)
                ON CONFLICT (id) DO UPDATE SET chain_seq = %(seq)s,
                    entry_hash = %(hash)s, purged_count = %(count)s,
                    purged_at = now() at time zone 'UTC', mac = %(mac)s
                """,
                seq=seq,
                hash=digest,
                count=count,
                mac=chain.position_mac(key, "checkpoint", seq, digest, count),
            )
        )
