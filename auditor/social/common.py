"""What every social collector shares: JSON over the run's Fetcher, plain errors, times, HTML text.

A collector raises `SourceError` with a sentence the CEO can read; the caller turns it
into an unreadable `Account`. Tokens never appear in messages: `Api` masks them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from ..crawl.http import Fetcher, FetchResult
from ..snapshot import Account, ImageUse, Post

MAX_JSON_BYTES = 5 * 2**20
MAX_THREADS = 60                # posts whose replies are fetched
LIMIT_REACHED = "limit"         # Collected.cut_short: max_posts was reached


class SourceError(Exception):
    """An account that could not be read, phrased for the report."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.status = status
        self.body = body          # the refusal itself, for APIs that explain in JSON


@dataclass
class Collected:
    account: Account
    posts: list[Post] = field(default_factory=list)    # in the window: text, replies and photos checked
    older: list[Post] = field(default_factory=list)    # before it: photos checked (still published)
    cut_short: str = ""                                # why older posts were left unread, if some were
    unreadable: int = 0                                # posts, replies or images left out: a value was malformed


_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def web_address(value: Any) -> str | None:
    """`value` when it is an http(s) address with a host that the rest of the audit can parse;
    None for anything else: a platform's fields are untrusted ("http://[::1", CR/LF, a number)."""
    if not isinstance(value, str) or not value or len(value) > 4096 or _CONTROL.search(value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port                     # raises on a malformed port
    except ValueError:
        return None
    return value if parts.scheme in ("http", "https") and host else None


def split(posts: list[Post], since: datetime, max_posts: int, cut: str) -> tuple[list[Post], list[Post], str]:
    """(posts in the window, older posts, why reading stopped short or ""), newest first.
    An undated post counts as recent: its text is checked rather than skipped."""
    kept = posts[:max_posts]
    recent = [p for p in kept if not p.created_at or _when(p) >= since]
    older = [p for p in kept if p.created_at and _when(p) < since]
    return recent, older, cut or (LIMIT_REACHED if len(posts) > max_posts else "")


def later_page_failed(posts: list[Post], since: datetime, exc: SourceError) -> str:
    """Why a page of posts past the window could not be read; raises `exc` again when the window
    itself is not read whole (the account is then unreadable, as before)."""
    if not any(p.created_at and _when(p) < since for p in posts):
        raise exc
    return f"a page of older posts could not be read ({exc})"


def _when(post: Post) -> datetime:
    return parse_time(post.created_at) or datetime.min.replace(tzinfo=timezone.utc)


def pages_for(max_posts: int, per_page: int) -> int:
    """Pages of posts to ask for: enough for max_posts, whatever the window."""
    return max_posts // per_page + 2


def problem(status: int | None, error: str | None = None) -> str:
    """Why a request failed, in plain words."""
    if error:
        return error
    if status == 401:
        return "the server asked for a sign-in (401)"
    if status == 403:
        return "the server refused access (403)"
    if status == 404:
        return "the account or address was not found (404)"
    if status == 429:
        return "the server is limiting requests and asked the audit to come back later (429)"
    if status is not None and status >= 500:
        return f"the server had an internal error ({status})"
    return f"the server answered {status}"


class Api:
    """GET JSON or bytes through the run's Fetcher; failures raise SourceError, secrets masked."""

    def __init__(self, fetcher: Fetcher, secret: str | None = None, headers: dict[str, str] | None = None):
        self.fetcher = fetcher
        self.secret = secret
        self.headers = headers or {}

    def mask(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text

    def get(self, url: str, params: dict | None = None, *, robots: bool = False,
            accept: str = "application/json", max_bytes: int = MAX_JSON_BYTES) -> FetchResult:
        result = self.fetcher.fetch(url, params=params, robots=robots, headers={"Accept": accept, **self.headers},
                                    max_bytes=max_bytes)
        if not result.ok:
            said = server_said(result.body) if result.error is None else None
            message = problem(result.status, result.error) + (f" (the server said: \u201c{said}\u201d)" if said else "")
            raise SourceError(self.mask(message), result.status, result.body[:65536])
        return result

    def json(self, url: str, params: dict | None = None) -> Any:
        result = self.get(url, params)
        try:
            return loads(result.body)
        except ValueError:
            raise SourceError("the server sent data that is not valid JSON", result.status) from None


def loads(body: bytes) -> Any:
    """JSON from untrusted bytes: any failure, nesting too deep included, is a ValueError."""
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def same_host(url: str | None, base: str) -> str | None:
    """`url` when it stays on `base`'s server: paging links from an API are not followed elsewhere."""
    if url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc == urlsplit(base).netloc:
        return url
    return None


def server_said(body: bytes) -> str | None:
    """The short explanation APIs put in their error JSON (Mastodon, XRPC, Graph API shapes)."""
    try:
        data = loads(body[:65536])
    except ValueError:
        return None
    said = field_of(data, "message") or field_of(data, "error") or field_of(data, "error", "message")
    return " ".join(said.split())[:200] if said else None


def field_of(data: Any, *path: str | int, kind: type = str, default: Any = None) -> Any:
    """data[path…] if every step exists and the end has type `kind`; else default.

    Untrusted JSON: never assume a key or a type.
    """
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and -len(data) <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        else:
            return default
    if kind is bool:
        return data if isinstance(data, bool) else default
    return data if isinstance(data, kind) and not isinstance(data, bool) else default


def records(data: Any, key: str) -> list[dict]:
    """The list of objects under `key`, or SourceError when the payload is not shaped that way."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceError(f"the server sent data in an unexpected shape (no {key!r} list)")
    return [x for x in items if isinstance(x, dict)]


def parse_time(value: Any, now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from ISO-8601 text; None when absent, malformed or in the future."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    when = when.astimezone(timezone.utc)
    if now is not None and when > now:
        return None
    return when


def iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") if when else None


def html_text(fragment: Any) -> str:
    """Visible text of an HTML fragment (post bodies are HTML on Mastodon and in feeds)."""
    if not isinstance(fragment, str) or not fragment.strip():
        return ""
    if "<" not in fragment:
        return " ".join(fragment.split())
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())
    for br in root.iter("br", "p", "li"):
        br.tail = " " + (br.tail or "")
    return " ".join(root.text_content().split())


def html_images(fragment: Any, base: str) -> list[ImageUse]:
    """<img> elements inside an HTML fragment, with their alt text."""
    if not isinstance(fragment, str) or "<img" not in fragment.lower():
        return []
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return []
    out = []
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if src and not src.startswith("data:"):
            absolute = join(base, src)
            if absolute:
                out.append(ImageUse(src=absolute, alt=img.get("alt"), kind="img", region="main"))
    return out


def join(base: str, ref: Any) -> str:
    """`ref` made absolute against `base`; "" when it is not an address at all (e.g. "http://[")."""
    if not isinstance(ref, str):
        return ""
    try:
        return urljoin(base, ref)
    except ValueError:
        return ""


def image(src: Any, alt: Any = None) -> ImageUse | None:
    """A post image from an API field. Platforms send "" or null when no description was
    written, which for a post image means missing, not decorative: both become None."""
    if not isinstance(src, str) or not src.startswith(("http://", "https://")):
        return None
    alt = alt.strip() if isinstance(alt, str) else ""
    return ImageUse(src=src, alt=alt or None, kind="img", region="main")
