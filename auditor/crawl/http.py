"""Polite, bounded HTTP for every collector.

One `Fetcher` per run: robots.txt obeyed (protego), a delay per host, an honest
User-Agent, connect/read timeouts plus a total deadline per request, redirects
followed by hand and bounded, bodies streamed under a size cap, retries with
backoff on 429/5xx honouring Retry-After, and conditional requests from the cache.
"""
from __future__ import annotations

import logging
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.structures import CaseInsensitiveDict

from .. import __version__
from .addresses import AddressPolicy, guarded
from .cache import Cache, Validators
from .failure import Failure, Kind, request_failure
from .transfer import BodyRule, read_body, release, retry_after, settle_environment
from .watchdog import Watchdog, deadline, watch

log = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_WAIT = 60.0
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass
class FetchResult:
    url: str
    final_url: str = ""
    status: int | None = None
    headers: CaseInsensitiveDict = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""
    error: str | None = None          # plain words: "timed out", "connection refused", "redirect loop"…
    failure: Kind | None = None       # what kind of failure `error` says, for code to decide on
    redirects: list[str] = field(default_factory=list)
    not_modified: bool = False        # 304 to our conditional request: use the cached extract
    truncated: bool = False           # body cut at the size cap
    robots_blocked: bool = False
    redirect_unfollowed: bool = False  # `follow` declined the redirect target (already fetched elsewhere)
    body_skipped: bool = False        # not read: a HEAD, a status-only check or an unwanted type
    cached: Validators | None = None  # the validators we sent, with their cached payload

    @property
    def kept(self) -> Validators:
        """What the cache kept for this address, on a 304 (`not_modified`) answer."""
        assert self.cached is not None
        return self.cached

    def fail(self, failure: Failure) -> None:
        self.error, self.failure = failure.message, failure.kind

    @property
    def too_large(self) -> bool:
        """Over the size cap: the body was not (fully) read."""
        return self.failure is Kind.TOO_LARGE

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and (200 <= self.status < 300 or self.not_modified)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"\'') or None
        return None


# Headers that carry a secret: sent only to the server they were given for.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def for_redirect(headers: dict[str, str], origin: str, target: str) -> dict[str, str]:
    """The headers to send to a redirect's target: without secrets when it is another server or
    the secure address redirects to a plain one."""
    if _same_server(origin, target):
        return dict(headers)
    return {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}


def _same_server(origin: str, target: str) -> bool:
    a, b = urlsplit(origin), urlsplit(target)
    try:
        ports = (a.port or (443 if a.scheme == "https" else 80), b.port or (443 if b.scheme == "https" else 80))
    except ValueError:
        return False
    upgrade = a.scheme == "http" and b.scheme == "https" and ports == (80, 443)
    return (a.hostname or "").lower() == (b.hostname or "").lower() and (
        (a.scheme == b.scheme and ports[0] == ports[1]) or upgrade)


