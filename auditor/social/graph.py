"""Facebook Pages and Instagram professional accounts through the Graph API.

The access token comes from the environment variable the config names. It travels only in
the Authorization header, never in an address: `paging.next` addresses repeat it in their
query, so it is taken out before they are requested. Messages mask it too, so it is never
logged or stored.
"""
from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from ..snapshot import Account, ImageUse, Post, Reply
from ..settings import URL, Key
from .common import (LIMIT_REACHED, Api, Collected, SourceError, field_of, image, iso, later_page_failed, loads,
                     pages_for, parse_time, same_host, split)

if TYPE_CHECKING:
    from ..config import Social

# The [[social]] keys this reader takes: config.py reads them with these types and defaults.
KEYS = {
    "id": Key(str, help="the Page's or account's id"),
    "token_env": Key(str, help="the environment variable holding the access token"),
    "api": Key(URL, "https://graph.facebook.com/v21.0", help="the Graph API's base address"),
}
PLATFORMS = {"facebook": KEYS, "instagram": KEYS}

FACEBOOK_PROFILE = "name,link,picture.type(large){url}"
FACEBOOK_POSTS = ("id,message,created_time,permalink_url,"
                  "attachments{media_type,media,description,subattachments},"
                  "comments.limit(50){id,message,created_time,permalink_url}")
TOKEN_ERRORS = (102, 190)      # session and OAuth token errors
INSTAGRAM_PROFILE = "username,name,profile_picture_url"
INSTAGRAM_MEDIA = ("id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,"
                   "children{media_type,media_url,thumbnail_url},comments.limit(50){id,text,timestamp}")


def token(entry: Social) -> str:
    name = entry.get("token_env")
    value = os.environ.get(name, "").strip()
    if not value:
        raise SourceError(f"no access token: the environment variable {name} named in the config is not set")
    return value


def read(entry: Social, api: Api, since: datetime, now: datetime) -> Collected:
    secret = token(entry)
    api = Api(api.fetcher, secret=secret, headers={"Authorization": f"Bearer {secret}"})
    node = f"{entry.get('api').rstrip('/')}/{quote(entry.get('id'), safe='')}"
    instagram = entry.platform == "instagram"
    try:
        profile = _json(api, node, {"fields": INSTAGRAM_PROFILE if instagram else FACEBOOK_PROFILE})
        account = _instagram_account(profile) if instagram else _facebook_account(profile, node)
        edge = node + ("/media" if instagram else "/posts")
        fields = INSTAGRAM_MEDIA if instagram else FACEBOOK_POSTS
        make = _instagram_post if instagram else _facebook_post
        posts, cut = _posts(api, edge, fields, now, entry.max_posts, since, make)
    except SourceError as exc:
        raise SourceError(_explain(exc, api), exc.status) from None
    account.last_post_at = max((p.created_at for p in posts if p.created_at), default=None)
    return Collected(account, *split(posts, since, entry.max_posts, cut))


def _json(api: Api, url: str, params: dict) -> dict:
    data = api.json(url, params)
    if not isinstance(data, dict):
        raise SourceError("the Graph API sent data in an unexpected shape")
    return data


def _explain(exc: SourceError, api: Api) -> str:
    """A refused token says so; other refusals keep the plain reason and the server's words."""
    try:
        error = loads(exc.body).get("error") if exc.body else None
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("code") in TOKEN_ERRORS and isinstance(error.get("message"), str):
        return api.mask(f"the access token was refused (Graph API error {error['code']}: {error['message'][:200]})")
    return str(exc)


