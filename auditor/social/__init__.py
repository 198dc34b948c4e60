"""The scheme's own social accounts: one reader per platform, all through the run's Fetcher.

`collect` reads every configured account into `snapshot.accounts`, its posts since the previous
audit into `snapshot.posts` and older ones, up to `max_posts` in all, into `snapshot.older_posts`
(a photo stays published until someone removes it: every audit checks them all for consent),
then fetches each avatar and post image once for the image checks. A platform's media address
names one file for good, so an image analysed by an earlier audit is not fetched again. Only the scheme's own accounts are read (policy 1.8): repliers are never looked up.
One account failing becomes an unreadable Account, never a stopped run.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ..crawl import tasks
from ..crawl.http import Fetcher
from ..imaging import NOT_CHECKED
from ..isolation import Decoders
from ..snapshot import Account, CrawlError, ImageInfo, Post, Snapshot
from . import bluesky, graph, mastodon, opengraph, rss
from .common import LIMIT_REACHED, Api, Collected, SourceError, web_address

if TYPE_CHECKING:
    from ..config import Config, Social

log = logging.getLogger(__name__)

# platform -> its reader; each reader module declares its platforms and their keys.
READERS = {platform: reader for reader in (mastodon, bluesky, rss, graph, opengraph) for platform in reader.PLATFORMS}
PLATFORMS = {platform: keys for reader in (mastodon, bluesky, rss, graph, opengraph)
             for platform, keys in reader.PLATFORMS.items()}
IMAGES_PER_POST = 4              # at most, on average, fetched per account: max_posts bounds them


def collect(config: Config, fetcher: Fetcher, snapshot: Snapshot, *, previous_run_at: datetime | None,
            stop: threading.Event, now: datetime | None = None, decoders: Decoders | None = None) -> None:
    """Images are analysed by `decoders` (worker processes), or by workers of its own."""
    if decoders is None:
        with Decoders.for_config(config, stop) as own:
            collect(config, fetcher, snapshot, previous_run_at=previous_run_at, stop=stop, now=now, decoders=own)
        return
    now = now or datetime.now(timezone.utc)
    unreadable = 0
    for entry in config.social:
        if stop.is_set():
            snapshot.complete = False
            return
        collected = read_account(entry, fetcher, window_start(entry, previous_run_at, now), now)
        if stop.is_set() and collected.account.error:
            snapshot.complete = False      # cut short by the stop, not the account's fault
            return
        sanitise(collected, where(entry))
        if collected.unreadable:
            log.warning("%s account %s: %d post(s), repl(ies) or image(s) with malformed data were left out",
                        entry.platform, where(entry), collected.unreadable)
        unreadable += collected.unreadable
        snapshot.accounts.append(collected.account)
        snapshot.posts.extend(collected.posts)
        snapshot.older_posts.extend(collected.older)
        if collected.cut_short:
            snapshot.errors.append(_cut_short(entry, collected))
        fetch_images(collected, fetcher, snapshot, config.crawl.max_image_mb, stop, entry.max_posts * IMAGES_PER_POST,
                     decoders)
    snapshot.stats["social_accounts"] = len(snapshot.accounts)
    snapshot.stats["social_posts"] = len(snapshot.posts)
    snapshot.stats["social_items_unreadable"] = unreadable
    snapshot.stats["social_older_posts"] = len(snapshot.older_posts)


def sanitise(collected: Collected, home: str) -> None:
    """Leave out what carries a malformed address, whichever reader produced it: every later stage
    (checks, history, report) can then take a post's, reply's or image's address as well formed."""
    account = collected.account
    account.profile_url = web_address(account.profile_url) or home
    if account.avatar_url is not None and web_address(account.avatar_url) is None:
        account.avatar_url = None
        collected.unreadable += 1
    collected.posts = _well_formed(collected, collected.posts)
    collected.older = _well_formed(collected, collected.older)


def _well_formed(collected: Collected, posts: list[Post]) -> list[Post]:
    kept = []
    for post in posts:
        if web_address(post.url) is None:
            collected.unreadable += 1
            continue
        images = [i for i in post.images if web_address(i.src)]
        replies = [r for r in post.replies if web_address(r.url)]
        collected.unreadable += len(post.images) - len(images) + len(post.replies) - len(replies)
        post.images, post.replies = images, replies
        kept.append(post)
    return kept


