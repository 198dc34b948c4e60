"""Bluesky: the public AppView (no sign-in).

app.bsky.actor.getProfile -> app.bsky.feed.getAuthorFeed (cursor; reposts of others'
posts left out) -> app.bsky.feed.getPostThread for the public replies under each post.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..snapshot import Account, ImageUse, Post, Reply
from ..settings import URL, Key
from .common import (LIMIT_REACHED, MAX_THREADS, Api, Collected, SourceError, field_of, image, iso, later_page_failed,
                     pages_for, parse_time, split)

if TYPE_CHECKING:
    from ..config import Social

# The [[social]] keys this reader takes: config.py reads them with these types and defaults.
PLATFORMS = {"bluesky": {
    "handle": Key(str, help="the account's handle"),
    "api": Key(URL, "https://public.api.bsky.app", help="the public AppView"),
}}

THREAD_DEPTH = 6
REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"


def read(entry: Social, api: Api, since: datetime, now: datetime) -> Collected:
    xrpc = entry.get("api").rstrip("/") + "/xrpc/"
    handle = entry.get("handle").lstrip("@")
    profile = api.json(xrpc + "app.bsky.actor.getProfile", {"actor": handle})
    did = field_of(profile, "did")
    if not did:
        raise SourceError("the server sent a profile without an identifier")
    handle = field_of(profile, "handle") or handle
    account = Account(platform="bluesky", profile_url=f"https://bsky.app/profile/{handle}",
                      display_name=field_of(profile, "displayName") or "", avatar_url=field_of(profile, "avatar"))
    pairs, cut = _feed(api, xrpc, did, entry.max_posts, since, now)
    account.last_post_at = max((p.created_at for p, _ in pairs if p.created_at), default=None)
    recent, older, cut = split([p for p, _ in pairs], since, entry.max_posts, cut)
    views = {id(p): v for p, v in pairs}
    for post in recent[:MAX_THREADS]:
        if field_of(views[id(post)], "replyCount", kind=int, default=0) > 0:
            post.replies = _replies(api, xrpc, views[id(post)]["uri"], did, now)
    return Collected(account, recent, older, cut)


def _feed(api: Api, xrpc: str, did: str, max_posts: int, since: datetime,
          now: datetime) -> tuple[list[tuple[Post, dict]], str]:
    """The account's own posts, newest first, up to `max_posts`; and why older ones were left unread."""
    params = {"actor": did, "limit": 50, "filter": "posts_and_author_threads"}
    pairs: list[tuple[Post, dict]] = []
    cursor = None
    for _page in range(pages_for(max_posts, 50)):
        try:
            data = api.json(xrpc + "app.bsky.feed.getAuthorFeed", params)
        except SourceError as exc:
            return pairs, later_page_failed([p for p, _ in pairs], since, exc)
        feed = field_of(data, "feed", kind=list)
        if feed is None:
            raise SourceError("the server sent a feed in an unexpected shape (no 'feed' list)")
        for item in feed:
            reason = field_of(item, "reason", "$type")
            view = field_of(item, "post", kind=dict)
            if reason == REPOST or view is None or field_of(view, "author", "did") != did:
                continue
            post = _post(view, now)
            if post is not None:
                pairs.append((post, view))
        cursor = field_of(data, "cursor") if feed else None
        if not cursor or len(pairs) >= max_posts:
            break
        params = {**params, "cursor": cursor}
    return pairs, LIMIT_REACHED if cursor else ""


def _post(view: dict, now: datetime) -> Post | None:
    uri = field_of(view, "uri")
    if not uri or not uri.startswith("at://"):
        return None
    handle = field_of(view, "author", "handle") or field_of(view, "author", "did")
    record = field_of(view, "record", kind=dict, default={})
    created = parse_time(field_of(record, "createdAt"), now) or parse_time(field_of(view, "indexedAt"), now)
    return Post(platform="bluesky", url=web_url(uri, handle), created_at=iso(created),
                text=field_of(record, "text") or "", images=embed_images(field_of(view, "embed", kind=dict)))


def web_url(uri: str, handle: str) -> str:
    """at://did/app.bsky.feed.post/rkey -> the bsky.app address a person can open."""
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def embed_images(embed: dict | None) -> list[ImageUse]:
    """Images of an embed view: images#view, video#view (its poster) and the media of recordWithMedia#view."""
    kind = field_of(embed, "$type") or ""
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return embed_images(field_of(embed, "media", kind=dict))
    if kind.startswith("app.bsky.embed.images"):
        found = (image(field_of(i, "fullsize") or field_of(i, "thumb"), field_of(i, "alt"))
                 for i in field_of(embed, "images", kind=list, default=[]))
        return [use for use in found if use]
    if kind.startswith("app.bsky.embed.video"):
        use = image(field_of(embed, "thumbnail"), field_of(embed, "alt"))
        return [use] if use else []
    return []


def _replies(api: Api, xrpc: str, uri: str, did: str, now: datetime) -> list[Reply]:
    try:
        data = api.json(xrpc + "app.bsky.feed.getPostThread", {"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0})
    except SourceError:
        return []            # deleted since it was listed (the AppView answers 400 NotFound)
    out: list[Reply] = []
    _walk(field_of(data, "thread", kind=dict), did, now, out, top=True)
    return out


def _walk(node: dict | None, did: str, now: datetime, out: list[Reply], top: bool = False) -> None:
    if field_of(node, "$type") not in (None, "app.bsky.feed.defs#threadViewPost"):
        return               # notFoundPost, blockedPost
    view = field_of(node, "post", kind=dict)
    if view is None:
        return
    if not top and field_of(view, "author", "did") != did:
        text = field_of(view, "record", "text") or ""
        handle = field_of(view, "author", "handle") or ""
        if text.strip() and field_of(view, "uri"):
            out.append(Reply(url=web_url(view["uri"], handle or field_of(view, "author", "did") or ""),
                             text=text, author=handle,
                             created_at=iso(parse_time(field_of(view, "record", "createdAt"), now))))
    for child in field_of(node, "replies", kind=list, default=[]):
        _walk(child if isinstance(child, dict) else None, did, now, out)
