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
    as not checked and return the error that says so; otherwise None and nothing changes. Links the
    audit itself refused to follow (internal addresses) are neither an answer nor a silence."""
    links = [s for s in snapshot.links.values() if s.external and not s.blocked]
    images = [i for url, i in snapshot.images.items() if not same_site(url) and not i.facts.get("blocked")]
    if any(s.status is not None for s in links) or any(i.status is not None for i in images):
        return None
    links = [s for s in links if s.unanswered]
    images = [i for i in images if i.facts.get("unanswered")]
    urls = [s.url for s in links] + [i.url for i in images]
    hosts = {urlsplit(url).netloc.lower() for url in urls}
    if len(hosts) < MIN_HOSTS:
        return None
    for status in links:
        status.blocked = True          # unknown, not broken
    for info in images:
        info.facts["blocked"] = True
    example = urlsplit(urls[0]).hostname
    return CrawlError(urls[0],
                      f"Links and images on other websites could not be checked: none of the {len(hosts)} "
                      f"websites the site links to answered this computer (for example {example}), which points "
                      "to its internet connection or its name look-ups (DNS), not to the links. They are checked "
                      "again at the next audit.",
                      kind="offline", evidence={"websites": len(hosts), "links": len(links), "images": len(images),
                                                "hosts": sorted(hosts)})
