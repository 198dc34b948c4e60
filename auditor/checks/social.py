"""Social accounts that could not be read or have gone quiet (policy 1.5)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

from ..findings import Finding
from ..snapshot import Account, Snapshot
from ..social.labels import label
from .base import Check
from .resources import Resources

CODES = ("social.unreachable", "social.dormant")

NO_POSTS_VISIBLE = ("page",)      # a profile page read through OpenGraph shows no posts


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    posted = {p.platform for p in snapshot.posts}
    for account in snapshot.accounts:
        if account.error:
            yield _unreachable(account)
        elif account.platform not in NO_POSTS_VISIBLE:
            yield from _dormant(account, ctx, has_posts=account.platform in posted)


def _unreachable(account: Account) -> Finding:
    return Finding("social.unreachable", url=account.profile_url,
                   message=f"The {label(account.platform)} account could not be read: {account.error}.",
                   evidence={"status": account.status, "error": account.error, "platform": account.platform})


def _dormant(account: Account, ctx: Resources, has_posts: bool) -> Iterator[Finding]:
    limit = ctx.config.freshness.dormant_after_days
    what = f"The {label(account.platform)} account"
    evidence = {"platform": account.platform, "last_post_at": account.last_post_at, "dormant_after_days": limit}
    if account.last_post_at is None:
        if not has_posts:   # dated posts missing is not the same as no posts
            yield Finding("social.dormant", url=account.profile_url, evidence=evidence,
                          message=f"{what} has no posts that the audit could see.")
        return
    last = datetime.fromisoformat(account.last_post_at)
    last = last if last.tzinfo else last.replace(tzinfo=timezone.utc)
    days = (ctx.now - last).days
    if days > limit:
        yield Finding("social.dormant", url=account.profile_url, evidence={**evidence, "days": days},
                      message=f"{what} has not posted since {last:%-d %B %Y} ({days} days ago; the limit is {limit}).")


CHECK = Check("social", __doc__, CODES, site=check)
