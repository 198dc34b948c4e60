"""The scheme's own social accounts: one reader per platform, all through the run's Fetcher.

`collect` reads every configured account into `snapshot.accounts` and its recent posts
into `snapshot.posts`, then fetches each avatar and post image once for the image
checks. Only the scheme's own accounts are read (policy 1.8): repliers are never looked up.
One account failing becomes an unreadable Account, never a stopped run.
"""
from __future__ import annotations

import importlib
import logging
import threading
from datetime import datetime, timedelta, timezone

from ..config import Config, Social
from ..crawl.http import Fetcher
from ..isolation import Decoders
from ..snapshot import Account, ImageInfo, Snapshot
from .common import Api, Collected, SourceError

log = logging.getLogger(__name__)

READERS = {"mastodon": "mastodon", "bluesky": "bluesky", "rss": "rss", "facebook": "graph",
           "instagram": "graph", "page": "opengraph"}
MAX_IMAGES = 300                 # per account


def collect(config: Config, fetcher: Fetcher, snapshot: Snapshot, *, previous_run_at: datetime | None,
            stop: threading.Event, now: datetime | None = None, decoders: Decoders | None = None) -> None:
    """Images are analysed by `decoders` (worker processes), or by workers of its own."""
    if decoders is None:
        with Decoders.for_config(config, stop) as own:
            collect(config, fetcher, snapshot, previous_run_at=previous_run_at, stop=stop, now=now, decoders=own)
        return
    now = now or datetime.now(timezone.utc)
    for entry in config.social:
        if stop.is_set():
            snapshot.complete = False
            return
        collected = read_account(entry, fetcher, window_start(entry, previous_run_at, now), now)
        if stop.is_set() and collected.account.error:
            snapshot.complete = False      # cut short by the stop, not the account's fault
            return
        snapshot.accounts.append(collected.account)
        snapshot.posts.extend(collected.posts)
        fetch_images(collected, fetcher, snapshot, config.crawl.max_image_mb, stop, decoders)
    snapshot.stats["social_accounts"] = len(snapshot.accounts)
    snapshot.stats["social_posts"] = len(snapshot.posts)


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
    reader = importlib.import_module(f"{__name__}.{READERS[entry.platform]}")
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
                 stop: threading.Event, decoders: Decoders) -> None:
    urls = [collected.account.avatar_url] + [i.src for p in collected.posts for i in p.images]
    wanted = list(dict.fromkeys(u for u in urls if u and u not in snapshot.images))[:MAX_IMAGES]
    for url in wanted:
        if stop.is_set():
            snapshot.complete = False
            return
        result = fetcher.fetch(url, robots=False, max_bytes=int(max_mb * 2**20),
                               headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.5"})
        if result.ok and not result.truncated:
            snapshot.images[url] = decoders.analyse(url, result.body, result.content_type, result.status)
        else:
            snapshot.images[url] = ImageInfo(url=url, status=result.status, oversized=result.truncated,
                                             error=result.error or f"the server answered {result.status}")
