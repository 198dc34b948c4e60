"""The work done in crawl threads: fetch a page, an image, a file or a link, once each.

Each function takes a `Task`, returns an `Outcome` and keeps no body after it returns.
On a 304 the extract or analysis cached by the previous run is reused as it is.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass, field, replace
from typing import Callable
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .. import imaging
from ..isolation import Decoders
from ..snapshot import ImageInfo, LinkStatus, Page
from .extract import decode_html, extract, extract_tree, keep_headers, parse_html
from .failure import Failure, Kind
from .render import RenderError, Renderer, needed
from .http import RETRY_STATUSES, FetchResult, Fetcher

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Link targets with these endings are status-checked, never downloaded.
FILE_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf", ".csv",
    ".zip", ".gz", ".rar", ".7z", ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".wav", ".ogg", ".webm",
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".heic",
    ".txt", ".xml", ".json", ".ics", ".epub", ".dmg", ".exe", ".apk", ".css", ".js",
}
BLOCKING_STATUSES = (401, 403, 429)
ROBOTS_IMAGE = "robots.txt forbids fetching it"      # why an image the site shows was not checked
RENDER_OFF = "reading pages in a browser is switched off (crawl.render = false)"
SCRIPT_CHECKED = "script_checked"   # in a cached page: it was looked at for being built by script
CHALLENGE_TITLES = ("just a moment", "attention required", "access denied", "checking your browser",
                    "ddos-guard", "are you a robot", "human verification", "security check")


@dataclass(slots=True)     # a large sitemap queues tens of thousands at once
class Task:
    kind: str                 # page | file | link | image | sitemap
    url: str
    depth: int = 0
    same_site: bool = True
    seed: str = ""            # start | extra, for pages the config names
    data: bytes = b""         # an image drawn in the page itself (inline SVG): analysed, not fetched

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


@dataclass
class Outcome:
    task: Task
    link: LinkStatus | None = None
    page: Page | None = None
    image: ImageInfo | None = None
    urls: list[tuple[str, str | None]] = field(default_factory=list)   # from sitemaps
    blocked: bool = False     # the answer reads as "bots not welcome" (401/403/429 or a challenge page)
    robots: Failure | None = None  # why robots.txt kept the crawl out, when it did
    too_large: bool = False   # a page over crawl.max_page_mb: not audited
    reused: bool = False      # came from the cache on a 304
    html: bool = False        # a link target that answered with an HTML page (/gallery/1/a.jpg): a page after all


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def is_file_url(url: str) -> bool:
    return os.path.splitext(urlsplit(url).path.lower())[1] in FILE_EXTENSIONS


def link_status(url: str, r: FetchResult, external: bool = False, status: int | None = None) -> LinkStatus:
    """The link's outcome. Not broken: a link robots.txt keeps us from, or a page over the size cap."""
    if r.robots_blocked:
        return LinkStatus(url, final_url=r.final_url, external=external)
    error = None if r.too_large else r.error
    status = status or r.status
    # 429 is our pace, not the link: never a broken link.
    return LinkStatus(url, status=status, error=error, final_url=r.final_url or None, external=external,
                      blocked=status == 429, failure=r.failure.value if r.failure and status is None else None)


def is_challenge(r: FetchResult, title: str = "") -> bool:
    """A bot check ("Just a moment…", a CAPTCHA) rather than the page itself."""
    if r.headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    title = title.lower()
    return r.status in (200, 403, 429, 503) and any(t in title for t in CHALLENGE_TITLES) \
        and len(r.body) < 200_000


