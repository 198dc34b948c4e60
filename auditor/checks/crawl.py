"""Broken links and images, and whatever the audit could not read (policy 1.5)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..snapshot import Page, Snapshot
from .base import Check
from .resources import Resources

CODES = ("link.broken", "image.broken", "crawl.error")

# Sites often refuse robots with these; from outside we cannot tell a dead link from a shy server.
UNVERIFIABLE = {401, 403, 405, 429, 999}
KIND_SEVERITY = {"down": "high", "blocked": "high", "robots": "medium", "truncated": "info", "unrendered": "medium",
                 "capped": "info", "unchecked": "medium", "error": "medium", "offline": "medium"}


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    for page in snapshot.pages:
        yield from _links(page, snapshot)
        yield from _images(page, snapshot)
    for error in snapshot.errors:
        # Pages the site itself keeps robots out of are its choice: worth knowing, little to do.
        severity = "low" if error.evidence.get("linked") else KIND_SEVERITY.get(error.kind, "medium")
        yield Finding("crawl.error", url=error.url, subject=None, message=error.message, severity=severity,
                      evidence={"kind": error.kind, **error.evidence})


def _links(page: Page, snapshot: Snapshot) -> Iterator[Finding]:
    seen = set()
    for link in page.links:
        status = snapshot.links.get(link.url)
        if status is None or not status.broken or link.url in seen or link.tag == "script":
            continue      # a string in a script handler may be no address at all: followed, never blamed
        seen.add(link.url)
        if status.external and status.error is None and status.status in UNVERIFIABLE:
            continue
        problem = status.error or f"the server answered {status.status}"
        severity = "low" if status.status in (401, 403) else "medium"
        where = f" in the {link.region}" if link.region in ("header", "nav", "footer") else ""
        yield Finding("link.broken", url=page.url, subject=link.url, severity=severity,
                      message=f"The link \u201c{_label(link.text, link.url)}\u201d{where} does not work: {problem}.",
                      evidence={"status": status.status, "error": status.error, "link_text": link.text[:200],
                                "external": status.external, "region": link.region})


def _images(page: Page, snapshot: Snapshot) -> Iterator[Finding]:
    seen = set()
    for use in page.images:
        info = snapshot.images.get(use.src)
        if info is None or use.src in seen or use.kind == "inline-svg":    # drawn by the page: nothing to load
            continue
        broken = info.error is not None or (info.status is not None and info.status >= 400)
        if not broken or info.oversized or info.facts.get("blocked"):
            continue
        seen.add(use.src)
        problem = info.error or f"the server answered {info.status}"
        what = {"icon": "The site icon", "apple-touch-icon": "The touch icon",
                "og:image": "The sharing image (og:image)"}.get(use.kind, "An image")
        yield Finding("image.broken", url=page.url, subject=use.src,
                      message=f"{what} does not load: {problem}.",
                      evidence={"status": info.status, "error": info.error, "kind": use.kind, "alt": use.alt})


def _label(text: str, url: str) -> str:
    text = " ".join(text.split())
    return (text[:60] + "\u2026") if len(text) > 60 else (text or url)


CHECK = Check("crawl", __doc__, CODES, site=check)
