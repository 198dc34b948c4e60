"""Published photos that still carry GPS location or people's names in their metadata (policy 1.1)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..snapshot import Snapshot
from .base import Check
from .resources import Resources

CODES = ("privacy.photo_metadata",)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    for page in snapshot.pages:
        yield from _uses(page.url, page.images, snapshot)
    for post in [*snapshot.posts, *snapshot.older_posts]:
        yield from _uses(post.url, post.images, snapshot)


def _uses(where: str, uses, snapshot: Snapshot) -> Iterator[Finding]:
    seen = set()
    for use in uses:
        info = snapshot.images.get(use.src)
        if info is None or use.src in seen:
            continue
        seen.add(use.src)
        gps = bool(info.facts.get("gps"))
        names = list(info.facts.get("metadata_names") or []) if info.facts.get("photo") else []
        if gps or names:
            yield Finding("privacy.photo_metadata", url=where, subject=use.src,
                          severity="high" if gps else "medium", message=_message(gps, names),
                          evidence={"gps": gps, "name_fields": names})


def _message(gps: bool, names: list[str]) -> str:
    if gps and names:
        return (f"This photo's hidden metadata still gives the GPS location where it was taken and a "
                f"person's name (in {', '.join(names)}).")
    if gps:
        return "This photo's hidden metadata still gives the GPS location where it was taken."
    return f"This photo's hidden metadata names a person (in {', '.join(names)})."


CHECK = Check("photo_metadata", __doc__, CODES, site=check)
