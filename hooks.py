# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def uninstall_hook(env):
    """Give integration_log its Overview menu back: the cockpit took it over."""
    menu = env.ref(
        "integration_log.integration_overview_menu", raise_if_not_found=False
    )
    action = env.ref(
        "integration_log.integration_event_overview_action", raise_if_not_found=False
    )
    if menu and action:
        menu.write(
            {
                "name": "Overview",
                "action": f"{action._name},{action.id}",
                "sequence": 10,
            }
        )
