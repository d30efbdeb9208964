# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading the integration's numeric system parameters."""


def positive_int_param(env, key, default):
    """System parameter ``key`` as a positive integer; ``default`` when it is
    unset, not a number or zero (a typo must not stop the engine)."""
    # sudo: system parameters are readable by the system only; these are
    # settings of the engine, not data of the caller.
    value = (env["ir.config_parameter"].sudo().get_param(key) or "").strip()
    return (
        int(value) if value.isdigit() and value.isascii() and int(value) else (default)
    )
