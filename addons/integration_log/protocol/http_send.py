# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sending one outbound message over HTTP (protocol v1, section 3).

Runs in the connector's sending threads: nothing here touches Odoo.
"""

import time

import requests

from . import delivery, signature

USER_AGENT = "Odoo-Mfg-Integration/1.0"
SINGLE_CONTENT_TYPE = "application/cloudevents+json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"


def message_headers(secrets, message_id, body, is_batch):
    """Headers of a signed message: content type, user agent, signature."""
    return {
        "Content-Type": BATCH_CONTENT_TYPE if is_batch else SINGLE_CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        **signature.sign_headers(secrets, message_id, body),
    }


def post(session, url, timeout, body, headers):
    """One POST, never following redirects.

    :returns: what was seen, for the caller to judge: a dict with
        ``timeout`` (bool), ``failure`` (the connection error or None),
        ``status``, ``text`` (the beginning of the body), ``retry_after``
        (the raw header) and ``latency_ms``.
    """
    started = time.monotonic()
    raw = {"timeout": False, "failure": None, "status": 0, "text": ""}
    raw["retry_after"] = None
    try:
        response = session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.Timeout:
        raw["timeout"] = True
    except requests.RequestException as err:
        raw["failure"] = str(err)
    else:
        raw["status"] = response.status_code
        raw["retry_after"] = response.headers.get("Retry-After")
        # Decode only the excerpt, and never let requests guess a charset.
        raw["text"] = response.content[: delivery.EXCERPT_CHARS * 4].decode(
            response.encoding or "utf-8", "replace"
        )
    raw["latency_ms"] = round((time.monotonic() - started) * 1000)
    return raw
