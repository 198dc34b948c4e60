"""Links and images on other websites that this computer could not reach at all.

A dead link is one the other website answers badly, or whose name does not exist. When not one
other website answers (every name look-up fails, every connection times out), the fault may be this
computer's own: no internet connection, broken name look-ups, a firewall. It is taken to be when
several websites are silent, or when nothing shows that name look-ups work here (the site itself
was reached by its numeric address, as on a test machine). Those links are then not checked, not
broken, and the audit says so instead of blaming a hundred links.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..snapshot import CrawlError, Snapshot
from .failure import NOT_ASKED, SILENT

# as recorded on links and images
SILENT_KINDS, NOT_ASKED_KINDS = frozenset(k.value for k in SILENT), frozenset(k.value for k in NOT_ASKED)

MIN_HOSTS = 3       # fewer silent websites may simply be gone


def unreachable(snapshot: Snapshot, same_site, website: str) -> CrawlError | None:
    """When no other website answered, mark the links and images on those that were silent as not
    checked and return the error that says so; otherwise None and nothing changes. Links the audit
    itself chose not to fetch (internal addresses, robots.txt) are neither an answer nor a silence."""
    links = [s for s in snapshot.links.values() if s.external and not s.blocked]
    images = [i for url, i in snapshot.images.items() if not same_site(url) and not i.facts.get("blocked")]
    if any(_heard(s.status, s.failure) for s in links) or any(_heard(i.status, i.facts.get("failure")) for i in images):
        return None
    links = [s for s in links if s.status is None and s.failure in SILENT_KINDS]
    images = [i for i in images if i.status is None and i.facts.get("failure") in SILENT_KINDS]
    urls = [s.url for s in links] + [i.url for i in images]
    hosts = {urlsplit(url).netloc.lower() for url in urls}
    if not hosts or (len(hosts) < MIN_HOSTS and _looked_up(website)):
        return None
    for status in links:
        status.blocked = True          # unknown, not broken
    for info in images:
        info.facts["blocked"] = True
    example = urlsplit(urls[0]).hostname
    said = (f"none of the {len(hosts)} websites the site links to answered this computer (for example {example})"
            if len(hosts) > 1 else f"the one other website the site links to ({example}) did not answer this computer")
    return CrawlError(urls[0],
                      f"Links and images on other websites could not be checked: {said}, which points to its "
                      "internet connection or its name look-ups (DNS), not to the links. They are checked again "
                      "at the next audit.",
                      kind="offline", evidence={"websites": len(hosts), "links": len(links), "images": len(images),
                                                "hosts": sorted(hosts)})


def _heard(status: int | None, failure: str | None) -> bool:
    """Whether the other end answered: any status, a refused or dropped connection, a certificate."""
    return status is not None or (failure is not None and failure not in SILENT_KINDS | NOT_ASKED_KINDS)


def _looked_up(website: str) -> bool:
    """Whether reaching the site itself needed a working name look-up."""
    host = (urlsplit(website).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False
