"""Social accounts named and pictured as the scheme: display name and avatar logo (policy 1.6)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..snapshot import Account, Snapshot
from ..social.labels import label
from .base import Check
from .resources import Resources

CODES = ("social.name", "social.avatar")

# Feeds and plain pages often carry no picture, or a site icon or cover image rather than a
# profile picture: there only an old logo is worth saying. A social profile without one is a gap.
PICTURE_EXPECTED = ("mastodon", "bluesky", "facebook", "instagram")
PLACEHOLDERS = ("/avatars/original/missing.png",)     # Mastodon's stock picture


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    for account in snapshot.accounts:
        if account.error:
            continue
        yield from _name(account, ctx)
        yield from _avatar(account, snapshot, ctx)


def _name(account: Account, ctx: Resources) -> Iterator[Finding]:
    name = " ".join(account.display_name.split())
    if name and ctx.names.identifies(name):
        return
    what = f"The {label(account.platform)} account"
    message = (f"{what} is called \u201c{name[:80]}\u201d, which does not identify {ctx.config.scheme.name}."
               if name else f"{what} shows no name, so it does not identify {ctx.config.scheme.name}.")
    yield Finding("social.name", url=account.profile_url, message=message,
                  evidence={"platform": account.platform, "display_name": name})


def _avatar(account: Account, snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    matcher = ctx.logos
    if not matcher.has_approved:
        return             # no reference logos configured: nothing to compare with
    what = f"The {label(account.platform)} account"
    src = account.avatar_url
    if not src or any(p in src for p in PLACEHOLDERS):
        if account.platform in PICTURE_EXPECTED:
            yield Finding("social.avatar", url=account.profile_url, severity="low",
                          message=f"{what} has no profile picture; the approved logo should be shown.",
                          evidence={"platform": account.platform})
        return
    info = snapshot.images.get(src)
    if info is None or not info.ok:
        return             # not loadable: nothing to compare, and not a logo problem
    match = matcher.match(info)
    if match.judged and match.kind is None:
        match = matcher.match_part(info) or match      # the mark cut from the logo, as avatars often are
    if match.kind == "approved" or not match.judged:
        return
    evidence = {"platform": account.platform, "reference": match.reference, "distance": match.distance}
    if match.kind == "deprecated":
        yield Finding("social.avatar", url=account.profile_url, subject=src, severity="high", evidence=evidence,
                      message=f"{what} uses an old, deprecated logo as its profile picture.")
    elif account.platform in PICTURE_EXPECTED:
        yield Finding("social.avatar", url=account.profile_url, subject=src, evidence=evidence,
                      message=f"{what}'s profile picture is not the approved logo.")


CHECK = Check("social_identity", __doc__, CODES, site=check)
