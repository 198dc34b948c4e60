"""Turn one HTML document into a Page extract: text by region, links, images, metadata.

Each page is parsed once, with lxml; checks read the extract, never the HTML.
"""
from __future__ import annotations

import codecs
import json
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import htmldate
import lxml.html
from lxml import etree

from ..snapshot import ImageUse, Link, Page, Section
from . import inline_svg

SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "svg", "math", "object"}
BLOCK_TAGS = {"p", "div", "li", "br", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
              "section", "article", "header", "footer", "nav", "main", "aside", "figure",
              "figcaption", "blockquote", "dt", "dd", "ul", "ol", "table", "address", "hr", "pre"}
HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
ROLE_REGION = {"banner": "header", "navigation": "nav", "contentinfo": "footer",
               "main": "main", "complementary": "aside"}
TAG_REGION = {"header": "header", "nav": "nav", "footer": "footer", "main": "main", "aside": "aside"}
HINT_REGION = (("masthead", "header"), ("site-header", "header"), ("header", "header"),
               ("banner", "header"), ("navbar", "nav"), ("menu", "nav"), ("nav", "nav"),
               ("footer", "footer"), ("sidebar", "aside"), ("content", "main"))
ICON_RELS = {"icon", "shortcut icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"}
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:", "callto:", "#")
KEEP_HEADERS = ("content-type", "last-modified", "etag", "date", "content-language", "x-robots-tag")
# adjacent elements join their words only where one is a single letter (a drop capital, "1<sup>st</sup>")
WORD_END = re.compile(r"\w\w$")
WORD_START = re.compile(r"\w\w")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.I)
MAX_DEPTH = 256       # libxml2's nesting limit without huge_tree; the walk below keeps to it too
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
# A quoted address inside a script handler (javascript:popup('/print/12'), onclick="location='a.html'").
SCRIPT_TARGET = re.compile(r"""['"]((?:https?://|/(?!/)|\.{1,2}/)[^'"\s<>]{0,300}|[\w\-./]{1,200}\.(?:s?html?|php|aspx?))['"]""")
MAX_SCRIPT_TARGETS = 5        # per handler
# Words outside the body text that a visitor (or a screen reader) meets: read by the name and
# personal-data checks. Bounded: a hostile page cannot make the extract grow without end.
ATTRIBUTE_PLACES = (("title", "title attribute"), ("aria-label", "aria-label"))
MAX_OUTSIDE_TEXTS, MAX_OUTSIDE_CHARS = 200, 300


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Decode with BOM, then the HTTP charset, then <meta charset>, then UTF-8/Windows-1252."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(enc, errors="replace")
    candidates: list[str | None] = [header_charset]
    match = META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    for candidate in candidates:
        if not candidate:
            continue
        enc = candidate
        try:
            codecs.lookup(enc)
        except (LookupError, ValueError):     # unknown, or not even a name ("utf\0")
            continue
        if enc.lower().replace("-", "") in ("iso88591", "latin1", "ascii", "usascii"):
            enc = "windows-1252"  # as browsers do
        try:
            return body.decode(enc, errors="replace")
        except (LookupError, UnicodeError):     # a codec that is no text encoding ("undefined", "base64")
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("windows-1252", errors="replace")


_URL_SPACE = str.maketrans("", "", "\t\n\r")


def normalise_url(url: str, base: str | None = None) -> str | None:
    """Absolute http(s) URL without fragment, lower-case host, no default port."""
    url = (url or "").strip()
    if "\t" in url or "\n" in url or "\r" in url:
        url = url.translate(_URL_SPACE)     # as the URL parser would, before "/\t/" is read as "//"
    # A site's navigation repeats the same root-relative and absolute links on every page: those
    # depend on the base's origin at most, so their answers are shared between pages.
    if url.lower().startswith(("http://", "https://")) and _names_host(url):
        return _normalise_shared(url, None)
    if url.startswith("/") and not url.startswith("//") and base:
        origin = _origin(base)
        if origin:
            return _normalise_shared(url, origin + "/")
    return _normalise(url, base)


def _names_host(url: str) -> bool:
    """Whether an absolute link names its host: "https://" or "https:///x" alone lead somewhere on
    the page's own site, as a relative link does."""
    try:
        return bool(urlsplit(url).netloc)
    except ValueError:
        return False      # the full computation says it is no address


def _origin(base: str) -> str | None:
    """"scheme://host[:port]" of an http(s) base URL, found without parsing it."""
    start = base.find("//") + 2
    if start < 2 or base[:start].lower() not in ("http://", "https://"):
        return None
    ends = [i for i in (base.find(c, start) for c in "/?#") if i >= 0]
    return base[:min(ends)] if ends else base


