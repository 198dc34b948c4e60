"""The snapshot: everything the collectors gathered, and the only input checks read.

All records are plain dataclasses that round-trip through JSON (`to_dict` /
`from_dict`), so page extracts and image analyses can be cached between runs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Iterator, Protocol

REGIONS = ("header", "nav", "main", "aside", "footer", "other")


@dataclass
class ImageUse:
    """One place an image is shown: an <img>, <picture> source, icon link or og:image."""

    src: str                      # absolute URL
    kind: str = "img"             # img | icon | apple-touch-icon | og:image | css
    alt: str | None = None        # None when the attribute is absent; "" is decorative
    title: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)   # id, class, width, height, style, role, aria-*…
    region: str = "other"         # one of REGIONS
    link: str | None = None       # href of the enclosing <a>, absolute
    context: str = ""             # nearest heading / caption / figure text, for "Supported by…"


@dataclass
class Link:
    url: str                      # absolute, normalised, no fragment
    text: str = ""
    region: str = "other"
    tag: str = "a"                # a | area | iframe | script | link


@dataclass
class Section:
    """A heading and the text under it until the next heading of the same or higher level."""

    heading: str
    level: int
    text: str
    region: str = "main"


@dataclass
class Page:
    url: str                      # the URL as requested (normalised)
    final_url: str = ""
    status: int | None = None
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)   # lower-case names, kept selectively
    title: str = ""
    lang: str = ""
    text: str = ""                # all visible text, whitespace collapsed
    regions: dict[str, str] = field(default_factory=dict)   # visible text per region
    headings: list[tuple[int, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    images: list[ImageUse] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)      # name/property (lower-case) -> content
    jsonld: list[dict] = field(default_factory=list)        # every JSON-LD object, @graph flattened
    times: list[dict[str, str]] = field(default_factory=list)  # <time datetime> elements: {datetime, text}
    sitemap_lastmod: str | None = None
    dates: dict[str, str] = field(default_factory=dict)     # "modified"/"published" -> ISO date found by htmldate
    contact_links: list[str] = field(default_factory=list)  # mailto:/tel: hrefs (their text may not show them)
    fetched_at: str = ""          # ISO-8601
    changed: bool = True          # False when the server answered 304 to a conditional request
    depth: int = 0
    digest: str = ""              # of the extract as made (see crawl.tasks): identifies the content across runs
    # Words a visitor meets outside the body text: place ("alt text", "title attribute", "aria-label",
    # "figure caption") -> distinct texts, each capped.
    texts_outside: dict[str, list[str]] = field(default_factory=dict)
    script_built: str = ""        # why its links or content are built by script ("" when they are not)
    rendered: bool = False        # read from headless Chromium after its scripts ran
    render_error: str = ""        # why a page built by script could not be rendered
    unread: str = ""              # why part of the page could not be read (markup nested too deep…)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Page":
        data = dict(data)
        data["links"] = [Link(**x) for x in data.get("links", [])]
        data["images"] = [ImageUse(**x) for x in data.get("images", [])]
        data["sections"] = [Section(**x) for x in data.get("sections", [])]
        data["headings"] = [tuple(h) for h in data.get("headings", [])]
        return cls(**_known(cls, data))


@dataclass
class ImageInfo:
    """An image fetched once and analysed once (cached across runs by URL + validator)."""

    url: str
    status: int | None = None
    error: str | None = None      # why it could not be fetched or decoded
    content_type: str = ""
    format: str = ""              # Pillow format name, or "SVG"
    width: int = 0
    height: int = 0
    bytes: int = 0
    oversized: bool = False       # recorded, not decoded
    hashes: dict[str, str] = field(default_factory=dict)    # name -> hex perceptual hash
    facts: dict[str, Any] = field(default_factory=dict)     # analyser results (photo-likeness, faces, metadata…)
    thumbnail: str | None = None  # file name of a stored thumbnail in the storage folder

    @property
    def ok(self) -> bool:
        return self.error is None and self.width > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImageInfo":
        return cls(**_known(cls, data))


@dataclass(slots=True)
class LinkStatus:
    """The outcome of checking one link target (page, file or external URL); one per URL the crawl
    met, so slotted: tens of thousands on a large site."""

    url: str
    status: int | None = None
    error: str | None = None      # timeout, refused, too many redirects, blocked…
    final_url: str | None = None
    external: bool = False
    blocked: bool = False         # the site refused the auditor (403/429, bot check): unknown, not broken
    failure: str | None = None    # why there is no status, as crawl.failure.Kind values: "no_domain"…

    @property
    def broken(self) -> bool:
        if self.blocked:
            return False
        return self.error is not None or (self.status is not None and self.status >= 400)


@dataclass
class Reply:
    url: str
    text: str
    author: str = ""              # display handle only, never looked up further
    created_at: str | None = None


@dataclass
class Post:
    platform: str
    url: str
    created_at: str | None = None  # ISO-8601
    text: str = ""
    images: list[ImageUse] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)


@dataclass
class Account:
    platform: str
    profile_url: str
    display_name: str = ""
    avatar_url: str | None = None
    error: str | None = None      # set when the account could not be read
    status: int | None = None
    last_post_at: str | None = None


@dataclass
class CrawlError:
    """Something the audit could not read, said plainly."""

    url: str
    message: str
    kind: str = "error"           # down | robots | blocked | truncated | unrendered | capped | unchecked | offline | error
    evidence: dict[str, Any] = field(default_factory=dict)


class Pages(Protocol):
    """The snapshot's pages: a list, or during an audit the disk-backed pagestore.PageStore.
    Iterated as often as needed; each iteration reads them again."""

    def __iter__(self) -> Iterator[Page]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Page: ...
    def append(self, page: Page, /) -> None: ...


@dataclass
class Snapshot:
    website: str
    started_at: str
    pages: Pages = field(default_factory=lambda: list[Page]())
    images: dict[str, ImageInfo] = field(default_factory=dict)
    links: dict[str, LinkStatus] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)        # since the previous audit (or lookback_days)
    older_posts: list[Post] = field(default_factory=list)  # still published, older: read for their photos only
    errors: list[CrawlError] = field(default_factory=list)
    complete: bool = True         # False when interrupted or cut short by a limit
    stats: dict[str, Any] = field(default_factory=dict)

    def image(self, url: str) -> ImageInfo | None:
        return self.images.get(url)


def _known(cls, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
