# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..protocol import delivery, patterns
from .integration_allowed_host import RESTRICT_PARAM
from .integration_event_processing import RETRY_SCHEDULE
from .integration_keys import CHAIN_OPTION, ENCRYPTION_OPTION
from .integration_refusal import DEFAULT_RETENTION_DAYS

REFUSAL_RETENTION_PARAM = "integration_log.refusal_retention_days"

# Settings read by a parser of the protocol, which names what is wrong.
PARSED_FIELDS = {
    "integration_event_retry_schedule": delivery.parse_retry_schedule,
    "integration_trusted_proxies": patterns.parse_networks,
}
RETENTION_FIELDS = (
    "integration_payload_retention_days",
    "integration_refusal_retention_days",
    "integration_log_retention_days",
)


class ResConfigSettings(models.TransientModel):
    """The Integration section of Settings: what an administrator sets once."""

    _inherit = "res.config.settings"

    integration_encryption_key_configured = fields.Boolean(
        compute="_compute_integration_keys",
        help="Whether the server configuration sets integration_log_encryption_key.",
    )
    integration_chain_key_configured = fields.Boolean(
        compute="_compute_integration_keys",
        help="Whether the server configuration sets integration_log_chain_key.",
    )
    integration_trusted_proxies = fields.Char(
        "Trusted Proxies",
        config_parameter="integration_log.trusted_proxies",
        help="Addresses or CIDR networks of the reverse proxies in front of Odoo, "
        "comma-separated; the client address is read from X-Forwarded-For "
        "through them only.",
    )
    integration_restrict_outbound_hosts = fields.Boolean(
        "Restrict Outbound Hosts",
        help="Connectors send only to the allowed hosts; loopback, private and "
        "link-local addresses only through an entry naming the IP address or "
        "CIDR range. Off by default only on servers started with --dev.",
    )
    integration_payload_retention_days = fields.Integer(
        "Payload Retention (days)",
        config_parameter="integration_log.payload_retention_days",
        help="Event payloads, response excerpts and refused bodies older than "
        "this are removed; hashes and metadata stay. 0 keeps them forever.",
    )
    # Not a plain config_parameter field: 0 (keep forever) must be stored,
    # since an unset parameter means the default period.
    integration_refusal_retention_days = fields.Integer(
        "Refusal Retention (days)",
        help="Refusals older than this are deleted. 0 keeps them forever.",
    )
    integration_log_retention_days = fields.Integer(
        "Log Entry Retention (days)",
        config_parameter="integration_log.log_retention_days",
        help="Integration log entries older than this are deleted up to a "
        "checkpoint that keeps the chain verifiable. 0 keeps them forever.",
    )
    integration_event_retry_schedule = fields.Char(
        "Inbound Retry Schedule",
        config_parameter="integration_log.event_retry_schedule",
        default=RETRY_SCHEDULE,
        help="Seconds between attempts to process an inbound event after a "
        "transient failure, comma-separated; then the event is dead.",
    )

    @api.depends_context("uid")
    def _compute_integration_keys(self):
        Keys = self.env["integration.keys"]
        for settings in self:
            settings.integration_encryption_key_configured = Keys._key_configured(
                ENCRYPTION_OPTION
            )
            settings.integration_chain_key_configured = Keys._key_configured(
                CHAIN_OPTION
            )

    @api.constrains(*PARSED_FIELDS)
    def _check_integration_parsed_values(self):
        for settings in self:
            for name, parse in PARSED_FIELDS.items():
                if not settings[name]:
                    continue  # the default
                try:
                    parse(settings[name])
                except ValueError as err:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s: %(value)r: %(error)s.",
                            setting=self._fields[name].string,
                            value=settings[name],
                            error=err,
                        )
                    ) from err

    @api.constrains(*RETENTION_FIELDS)
    def _check_integration_retention(self):
        for settings in self:
            for name in RETENTION_FIELDS:
                if settings[name] < 0:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s: %(value)s days is negative; use 0 to "
                            "keep everything.",
                            setting=self._fields[name].string,
                            value=settings[name],
                        )
                    )

    @api.model
    def get_values(self):
        res = super().get_values()
        res["integration_restrict_outbound_hosts"] = self.env[
            "integration.allowed.host"
        ]._restriction_enabled()
        value = (
            self.env["ir.config_parameter"].sudo().get_param(REFUSAL_RETENTION_PARAM)
        )
        try:
            res["integration_refusal_retention_days"] = (
                DEFAULT_RETENTION_DAYS if value in (None, False, "") else int(value)
            )
        except ValueError:
            res["integration_refusal_retention_days"] = DEFAULT_RETENTION_DAYS
        return res

    def set_values(self):
        result = super().set_values()
        params = self.env["ir.config_parameter"].sudo()
        Hosts = self.env["integration.allowed.host"]
        if self.integration_restrict_outbound_hosts != Hosts._restriction_enabled():
            params.set_param(
                RESTRICT_PARAM, "1" if self.integration_restrict_outbound_hosts else "0"
            )
        days = self.integration_refusal_retention_days
        current = params.get_param(REFUSAL_RETENTION_PARAM) or None
        if current != str(days) and not (
            current is None and days == DEFAULT_RETENTION_DAYS
        ):
            params.set_param(REFUSAL_RETENTION_PARAM, str(days))
        return result

    def action_integration_reencrypt_secrets(self):
        """Encrypt the stored signing secrets again with the current key."""
        self.ensure_one()
        self.check_access("write")
        self.env["integration.client"]._check_integration_manager(
            self.env._("Only Integration Managers can re-encrypt signing secrets.")
        )
        count = sum(
            self.env[name]._reencrypt_signing_secrets()
            for name in self.env.registry.descendants(
                ["integration.signing.mixin"], "_inherit"
            )
            if not self.env[name]._abstract
        )
        notification = {
            "type": "success",
            "title": self.env._("Signing secrets re-encrypted"),
            "message": self.env._(
                "%(count)s client(s) and connector(s) now use the current "
                "encryption key.",
                count=count,
            ),
        }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": notification,
        }
