"""Where the audit's requests may go: the public internet, and the configured hosts.

A page, a redirect or a link can point anywhere, including services that were never meant to
be reached from outside: the server's own admin ports, the office network, a cloud's metadata
service. Every connection the Fetcher opens resolves its host name itself and refuses
private, loopback, link-local, shared and reserved addresses, unless the configured website,
extra pages or social endpoints resolve to that very address (a site served on 127.0.0.1, or
on an intranet). The address checked is the one connected to, so a name that resolves to a
public address when looked at and a private one when used gains nothing.
"""
from __future__ import annotations

import ipaddress
import socket
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterable, Iterator
from urllib.parse import urlsplit
from urllib.request import getproxies

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(OSError):
    """A connection to an address the audit does not visit."""


def internal(ip: Address) -> bool:
    """Not on the public internet: private, loopback, link-local (cloud metadata), shared, reserved."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and internal(embedded):
            return True
    return not ip.is_global or ip.is_multicast


class AddressPolicy:
    def __init__(self, allowed: Iterable[Address] = ()):
        self.allowed = frozenset(allowed)

    @classmethod
    def for_config(cls, config) -> "AddressPolicy":
        """Allowed beyond the public internet: whatever the configured endpoints (and proxies) resolve to."""
        urls = [config.scheme.website, *config.scheme.extra_pages, *getproxies().values()]
        for entry in config.social:
            urls += [v for v in entry.options.values() if isinstance(v, str) and v.startswith(("http://", "https://"))]
        hosts = {(urlsplit(u).hostname or "") for u in urls}
        for host in list(hosts):
            if host and not _literal(host):
                hosts.add(host[4:] if host.startswith("www.") else f"www.{host}")   # one site, as the crawl sees it
        return cls(ip for host in hosts if host for ip in resolve(host))

    def refusal(self, ip: Address) -> str | None:
        if internal(ip) and ip not in self.allowed:
            return f"it leads to an internal network address ({ip}), which the audit does not visit"
        return None

    def addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses to connect to, all checked; raises AddressRefused if any is refused
        (a name that also resolves to an internal address is not trusted with the others)."""
        found = resolve(host, port)
        if not found:
            return [host]       # unresolvable: the connection fails on its own, with its own message
        for ip in found:
            problem = self.refusal(ip)
            if problem:
                raise AddressRefused(problem)
        return [str(ip) for ip in found]


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str, port: int = 80) -> list[Address]:
    host = host.strip("[]").rstrip(".")
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[Address] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    return found


# Per thread: the policy that the connections opened by the current request obey.
_POLICY: ContextVar[AddressPolicy | None] = ContextVar("auditor_address_policy", default=None)


@contextmanager
def guarded(policy: AddressPolicy | None) -> Iterator[None]:
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def current() -> AddressPolicy | None:
    return _POLICY.get()