class Fetcher:
    def __init__(self, *, user_agent: str, delay: float = 0.5, timeout: float = 20.0,
                 max_redirects: int = 10, cache: Cache | None = None, retries: int = 2,
                 deadline: float | None = None, stop: threading.Event | None = None, backoff: float = 1.0,
                 addresses: AddressPolicy | None = None, max_retry_wait: float | None = None):
        self.user_agent = user_agent
        self.delay = delay
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else max(timeout * 3, timeout + 10)
        self.max_redirects = max_redirects
        self.cache = cache
        self.retries = retries
        self.backoff = backoff
        self.addresses = addresses
        # Retry-After waiting allowed per host over the whole run; None: unbounded.
        self.max_retry_wait = max_retry_wait
        self._retry_waited: dict[str, float] = {}
        self.retry_capped: dict[str, list[str]] = {}      # host -> URLs not retried for the cap
        self.stop = stop or threading.Event()
        self._local = threading.local()
        self._robots: dict[str, Protego | None] = {}
        self._robots_problem: dict[str, str] = {}
        self._robots_lock = threading.Lock()
        self._robots_fetching: dict[str, threading.Lock] = {}
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self._hosts_lock = threading.Lock()
        self.counts = {"requests": 0, "conditional": 0, "not_modified": 0}
        self._count_lock = threading.Lock()
        self._watchdog = Watchdog()

    @classmethod
    def for_config(cls, config, cache: Cache | None = None, stop: threading.Event | None = None) -> "Fetcher":
        ua = f"auditor/{__version__} (policy audit for {_ascii(config.scheme.name)}; +{config.scheme.website})"
        return cls(user_agent=ua, delay=config.crawl.delay_seconds, timeout=config.crawl.timeout_seconds,
                   max_redirects=config.crawl.max_redirects, cache=cache, stop=stop,
                   addresses=AddressPolicy.for_config(config), max_retry_wait=config.crawl.max_retry_wait_seconds)

    # --- sessions and politeness ------------------------------------------
    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"})
            settle_environment(session)
            watch(session)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _host_slot(self, host: str):
        with self._hosts_lock:
            if host not in self._hosts:
                self._hosts[host] = (threading.Lock(), [0.0])
            return self._hosts[host]

    def _wait_turn(self, host: str, extra_delay: float = 0.0) -> None:
        delay = max(self.delay, extra_delay)
        if delay <= 0:
            return
        lock, last = self._host_slot(host)
        with lock:
            wait = last[0] + delay - time.monotonic()
            if wait > 0:
                self.stop.wait(wait)
            last[0] = time.monotonic()

    # --- robots.txt -------------------------------------------------------
    def robots(self, url: str) -> Protego | None:
        """The parsed robots.txt for the URL's origin, fetched once per run (conditionally)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
            fetching = self._robots_fetching.setdefault(origin, threading.Lock())
        with fetching:                    # one request per origin even when many threads ask at once
            with self._robots_lock:
                if origin in self._robots:
                    return self._robots[origin]
            parser, problem = self._load_robots(origin + "/robots.txt")
            with self._robots_lock:
                self._robots[origin] = parser
                if problem:
                    self._robots_problem[origin] = problem
        return parser

    def _load_robots(self, url: str) -> tuple[Protego | None, str | None]:
        result = self.fetch_cached(url, "robots", max_bytes=ROBOTS_MAX_BYTES, robots=False)
        if result.not_modified:
            return Protego.parse(result.kept.data.get("text", "")), None
        if result.status is not None and 200 <= result.status < 300 and not result.error:
            text = result.body.decode("utf-8", errors="replace")
            self.remember(result, "robots", {"text": text})
            return Protego.parse(text), None
        if result.error:                  # unreachable: the requests themselves will say why
            return None, None
        if (result.status or 0) >= 500 or result.status == 429:
            # A failing robots.txt means "stay out for now" (RFC 9309 section 2.3.1.3).
            return Protego.parse("User-agent: *\nDisallow: /"), f"its robots.txt answered {result.status}"
        return None, None                 # 4xx: no robots.txt, everything allowed

    def robots_problem(self, url: str) -> str | None:
        """Why robots.txt shut the origin off, when it was unreadable rather than explicit."""
        parts = urlsplit(url)
        with self._robots_lock:
            return self._robots_problem.get(f"{parts.scheme}://{parts.netloc}")

    def allowed(self, url: str) -> bool:
        parser = self.robots(url)
        return parser is None or parser.can_fetch(url, "auditor")

    def crawl_delay(self, url: str) -> float:
        parser = self.robots(url)
        delay = parser.crawl_delay("auditor") if parser is not None else None
        return min(float(delay), 30.0) if delay else 0.0

    def sitemaps(self, url: str) -> list[str]:
        parser = self.robots(url)
        return list(parser.sitemaps) if parser is not None else []

    # --- fetching -----------------------------------------------------------
    def fetch(self, url: str, method: str = "GET", *, max_bytes: int = 10 * 2**20, conditional: bool = False,
              robots: bool = True, headers: dict[str, str] | None = None, params: dict | None = None,
              body: bool = True, body_types: tuple[str, ...] | None = None,
              follow: Callable[[str], bool] | None = None, retries: int | None = None) -> FetchResult:
        """Fetch with every guard. Never raises for network trouble: see `FetchResult.error`.

        `body=False` checks the status only; `body_types` reads the body only for those
        content types (or none declared), so a PDF behind a page link is never downloaded.
        `follow(target)` may decline a redirect (the crawl already has that page): the result
        is then the redirect itself, with `final_url` the target and `redirect_unfollowed` set.
        `retries` overrides the Fetcher's count of retries on 429/5xx.
        """
        attempt, retries = 0, self.retries if retries is None else retries
        while True:
            result = self._get(url, method, max_bytes=max_bytes, conditional=conditional, robots=robots,
                               headers=headers, params=params, body=body, body_types=body_types, follow=follow)
            if result.status not in RETRY_STATUSES or attempt >= retries or self.stop.is_set():
                return result
            wait = retry_after(result.headers.get("retry-after"), default=self.backoff * 2.0 ** attempt)
            if wait > MAX_RETRY_WAIT or not self._may_wait(urlsplit(url).netloc, wait, url):
                return result
            log.info("%s answered %s; retrying in %.1fs", url, result.status, wait)
            self.stop.wait(wait)
            attempt += 1

    def _may_wait(self, host: str, wait: float, url: str) -> bool:
        """Within the host's allowance of Retry-After waiting for the run (crawl.max_retry_wait_seconds)?"""
        if self.max_retry_wait is None:
            return True
        with self._count_lock:
            waited = self._retry_waited.get(host, 0.0)
            if waited + wait > self.max_retry_wait:
                self.retry_capped.setdefault(host, []).append(url)
                return False
            self._retry_waited[host] = waited + wait
            return True

    def fetch_cached(self, url: str, kinds: str | tuple[str, ...], **kwargs) -> FetchResult:
        """A conditional fetch whose 304 carries a cached payload of one of `kinds` in `result.kept.data`."""
        result = self.fetch(url, conditional=True, **kwargs)
        if result.not_modified and result.kept.kind not in ((kinds,) if isinstance(kinds, str) else kinds):
            result = self.fetch(url, conditional=False, **kwargs)   # cached as something else: ask afresh
        return result

    def remember(self, result: FetchResult, kind: str, data: dict) -> None:
        """Keep a successful response's validators and what was made of it, for the next run."""
        if self.cache is not None and result.status is not None and 200 <= result.status < 300:
            self.cache.store(result.final_url, result.headers.get("etag"), result.headers.get("last-modified"),
                             kind, data)

    def _get(self, url: str, method: str, *, max_bytes: int, conditional: bool, robots: bool,
             headers: dict[str, str] | None = None, params: dict | None = None, body: bool = True,
             body_types: tuple[str, ...] | None = None, follow: Callable[[str], bool] | None = None) -> FetchResult:
        result = FetchResult(url=url)
        current, seen = url, {url}
        for _hop in range(self.max_redirects + 1):
            if robots and not self.allowed(current):
                result.robots_blocked, result.final_url = True, current
                problem = self.robots_problem(current)
                result.fail(Failure(Kind.ROBOTS_UNREADABLE, problem) if problem
                            else Failure(Kind.ROBOTS, "robots.txt forbids it"))
                return result
            # Validators are looked up per hop: cached extracts are keyed by the final URL.
            cached = self.cache.validators(current) if (conditional and self.cache) else None
            send = dict(headers or {}) if current == url else for_redirect(headers or {}, url, current)
            if cached and cached.etag:
                send["If-None-Match"] = cached.etag
            if cached and cached.last_modified:
                send["If-Modified-Since"] = cached.last_modified
            self._wait_turn(urlsplit(current).netloc, self.crawl_delay(current) if robots else 0.0)
            self._request(result, current, method, send, params if current == url else None,
                          BodyRule(max_bytes, body and method != "HEAD", body_types), conditional=bool(cached))
            result.cached = cached
            if result.error or result.status not in REDIRECTS:
                break
            nxt = self._next_hop(result, current, seen)
            if nxt is None:
                break
            current = nxt
            if follow is not None and not follow(nxt):
                result.redirect_unfollowed = True
                break
            if result.status == 303:
                method = "GET"
        else:
            result.fail(Failure(Kind.REDIRECT, f"more than {self.max_redirects} redirects"))
        result.final_url = current
        result.not_modified = result.status == 304 and result.cached is not None
        if not result.not_modified:
            result.cached = None
        return result

    def _next_hop(self, result: FetchResult, current: str, seen: set[str]) -> str | None:
        target = result.headers.get("location")
        if not target:
            return None
        try:
            nxt = urljoin(current, target.strip()).split("#")[0]
        except ValueError:                # "http://[", and other text that is no address
            result.fail(Failure(Kind.REDIRECT, "redirects to an address that is not valid"))
            return None
        if urlsplit(nxt).scheme not in ("http", "https"):
            result.fail(Failure(Kind.REDIRECT, f"redirects to an unsupported address ({nxt[:80]})"))
            return None
        if nxt in seen:
            result.fail(Failure(Kind.REDIRECT, "redirect loop"))
            return None
        seen.add(nxt)
        result.redirects.append(nxt)
        return nxt

    def _request(self, result: FetchResult, url: str, method: str, headers: dict, params, rule: "BodyRule",
                 conditional: bool) -> None:
        start = time.monotonic()
        with self._count_lock:
            self.counts["requests"] += 1
            self.counts["conditional"] += conditional
        result.body, result.truncated, result.body_skipped = b"", False, False
        try:
            with deadline(start + self.deadline, self._watchdog), guarded(self.addresses):
                resp = self.session.request(method, url, headers=headers, params=params, stream=True,
                                            allow_redirects=False, timeout=(self.timeout, self.timeout))
        except requests.exceptions.RequestException as exc:
            late = time.monotonic() >= start + self.deadline
            result.fail(Failure(Kind.DEADLINE, "took too long to respond") if late else request_failure(exc))
            return
        except ValueError:                # urllib3 could not even parse the address
            result.fail(Failure(Kind.BAD_ADDRESS, "the address is not valid"))
            return
        if time.monotonic() >= start + self.deadline:   # cut by the watchdog: the headers may be partial
            resp.close()
            result.fail(Failure(Kind.DEADLINE, "took too long to respond"))
            return
        with resp:
            result.status, result.headers = resp.status_code, resp.headers
            if resp.status_code == 304:
                with self._count_lock:
                    self.counts["not_modified"] += 1
            if resp.status_code in REDIRECTS or resp.status_code == 304 or not rule.wants(result.content_type):
                result.body_skipped = True
                release(resp)
                return
            result.body, result.truncated, failure = read_body(resp, rule.max_bytes, start + self.deadline, self.stop)
            if failure:
                result.fail(failure)

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


def _ascii(text: str) -> str:
    """A header value in plain ASCII: a scheme named "1st and 7th Frome ‘Jubilee’ Scouts" would
    otherwise make every request fail before it is sent."""
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-"})
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
