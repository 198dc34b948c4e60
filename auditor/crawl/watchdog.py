"""A total deadline that holds while a server sends its response headers.

Connect and read timeouts bound each wait, not the whole: a server trickling one
header byte every second never trips them. While a request made under `deadline(at)`
waits for its status line and headers, a timer shuts the socket down when `at`
passes, so the request fails promptly instead of hanging. The body is read in
chunks and checked against the same deadline by `transfer.read_body`.
"""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# Per thread (each has its own context): the monotonic time the current request must end by.
_DEADLINE: ContextVar[float | None] = ContextVar("auditor_request_deadline", default=None)


@contextmanager
def deadline(at: float) -> Iterator[None]:
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _Watched:
    def getresponse(self, *args, **kwargs):
        at = _DEADLINE.get()
        if at is None:
            return super().getresponse(*args, **kwargs)
        timer = threading.Timer(max(0.0, at - time.monotonic()), self._cut)
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse(*args, **kwargs)
        finally:
            timer.cancel()

    def _cut(self) -> None:
        sock = getattr(self, "sock", None)
        if sock is None:
            return
        try:
            # The plain socket's shutdown, also for TLS: the blocked read then sees the end of the stream.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except (OSError, TypeError):      # already closed, or TLS inside a proxy tunnel (no plain socket)
            pass


class _HTTPConnection(_Watched, HTTPConnection):
    pass


class _HTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections that honour `deadline`."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def watch(session: requests.Session) -> None:
    for prefix in ("http://", "https://"):
        session.mount(prefix, WatchedAdapter())
