# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one inbound pipeline of protocol v1.

Every route that takes partner input is declared with :func:`integration_route`
and so passes, in order: token, client active, IP allow-list, rate limit,
signature (for every write method, by construction), content type and size,
the client's allowed event types. Any refusal, and any business error the
handler raises, is logged as a refusal and answered as an RFC 9457 problem::

    class PlmController(http.Controller):
        @integration_route(
            "/plm/bom", methods=["POST"], media_types={"application/xml": 5 << 20},
            event_types=["mfg.bom.released.v1"],
        )
        @openapi(summary="Release a BOM", ...)
        def post_bom(self, inbound, **params):
            ...  # inbound.client, inbound.body, inbound.env
"""

import functools
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg2

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from ..exceptions import IntegrationNotFoundError, IntegrationPointerError
from ..protocol import envelope
from ..protocol.api import API_BASE, WRITE_METHODS
from ..protocol.problem import PROBLEM_CONTENT_TYPE, ProblemError

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutePolicy:
    """What the pipeline checks for one route."""

    write: bool
    media_types: dict = field(default_factory=dict)  # media type -> max bytes
    event_types: tuple = ()

    @property
    def max_bytes(self):
        return max(self.media_types.values(), default=0)


@dataclass(frozen=True)
class InboundRequest:
    """A request that passed the pipeline, as its handler receives it."""

    client: Any  # integration.client
    service: Any  # integration.inbound, as superuser in the client's company
    env: Any  # the environment of the client's technical user
    body: bytes
    media_type: str | None
    headers: Any
    info: dict  # method, path, address, request id, body excerpt

    def json(self):
        """The body parsed as JSON (400 ``invalid_json`` otherwise, also for
        values the API cannot use: NaN, a NUL in a string...)."""
        return self.service._parse_json(self.body, strict=True)

    def data(self, event_type):
        """The JSON body, checked against the schema of ``event_type``."""
        return self.service._check_data(event_type, self.service._parse_json(self.body))


def integration_route(path, *, methods=("GET",), media_types=None, event_types=()):
    """Declare ``API_BASE + path`` as a route behind the inbound pipeline.

    :param methods: HTTP methods; a write method (POST, PUT, PATCH, DELETE)
        makes the pipeline read the body and verify its signature.
    :param media_types: ``{media type: max bytes}`` accepted (write routes).
    :param event_types: event types the route creates; the client must be
        allowed each of them.

    The handler is called as ``handler(self, inbound, **params)`` with an
    :class:`InboundRequest`.
    """
    methods = [method.upper() for method in methods]
    write = bool(WRITE_METHODS.intersection(methods))
    if write and not media_types:
        raise ValueError(f"{path}: a write route declares the media types it accepts")
    policy = RoutePolicy(write, dict(media_types or {}), tuple(event_types))

    def decorate(handler):
        def endpoint(self, *args, **params):
            # "inbound" is the handler's own argument, never a query parameter.
            params.pop("inbound", None)
            return serve(
                policy,
                lambda inbound: handler(self, inbound, *args, **params),
                params,
            )

        # Keeps the name, the docstring and the OpenAPI operation; Odoo then
        # passes every parameter to the endpoint's own (*args, **params).
        functools.update_wrapper(endpoint, handler)
        del endpoint.__wrapped__
        return http.route(
            API_BASE + path,
            methods=methods,
            type="http",
            auth="none",
            csrf=False,
            save_session=False,
            readonly=False,
        )(endpoint)

    return decorate


def serve(policy, handler, params=None):
    """Run the pipeline, then ``handler(inbound)``; render refusals.

    ``params`` are the route's path and query parameters, refused (400)
    when they hold text the database cannot take.
    """
    httprequest = request.httprequest
    # sudo: the service authenticates the caller; until the token is
    # verified there is no user to act as.
    service = request.env["integration.inbound"].sudo()
    address = service._client_address(httprequest)
    client, body = None, b""
    try:
        client = service._authenticate(
            httprequest.headers.get("Authorization"), address
        )
        request.update_env(user=client.user_id.id)
        service = request.env["integration.inbound"].sudo()
        client = client.with_env(service.env)
        service._check_rate_limit(client)
        media_type = None
        if policy.write:
            body, media_type = _read_signed_body(service, client, policy)
        service._check_types_allowed(client, policy.event_types)
        _check_parameters(params or {})
        inbound = InboundRequest(
            client=client,
            service=service,
            env=request.env,
            body=body,
            media_type=media_type,
            headers=httprequest.headers,
            info=service._request_info(httprequest, body, address),
        )
        return _with_business_errors(handler, inbound)
    except ProblemError as err:
        return _refuse(service, err, err.client or client, body, address)


def _check_parameters(params):
    """Refuse path and query parameters that are not storable text."""
    errors = []
    for name, value in params.items():
        texts = [text for text in (name, value) if isinstance(text, str)]
        problem = next(filter(None, map(envelope.text_problem, texts)), None)
        if problem:
            errors.append(
                {
                    "pointer": "",
                    "parameter": name,
                    "message": f"parameter {envelope.quote(name, 60)} {problem}",
                }
            )
    if errors:
        raise ProblemError(
            "invalid_request",
            "The request parameters hold text the API cannot use: "
            + "; ".join(error["message"] for error in errors[:5]),
            errors=errors[: envelope.MAX_ERRORS],
        )


def _read_signed_body(service, client, policy):
    httprequest = request.httprequest
    # The declared length is checked before reading, so an oversized body is
    # refused without being read.
    service._check_body_size(policy.max_bytes, httprequest.content_length or 0)
    body = httprequest.get_data()
    service._verify_signature(client, httprequest.headers, body)
    media_type = service._check_content_type(
        httprequest.headers.get("Content-Type"), list(policy.media_types)
    )
    service._check_body_size(policy.media_types[media_type], len(body), media_type)
    return body, media_type


def _with_business_errors(handler, inbound):
    """Business errors of a handler as problems, chosen by their type; the
    handler's writes are undone with them, so nothing is half-written."""
    try:
        with inbound.env.cr.savepoint():
            return handler(inbound)
    except IntegrationNotFoundError as err:
        raise ProblemError(
            "not_found", err.args[0], errors=[err.to_problem_error()]
        ) from err
    except IntegrationPointerError as err:
        raise ProblemError(
            "invalid_request", err.args[0], errors=[err.to_problem_error()]
        ) from err
    except (AccessError, MissingError) as err:
        reason = "forbidden" if isinstance(err, AccessError) else "not_found"
        raise ProblemError(reason, err.args[0]) from err
    except UserError as err:
        raise ProblemError("invalid_request", err.args[0]) from err
    except psycopg2.DataError as err:
        # A value of the request the database refuses (out of range, not
        # valid text...): the partner's input, not a server failure. The
        # savepoint above has undone the handler's writes.
        _logger.warning("Request refused by the database: %s", err)
        raise ProblemError(
            "invalid_request",
            "A value of the request is out of the range the server accepts: "
            + envelope.bounded(str(err).splitlines()[0] if str(err) else "", 200),
        ) from err


def _refuse(service, err, client, body, address=None):
    service._log_refusals(
        client,
        [(err, err.event)],
        service._request_info(request.httprequest, body, address),
    )
    headers = [("Content-Type", PROBLEM_CONTENT_TYPE), *err.headers.items()]
    problem = err.to_dict(instance=request.httprequest.path)
    if problem.get("errors"):
        problem["errors"] = [
            envelope.bounded_error(error) if isinstance(error, dict) else error
            for error in problem["errors"][: envelope.MAX_ERRORS]
        ]
    # ASCII JSON: a NUL or a lone surrogate of the input is escaped.
    return request.make_response(
        json.dumps(problem, default=str), headers=headers, status=err.status
    )
