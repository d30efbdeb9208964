# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import requests

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from ..protocol import delivery as policy
from ..protocol import http_send, times

_logger = logging.getLogger(__name__)

TEST_EVENT_TYPE = "mfg.connector.test.v1"


class IntegrationConnector(models.Model):
    """Transport: signed HTTP requests to the partner, sent a few at a time
    from threads, their outcomes, and the connection test."""

    # Split by concern on purpose: the record lives in integration_connector.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.connector"

    def _prepare_sending(self):
        """Check the URL and the addresses its host resolves to, and decrypt
        the secrets, once per round.

        :returns: ``(secrets, error, addresses)``; ``error`` says why nothing
            can be sent (host no longer allowed, no secret); ``addresses`` is
            the address policy the connections check.
        """
        self.ensure_one()
        try:
            addresses = self.env["integration.allowed.host"]._check_send_target(
                self.url
            )
            secrets_ = self._signing_secrets()
            if not secrets_:
                raise UserError(
                    self.env._(
                        "Connector %(name)s has no signing secret: issue one.",
                        name=self.name,
                    )
                )
        except (UserError, ValidationError) as err:
            return [], err.args[0], None
        return secrets_, None, addresses

    def _post_all(self, session, messages):
        """POST signed messages, ``parallel_requests`` at a time.

        Never raises: whatever goes wrong with a request, in its thread or
        while reading what it saw, is that request's outcome (a retry).

        :param messages: list of ``(message_id, body bytes, is_batch)``.
        :returns: one outcome dict per message, in order; stops early (the
            rest get ``None``) when the partner answers 410 Gone.
        """
        self.ensure_one()
        secrets_, error, addresses = self._prepare_sending()
        if error:
            return [self._outcome_of(None, error=error) for _m in messages]
        http_send.use_address_policy(session, addresses)
        requests_ = [
            (body, http_send.message_headers(secrets_, message_id, body, is_batch))
            for message_id, body, is_batch in messages
        ]
        url, timeout = self.url, self.timeout
        width = max(1, self.parallel_requests)
        outcomes = [None] * len(requests_)
        with ThreadPoolExecutor(max_workers=width) as pool:
            for start in range(0, len(requests_), width):
                futures = [
                    pool.submit(http_send.post, session, url, timeout, *item)
                    for item in requests_[start : start + width]
                ]
                for offset, future in enumerate(futures):
                    outcomes[start + offset] = self._settled_outcome(future)
                if any(
                    o["result"] == policy.GONE for o in outcomes[start : start + width]
                ):
                    break
        return outcomes

    def _settled_outcome(self, future):
        """The outcome of one sending thread, whatever happened in it."""
        try:
            return self._outcome_of(future.result())
        except psycopg2.Error:
            raise  # the transaction is lost: the job is retried as a whole
        except Exception as err:
            # Raising here would roll the whole round back and leave every
            # delivery of it 'sending', to be sent again: one request's
            # failure is that request's outcome.
            _logger.exception("Sending to connector %s failed", self.name)
            return self._outcome_of(
                None,
                error=self.env._(
                    "Sending failed (%(error_type)s): %(error)s",
                    error_type=type(err).__name__,
                    error=policy.excerpt(str(err)),
                ),
            )

    def _outcome_of(self, raw, error=None):
        """Turn what a sending thread saw into a delivery outcome (here, in
        the job's thread, where translations and the ORM are safe)."""
        outcome = {
            "http_status": 0,
            "latency_ms": 0,
            "excerpt": "",
            "error": error or "",
            "retry_after": None,
            "result": policy.RETRY,
        }
        if raw is None:
            return outcome
        outcome["latency_ms"] = raw["latency_ms"]
        if raw["timeout"]:
            outcome["error"] = self.env._(
                "No answer within %(timeout)s s.", timeout=self.timeout
            )
        elif raw["failure"]:
            outcome["error"] = self.env._(
                "Connection failed: %(error)s",
                error=policy.excerpt(raw["failure"]),
            )
        else:
            status = raw["status"]
            outcome.update(
                http_status=status,
                excerpt=policy.excerpt(raw["text"]),
                retry_after=policy.parse_retry_after(raw["retry_after"]),
                result=policy.classify_status(status),
            )
            if outcome["result"] != policy.DELIVERED:
                outcome["error"] = self.env._(
                    "The partner answered HTTP %(status)s.", status=status
                )
        return outcome

    def _send_test_event(self):
        # The answer is shown to the user: only managers may probe a URL.
        self._check_integration_manager(
            self.env._("Only Integration Managers can test a connection.")
        )
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": self.env["integration.event"]._outbound_source(),
            "type": TEST_EVENT_TYPE,
            "time": times.iso_utc(fields.Datetime.now()),
            "subject": self.name,
            "datacontenttype": "application/json",
            "data": {
                "connector": self.name,
                "message": "Connection test from Odoo; no action is expected.",
            },
        }
        with requests.Session() as session:
            outcome = self._post_all(
                session, [(event["id"], json.dumps(event).encode(), False)]
            )[0]
        Entry = self.env["integration.log.entry"]
        Entry._append(
            [
                Entry._vals_for(
                    self,
                    "connector",
                    state="test " + outcome["result"],
                    http_status=outcome["http_status"] or None,
                    latency_ms=outcome["latency_ms"],
                    detail=outcome["error"] or outcome["excerpt"],
                )
            ]
        )
        return outcome
