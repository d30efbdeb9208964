# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reference client of the inbound API (``/integration/v1``).

Every POST is signed (Standard Webhooks, a fresh ``webhook-id`` per
request) and carries the client's bearer token. Connection errors,
timeouts, 5xx and 429 are retried with backoff (:mod:`.retry`); other 4xx
raise :class:`~.errors.ProblemError` at once. Resending an event is safe:
Odoo deduplicates on (source, id) and answers ``duplicate``.
"""

import dataclasses
import random
import threading
import time
from urllib.parse import quote

import requests

from . import __version__, batching, events, signing
from .errors import ProblemError, TransportError
from .retry import RetryPolicy, is_retryable, parse_retry_after

API_PATH = "/integration/v1"
DELIVERED = ("accepted", "duplicate")


@dataclasses.dataclass
class EventResult:
    """What Odoo said about one event: ``accepted``, ``duplicate`` (already
    accepted earlier: delivered too) or ``rejected`` with the problem."""

    id: str
    status: str
    error: dict | None = None
    body: dict | None = None

    @property
    def delivered(self):
        return self.status in DELIVERED


@dataclasses.dataclass
class BatchResult:
    """The results of a batch, one per event in request order."""

    results: list

    @property
    def delivered(self):
        return [r for r in self.results if r.delivered]

    @property
    def rejected(self):
        return [r for r in self.results if r.status == "rejected"]

    def count(self, status):
        return sum(1 for r in self.results if r.status == status)


@dataclasses.dataclass
class HealthResult:
    ok: bool
    status: int
    body: dict


class IntegrationClient:
    """A partner system's connection to the suite.

    :param base_url: Odoo's URL (``http://host:8069``) or the API's.
    :param token: the integration client's bearer token.
    :param secret: its signing secret (``whsec_...``), or a list of two
        during a rotation; None for read-only use (GET).
    :param source: the CloudEvents ``source`` of :meth:`event`.
    :param retry: a :class:`~.retry.RetryPolicy`.
    :param sleep, rng, clock: injectable for tests.
    """

    def __init__(
        self,
        base_url,
        token,
        secret=None,
        source=None,
        timeout=10,
        retry=None,
        *,
        session=None,
        sleep=time.sleep,
        rng=None,
        clock=time.time,
    ):
        base_url = base_url.rstrip("/")
        if not base_url.endswith(API_PATH):
            base_url += API_PATH
        self.api_url = base_url
        self.token = token
        self.secret = secret
        self.source = source
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._session = session
        self._local = threading.local()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    def event(self, event_type, subject, data, **attributes):
        """A new event of this client's ``source`` (see :func:`.events.make_event`)."""
        return events.make_event(event_type, subject, data, self.source, **attributes)

    def send(self, event):
        """POST one event; returns its :class:`EventResult` (202 accepted or
        200 duplicate) or raises ProblemError / TransportError."""
        response = self._request(
            "POST",
            "/events",
            body=batching.encode(event),
            content_type=batching.CONTENT_TYPE_SINGLE,
        )
        body = _json(response)
        return EventResult(
            body.get("id", event.get("id")), body.get("status", "accepted"), body=body
        )

    def send_batch(self, event_list):
        """POST ``event_list`` as batches of at most 500 events and 5 MiB, in
        order; returns a :class:`BatchResult` with one result per event.

        An exception raised by a later batch carries the results of the
        batches already answered in its ``results``.
        """
        results = []
        for chunk, body in batching.split(event_list):
            try:
                response = self._request(
                    "POST",
                    "/events",
                    body=body,
                    content_type=batching.CONTENT_TYPE_BATCH,
                )
            except (ProblemError, TransportError) as err:
                err.results = results
                raise
            results.extend(_batch_results(chunk, _json(response)))
        return BatchResult(results)

    def event_status(self, event_id, source=None):
        """GET /events/{id}: the processing state of an event sent earlier."""
        path = "/events/" + quote(event_id, safe="")
        return _json(
            self._request("GET", path, params={"source": source or self.source})
        )

    # ------------------------------------------------------------------
    # Lots and PLM
    # ------------------------------------------------------------------
    def trace(self, product, lot, direction="both"):
        """GET /lots/trace (JSON): the genealogy of a lot."""
        params = {"product": product, "lot": lot, "direction": direction}
        return _json(self._request("GET", "/lots/trace", params=params))

    def recall(self, product, lot):
        """GET /lots/recall (JSON): what a recall of the lot must reach."""
        params = {"product": product, "lot": lot}
        return _json(self._request("GET", "/lots/recall", params=params))

    def post_bom_xml(self, xml_bytes):
        """POST /plm/bom: a BomRelease XML document, stored as an event."""
        response = self._request(
            "POST", "/plm/bom", body=xml_bytes, content_type="application/xml"
        )
        body = _json(response)
        return EventResult(body.get("id"), body.get("status", "accepted"), body=body)

    def health(self):
        """GET /health (no token): ok, or the failing check. Never retried."""
        try:
            response = self._http().get(self.api_url + "/health", timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as err:
            raise TransportError(f"GET /health: {err.__class__.__name__}") from err
        status = response.status_code
        return HealthResult(status == 200, status, _json(response))

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------
    def _request(self, method, path, *, body=None, content_type=None, params=None):
        """One API call with retries; returns the 2xx response."""
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, path, body, content_type, params)
            if not isinstance(outcome, TransportError):
                return outcome
            delay = self.retry.delay(attempt, outcome.retry_after, self._rng)
            if delay is None:
                raise outcome
            self._sleep(delay)

    def _attempt(self, method, path, body, content_type, params):
        """The response of one attempt, or the TransportError to retry."""
        headers = self._headers(body, content_type)
        try:
            response = self._http().request(
                method,
                self.api_url + path,
                data=body,
                params=params,
                headers=headers,
                timeout=self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as err:
            # requests' own message is a paragraph; the class says enough.
            return TransportError(
                f"{method} {self.api_url}{path}: {err.__class__.__name__}"
            )
        if response.status_code < 400:
            return response
        if is_retryable(response.status_code):
            return TransportError(
                f"{method} {path}: HTTP {response.status_code}",
                status=response.status_code,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        raise ProblemError.from_response(response)

    def _headers(self, body, content_type):
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "User-Agent": f"partner-kit/{__version__}",
        }
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None:
            if not self.secret:
                raise ValueError("a signing secret is needed to POST")
            headers.update(
                signing.sign_headers(self.secret, body, timestamp=self._clock())
            )
        return headers

    def _http(self):
        """A requests session per thread (sessions are not thread-safe)."""
        if self._session is not None:
            return self._session
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"value": body}


def _batch_results(chunk, body):
    """One EventResult per event of ``chunk``, from Odoo's ``results``."""
    answers = body.get("results") or []
    results = []
    for index, event in enumerate(chunk):
        answer = answers[index] if index < len(answers) else {}
        results.append(
            EventResult(
                answer.get("id") or event.get("id"),
                answer.get("status", "rejected"),
                error=answer.get("error")
                or (None if answer else {"detail": "no result for this event"}),
                body=answer,
            )
        )
    return results