@lru_cache(maxsize=4096)
def _normalise_shared(url: str, base: str | None) -> str | None:
    return _normalise(url, base)


def _normalise(url: str, base: str | None) -> str | None:
    if not url or url.lower().startswith(SKIP_SCHEMES):
        return None
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower()
        if ":" in host:
            host = f"[{host}]"
        port = parts.port
    except ValueError:
        return None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = re.sub(r"\s", lambda m: "%20" if m.group() == " " else "", parts.path) or "/"
    return urlunsplit((scheme, host, path, parts.query, ""))


def clean(text: str | None) -> str:
    # Whitespace collapsed: str.split() and re's \s agree on what whitespace is.
    return " ".join((text or "").split())


class _Walker:
    def __init__(self, page: Page, base: str, has_main: bool, hash_routes: bool = False):
        self.page, self.base, self.has_main = page, base, has_main
        self.hash_routes = hash_routes
        self.chunks: dict[str, list[str]] = {}
        self.all: list[str] = []
        self.stack: list[tuple[int, str, list[str], str]] = []   # open sections
        self.sections: list[Section] = []
        self.recent = ""
        self.seam = False       # an element has just ended, with no text since
        self.gap = False        # …and another began: its first text may start a new word

    def add_text(self, text: str | None, region: str) -> None:
        if not text:
            return
        gap, self.gap, self.seam = self.gap, False, False
        if not text.strip():
            # whitespace between elements separates words as a browser shows them
            if self.all and not self.all[-1][-1:].isspace():
                self._append(" ", region)
            return
        if gap and self.all and WORD_END.search(self.all[-1]) and WORD_START.match(text):
            text = " " + text     # <span>Anytown Baptist</span><span>Church</span>: shown apart, not "BaptistChurch"
        self._append(text, region)

    def _append(self, text: str, region: str) -> None:
        self.chunks.setdefault(region, []).append(text)
        self.all.append(text)
        for _, _, parts, sec_region in self.stack:
            if sec_region == region:
                parts.append(text)
        self.recent = (self.recent + " " + text)[-160:]

    def block_break(self, region: str) -> None:
        self.chunks.setdefault(region, []).append("\n")
        self.all.append("\n")
        for _, _, parts, sec_region in self.stack:
            if sec_region == region:
                parts.append("\n")

    def region_of(self, el, inherited: str) -> str:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in TAG_REGION:
            # <header>/<footer> inside an <article> belong to that article's content
            if tag in ("header", "footer") and inherited == "main" and self.has_main:
                return inherited
            return TAG_REGION[tag]
        role = (el.get("role") or "").lower()
        if role in ROLE_REGION:
            return ROLE_REGION[role]
        if inherited in ("other", "main") and tag in ("div", "section", "ul", "table", "aside"):
            hint = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
            if hint.strip():
                for word, region in HINT_REGION:
                    if word in hint and not (word == "content" and inherited == "main"):
                        return region
        return inherited

    def walk(self, el, region: str, link: str | None, context: str, depth: int = 0) -> None:
        # Recursion bounded by MAX_DEPTH, whatever the parser let through.
        tag = el.tag if isinstance(el.tag, str) else ""
        if depth > MAX_DEPTH:
            return
        if tag == "svg":
            self.inline_svg(el, region, link, context)
        if tag in SKIP_TAGS or not tag:
            return
        region = self.region_of(el, region)
        self.gap, self.seam = self.gap or self.seam, False
        for attr, place in ATTRIBUTE_PLACES:
            if el.get(attr):
                self.outside(place, el.get(attr))
        if tag == "figcaption":
            self.outside("figure caption", el.text_content())
        if tag in HEADING:
            self.open_section(HEADING[tag], clean(el.text_content()), region)
        if tag in ("a", "area") and el.get("href"):
            if el.get("href").strip().lower().startswith(("mailto:", "tel:")):
                self.page.contact_links.append(el.get("href").strip()[:300])
            href = self.hash_route(el.get("href")) or normalise_url(el.get("href"), self.base)
            if href:
                self.page.links.append(Link(url=href, text=clean(el.text_content()), region=region, tag=tag))
                link = href
            elif el.get("href").lstrip().lower().startswith("javascript:"):
                self.script_links(el.get("href"), el, region)
        if el.get("onclick"):
            self.script_links(el.get("onclick"), el, region)
        elif tag == "iframe" and el.get("src"):
            src = normalise_url(el.get("src"), self.base)
            if src:
                self.page.links.append(Link(url=src, region=region, tag="iframe"))
        elif tag == "figure":
            cap = el.find(".//figcaption")
            if cap is not None:
                context = clean(cap.text_content())
        # <image src> outside SVG is shown as <img> by browsers (their parser renames it); lxml keeps the name
        if tag in ("img", "image", "input") or (tag == "source" and el.getparent() is not None):
            self.image(el, tag, region, link, context)
        style = el.get("style")
        if style and "url(" in style:
            for match in CSS_URL.finditer(style):
                src = normalise_url(match.group(1), self.base)
                if src:
                    self.page.images.append(ImageUse(src=src, kind="css", attrs=_attrs(el), region=region, link=link,
                                                     context=self.context(context)))
        if tag in BLOCK_TAGS:
            self.block_break(region)
        self.add_text(el.text, region)
        for child in el:
            self.walk(child, region, link, context, depth + 1)
            self.add_text(child.tail, region)
        if tag in BLOCK_TAGS:
            self.block_break(region)
        self.gap, self.seam = False, True

    def hash_route(self, href: str) -> str | None:
        """In a rendered app, "#/about" is a view of its own: the address keeps its fragment."""
        href = href.strip()
        if not self.hash_routes or not href.startswith(("#/", "#!/")) or len(href) > 300 or href in ("#/", "#!/"):
            return None
        page = normalise_url(self.page.final_url or self.page.url)
        return f"{page}{href}" if page else None

    def script_links(self, code: str, el, region: str) -> None:
        """Addresses a script handler opens: followed like links (the crawl keeps only same-site ones)."""
        for target in SCRIPT_TARGET.findall(code[:2000])[:MAX_SCRIPT_TARGETS]:
            url = normalise_url(target, self.base)
            if url:
                self.page.links.append(Link(url=url, text=clean(el.text_content())[:200], region=region, tag="script"))

    def context(self, extra: str) -> str:
        heading = self.stack[-1][1] if self.stack else ""
        parts = [p for p in (heading, extra, clean(self.recent)[-100:]) if p]
        return " | ".join(parts)

    def image(self, el, tag: str, region: str, link: str | None, context: str) -> None:
        if tag == "input" and (el.get("type") or "").lower() != "image":
            return
        if tag == "source":
            if el.getparent().tag != "picture":
                return
            src = (el.get("srcset") or "").split(",")[0].strip().split(" ")[0]
            if not src:
                return
            kind = "source"
        else:
            # Lazy loading puts a placeholder (often a data: URI) in src and the real image elsewhere.
            candidates = [el.get("src"), el.get("data-src"), el.get("data-lazy-src"),
                          (el.get("srcset") or el.get("data-srcset") or "").split(",")[0].strip().split(" ")[0]]
            src = next((c.strip() for c in candidates if c and c.strip() and not c.strip().startswith("data:")), "")
            kind = "img"
        url = normalise_url(src, self.base)
        if not url:
            return
        attrs = _attrs(el)
        anchor = next(el.iterancestors("a"), None) if link else None
        if anchor is not None and clean(anchor.text_content()):
            attrs["link_text"] = clean(anchor.text_content())[:100]     # "Home" beside a house icon
        self.page.images.append(ImageUse(src=url, kind=kind, alt=el.get("alt"), title=el.get("title"), attrs=attrs,
                                         region=region, link=link, context=self.context(context)))

    def inline_svg(self, el, region: str, link: str | None, context: str) -> None:
        if sum(use.kind == inline_svg.KIND for use in self.page.images) < inline_svg.MAX_PER_PAGE:
            use = inline_svg.logo_use(el, self.base, region, link, self.context(context))
            if use is not None:
                self.page.images.append(use)

    def open_section(self, level: int, heading: str, region: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.close_section()
        self.page.headings.append((level, heading))
        self.stack.append((level, heading, [], region))

    def close_section(self) -> None:
        level, heading, parts, region = self.stack.pop()
        self.sections.append(Section(heading=heading, level=level, text=_join(parts), region=region))

    def outside(self, place: str, text: str) -> None:
        text = clean(text)[:MAX_OUTSIDE_CHARS]
        texts = self.page.texts_outside.setdefault(place, [])
        if text and text not in texts and len(texts) < MAX_OUTSIDE_TEXTS:
            texts.append(text)

    def finish(self) -> None:
        for use in self.page.images:
            if use.kind in ("img", "source") and use.alt:
                self.outside("alt text", use.alt)
        while self.stack:
            self.close_section()
        self.page.sections = self.sections
        self.page.text = _join(self.all)
        self.page.regions = {region: _join(parts) for region, parts in self.chunks.items()}


def _join(parts: list[str]) -> str:
    lines = "".join(parts).split("\n")
    return "\n".join(filter(None, (" ".join(line.split()) for line in lines)))


def _attrs(el) -> dict[str, str]:
    keep = ("id", "class", "width", "height", "style", "role", "aria-label", "aria-hidden",
            "loading", "srcset", "sizes", "data-src")
    return {k: str(el.get(k))[:500] for k in keep if el.get(k) is not None}


def parse_html(text: str, page: Page | None = None):
    """The parsed document, or None. libxml2 stops reading at MAX_DEPTH levels of nesting (lxml's
    huge_tree stays off, so it never recurses deeper): what the page says after that point is
    lost, and `page.unread` says so."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(huge_tree=False)
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if page is not None and any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "depth" in e.message.lower()
                                for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR):
        page.unread = (f"its markup is nested more than {MAX_DEPTH} levels deep, so only what comes "
                       "before that point was read")
    return doc


def extract(page: Page, text: str, *, hash_routes: bool = False) -> Page:
    """Fill `page` from the decoded HTML `text`; returns the same page.
    `hash_routes`: links to "#/view" are views of a rendered app, kept as addresses of their own."""
    return extract_tree(page, parse_html(text, page), hash_routes=hash_routes)


def extract_tree(page: Page, doc, *, hash_routes: bool = False) -> Page:
    """`extract` from a tree `parse_html` made."""
    if doc is None:
        return page
    base = page.final_url or page.url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base = normalise_url(base_el.get("href"), base) or base
    title = doc.find(".//title")
    page.title = clean(title.text_content()) if title is not None else ""
    page.lang = (doc.get("lang") or "").strip()
    _head(page, doc, base)
    body = doc.find("body")
    if body is None:
        body = doc
    has_main = body.find(".//main") is not None or bool(body.xpath(".//*[@role='main']"))
    walker = _Walker(page, base, has_main, hash_routes)
    walker.walk(body, "other" if has_main else "main", None, "")
    walker.finish()
    page.dates = page_dates(doc)
    return page


def page_dates(doc) -> dict[str, str]:
    """Modified and published dates from metadata and dated elements, read by htmldate.

    Only its fast mode: the extensive one takes "© 2019" and dates in link URLs for update dates.
    Comments are dropped first (the tree is not used after). It gets the parsed tree, never text: handed a string that looks like a URL, htmldate would
    download it, and parsing the page again costs more than the rest of the extract.
    """
    # A generator's build stamp in a comment ("<!-- Site rendered at: 2012-02-14T10:22 -->") says
    # when the copy was made, not when the words were written.
    etree.strip_elements(doc, etree.Comment, with_tail=False)
    out = {}
    for key, original in (("modified", False), ("published", True)):
        try:
            found = htmldate.find_date(doc, extensive_search=False, original_date=original,
                                       outputformat="%Y-%m-%d")
        except Exception:  # noqa: BLE001 - a page that confuses htmldate simply has no date
            found = None
        if found:
            out[key] = found
    return out


def _head(page: Page, doc, base: str) -> None:
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and meta.get("content") is not None and key not in page.meta:
            page.meta[key] = meta.get("content").strip()[:2000]
    for link in doc.iter("link"):
        rel = " ".join((link.get("rel") or "").lower().split())
        href = normalise_url(link.get("href"), base)
        if not href:
            continue
        if rel in ICON_RELS or "icon" in rel.split():
            kind = "apple-touch-icon" if "apple-touch-icon" in rel else "icon"
            page.images.append(ImageUse(src=href, kind=kind, attrs={"sizes": link.get("sizes") or "",
                                                                   "type": link.get("type") or ""}, region="header"))
        elif rel == "canonical":
            page.meta.setdefault("link:canonical", href)
    for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
        src = normalise_url(page.meta.get(key, ""), base)
        if src and not any(i.src == src and i.kind == "og:image" for i in page.images):
            page.images.append(ImageUse(src=src, kind="og:image", alt=page.meta.get("og:image:alt"), region="header"))
    for script in doc.iter("script"):
        if (script.get("type") or "").lower().strip() == "application/ld+json":
            page.jsonld.extend(_jsonld(script.text or ""))
    for t in doc.iter("time"):
        page.times.append({"datetime": (t.get("datetime") or "").strip(), "text": clean(t.text_content())[:200]})


def _jsonld(raw: str) -> list[dict]:
    try:
        data = json.loads(raw.strip().rstrip(";"), strict=False)
    except (ValueError, RecursionError):
        return []
    out: list[dict] = []
    stack = [data]
    while stack and len(out) < 200:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.append(item["@graph"])
            if "@type" in item:
                out.append(item)
    return out


def keep_headers(headers) -> dict[str, str]:
    return {k: str(headers[k])[:500] for k in KEEP_HEADERS if k in headers}