def fetch_page(fetcher: Fetcher, task: Task, max_bytes: int, claim: Callable[[str], bool] | None = None,
               renderer: Renderer | None = None) -> Outcome:
    """Fetch one page; `claim(url)` is False for a redirect target another task fetches already.
    A page built by script is read through `renderer` when there is one."""
    r = fetcher.fetch_cached(task.url, ("page", "file"), max_bytes=max_bytes, body_types=HTML_TYPES, follow=claim)
    out = Outcome(task)
    if r.redirect_unfollowed:
        out.link = link_status(task.url, r)
        return out
    if r.not_modified and r.kept.kind == "page" and renderer is not None and not r.kept.data.get(SCRIPT_CHECKED):
        # kept by an audit that did not look for script-built pages: read it afresh once
        r = fetcher.fetch(task.url, max_bytes=max_bytes, body_types=HTML_TYPES, follow=claim)
        if r.redirect_unfollowed:
            out.link = link_status(task.url, r)
            return out
    if r.not_modified:
        data = r.kept.data
        out.link = link_status(task.url, r, status=data.get("status") or 200)
        if r.kept.kind == "page":
            out.page, out.reused = _reuse_page(data, task, r), True
        return out
    out.link = link_status(task.url, r)
    out.robots = Failure(r.failure, r.error or "") if r.robots_blocked and r.failure else None
    out.too_large = r.too_large
    html = r.content_type in HTML_TYPES or (not r.content_type and _looks_html(r.body))
    title = ""
    if r.ok and html and not r.error:
        out.page = _make_page(task, r, renderer)
        title = out.page.title
        if not out.page.script_built:      # its script's answers may change while it does not: read it afresh
            fetcher.remember(r, "page", {**out.page.to_dict(), SCRIPT_CHECKED: renderer is not None})
    elif r.ok and not html:
        fetcher.remember(r, "file", {"status": r.status})
    elif html and r.body:
        title = _title(r.body)
    out.blocked = r.status in BLOCKING_STATUSES or is_challenge(r, title)
    if out.blocked and out.page is not None:
        out.page = None               # a challenge page is not the site's content
    return out


def _make_page(task: Task, r: FetchResult, renderer: Renderer | None = None) -> Page:
    text = decode_html(r.body, r.charset)
    page = _blank_page(task, r)
    doc = parse_html(text, page)
    page = extract_tree(page, doc)
    page.script_built = needed(doc, page, text)      # looked for even when not rendered: the report says so
    del doc, text
    if page.script_built and renderer is None:
        page.render_error = RENDER_OFF
    elif page.script_built:
        page = _rendered(page, task, r, renderer)
    page.digest = content_digest(page)
    return page


def _blank_page(task: Task, r: FetchResult) -> Page:
    return Page(url=task.url, final_url=r.final_url, status=r.status, content_type=r.content_type,
                headers=keep_headers(r.headers), fetched_at=now_iso(), depth=task.depth)


def _rendered(page: Page, task: Task, r: FetchResult, renderer) -> Page:
    """The page as a browser shows it; the page as served, with the reason, when it cannot be rendered."""
    try:
        html = renderer.render(r.final_url or task.url, r.body, r.content_type)
    except RenderError as exc:
        page.render_error = str(exc)
        return page
    shown = extract(_blank_page(task, r), html, hash_routes=True)
    shown.script_built, shown.rendered = page.script_built, True
    return shown


def content_digest(page: Page) -> str:
    """What the page says, without what changes from fetch to fetch (when, how deep, the Date header):
    the same content fetched again, or reused on a 304, has the same digest."""
    same = replace(page, fetched_at="", depth=0, digest="",
                   headers={k: v for k, v in page.headers.items() if k != "date"})
    return hashlib.sha1(pickle.dumps(same, pickle.HIGHEST_PROTOCOL)).hexdigest()


def _reuse_page(data: dict, task: Task, r: FetchResult) -> Page:
    page = Page.from_dict(data)
    page.url, page.final_url, page.depth = task.url, r.final_url, task.depth
    page.fetched_at, page.changed = now_iso(), False
    return page


def _looks_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def _title(body: bytes) -> str:
    head = body[:4096].decode("utf-8", "replace").lower()
    start = head.find("<title")
    end = head.find("</title>", start)
    return head[head.find(">", start) + 1:end] if start >= 0 and end > start else ""


