"""RSS 2.0 and Atom feeds (YouTube channel feeds included), read with feedparser.

Images come from enclosures, media:content / media:thumbnail and <img> in the item's HTML.
Feeds carry no replies.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import feedparser

from ..snapshot import Account, ImageUse, Post
from ..settings import URL, Key
from .common import Api, Collected, SourceError, html_images, html_text, image, iso, join, split

if TYPE_CHECKING:
    from ..config import Social

# The [[social]] keys this reader takes: config.py reads them with these types and defaults.
PLATFORMS = {"rss": {
    "feed": Key(URL, help="the feed's address (RSS or Atom)"),
}}

NOT_A_FEED = "the address does not hold a valid RSS or Atom feed"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"


def read(entry: Social, api: Api, since: datetime, now: datetime) -> Collected:
    url = entry.get("feed")
    result = api.get(url, robots=True, accept=ACCEPT)
    try:
        feed = feedparser.parse(result.body, response_headers={"content-location": result.final_url or url,
                                                               "content-type": result.headers.get("content-type", "")})
    except (ValueError, LookupError, TypeError):   # the lenient parser trips on some broken feeds
        raise SourceError(NOT_A_FEED) from None
    base = feed.feed.get("link") or result.final_url or url
    posts = [p for p in (_post(e, base, now) for e in feed.entries[:entry.max_posts + 1]) if p is not None]
    # Broken XML is read leniently, but only when something usable came out of it.
    if not feed.get("version") or (_broken_xml(feed) and not posts):
        raise SourceError(NOT_A_FEED)
    account = Account(platform="rss", profile_url=base, display_name=html_text(feed.feed.get("title", "")),
                      avatar_url=_logo(feed.feed, base))
    account.last_post_at = max((p.created_at for p in posts if p.created_at), default=None)
    return Collected(account, *split(posts, since, entry.max_posts, ""))


def _broken_xml(feed) -> bool:
    harmless = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
    return bool(feed.bozo) and not isinstance(feed.get("bozo_exception"), harmless)


def _logo(meta, base: str) -> str | None:
    # RSS <image><url>, Atom <logo> or <icon>
    src = (meta.get("image") or {}).get("href") or meta.get("logo") or meta.get("icon")
    return join(base, src) or None if isinstance(src, str) and src.strip() else None


def _post(item, base: str, now: datetime) -> Post | None:
    link = item.get("link") or item.get("id")
    if not isinstance(link, str) or not link.startswith(("http://", "https://")):
        return None
    parsed = item.get("published_parsed") or item.get("updated_parsed")
    when = datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc) if parsed else None
    if when and when > now:
        when = None
    bodies = [c.get("value", "") for c in item.get("content", [])] or [item.get("summary", "")]
    text = " ".join(filter(None, [html_text(item.get("title", ""))] + [html_text(b) for b in bodies]))
    return Post(platform="rss", url=link, created_at=iso(when), text=text, images=_images(item, bodies, link))


def _images(item, bodies: list[str], link: str) -> list[ImageUse]:
    # Feed media have no alt field; readers show them under the item's title, so that describes them.
    label = item.get("media_title") or html_text(item.get("title", ""))
    found: list[ImageUse | None] = []
    for enc in item.get("enclosures", []):
        if str(enc.get("type", "")).startswith("image/"):
            found.append(image(join(link, enc.get("href", "")), label))
    for media in item.get("media_content", []):
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/"):
            found.append(image(join(link, media.get("url", "")), label))
    for thumb in item.get("media_thumbnail", []):
        found.append(image(join(link, thumb.get("url", "")), label))
    for body in bodies:
        found.extend(html_images(body, link))
    out, seen = [], set()
    for use in found:
        if use and use.src not in seen:
            seen.add(use.src)
            out.append(use)
    return out
