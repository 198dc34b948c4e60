"""Why a fetch failed, as a value: code decides on the kind, people read the message."""
from __future__ import annotations

import enum
import http.client
import socket
import ssl
from dataclasses import dataclass
from typing import Iterator

import requests
import urllib3

from .addresses import AddressRefused


class Kind(enum.Enum):
    TIMEOUT = "timeout"                      # no answer in time, connecting or reading
    DEADLINE = "deadline"                    # the request as a whole took too long
    REFUSED = "refused"                      # nothing listens there
    NO_DOMAIN = "no_domain"                  # the name does not resolve
    CERTIFICATE = "certificate"              # the secure connection failed
    DROPPED = "dropped"                      # the server closed or reset the connection
    CONNECT = "connect"                      # could not connect, for another reason
    BAD_ADDRESS = "bad_address"              # the address (or a redirect's) is not one we can fetch
    REDIRECT = "redirect"                    # a redirect loop, too many, or to an address we cannot fetch
    TOO_LARGE = "too_large"                  # over the size cap: the body was not (fully) read
    STOPPED = "stopped"                      # the audit was stopped during the download
    DOWNLOAD = "download"                    # the body broke off
    REQUEST = "request"                      # any other failure of the request
    ROBOTS = "robots"                        # robots.txt forbids it
    ROBOTS_UNREADABLE = "robots_unreadable"  # robots.txt failed, which means "stay out for now"
    INTERNAL = "internal"                    # it leads to a private or internal address the audit does not visit


# Nothing came back over the network: no such name, no connection, no answer in time. A refused or
# dropped connection, or a failed certificate, is an answer from the other end.
SILENT = frozenset({Kind.NO_DOMAIN, Kind.CONNECT, Kind.TIMEOUT, Kind.DEADLINE})
# The audit's own decision not to fetch: neither an answer nor a silence.
NOT_ASKED = frozenset({Kind.INTERNAL, Kind.BAD_ADDRESS, Kind.ROBOTS, Kind.ROBOTS_UNREADABLE, Kind.STOPPED})


@dataclass(frozen=True)
class Failure:
    kind: Kind
    message: str      # plain words for the report: "connection refused", "timed out"…


def request_failure(exc: requests.exceptions.RequestException) -> Failure:
    """What a failed request means, from the types of the exceptions it carries."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure(Kind.TIMEOUT, "timed out while connecting")
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure(Kind.TIMEOUT, "timed out")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return connection_failure(exc)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        return Failure(Kind.BAD_ADDRESS, "the address is not valid")
    return Failure(Kind.REQUEST, f"request failed ({type(exc).__name__})")


def connection_failure(exc: BaseException) -> Failure:
    causes = list(_causes(exc))
    refused = next((c for c in causes if isinstance(c, AddressRefused)), None)
    if refused is not None:
        return Failure(Kind.INTERNAL, str(refused))
    if _any(causes, ConnectionRefusedError):
        return Failure(Kind.REFUSED, "connection refused")
    if _any(causes, socket.gaierror, urllib3.exceptions.NameResolutionError):
        return Failure(Kind.NO_DOMAIN, "the domain name does not exist")
    if _any(causes, ssl.SSLError, urllib3.exceptions.SSLError, requests.exceptions.SSLError):
        return Failure(Kind.CERTIFICATE, "secure connection failed (certificate problem)")
    if _any(causes, ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected,
            urllib3.exceptions.ProtocolError):
        return Failure(Kind.DROPPED, "the connection was dropped")
    if _any(causes, TimeoutError, urllib3.exceptions.TimeoutError):
        return Failure(Kind.TIMEOUT, "timed out")
    return Failure(Kind.CONNECT, "could not connect")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it wraps: requests and urllib3 carry the socket's error as an
    argument, a `reason` or a cause."""
    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])


def _any(causes: list[BaseException], *types: type) -> bool:
    return any(isinstance(cause, types) for cause in causes)
