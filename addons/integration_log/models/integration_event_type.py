# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.misc import file_path

from ..protocol import envelope, patterns

# Declared by the module that ships the type (its data file): they decide what
# code runs for a partner's event and which file is served as its schema.
MODULE_FIELDS = frozenset(
    {
        "name",
        "direction",
        "module",
        "schema_file",
        "handler_model",
        "handler_method",
        "subject_field",
    }
)
HANDLER_PREFIX = "_integration_handle_"


class IntegrationEventType(models.Model):
    """Catalogue of the event types of protocol v1.

    Each domain module declares its types as data records: the JSON Schema
    of ``data`` (a file shipped by the module), the direction and, for
    inbound types, the model method that applies an event.
    """

    _name = "integration.event.type"
    _description = "Integration Event Type"
    _inherit = ["integration.cache.mixin"]
    _order = "name"

    name = fields.Char(
        "Type",
        required=True,
        help="CloudEvents type, for example mfg.production.completed.v1.",
    )
    description = fields.Char()
    direction = fields.Selection(
        [("in", "Inbound"), ("out", "Outbound"), ("both", "Both")],
        required=True,
        default="in",
    )
    module = fields.Char(help="Technical name of the module that declares the type.")
    schema_file = fields.Char(
        required=True,
        help="Path of the JSON Schema of the event data, relative to the "
        "addons path, for example my_module/schemas/my.type.v1.json.",
    )
    json_schema = fields.Text(compute="_compute_json_schema", string="JSON Schema")
    handler_model = fields.Char(
        help="Model whose method applies an inbound event of this type."
    )
    handler_method = fields.Char(
        help="Method called with the integration.event record; it runs as the "
        "technical user of the client that sent the event."
    )
    subject_field = fields.Char(
        help="Top-level field of the data whose value the subject of an inbound "
        "event must equal, for example production; empty when the event is not "
        "about one record."
    )
    latest_only = fields.Boolean(
        help="When several events of this type wait for the same subject, only "
        "the latest is applied; the earlier ones are marked skipped."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "An event type is declared only once."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self._check_module_fields({name for vals in vals_list for name in vals})
        return super().create(vals_list)

    def write(self, vals):
        self._check_module_fields(vals)
        return super().write(vals)

    @api.model
    def _check_module_fields(self, names):
        """Only module data (loaded as superuser) sets the fields that decide
        which code runs and which file is served: not a user over the external
        API, whatever their groups."""
        protected = sorted(MODULE_FIELDS.intersection(names))
        if protected and not self.env.su:
            raise AccessError(
                self.env._(
                    "The fields %(fields)s of event types are declared by the data "
                    "of their module and cannot be changed here.",
                    fields=", ".join(protected),
                )
            )

    @api.depends("schema_file")
    def _compute_json_schema(self):
        for event_type in self:
            schema = event_type._load_schema(event_type.schema_file)
            event_type.json_schema = json.dumps(schema, indent=2) if schema else False

    @api.constrains("schema_file")
    def _check_schema_file(self):
        for event_type in self:
            if not event_type._load_schema(event_type.schema_file):
                raise ValidationError(
                    self.env._(
                        "Schema file %(file)s of event type %(type)s was not found.",
                        file=event_type.schema_file,
                        type=event_type.name,
                    )
                )

    @api.constrains("direction", "handler_model", "handler_method")
    def _check_handler(self):
        for event_type in self.filtered(lambda t: t.direction in ("in", "both")):
            model = self.env.get(event_type.handler_model or "")
            method = event_type.handler_method or ""
            if (
                model is None
                or not method.startswith(HANDLER_PREFIX)
                or not hasattr(model, method)
            ):
                raise ValidationError(
                    self.env._(
                        "Inbound event type %(type)s needs a handler: method "
                        "%(method)s of model %(model)s does not exist or is not "
                        "named %(prefix)s....",
                        type=event_type.name,
                        method=event_type.handler_method,
                        model=event_type.handler_model,
                        prefix=HANDLER_PREFIX,
                    )
                )

    @api.constrains("schema_file", "subject_field")
    def _check_subject_field(self):
        for event_type in self.filtered("subject_field"):
            schema = event_type._load_schema(event_type.schema_file) or {}
            if event_type.subject_field not in schema.get("properties", {}):
                raise ValidationError(
                    self.env._(
                        "Event type %(type)s: its subject field %(field)s is not a "
                        "top-level field of its schema %(file)s.",
                        type=event_type.name,
                        field=event_type.subject_field,
                        file=event_type.schema_file,
                    )
                )

    @api.model
    def _check_type_patterns(self, value, owner):
        """Raise ValidationError naming the bad items of a comma-separated
        list of type patterns (client and connector subscriptions)."""
        bad = patterns.invalid_patterns(value)
        if bad:
            raise ValidationError(
                self.env._(
                    "Event types of %(owner)s: %(bad)s is not a valid pattern "
                    "(lower-case letters, digits, '.', '_', '-' and '*').",
                    owner=owner,
                    bad=", ".join(bad),
                )
            )

    @api.model
    def _load_schema(self, schema_file):
        if not schema_file:
            return None
        try:
            full_path = file_path(schema_file, filter_ext=(".json",))
        except (FileNotFoundError, ValueError):
            return None
        with open(full_path, "rb") as handle:
            return json.load(handle)

    @api.model
    @tools.ormcache()
    def _get_catalogue(self):
        """Active types by name, as plain dicts (cached per worker)."""
        types = self.sudo().search([("active", "=", True)])
        return {
            t.name: {
                "id": t.id,
                "direction": t.direction,
                "description": t.description or "",
                "schema_file": t.schema_file,
                "handler_model": t.handler_model,
                "handler_method": t.handler_method,
                "latest_only": t.latest_only,
                "subject_field": t.subject_field or None,
            }
            for t in types
        }

    @api.model
    @tools.ormcache("schema_file")
    def _get_validator(self, schema_file):
        return envelope.compile_schema(self._load_schema(schema_file))

    @api.model
    def _get_schema(self, type_name):
        entry = self._get_catalogue().get(type_name)
        if not entry:
            return None
        schema = dict(self._load_schema(entry["schema_file"]))
        schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
        schema.setdefault("title", type_name)
        if entry["subject_field"]:
            # An annotation for partners: the subject an event of this type
            # must have (protocol section 1).
            schema["x-subject-field"] = entry["subject_field"]
        return schema
