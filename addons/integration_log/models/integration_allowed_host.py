# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..protocol import delivery, http_send

RESTRICT_PARAM = "integration_log.restrict_outbound_hosts"


class IntegrationAllowedHost(models.Model):
    """A host that outbound connectors may send to.

    When the restriction is on, a connector whose URL names any other host
    is refused, so a tampered connector cannot make Odoo send requests to
    internal services (request forgery).
    """

    _name = "integration.allowed.host"
    _description = "Integration Allowed Outbound Host"
    _inherit = ["integration.cache.mixin"]
    _order = "name"

    name = fields.Char(
        "Host",
        required=True,
        help="A host name (mes.plant.example.com), an IP address, a CIDR range "
        "(10.1.0.0/16), or *.domain to allow every sub-domain. Loopback, private "
        "and link-local addresses are reached only through an IP address or CIDR "
        "range entry, whatever the host name resolves to.",
    )
    note = fields.Char()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This host is already in the list."),
    ]

    @api.constrains("name")
    def _check_name(self):
        for host in self:
            if not delivery.valid_host_pattern(host.name):
                raise ValidationError(
                    self.env._(
                        "Host: %(host)r is not a host name, an IP address, a CIDR "
                        "range or *.domain.",
                        host=host.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name"):
                vals["name"] = vals["name"].strip().lower()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("name"):
            vals["name"] = vals["name"].strip().lower()
        return super().write(vals)

    @api.model
    @tools.ormcache()
    def _allowed_patterns(self):
        # sudo: any user whose change emits an event checks connector URLs.
        return tuple(self.sudo().search([]).mapped("name"))

    @api.model
    def _restriction_enabled(self):
        """On unless an administrator turned it off; off by default only on
        servers started in developer mode (``--dev``)."""
        value = self.env["ir.config_parameter"].sudo().get_param(RESTRICT_PARAM)
        if value in (None, False, ""):
            return not tools.config.get("dev_mode")
        return value.strip().lower() not in ("0", "false", "no", "off")

    @api.model
    def _check_url(self, url):
        """Raise ValidationError when ``url`` may not be sent to."""
        try:
            host = delivery.check_url(url)
        except ValueError as err:
            raise ValidationError(self.env._("URL: %(error)s.", error=err)) from err
        if self._restriction_enabled() and not delivery.host_allowed(
            host, self._allowed_patterns()
        ):
            raise ValidationError(
                self.env._(
                    "URL: the host %(host)r is not in the list of allowed outbound "
                    "hosts (Integration > Configuration > Allowed Hosts).",
                    host=host,
                )
            )
        return host

    @api.model
    def _address_policy(self, host):
        """The check of the addresses ``host`` resolves to, at send time;
        None when the restriction is off."""
        if not self._restriction_enabled():
            return None
        patterns = self._allowed_patterns()
        return delivery.AddressPolicy(patterns, delivery.host_allowed(host, patterns))

    @api.model
    def _check_send_target(self, url):
        """:meth:`_check_url`, then the addresses the host resolves to now.

        :returns: the :class:`~..protocol.delivery.AddressPolicy` that the
            connections check again when they open, or None.
        """
        host = self._check_url(url)
        policy = self._address_policy(host)
        if policy is None:
            return None
        try:
            addresses = http_send.resolve(host)
        except OSError as err:
            raise ValidationError(
                self.env._(
                    "URL: the host %(host)r does not resolve: %(error)s.",
                    host=host,
                    error=err,
                )
            ) from err
        refusals = [policy.refusal(address) for address in addresses]
        if all(refusals):
            raise ValidationError(
                self.env._(
                    "URL: the host %(host)r may not be sent to: %(refusals)s.",
                    host=host,
                    refusals="; ".join(refusals),
                )
            )
        return policy