def _cut_short(entry: Social, collected: Collected) -> CrawlError:
    read = len(collected.posts) + len(collected.older)
    why = (f"the limit of {entry.max_posts:,} posts (max_posts) was reached" if collected.cut_short == LIMIT_REACHED
           else collected.cut_short)
    return CrawlError(collected.account.profile_url, kind="truncated",
                      message=f"Only the newest {read:,} posts of the {entry.platform} account "
                              f"{collected.account.profile_url} were checked for photo consent; older posts may "
                              f"still be published but were not read: {why}.",
                      evidence={"platform": entry.platform, "posts_read": read, "max_posts": entry.max_posts})


def window_start(entry: Social, previous_run_at: datetime | None, now: datetime) -> datetime:
    """How far back posts are read: to the previous audit, and at least `lookback_days`.

    Reading at least the lookback keeps a complaint seen last quarter in view until it is
    gone, rather than calling it resolved because it fell outside the window.
    """
    start = now - timedelta(days=entry.lookback_days)
    if previous_run_at is not None:
        start = min(start, previous_run_at if previous_run_at.tzinfo else previous_run_at.replace(tzinfo=timezone.utc))
    return start


def read_account(entry: Social, fetcher: Fetcher, since: datetime, now: datetime) -> Collected:
    reader = READERS[entry.platform]
    try:
        return reader.read(entry, Api(fetcher), since, now)
    except SourceError as exc:
        log.info("%s account %s could not be read: %s", entry.platform, where(entry), exc)
        return Collected(Account(platform=entry.platform, profile_url=where(entry), error=str(exc),
                                 status=exc.status))
    except Exception as exc:  # noqa: BLE001 - untrusted data must not stop the other accounts
        log.exception("reading the %s account %s failed", entry.platform, where(entry))
        return Collected(Account(platform=entry.platform, profile_url=where(entry),
                                 error=f"its data could not be understood ({type(exc).__name__})"))


def where(entry: Social) -> str:
    """A public address for an account, even when it could not be read."""
    if entry.platform == "mastodon":
        return f"{entry.get('instance').rstrip('/')}/@{entry.get('account').lstrip('@')}"
    if entry.platform == "bluesky":
        return f"https://bsky.app/profile/{entry.get('handle').lstrip('@')}"
    if entry.platform == "facebook":
        return f"https://www.facebook.com/{entry.get('id')}"
    if entry.platform == "instagram":
        return f"https://www.instagram.com/#account-{entry.get('id')}"     # only the API knows its username
    return entry.get("feed") or entry.get("url")


def fetch_images(collected: Collected, fetcher: Fetcher, snapshot: Snapshot, max_mb: float,
                 stop: threading.Event, limit: int, decoders: Decoders) -> None:
    posts = collected.posts + collected.older
    urls = [collected.account.avatar_url] + [i.src for p in posts for i in p.images]
    wanted = list(dict.fromkeys(u for u in urls if u and u not in snapshot.images))[:limit]
    for url in wanted:
        if stop.is_set():
            snapshot.complete = False
            return
        known = fetcher.cache.validators(url) if fetcher.cache is not None else None
        if known is not None and known.kind == "image" and url != collected.account.avatar_url:
            cached = ImageInfo.from_dict({**known.data, "url": url})
            if not tasks.lacks_people(cached):
                snapshot.images[url] = cached
                continue
        result = fetcher.fetch(url, robots=False, max_bytes=int(max_mb * 2**20),
                               headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.5"})
        if result.ok and not result.truncated:
            snapshot.images[url] = decoders.analyse(url, result.body, result.content_type, result.status)
            if NOT_CHECKED not in snapshot.images[url].facts:      # tried again next time
                fetcher.remember(result, "image", snapshot.images[url].to_dict())
        else:
            snapshot.images[url] = ImageInfo(url=url, status=result.status, oversized=result.truncated,
                                             error=result.error or f"the server answered {result.status}")
