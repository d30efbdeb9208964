# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""503 instead of 404 for the API while its database is unreachable.

When Odoo cannot open the database of a request (PostgreSQL restarting, a
failover, connections cut), it serves the request without a database, where
the API's routes do not exist: a partner would get 404 Not Found and, as the
protocol says of any 4xx, give up. With this module loaded server-wide
(``--load=base,web,integration_log``, see README.rst "Deployment"), such
requests get a 503 problem with ``Retry-After``, which partners retry.
"""

import json
import logging

from werkzeug.wrappers import Response

from odoo import http

from .protocol.api import API_BASE
from .protocol.problem import PROBLEM_CONTENT_TYPE, problem_dict

_logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def unavailable_response():
    body = problem_dict(
        "unavailable",
        "The integration API cannot reach its database right now; nothing was "
        f"stored. Send the same request again in {RETRY_AFTER_SECONDS} s.",
    )
    return Response(
        json.dumps(body),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        content_type=PROBLEM_CONTENT_TYPE,
    )


def install():
    """Wrap Odoo's database-free dispatch (once)."""
    serve_nodb = http.Request._serve_nodb
    if getattr(serve_nodb, "integration_unavailable", False):
        return

    def _serve_nodb(self):
        if self.httprequest.path.startswith(API_BASE + "/"):
            return unavailable_response()
        return serve_nodb(self)

    _serve_nodb.integration_unavailable = True
    http.Request._serve_nodb = _serve_nodb
    _logger.info("Integration API answers 503 while its database is unreachable")
