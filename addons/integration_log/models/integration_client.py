# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import re
import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..protocol import patterns, signature
from ..protocol.problem import ProblemError

TOKEN_PREFIX = "mis_"
# A source pattern is a URI reference without spaces or commas in which "*"
# matches any run of characters; fnmatch's "?" and "[...]" are refused, so a
# pattern means what it reads.
_SOURCE_PATTERN_RE = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9*:/._~%@+=!$&'();#-]*$")


def hash_token(token):
    """Tokens are 256-bit random strings, so one SHA-256 round is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


class IntegrationClient(models.Model):
    """A partner system (MES, QMS, PLM...) allowed to call the inbound API."""

    _name = "integration.client"
    _description = "Integration Client"
    _inherit = ["mail.thread", "integration.signing.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technical User",
        required=True,
        ondelete="restrict",
        tracking=True,
        help="Events of this client are applied as this user, so its access "
        "rights limit what the client can do. Give it only what it needs.",
    )
    allowed_event_types = fields.Char(
        required=True,
        tracking=True,
        help="Comma-separated patterns of the event types this client may "
        "send, for example mfg.production.*, mfg.material.consumed.v1.",
    )
    allowed_sources = fields.Char(
        required=True,
        # Clients created before sources were bound, or by a script that does
        # not name them, keep accepting any source; the form asks for them.
        default="*",
        tracking=True,
        help="Comma-separated patterns of the CloudEvents sources this client "
        "may send, for example urn:mes:plant-lyon, urn:mes:plant-lyon:*. An "
        "event of any other source is refused (403). Give each client its own "
        "sources: events are identified and ordered per source.",
    )
    require_signature = fields.Boolean(
        default=True,
        tracking=True,
        help="Require Standard Webhooks signatures on POST requests. Turn off "
        "only for partners that cannot sign; their token alone then "
        "authenticates them.",
    )
    ip_allowlist = fields.Char(
        "IP Allow-list",
        tracking=True,
        help="Comma-separated IP addresses or CIDR networks the client may call "
        "from. Empty: any address.",
    )
    rate_limit_per_minute = fields.Integer(
        default=600,
        tracking=True,
        help="Maximum requests per minute; 0 means unlimited.",
    )
    token_hash = fields.Char(copy=False, groups="base.group_system", index=True)
    token_hint = fields.Char(
        copy=False,
        readonly=True,
        help="Last characters of the current token, to tell tokens apart.",
    )
    has_token = fields.Boolean(compute="_compute_has_token")
    credentials_issued_at = fields.Datetime(copy=False, readonly=True)
    event_count = fields.Integer(compute="_compute_counts")
    refusal_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("token_hash_uniq", "unique(token_hash)", "Client tokens must be unique."),
        (
            "rate_limit_positive",
            "CHECK(rate_limit_per_minute >= 0)",
            "The rate limit cannot be negative.",
        ),
    ]

    def init(self):
        # Fixed one-minute windows of request counts, updated from a short
        # separate transaction so concurrent requests do not queue on a lock.
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS integration_client_rate (
                client_id integer NOT NULL
                    REFERENCES integration_client(id) ON DELETE CASCADE,
                window_start timestamp NOT NULL,
                hits integer NOT NULL DEFAULT 0,
                PRIMARY KEY (client_id, window_start)
            )
            """
        )

    @api.depends("token_hash")
    def _compute_has_token(self):
        for client in self.sudo():
            client.has_token = bool(client.token_hash)

    def _compute_counts(self):
        counts = {}
        for model in ("integration.event", "integration.refusal"):
            groups = self.env[model]._read_group(
                [("client_id", "in", self.ids)], ["client_id"], ["__count"]
            )
            counts[model] = {client.id: count for client, count in groups}
        for client in self:
            client.event_count = counts["integration.event"].get(client.id, 0)
            client.refusal_count = counts["integration.refusal"].get(client.id, 0)

    @api.constrains("allowed_event_types")
    def _check_allowed_event_types(self):
        for client in self:
            self.env["integration.event.type"]._check_type_patterns(
                client.allowed_event_types, client.display_name
            )

    @api.constrains("allowed_sources")
    def _check_allowed_sources(self):
        for client in self:
            items = patterns.split_list(client.allowed_sources)
            bad = [item for item in items if not _SOURCE_PATTERN_RE.match(item)]
            if bad or not items:
                raise ValidationError(
                    self.env._(
                        "Allowed sources of client %(client)s: %(bad)s is not a "
                        "valid source pattern (a URI reference such as "
                        "urn:mes:plant-lyon, where '*' matches anything).",
                        client=client.display_name,
                        bad=", ".join(bad) or repr(client.allowed_sources or ""),
                    )
                )

    @api.constrains("ip_allowlist")
    def _check_ip_allowlist(self):
        for client in self:
            try:
                patterns.parse_networks(client.ip_allowlist)
            except ValueError as err:
                raise ValidationError(
                    self.env._(
                        "IP allow-list of client %(client)s: %(error)s.",
                        client=client.name,
                        error=str(err),
                    )
                ) from err

    @api.constrains("user_id")
    def _check_user_id(self):
        for client in self:
            if client.user_id._is_superuser() or client.user_id._is_admin():
                raise ValidationError(
                    self.env._(
                        "Client %(client)s: the technical user %(user)s is an "
                        "administrator. Use a dedicated user with only the rights "
                        "the partner needs.",
                        client=client.name,
                        user=client.user_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_issue_credentials(self):
        self.ensure_one()
        return self._secret_wizard_action(self.issue_credentials())

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "integration_log.integration_event_action"
        )
        action["domain"] = [("client_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_refusals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "integration_log.integration_refusal_action"
        )
        action["domain"] = [("client_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Credentials (public methods: callable over the external API)
    # ------------------------------------------------------------------
    def issue_credentials(self):
        """Give the client a new token and a new signing secret.

        The clear values are returned once and never stored: keep them. Any
        previous token and secrets stop working at once.

        :returns: ``{"token": ..., "signing_secret": ...}``
        """
        self.ensure_one()
        self._check_credential_rights()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        secret = signature.generate_secret()
        self._store_credentials(token, secret)
        self.message_post(body=self.env._("New token and signing secret issued."))
        return {"token": token, "signing_secret": secret}

    def set_credentials(self, token, signing_secret):
        """Set known credentials (demo data, migration from another system)."""
        self.ensure_one()
        self._check_credential_rights()
        signature.secret_key_bytes(signing_secret)
        self._store_credentials(token, signing_secret)
        return True

    def _store_credentials(self, token, secret):
        self._store_signing_secret(
            secret,
            token_hash=hash_token(token),
            token_hint="…" + token[-4:],
            credentials_issued_at=fields.Datetime.now(),
        )

    # ------------------------------------------------------------------
    # What the client may do (used by the inbound API)
    # ------------------------------------------------------------------
    def _source_allowed(self, source):
        """True when ``source`` matches one of the client's source patterns."""
        self.ensure_one()
        # The type pattern matcher: "*" wildcards, case-sensitive.
        return patterns.type_allowed(source, self.allowed_sources)

    def _check_permission(self, field_name):
        """Refuse (403 ``forbidden``) a route that needs the Boolean permission
        ``field_name`` of the client when it is off."""
        self.ensure_one()
        if not self[field_name]:
            raise ProblemError(
                "forbidden",
                f"Client {self.name!r} may not call this route: its permission "
                f"{self._fields[field_name].string!r} ({field_name}) is off.",
            )

    # ------------------------------------------------------------------
    # Authentication and rate limit (used by the inbound API)
    # ------------------------------------------------------------------
    @api.model
    def _find_by_token(self, token):
        if not token:
            return self.browse()
        # sudo: authentication happens before any user is known.
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("token_hash", "=", hash_token(token))], limit=1)
        )

    def _count_request(self):
        """Count one request in the current minute window.

        :returns: seconds until the window ends when the limit is exceeded,
            else 0.
        """
        self.ensure_one()
        if not self.rate_limit_per_minute:
            return 0
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    INSERT INTO integration_client_rate AS r
                        (client_id, window_start, hits)
                    VALUES (%s, date_trunc('minute', now() at time zone 'UTC'), 1)
                    ON CONFLICT (client_id, window_start)
                    DO UPDATE SET hits = r.hits + 1
                    RETURNING hits,
                        60 - extract(second from now() at time zone 'UTC')::int
                    """,
                    self.id,
                )
            )
            hits, remaining = cr.fetchone()
        if hits > self.rate_limit_per_minute:
            return max(int(remaining), 1)
        return 0

    @api.model
    def _gc_rate_windows(self):
        self.env.cr.execute(
            "DELETE FROM integration_client_rate "
            "WHERE window_start < now() at time zone 'UTC' - interval '1 hour'"
        )
