"""A total deadline that holds while a server sends its response headers.

Connect and read timeouts bound each wait, not the whole: a server trickling one
header byte every second never trips them. While a request made under
`deadline(at, watchdog)` waits for its status line and headers, the watchdog shuts the
socket down when `at` passes, so the request fails promptly instead of hanging. The
body is read in chunks and checked against the same deadline by `transfer.read_body`.
One watchdog thread serves every request of a fetcher: a thread per request costs
more than a conditional request itself.
"""
from __future__ import annotations

import itertools
import socket
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from . import addresses

IDLE_SECONDS = 5.0      # the thread ends after this long with nothing to watch


class Watchdog:
    """Calls each watched `cut` once its time has come, unless it was released first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, Callable[[], None]]] = {}
        self._keys = itertools.count()
        self._running = False
        self._wake_at = 0.0
        self._last_watch = 0.0

    def watch(self, at: float, cut: Callable[[], None]) -> int:
        with self._cond:
            key = next(self._keys)
            self._due[key] = (at, cut)
            self._last_watch = time.monotonic()
            if not self._running:
                self._running = True
                threading.Thread(target=self._loop, name="request-watchdog", daemon=True).start()
            elif at < self._wake_at:
                self._cond.notify()
            return key

    def release(self, key: int) -> None:
        with self._cond:
            self._due.pop(key, None)

    def _loop(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                cuts = [self._due.pop(k)[1] for k, (at, _) in list(self._due.items()) if at <= now]
                if not cuts and not self._due and now - self._last_watch >= IDLE_SECONDS:
                    self._running = False
                    return
                if not cuts:
                    self._wake_at = min((at for at, _ in self._due.values()), default=now + IDLE_SECONDS)
                    self._cond.wait(self._wake_at - now)
            for cut in cuts:
                cut()


# Per thread (each has its own context): when the current request must end, and who enforces it.
_DEADLINE: ContextVar[tuple[float, Watchdog] | None] = ContextVar("auditor_request_deadline", default=None)


@contextmanager
def deadline(at: float, watchdog: Watchdog) -> Iterator[None]:
    token = _DEADLINE.set((at, watchdog))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _Watched:
    def _new_conn(self):
        """Connect only to an address the request's AddressPolicy allows, checked as connected."""
        policy = addresses.current()
        if policy is None or getattr(self, "proxy", None) is not None:   # a proxy chooses where it connects
            return super()._new_conn()
        name, error = self._dns_host, None
        try:
            for ip in policy.addresses(name, self.port):
                self._dns_host = ip
                try:
                    return super()._new_conn()
                except NewConnectionError as exc:     # that address failed: try the next, as urllib3 does
                    error = exc
        except addresses.AddressRefused as exc:
            raise NewConnectionError(self, str(exc)) from exc
        finally:
            self._dns_host = name
        raise error

    def getresponse(self, *args, **kwargs):
        watched = _DEADLINE.get()
        if watched is None:
            return super().getresponse(*args, **kwargs)
        at, watchdog = watched
        key = watchdog.watch(at, self._cut)
        try:
            return super().getresponse(*args, **kwargs)
        finally:
            watchdog.release(key)

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
