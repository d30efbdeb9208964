# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def pre_init_hook(env):
    """Give every existing lot its disposition before the ORM sees the new
    columns: otherwise it would compute the stored disposition of every lot
    of the database, one batch after another, at installation. Existing lots
    behave as before: released. (The column defaults stay: see
    ``stock.lot.init``.)"""
    env.cr.execute(
        """
        ALTER TABLE stock_lot
            ADD COLUMN IF NOT EXISTS quality_decision varchar DEFAULT 'released',
            ADD COLUMN IF NOT EXISTS quality_disposition varchar DEFAULT 'released'
        """
    )