def check_link(fetcher: Fetcher, task: Task) -> Outcome:
    """Status only: HEAD, then GET (body unread) when HEAD is refused or fails, as some servers do."""
    external = not task.same_site
    retries = 1 if external else None     # someone else's server: one retry is polite enough
    r = fetcher.fetch_cached(task.url, "file", method="HEAD", retries=retries)
    if r.not_modified:
        data = r.kept.data
        return Outcome(task, link=link_status(task.url, r, external, status=data.get("status") or 200),
                       html=bool(data.get("html")))
    if _head_refused(r):
        r = fetcher.fetch_cached(task.url, "file", body=False, retries=retries)
    html = r.ok and r.content_type in HTML_TYPES
    fetcher.remember(r, "file", {"status": r.status, "html": html})
    return Outcome(task, link=link_status(task.url, r, external), blocked=r.status in BLOCKING_STATUSES, html=html)


# The host cannot be reached or the redirects go nowhere: a GET would fail the same way.
GET_WILL_NOT_HELP = {Kind.REFUSED, Kind.NO_DOMAIN, Kind.CERTIFICATE, Kind.TIMEOUT, Kind.DEADLINE, Kind.REDIRECT,
                     Kind.INTERNAL}


def _head_refused(r: FetchResult) -> bool:
    """HEAD failed in a way a GET may not: many servers mishandle HEAD. Not for dead hosts or 5xx."""
    if r.robots_blocked:
        return False
    if r.failure is not None:
        return r.failure not in GET_WILL_NOT_HELP
    return (r.status or 0) >= 400 and r.status not in RETRY_STATUSES


def fetch_image(fetcher: Fetcher, task: Task, max_bytes: int, decoders: Decoders) -> Outcome:
    """Fetch and analyse once, in `decoders`' worker processes; on a 304 the cached analysis is
    reused, not re-decoded or re-hashed (unless it was made before photos were searched for
    people). An analysis that could not be made is not kept: the next audit tries again."""
    if task.data:
        return Outcome(task, image=decoders.analyse(task.url, task.data, "image/svg+xml", None))
    # Same-site images obey robots.txt; images the site embeds from elsewhere are fetched as
    # a browser showing the page would fetch them.
    r = fetcher.fetch_cached(task.url, "image", max_bytes=max_bytes, robots=task.same_site)
    if r.not_modified:
        cached = ImageInfo.from_dict({**r.kept.data, "url": task.url})
        if not lacks_people(cached):
            return Outcome(task, image=cached, reused=True)
        r = fetcher.fetch(task.url, max_bytes=max_bytes, robots=task.same_site)
    out = Outcome(task, blocked=r.status in BLOCKING_STATUSES)
    if r.robots_blocked:
        out.image = ImageInfo(task.url, facts={"not_checked": ROBOTS_IMAGE})
    elif r.too_large:
        size = r.headers.get("content-length", "")
        out.image = ImageInfo(task.url, status=r.status, oversized=True, content_type=r.content_type,
                              bytes=int(size) if size.isdigit() else 0,
                              error=f"larger than the {max_bytes / 2**20:g} MB limit, so it was not checked")
    elif r.error or r.status is None or r.status >= 400:
        out.image = ImageInfo(task.url, status=r.status, error=r.error, content_type=r.content_type,
                              facts={"failure": r.failure.value} if r.failure and r.status is None else {})
    else:
        out.image = decoders.analyse(task.url, r.body, r.content_type, r.status)
        if imaging.NOT_CHECKED not in out.image.facts:
            fetcher.remember(r, "image", out.image.to_dict())
    return out


def lacks_people(info: ImageInfo) -> bool:
    """A photo analysed before photos were searched for people: to be analysed afresh."""
    return bool(info.facts.get("photo")) and "people" not in info.facts
