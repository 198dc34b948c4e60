"""Copyright notices with an out-of-date year, once per distinct notice (policy 1.5)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..snapshot import Page, Snapshot
from ..text.dates import find_copyright_notices
from ._common import group
from .base import Check
from .resources import Resources

CODES = ("copyright.stale",)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    oldest_fine = ctx.now.year - ctx.config.freshness.copyright_grace_years
    seen = group((notice.text.lower(), page.url, notice)
                 for page in snapshot.pages for notice in stale_notices(page, oldest_fine))
    for key, found in seen.items():
        notice = found.first
        yield Finding("copyright.stale", url=found.url, subject=notice.text,
                      message=f"The copyright notice \u201c{notice.text}\u201d {found.where()} still shows "
                              f"{notice.year}; it should show {ctx.now.year}.",
                      evidence={"notice": notice.text, "year": notice.year, **found.evidence()})


def stale_notices(page: Page, oldest_fine: int):
    """Notices older than `oldest_fine`, from the footer when it has one (photo credits in an
    article are not the site's notice), else from the whole page."""
    if (page.status or 200) >= 400:
        return []
    notices = find_copyright_notices(page.regions.get("footer", "")) or find_copyright_notices(page.text)
    return [n for n in notices if 1990 <= n.year < oldest_fine]


CHECK = Check("copyright", __doc__, CODES, site=check)
