#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Takes the README's screenshots of a running demo with headless Chromium.

Run it against the demo that ``setup/demo.sh`` brought up, once its story has
played (two minutes): ``setup/screenshots.sh`` installs Playwright into the
suite's virtualenv and calls this script, which logs in as the demo's admin,
opens each screen the README shows, waits until Odoo has rendered it, and
writes one PNG per screen into ``static/description/screenshots/``.

Chromium comes from the system (Debian's package ``chromium``); Playwright
only drives it, so nothing is downloaded at run time.
"""

import argparse
import shutil
import sys
from pathlib import Path

from odoo_rpc import OdooRpc, OdooRpcError
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "static/description/screenshots"
# Options that keep Chromium off the network: this is a closed, local demo.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def last(odoo, model, domain):
    """The id of the newest record of ``model`` matching ``domain``, in a list."""
    return odoo.execute(model, "search", domain, order="id desc", limit=1)


def screens(odoo):
    """``(file name, what it shows, path or action[, what to click])`` of
    each screenshot, in README order."""
    shots = [
        (
            "cockpit",
            "Operations cockpit",
            "/odoo/action-mfg_integration_suite.mfg_cockpit_action",
        ),
        (
            "productions",
            "Manufacturing orders released to and completed by the MES",
            {
                "type": "ir.actions.act_window",
                "name": "Orders of the MES",
                "res_model": "mrp.production",
                "views": [[False, "list"]],
                "domain": [["mes_status", "!=", "not_released"]],
            },
        ),
        (
            "lots",
            "Lots by disposition",
            "/odoo/action-quality_release_gate.stock_lot_disposition_action",
        ),
    ]
    refused = last(
        odoo,
        "stock.picking",
        [("picking_type_code", "=", "outgoing"), ("message_ids.body", "ilike", "gate")],
    )
    if refused:
        shots.append(
            (
                "delivery_refused_then_shipped",
                "A delivery refused by the release gate, shipped after release",
                f"/odoo/action-stock.action_picking_tree_all/{refused[0]}",
            )
        )
    pending = last(odoo, "plm.bom.release", [("state", "=", "pending")])
    if pending:
        shots.append(
            (
                "bom_awaiting_approval",
                "A BOM revision awaiting approval, with its diff",
                f"/odoo/action-plm_bom_import.plm_bom_release_action/{pending[0]}",
            )
        )
    recalled = odoo.execute(
        "quality.lot.hold",
        "search_read",
        [("source", "=", "recall"), ("parent_id", "=", False)],
        ["lot_id"],
        order="id desc",
        limit=1,
    )
    if recalled:
        lot_id = recalled[0]["lot_id"][0]
        shots += [
            (
                "recall",
                "The recall of a supplier lot: what it reached, up to the customers",
                f"/odoo/action-stock.action_production_lot_form/{lot_id}",
                "button[name=action_open_recall]",
            ),
            (
                "recall_holds",
                "The holds the recall placed on every affected lot in stock",
                "/odoo/action-quality_release_gate.quality_lot_hold_action",
            ),
        ]
    shots += [
        (
            "events",
            "Every integration message in Odoo",
            "/odoo/action-integration_log.integration_event_action",
        ),
        (
            "deliveries",
            "Outbound deliveries per connector",
            "/odoo/action-integration_log.integration_connector_dashboard_action",
        ),
    ]
    return shots


def log_in(page, url, login, password):
    page.goto(f"{url}/web/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".o_web_client", timeout=60000)


def take(page, url, screen, target, click=None):
    """Open ``screen`` (a path, or an action the web client runs), then
    click ``click`` if given, and take the screenshot."""
    if isinstance(screen, str):
        page.goto(f"{url}{screen}")
    else:
        page.evaluate(
            "action => odoo.__WOWL_DEBUG__.root.env.services.action.doAction(action)",
            screen,
        )
    page.wait_for_selector(".o_action_manager .o_view_controller", timeout=60000)
    if click:
        page.wait_for_timeout(1500)
        if not page.is_visible(click):
            # Statistics buttons beyond the first few fold into "More".
            page.click(".o-form-buttonbox .o_button_more")
        page.click(click)
        page.wait_for_selector(".o_dialog .o_form_view", timeout=60000)
    # Lazy parts (charts, chatter, statistics buttons) render after the view;
    # the page never goes network-idle (the bus keeps a connection open).
    page.wait_for_timeout(3000)
    page.screenshot(path=str(target))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="mfg_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--chromium",
        default=shutil.which("chromium") or shutil.which("chromium-browser"),
        help="the Chromium to drive (default: chromium on PATH)",
    )
    args = parser.parse_args()
    if not args.chromium:
        sys.exit("error: no chromium on PATH: install Debian's package chromium.")
    try:
        odoo = OdooRpc(args.url, args.db, args.login, args.password, timeout=30)
    except OdooRpcError as err:
        sys.exit(f"error: {err}")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log_in(page, args.url, args.login, args.password)
        for name, what, screen, *click in screens(odoo):
            target = args.out / f"{name}.png"
            take(page, args.url, screen, target, *click)
            print(f"{target.relative_to(REPO)}: {what}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
