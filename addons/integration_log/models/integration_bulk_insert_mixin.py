# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import clean_context


class IntegrationBulkInsertMixin(models.AbstractModel):
    """INSERT many rows in one statement, for the hot paths that write
    thousands of rows at once (the inbound API, the outbox, the log).

    It bypasses the ORM: no ``create()`` override, Python constraint,
    computed field or cache update applies, and pending ORM writes are not
    flushed (flush first when the statement depends on them, e.g. for an
    ``ON CONFLICT`` on a unique key). What it keeps from the ORM is the
    values: every column a row leaves out gets its field's default.
    """

    _name = "integration.bulk.insert.mixin"
    _description = "Integration Bulk Insert"

    @api.model
    def _bulk_insert(self, rows, on_conflict=None, returning=("id",)):
        """Insert ``rows`` with one ``INSERT ... VALUES`` statement.

        A column missing from a row gets the default of its field (the
        field's ``default`` or an ``ir.default``), and ``create_uid``,
        ``create_date``, ``write_uid``, ``write_date`` are filled as the ORM
        would; so a field added later with a default is never left NULL.

        :param rows: dicts of column values ready for SQL (ids, not records);
            a value may be an ``SQL`` expression.
        :param on_conflict: ``SQL`` written after ``ON CONFLICT``, e.g.
            ``SQL("(source, cloudevent_id) DO NOTHING")``.
        :param returning: the columns returned for each inserted row; empty
            for no ``RETURNING``.
        :returns: the list of returned tuples (empty without ``returning``).
        """
        if not rows:
            return []
        defaults = self._bulk_insert_defaults(rows)
        columns = list(dict.fromkeys(name for row in rows for name in row))
        columns += [name for name in defaults if name not in columns]
        values = SQL(", ").join(
            SQL(
                "(%s)",
                SQL(", ").join(
                    row[name] if name in row else defaults.get(name) for name in columns
                ),
            )
            for row in rows
        )
        query = SQL(
            "INSERT INTO %s (%s) VALUES %s",
            SQL.identifier(self._table),
            SQL(", ").join(SQL.identifier(name) for name in columns),
            values,
        )
        if on_conflict is not None:
            query = SQL("%s ON CONFLICT %s", query, on_conflict)
        if returning:
            query = SQL(
                "%s RETURNING %s",
                query,
                SQL(", ").join(SQL.identifier(name) for name in returning),
            )
        self.env.cr.execute(query)
        return self.env.cr.fetchall() if returning else []

    @api.model
    def _bulk_insert_defaults(self, rows):
        """SQL values of the columns that at least one of ``rows`` leaves
        out and that have a default, computed once for all rows."""
        given_everywhere = set(rows[0]).intersection(*rows[1:])
        defaults = {}
        if self._log_access:
            now = fields.Datetime.now()
            defaults.update(
                create_uid=self.env.uid,
                create_date=now,
                write_uid=self.env.uid,
                write_date=now,
            )
        names = [
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and name != "id"
            and name not in defaults
            and name not in given_everywhere
        ]
        if names:
            # The context's default_* keys are meant for the user's forms
            # (an action's context leaks into the business call that emits
            # events), not for technical rows; every other key is kept.
            context = clean_context(self.env.context)
            model = self.with_context(context)  # pylint: disable=context-overridden
            for name, value in model.default_get(names).items():
                field = self._fields[name]
                defaults[name] = field.convert_to_column_insert(value, model)
        return {
            name: value
            for name, value in defaults.items()
            if name not in given_everywhere
        }
