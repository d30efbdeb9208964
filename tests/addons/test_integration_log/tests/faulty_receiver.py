# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A misbehaving HTTP partner on 127.0.0.1: it answers raw bytes, so it can
say what no well-behaved server would (odd charsets and headers, endless
bodies, a byte every half second)."""

import socket
import threading
import time
from collections import deque

MIB = 1024 * 1024


def answer(status, body=b"", headers=()):
    """A complete HTTP/1.1 answer; ``headers`` are (name, bytes) pairs,
    written as they are."""
    head = [b"HTTP/1.1 %d X" % status]
    head += [name.encode() + b": " + value for name, value in headers]
    head += [b"Content-Length: %d" % len(body), b"Connection: close"]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def send(data):
    """Play: write ``data`` at once."""

    def play(receiver, conn):
        conn.sendall(data)
        receiver.sent_bytes += len(data)

    return play


def trickle(head, tail, interval=0.5):
    """Play: write ``head`` at once, then ``tail`` one byte every
    ``interval`` seconds, until the client hangs up."""

    def play(receiver, conn):
        conn.sendall(head)
        for index in range(len(tail)):
            time.sleep(interval)
            conn.sendall(tail[index : index + 1])
            receiver.sent_bytes += 1

    return play


def stream(status, size, chunk=64 * 1024):
    """Play: a body of ``size`` bytes, written as fast as the client reads."""

    def play(receiver, conn):
        conn.sendall(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n" % (status, size))
        block = b"x" * chunk
        for _start in range(0, size, chunk):
            conn.sendall(block)
            receiver.sent_bytes += chunk

    return play


class FaultyReceiver:
    """Each request gets the next scripted play (a function writing to the
    socket), then the connection is closed; without a script, a plain 200."""

    def __init__(self):
        self.requests = []
        self.sent_bytes = 0
        self.finished = 0
        self._script = deque()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%s/hooks" % self._server.getsockname()[1]

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.close()

    def play(self, *plays):
        with self._lock:
            self._script.extend(plays)

    def reset(self):
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.sent_bytes = 0
            self.finished = 0

    def wait_idle(self, timeout=10.0):
        """Wait until every request received has been answered (or the
        client hung up on it); True if so within ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.finished >= len(self.requests):
                return True
            time.sleep(0.05)
        return False

    def _accept(self):
        while True:
            try:
                conn, _address = self._server.accept()
            except OSError:
                return  # stopped
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn, conn.makefile("rb") as reader:
            headers = self._read_request(reader)
            if headers is None:
                return
            with self._lock:
                self.requests.append(headers)
                play = self._script.popleft() if self._script else None
            try:
                (play or send(answer(200, b'{"ok": true}')))(self, conn)
            except OSError:
                return  # the client hung up, as it should have
            finally:
                with self._lock:
                    self.finished += 1

    @staticmethod
    def _read_request(reader):
        """The request's headers (a dict), its body read and dropped."""
        if not reader.readline():
            return None
        headers = {}
        line = reader.readline()
        while line not in (b"\r\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
            line = reader.readline()
        reader.read(int(headers.get("content-length") or 0))
        return headers