def _posts(api: Api, url: str, fields: str, now: datetime, max_posts: int, since: datetime,
           make) -> tuple[list[Post], str]:
    """The posts, newest first, up to `max_posts`; and why older ones were left unread ("": none were)."""
    params: dict = {"fields": fields, "limit": 25}
    posts: list[Post] = []
    nxt = None
    for _page in range(pages_for(max_posts, 25)):
        try:
            data = _json(api, url, params)
        except SourceError as exc:
            if not posts:
                raise
            return posts, later_page_failed(posts, since, exc)
        items = field_of(data, "data", kind=list)
        if items is None:
            raise SourceError("the Graph API sent a list in an unexpected shape (no 'data')")
        batch = [p for p in (make(x, now) for x in items if isinstance(x, dict)) if p is not None]
        posts.extend(batch)
        nxt = same_host(field_of(data, "paging", "next"), url) if batch else None
        if not nxt or len(posts) >= max_posts:
            break
        url, params = _without_token(nxt)
    return posts, LIMIT_REACHED if nxt else ""


def _without_token(address: str) -> tuple[str, dict]:
    """paging.next repeats the token in its query: take it out (it goes in the header)."""
    parts = urlsplit(address)
    query = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def _facebook_account(profile: dict, node: str) -> Account:
    # A silhouette is Facebook's stand-in when no profile picture was uploaded.
    silhouette = field_of(profile, "picture", "data", "is_silhouette", kind=bool, default=False)
    return Account(platform="facebook", profile_url=field_of(profile, "link") or "https://www.facebook.com/"
                   + node.rsplit("/", 1)[-1], display_name=field_of(profile, "name") or "",
                   avatar_url=None if silhouette else field_of(profile, "picture", "data", "url"))


def _instagram_account(profile: dict) -> Account:
    username = field_of(profile, "username") or ""
    return Account(platform="instagram", profile_url=f"https://www.instagram.com/{username}/",
                   display_name=field_of(profile, "name") or username,
                   avatar_url=field_of(profile, "profile_picture_url"))


def _facebook_post(item: dict, now: datetime) -> Post | None:
    url = field_of(item, "permalink_url")
    if not url:
        return None
    text = field_of(item, "message") or ""
    post = Post(platform="facebook", url=url, created_at=iso(parse_time(field_of(item, "created_time"), now)),
                text=text, images=_attachments(field_of(item, "attachments", "data", kind=list, default=[]), text))
    for comment in field_of(item, "comments", "data", kind=list, default=[]):
        body = field_of(comment, "message") or ""
        if body.strip():
            post.replies.append(Reply(url=field_of(comment, "permalink_url") or f"{url}#{field_of(comment, 'id')}",
                                      text=body, created_at=iso(parse_time(field_of(comment, "created_time"), now))))
    return post


def _attachments(items: list, text: str) -> list[ImageUse]:
    """Photos and video stills the page uploaded; link previews show the linked site's picture, not theirs."""
    out: list[ImageUse] = []
    for att in items:
        if field_of(att, "media_type") in ("photo", "video"):
            # Facebook shows the description as the photo's caption; the Graph API gives no alt text.
            use = image(field_of(att, "media", "image", "src"), field_of(att, "description") or text)
            if use:
                out.append(use)
        out.extend(_attachments(field_of(att, "subattachments", "data", kind=list, default=[]), text))
    return out


def _instagram_post(item: dict, now: datetime) -> Post | None:
    url = field_of(item, "permalink")
    if not url:
        return None
    caption = field_of(item, "caption") or ""
    post = Post(platform="instagram", url=url, created_at=iso(parse_time(field_of(item, "timestamp"), now)),
                text=caption)
    # Instagram shows the caption with the picture; the Graph API gives no alt text.
    for media in field_of(item, "children", "data", kind=list, default=None) or [item]:
        src = field_of(media, "thumbnail_url") if field_of(media, "media_type") == "VIDEO" else field_of(media, "media_url")
        use = image(src, caption)
        if use:
            post.images.append(use)
    for comment in field_of(item, "comments", "data", kind=list, default=[]):
        body = field_of(comment, "text") or ""
        if body.strip():
            link = url.rstrip("/") + f"/c/{field_of(comment, 'id') or ''}/"
            post.replies.append(Reply(url=link, text=body,
                                      created_at=iso(parse_time(field_of(comment, "timestamp"), now))))
    return post

