"""Links and images on other websites that this computer could not reach at all.

A dead link is one the other website answers badly, or whose name does not exist. When not one
of several other websites answers (every name look-up fails, every connection times out), the
fault is this computer's own: no internet connection, broken name look-ups, a firewall. Those
links are then not checked, not broken, and the audit says so instead of blaming a hundred links.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from ..snapshot import CrawlError, Snapshot

MIN_HOSTS = 3       # fewer silent websites may simply be gone


def unreachable(snapshot: Snapshot, same_site) -> CrawlError | None:
    """When no other website answered and at least MIN_HOSTS were tried, mark their links and images
    as not checked and return the error that says so; otherwise None and nothing changes."""
    links = [s for s in snapshot.links.values() if s.external and not s.blocked]
    images = [i for url, i in snapshot.images.items() if not same_site(url) and not i.facts.get("blocked")
              and (i.status is not None or i.error is not None)]
    if any(s.status is not None for s in links) or any(i.status is not None for i in images):
        return None
    hosts = {urlsplit(s.url).netloc.lower() for s in links if s.error} | {urlsplit(i.url).netloc.lower() for i in images}
    if len(hosts) < MIN_HOSTS:
        return None
    for status in links:
        status.blocked = True          # unknown, not broken
    for info in images:
        info.facts["blocked"] = True
    example = next((s.url for s in links if s.error), None) or images[0].url
    return CrawlError(example, f"Links and images on other websites could not be checked: none of the "
                               f"{len(hosts)} websites the site links to answered this computer (for example "
                               f"{urlsplit(example).hostname}), which points to its internet connection or its "
                               "name look-ups (DNS), not to the links. They are checked again at the next audit.",
                      kind="offline", evidence={"websites": len(hosts), "links": len(links), "images": len(images),
                                                "hosts": sorted(h for h in hosts if h)})
