# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sending one outbound message over HTTP (protocol v1, section 3).

Runs in the connector's sending threads: nothing here touches Odoo.
"""

import functools
import socket
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import NewConnectionError
from urllib3.poolmanager import PoolManager

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


# ----------------------------------------------------------------------
# Checking the address actually connected to
# ----------------------------------------------------------------------
def resolve(host):
    """The addresses ``host`` resolves to now, in the resolver's order.

    Raises OSError when it does not resolve.
    """
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def use_address_policy(session, policy):
    """Make ``session`` connect only to addresses ``policy`` (a
    :class:`~.delivery.AddressPolicy`, or None for no check) accepts.

    The check runs when each connection is opened, on the addresses the
    host resolves to then: a DNS answer that changed after the URL was
    checked cannot lead to another address. Redirects are never followed
    (:func:`post`), so no other host is reached either.
    """
    current = session.adapters.get("https://")
    if getattr(current, "address_policy", None) == policy:
        return
    for prefix in ("https://", "http://"):
        old = session.adapters.get(prefix)
        session.mount(prefix, CheckedAdapter(policy) if policy else HTTPAdapter())
        if old is not None:
            old.close()


class CheckedAdapter(HTTPAdapter):
    """requests' adapter whose connections check their address."""

    def __init__(self, address_policy, **kwargs):
        self.address_policy = address_policy
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        result = super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager = _CheckedPoolManager(
            self.address_policy,
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            **pool_kwargs,
        )
        return result


class _CheckedPoolManager(PoolManager):
    def __init__(self, address_policy, **kwargs):
        super().__init__(**kwargs)
        self.address_policy = address_policy

    def _new_pool(self, scheme, host, port, request_context=None):
        pool = super()._new_pool(scheme, host, port, request_context)
        connection = (
            _CheckedHTTPSConnection if scheme == "https" else _CheckedHTTPConnection
        )
        pool.ConnectionCls = functools.partial(
            connection, address_policy=self.address_policy
        )
        return pool


class _CheckedConnectionMixin:
    """Connects to the first resolved address the policy accepts; the host
    name stays the one of the URL for the Host header, SNI and the
    certificate check."""

    def __init__(self, *args, address_policy, **kwargs):
        self._address_policy = address_policy
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        name = self._dns_host
        try:
            addresses = resolve(name)
        except OSError as err:
            raise NewConnectionError(self, f"{name} does not resolve: {err}") from err
        refusals, error = [], None
        for address in addresses:
            refusal = self._address_policy.refusal(address)
            if refusal:
                refusals.append(refusal)
                continue
            self._dns_host = address
            try:
                return super()._new_conn()
            except NewConnectionError as err:
                error = err
            finally:
                self._dns_host = name
        if error is not None:
            raise error
        raise NewConnectionError(self, f"{name} refused: {'; '.join(refusals)}")


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass
