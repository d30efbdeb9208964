# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sending one outbound message over HTTP (protocol v1, section 3).

Runs in the connector's sending threads: nothing here touches Odoo.
"""

import contextlib
import functools
import heapq
import itertools
import os
import socket
import threading
import time

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import NewConnectionError
from urllib3.poolmanager import PoolManager

from . import delivery, signature

USER_AGENT = "Odoo-Mfg-Integration/1.0"
SINGLE_CONTENT_TYPE = "application/cloudevents+json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
# The most of an answer ever read: the excerpt shown in the delivery log.
EXCERPT_BYTES = 4096
_TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
# A body that breaks off only ends the excerpt: the status has been read.
_BODY_ERRORS = (urllib3.exceptions.HTTPError, OSError, ValueError)


def message_headers(secrets, message_id, body, is_batch):
    """Headers of a signed message: content type, user agent, signature."""
    return {
        "Content-Type": BATCH_CONTENT_TYPE if is_batch else SINGLE_CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        **signature.sign_headers(secrets, message_id, body),
    }


def post(session, url, timeout, body, headers):
    """One POST, never following redirects, never raising.

    ``timeout`` bounds the whole request (connecting, sending, the answer's
    headers and the part of its body that is read), not each read: a
    partner that trickles bytes is cut off at the deadline. At most
    :data:`EXCERPT_BYTES` of the answer are read.

    :returns: what was seen, for the caller to judge: a dict with
        ``timeout`` (bool), ``failure`` (what went wrong, or None),
        ``status``, ``text`` (the beginning of the body), ``retry_after``
        (the raw header) and ``latency_ms``.
    """
    started = time.monotonic()
    raw = {"timeout": False, "failure": None, "status": 0, "text": ""}
    raw["retry_after"] = None
    deadline = _Deadline(timeout)
    try:
        with deadline:
            _exchange(session, url, timeout, body, headers, raw, deadline)
    except _TIMEOUTS:
        raw["timeout"] = True
    except requests.RequestException as err:
        raw["failure"] = delivery.excerpt(str(err))
    except Exception as err:
        # Whatever goes wrong with one request is that request's outcome:
        # it must never escape from the sending thread.
        raw["failure"] = delivery.excerpt(f"{type(err).__name__}: {err}")
    if deadline.expired:
        raw.update(timeout=True, failure=None)
    raw["latency_ms"] = round((time.monotonic() - started) * 1000)
    return raw


def _exchange(session, url, timeout, body, headers, raw, deadline):
    if not isinstance(session.get_adapter(url), CheckedAdapter):
        # Only its connections tell the deadline which socket to shut.
        use_address_policy(session, None)
    response = session.post(
        url,
        data=body,
        headers=headers,
        timeout=timeout,
        allow_redirects=False,
        stream=True,
    )
    try:
        raw["status"] = response.status_code
        raw["retry_after"] = response.headers.get("Retry-After")
        data = read_excerpt(response.raw)
        # Never decode with a charset requests guesses from the body.
        raw["text"] = delivery.decode_excerpt(data, response.encoding)
    finally:
        # A body read to its end has already given its keep-alive connection
        # back to the pool (the next request to use it takes it over from
        # this deadline); any other connection is closed here.
        deadline.finish()
        response.close()


def read_excerpt(raw_response, limit=EXCERPT_BYTES):
    """At most ``limit`` bytes of a streamed answer (urllib3 response),
    content-decoded; the rest is never read."""
    chunks, size = [], 0
    while size < limit:
        try:
            chunk = raw_response.read(limit - size, decode_content=True)
        except _TIMEOUTS:
            raise
        except _BODY_ERRORS:
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:limit]


# ----------------------------------------------------------------------
# The total deadline of a request
# ----------------------------------------------------------------------
_current = threading.local()


class _Deadline:
    """Shuts down the sockets of one request when its time is up.

    A socket timeout bounds each read, so a byte every half second keeps a
    request open for ever; shutting the socket down from another thread
    ends any read or write blocked on it at once. The request's connections
    make themselves known (:func:`_watch`) from the thread sending it.
    """

    def __init__(self, seconds):
        self.expired = False
        self.finished = False
        self._seconds = seconds
        self._watched = []
        self._lock = threading.Lock()

    def __enter__(self):
        if self._seconds is not None:
            _WATCHDOG.add(self, time.monotonic() + self._seconds)
        _current.deadline = self
        return self

    def __exit__(self, *_exc):
        self.finish()
        _current.deadline = None
        return False

    def watch(self, connection, sock):
        with self._lock:
            if self.finished:
                return
            # A pooled connection serves one request at a time: the latest
            # deadline to watch it is the only one that may shut it.
            connection._integration_deadline = self
            self._watched.append((connection, sock))
            if self.expired:
                _shut(connection, sock)

    def expire(self):
        with self._lock:
            if self.finished:
                return
            self.expired = True
            for connection, sock in self._watched:
                if getattr(connection, "_integration_deadline", None) is self:
                    _shut(connection, sock)

    def finish(self):
        """Stop watching: the connections may be reused from now on."""
        with self._lock:
            self.finished = True
            self._watched = []


class _Watchdog:
    """One thread expiring the deadlines of all requests in flight: cheaper
    than a timer thread per request, which would halve the throughput to
    a fast partner."""

    IDLE_SECONDS = 60

    def __init__(self):
        self._condition = threading.Condition()
        self._heap = []
        self._order = itertools.count()
        self._thread = None

    def add(self, deadline, due):
        with self._condition:
            heapq.heappush(self._heap, (due, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="integration-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._condition.notify()
            elif len(self._heap) > 256:
                self._drop_finished()

    def _drop_finished(self):
        live = [item for item in self._heap if not item[2].finished]
        if len(live) * 2 < len(self._heap):
            heapq.heapify(live)
            self._heap = live

    def _run(self):
        while True:
            deadline = self._next_due()
            if deadline is None:
                return
            deadline.expire()

    def _next_due(self):
        """Wait for the first deadline to pass; None once idle for a while."""
        with self._condition:
            while True:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    if not self._condition.wait(self.IDLE_SECONDS) and not self._heap:
                        self._thread = None
                        return None
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait <= 0:
                    return heapq.heappop(self._heap)[2]
                self._condition.wait(wait)

    def reset(self):
        """In a forked process: no thread, no lock held by a lost thread."""
        self.__init__()


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG.reset)


def _watch(connection, sock=None):
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(connection, sock)


def _shut(connection, sock):
    """Shut the TCP socket down under any TLS layer; closing stays the
    owner's job, in its own thread."""
    for candidate in (getattr(connection, "sock", None), sock):
        if isinstance(candidate, socket.socket):
            with contextlib.suppress(OSError):
                # socket.socket's own shutdown, not SSLSocket's, which would
                # drop the TLS state under the thread still reading.
                socket.socket.shutdown(candidate, socket.SHUT_RDWR)


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
    :class:`~.delivery.AddressPolicy`, or None for no check) accepts, with
    connections that :func:`post`'s deadline can cut.

    The check runs when each connection is opened, on the addresses the
    host resolves to then: a DNS answer that changed after the URL was
    checked cannot lead to another address. Redirects are never followed
    (:func:`post`), so no other host is reached either.
    """
    current = session.adapters.get("https://")
    if isinstance(current, CheckedAdapter) and current.address_policy == policy:
        return
    for prefix in ("https://", "http://"):
        old = session.adapters.get(prefix)
        session.mount(prefix, CheckedAdapter(policy))
        if old is not None:
            old.close()


class CheckedAdapter(HTTPAdapter):
    """requests' adapter whose connections check their address (when
    there is an address policy) and answer to the request's deadline."""

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
    """Connects to the first resolved address the policy accepts (any
    address without a policy); the host name stays the one of the URL for
    the Host header, SNI and the certificate check. Tells the deadline of
    the request being sent which socket it uses."""

    def __init__(self, *args, address_policy, **kwargs):
        self._address_policy = address_policy
        super().__init__(*args, **kwargs)

    def request(self, *args, **kwargs):
        # A connection reused from the pool: its socket is open already.
        _watch(self)
        return super().request(*args, **kwargs)

    def _new_conn(self):
        if self._address_policy is None:
            sock = super()._new_conn()
        else:
            sock = self._new_checked_conn()
        _watch(self, sock)
        return sock

    def _new_checked_conn(self):
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
