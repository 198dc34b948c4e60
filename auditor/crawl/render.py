"""Pages built by script: which need a browser, and rendering those in headless Chromium.

`needed` reads the parsed HTML only, so a page that needs no browser costs a few tree queries.
`Renderer` starts one browser for the whole audit, the first time a page needs it (Playwright
driving the system's Chromium). Every request the page makes is answered through the run's
Fetcher, so robots.txt, the per-host delay, the size caps and the crawl's host rules hold;
requests to other sites, and images, fonts, media and stylesheets, are refused: only the
documents, scripts and data that build the page are fetched (images are fetched by the crawl).
One exception without a request: jQuery loaded from a public CDN, which many small sites use to
load their header and footer, is answered with the copy shipped in the XStatic-jQuery package.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from .http import Fetcher

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_ADVICE = "install Chromium on the machine that runs the audit (on Debian or Ubuntu: apt-get install chromium)"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio",
               "--disable-dev-shm-usage", "--js-flags=--max-old-space-size=256",
               # Every request the audit allows is answered by the route handler, which needs no network:
               # whatever escapes interception (WebSockets, prefetches) meets a proxy that is not there.
               "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
FETCHED_TYPES = {"document", "script", "xhr", "fetch"}
RESTART_EVERY = 200          # pages: a long audit does not let one browser grow without end
SETTLE_SECONDS = 10.0        # at most, after the load event, for fragments and data to arrive

APP_ROOT_IDS = ("root", "app", "__next", "___gatsby", "__nuxt", "svelte", "main-app")
LAYOUT_WORDS = ("header", "footer", "nav", "navbar", "navigation", "menu", "masthead")
REGION_OF = {"navbar": "nav", "navigation": "nav", "menu": "nav", "masthead": "header"}
LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
# Elements that can say "built by script": found by compiled queries in C, classified in Python.
PARTS = etree.XPath("//noscript | //nav | //*[@role='navigation'] | //ng-view | //ui-view"
                    " | (//div | //header | //footer | //nav | //section | //main)[not(*)][not(normalize-space())]"
                    "[@id or @class or self::header or self::footer or self::nav]")
SCRIPT_ATTRS = etree.XPath(
    "//*[@ng-view or @data-ng-view or @ui-view or @ng-href or @data-ng-href or @ng-include or @w3-include-html"
    " or @data-include or @include-html or @routerlink or @ng-app or @data-ng-app]")
SCRIPT_ATTR_HINTS = (" ng-", " data-ng-", "ui-view", "include-html", "data-include", "routerlink", "routerLink")
INCLUDE_SCRIPT = re.compile(r"""\.load\(\s*['"][^'"]+['"]|\bw3IncludeHTML\b|\bincludeHTML\b|fetch\(\s*['"][^'"]+\.html?['"]"""
                            r"""|\$\.get\(\s*['"][^'"]+\.html?['"]""")
JQUERY_FILE = re.compile(r"/jquery(?:[-.]\d+(?:\.\d+)*)?(?:\.slim)?(?:\.min)?\.js$", re.I)
NOSCRIPT_WARNING = re.compile(r"\b(enable|turn on|need|needs|requires?|switch on|activate)\b.{0,60}javascript|javascript"
                              r".{0,40}\b(disabled|required|needed|enabled)\b", re.I | re.S)


def needed(doc, page, html: str | None = None) -> str:
    """Why this page's links or content are built by script (a plain phrase), or "" when they are not.
    `html`, the page's text, lets a cheap look skip a query most pages do not need."""
    if doc is None:
        return ""
    scripts = doc.xpath("//script")
    if not scripts:
        return ""
    inline = "".join((s.text or "")[:20000] for s in scripts if not s.get("src"))
    if INCLUDE_SCRIPT.search(inline):
        return "it loads parts of itself (such as its header, menu or footer) with script"
    menus = []
    found = PARTS(doc)
    if html is None or any(hint in html for hint in SCRIPT_ATTR_HINTS):    # plain searches: fast
        found = SCRIPT_ATTRS(doc) + found
    for el in found:
        if _is_menu(el):
            menus.append(el)
            continue
        why = _signal(el, page)
        if why:
            return why
    if menus and not any(_menu_links(menu) for menu in menus) and any(len(menu) for menu in menus):
        return "its menu has no links without script"
    links = sum(1 for link in page.links if link.tag in ("a", "area"))
    script_chars = len(inline) + 2000 * sum(1 for s in scripts if s.get("src"))
    if links < 3 and len(page.text) < 1000 and script_chars > 4 * max(len(page.text), 200):
        return "it has almost no links or text of its own and much script"
    return ""


def _is_menu(el) -> bool:
    return el.tag == "nav" or el.get("role") == "navigation"


def _menu_links(menu) -> bool:
    return bool(menu.xpath(".//a[@href and not(starts-with(normalize-space(@href), '#'))"
                           " and not(starts-with(normalize-space(@href), 'javascript:'))]"))


def _signal(el, page) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    attrs = set(el.attrib)
    if tag == "noscript":
        return "it warns that it needs JavaScript" if NOSCRIPT_WARNING.search(el.text_content()[:2000]) else ""
    if tag in ("ng-view", "ui-view") or attrs & {"ng-view", "data-ng-view", "ui-view", "ng-include"}:
        return "it is an AngularJS app whose content is filled in by script"
    if attrs & {"ng-href", "data-ng-href", "routerlink"}:
        return "its menu links are made by script"
    if attrs & {"w3-include-html", "data-include", "include-html"}:
        return "it loads parts of itself (such as its header, menu or footer) with script"
    if attrs & {"ng-app", "data-ng-app"}:
        return ""
    ident = f"{el.get('id') or ''}".lower()
    if ident in APP_ROOT_IDS and not page.text:
        return "it is an app whose page is empty until script builds it"
    # An empty placeholder only matters when the page shows nothing of that part without script.
    words = set(re.split(r"[\s_-]+", f"{ident} {el.get('class') or ''}".lower()))
    part = tag if tag in ("header", "footer") else next((w for w in LAYOUT_WORDS if w in words), "")
    if part and not page.regions.get(REGION_OF.get(part, part)):
        return "its header, menu or footer is empty until script fills it"
    return ""


class RenderError(Exception):
    """A page that needed rendering and could not be rendered, said plainly."""


class Renderer:
    """One headless Chromium for an audit, started on first use; all browser calls in one thread,
    as Playwright's synchronous API requires."""

    def __init__(self, fetcher: Fetcher, same_site: Callable[[str], bool], *, timeout: float, max_bytes: int,
                 executable: str | None = None):
        self.fetcher, self.same_site = fetcher, same_site
        self.timeout, self.max_bytes = timeout, max_bytes
        self.executable = executable
        self.unavailable: str | None = None      # why no page can be rendered in this audit
        self.pages = 0
        self.seconds = 0.0
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="render")
        self._playwright = None
        self._browser = None
        self._since_start = 0

    def render(self, url: str, body: bytes, content_type: str) -> str:
        """The page's HTML after its scripts ran; RenderError when that cannot be had."""
        if self.unavailable:
            raise RenderError(self.unavailable)
        return self._thread.submit(self._render, url, body, content_type).result()

    def close(self) -> None:
        self._thread.submit(self._stop).result()
        self._thread.shutdown()

    # --- in the render thread -------------------------------------------------
    def _start(self):
        if self._browser is not None and self._since_start < RESTART_EVERY:
            return self._browser
        self._stop()
        executable = self.executable or find_chromium()
        if not executable or not os.access(executable, os.X_OK):
            where = f" (no browser at {executable})" if executable else ""
            self.unavailable = f"Chromium is not installed{where}; {INSTALL_ADVICE}"
            raise RenderError(self.unavailable)
        try:
            from playwright.sync_api import sync_playwright
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=executable, headless=True,
                                                             args=LAUNCH_ARGS, timeout=60_000)
        except Exception as exc:  # noqa: BLE001 - no browser: the audit goes on without rendering
            log.warning("Chromium could not be started: %s", exc)
            self._stop()
            self.unavailable = f"Chromium could not be started ({_first_line(exc)}); {INSTALL_ADVICE}"
            raise RenderError(self.unavailable) from None
        self._since_start = 0
        return self._browser

    def _stop(self) -> None:
        for thing, close in ((self._browser, "close"), (self._playwright, "stop")):
            if thing is not None:
                try:
                    getattr(thing, close)()
                except Exception:  # noqa: BLE001 - a browser that died is closed already
                    log.debug("closing the browser failed", exc_info=True)
        self._browser = self._playwright = None

    def _render(self, url: str, body: bytes, content_type: str) -> str:
        from playwright.sync_api import Error as PlaywrightError
        browser = self._start()
        clock = time.monotonic()
        self._since_start += 1
        context = browser.new_context(user_agent=self.fetcher.user_agent, service_workers="block",
                                      accept_downloads=False, viewport={"width": 1280, "height": 900})
        try:
            context.set_default_timeout(self.timeout * 1000)
            document = _without_fragment(url)
            context.route("**/*", lambda route: self._answer(route, document, body, content_type))
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=self.timeout * 1000)
            try:
                page.wait_for_load_state("networkidle", timeout=min(self.timeout, SETTLE_SECONDS) * 1000)
            except PlaywrightError:
                pass      # a page that keeps polling: what it shows by now is what a visitor sees
            html = page.content()
        except PlaywrightError as exc:
            if not browser.is_connected():
                self._browser = None      # crashed (out of memory…): the next page starts a new one
            raise RenderError(f"the page could not be rendered ({_first_line(exc)})") from None
        finally:
            try:
                context.close()
            except PlaywrightError:
                pass
            self.pages += 1
            self.seconds += time.monotonic() - clock
        if len(html) > self.max_bytes:
            raise RenderError("the rendered page is larger than the page size limit")
        return html

    def _answer(self, route, document: str, body: bytes, content_type: str) -> None:
        request = route.request
        url = _without_fragment(request.url)
        if request.method == "GET" and request.resource_type == "script" and not self.same_site(url) \
                and JQUERY_FILE.search(urlsplit(url).path) and jquery():
            route.fulfill(status=200, body=jquery(), headers={"Content-Type": "application/javascript"})
            return
        if request.method != "GET" or request.resource_type not in FETCHED_TYPES or not self.same_site(url):
            route.abort("blockedbyclient")
            return
        if url == document and request.is_navigation_request() and request.frame.parent_frame is None:
            route.fulfill(status=200, body=body, headers={"Content-Type": content_type or "text/html"})
            return
        result = self.fetcher.fetch(url, max_bytes=self.max_bytes)
        if result.error or result.status is None or result.status in (301, 302, 303, 307, 308):
            route.abort("failed")
            return
        route.fulfill(status=result.status, body=result.body,
                      headers={"Content-Type": result.headers.get("content-type", "application/octet-stream")})


@lru_cache(maxsize=1)
def jquery() -> bytes:
    """The shipped jQuery, standing in for a CDN's copy; b"" when the package is absent."""
    try:
        from xstatic.pkg import jquery as package
    except ImportError:
        return b""
    path = Path(package.BASE_DIR) / "jquery.min.js"
    return path.read_bytes() if path.is_file() else b""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
