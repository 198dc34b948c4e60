"""Mastodon: the public REST API of the account's own server, without a token.

accounts/lookup -> accounts/:id/statuses (paged through the Link header, boosts left out)
-> statuses/:id/context for the public replies under each post.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from requests.utils import parse_header_links

from ..snapshot import Account, Post, Reply
from ..settings import URL, Key
from .common import (LIMIT_REACHED, MAX_THREADS, Api, Collected, SourceError, field_of, html_text, image, iso,
                     later_page_failed, loads, pages_for, parse_time, same_host, split)

if TYPE_CHECKING:
    from ..config import Social

# The [[social]] keys this reader takes: config.py reads them with these types and defaults.
PLATFORMS = {"mastodon": {
    "instance": Key(URL, help="the server's base URL"),
    "account": Key(str, help="the username"),
}}

PUBLIC = (None, "public", "unlisted")


def read(entry: Social, api: Api, since: datetime, now: datetime) -> Collected:
    instance = entry.get("instance").rstrip("/")
    base, handle = instance + "/api/v1", entry.get("account").lstrip("@")
    try:
        profile = api.json(f"{base}/accounts/lookup", {"acct": handle})
    except SourceError as exc:
        if exc.status == 401:
            raise SourceError("this Mastodon server lets only signed-in apps read accounts, so it could not "
                              "be read without a token (401)", 401) from None
        raise
    if not isinstance(profile, dict) or not field_of(profile, "id"):
        raise SourceError("the server sent an account record without an id")
    account = Account(platform="mastodon", profile_url=field_of(profile, "url") or f"{instance}/@{handle}",
                      display_name=field_of(profile, "display_name") or field_of(profile, "username") or "",
                      avatar_url=field_of(profile, "avatar_static") or field_of(profile, "avatar"))
    pairs, cut = _statuses(api, base, profile["id"], entry.max_posts, since, now)
    account.last_post_at = max((p.created_at for p, _ in pairs if p.created_at), default=None)
    recent, older, cut = split([p for p, _ in pairs], since, entry.max_posts, cut)
    statuses = {id(p): s for p, s in pairs}
    for post in recent[:MAX_THREADS]:
        if field_of(statuses[id(post)], "replies_count", kind=int, default=0) > 0:
            post.replies = _replies(api, base, statuses[id(post)], profile["id"], now)
    return Collected(account, recent, older, cut)


def _statuses(api: Api, base: str, account_id: str, max_posts: int, since: datetime,
              now: datetime) -> tuple[list[tuple[Post, dict]], str]:
    """Public statuses, newest first, up to `max_posts`; and why older ones were left unread ("": none were)."""
    url: str | None = f"{base}/accounts/{quote(str(account_id), safe='')}/statuses"
    params: dict | None = {"limit": 40, "exclude_reblogs": "true"}
    pairs: list[tuple[Post, dict]] = []
    for _page in range(pages_for(max_posts, 40)):
        if url is None:
            break
        try:
            result = api.get(url, params)
        except SourceError as exc:
            return pairs, later_page_failed([p for p, _ in pairs], since, exc)
        for status in _json_list(result.body):
            post = _post(status, now)
            if post is not None:
                pairs.append((post, status))
        url, params = same_host(_next_link(result.headers.get("link", "")), base), None
        if not url or len(pairs) >= max_posts:
            break
    return pairs, LIMIT_REACHED if url else ""


def _post(status: dict, now: datetime) -> Post | None:
    if not isinstance(status, dict) or status.get("reblog") or status.get("visibility") not in PUBLIC:
        return None
    url = field_of(status, "url") or field_of(status, "uri")
    if not url:
        return None
    post = Post(platform="mastodon", url=url, created_at=iso(parse_time(field_of(status, "created_at"), now)),
                text=" ".join(filter(None, (field_of(status, "spoiler_text"), html_text(status.get("content"))))))
    for media in field_of(status, "media_attachments", kind=list, default=[]):
        kind = field_of(media, "type")
        if kind in ("image", "gifv"):
            use = image(media.get("url") if kind == "image" else media.get("preview_url"), media.get("description"))
            if use:
                post.images.append(use)
    return post


def _replies(api: Api, base: str, status: dict, account_id: str, now: datetime) -> list[Reply]:
    try:
        context = api.json(f"{base}/statuses/{quote(str(status.get('id')), safe='')}/context")
    except SourceError:
        return []            # deleted or hidden since it was listed: nothing public to read
    out = []
    for reply in field_of(context, "descendants", kind=list, default=[]):
        if not isinstance(reply, dict) or field_of(reply, "account", "id") == account_id:
            continue
        if reply.get("visibility") not in PUBLIC:
            continue
        text = html_text(reply.get("content"))
        if text:
            out.append(Reply(url=field_of(reply, "url") or field_of(reply, "uri") or "", text=text,
                             author=field_of(reply, "account", "acct") or "",
                             created_at=iso(parse_time(field_of(reply, "created_at"), now))))
    return out


def _json_list(body: bytes) -> list:
    try:
        data = loads(body)
    except ValueError:
        raise SourceError("the server sent data that is not valid JSON") from None
    if not isinstance(data, list):
        raise SourceError("the server sent data in an unexpected shape (expected a list of posts)")
    return data


def _next_link(header: str) -> str | None:
    for link in parse_header_links(header) if header else []:
        if link.get("rel") == "next":
            return link.get("url")
    return None
