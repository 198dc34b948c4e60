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
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.structures import CaseInsensitiveDict

from .. import __version__
from .cache import Cache, Validators

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
    redirects: list[str] = field(default_factory=list)
    not_modified: bool = False        # 304 to our conditional request: use the cached extract
    truncated: bool = False           # body cut at the size cap
    robots_blocked: bool = False
    cached: Validators | None = None  # the validators we sent, with their cached payload

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


class Fetcher:
    def __init__(self, *, user_agent: str, delay: float = 0.5, timeout: float = 20.0,
                 max_redirects: int = 10, cache: Cache | None = None, retries: int = 2,
                 deadline: float | None = None, stop: threading.Event | None = None):
        self.user_agent = user_agent
        self.delay = delay
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else max(timeout * 3, timeout + 10)
        self.max_redirects = max_redirects
        self.cache = cache
        self.retries = retries
        self.stop = stop or threading.Event()
        self._local = threading.local()
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self._hosts_lock = threading.Lock()
        self.counts = {"requests": 0, "conditional": 0, "not_modified": 0}
        self._count_lock = threading.Lock()

    @classmethod
    def for_config(cls, config, cache: Cache | None = None, stop: threading.Event | None = None) -> "Fetcher":
        ua = f"auditor/{__version__} (policy audit for {config.scheme.name}; +{config.scheme.website})"
        return cls(user_agent=ua, delay=config.crawl.delay_seconds, timeout=config.crawl.timeout_seconds,
                   max_redirects=config.crawl.max_redirects, cache=cache, stop=stop)

    # --- sessions and politeness ------------------------------------------
    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"})
            self._local.session = session
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
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
        result = self._get(origin + "/robots.txt", "GET", max_bytes=ROBOTS_MAX_BYTES, conditional=False,
                           robots=False)
        if result.status is not None and 200 <= result.status < 300:
            parser = Protego.parse(result.body.decode("utf-8", errors="replace"))
        elif result.status is not None and 400 <= result.status < 500:
            parser = None                     # no robots.txt: everything allowed
        elif result.error or (result.status or 0) >= 500:
            parser = Protego.parse("User-agent: *\nDisallow: /")  # unreachable robots.txt: stay out
        else:
            parser = None
        with self._robots_lock:
            self._robots[origin] = parser
        return parser

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
              robots: bool = True, headers: dict[str, str] | None = None, params: dict | None = None) -> FetchResult:
        """Fetch with every guard. Never raises for network trouble: see `FetchResult.error`."""
        attempt = 0
        while True:
            result = self._get(url, method, max_bytes=max_bytes, conditional=conditional, robots=robots,
                               headers=headers, params=params)
            if result.status not in RETRY_STATUSES or attempt >= self.retries or self.stop.is_set():
                return result
            wait = _retry_after(result.headers.get("retry-after"), default=2.0 ** attempt)
            if wait > MAX_RETRY_WAIT:
                return result
            log.info("%s answered %s; retrying in %.1fs", url, result.status, wait)
            self.stop.wait(wait)
            attempt += 1

    def _get(self, url: str, method: str, *, max_bytes: int, conditional: bool, robots: bool,
             headers: dict[str, str] | None = None, params: dict | None = None) -> FetchResult:
        result = FetchResult(url=url)
        current, seen = url, {url}
        cached = self.cache.validators(url) if (conditional and self.cache) else None
        for _hop in range(self.max_redirects + 1):
            if robots and not self.allowed(current):
                result.robots_blocked, result.error, result.final_url = True, "robots.txt forbids it", current
                return result
            send = dict(headers or {})
            if cached and current == url:
                if cached.etag:
                    send["If-None-Match"] = cached.etag
                if cached.last_modified:
                    send["If-Modified-Since"] = cached.last_modified
            self._wait_turn(urlsplit(current).netloc, self.crawl_delay(current) if robots else 0.0)
            self._request(result, current, method, send, params if current == url else None, max_bytes,
                          conditional=bool(cached and current == url))
            if result.error or result.status not in REDIRECTS:
                break
            target = result.headers.get("location")
            if not target:
                break
            nxt = urljoin(current, target.strip())
            if urlsplit(nxt).scheme not in ("http", "https"):
                result.error = f"redirects to an unsupported address ({nxt[:80]})"
                break
            if nxt in seen:
                result.error = "redirect loop"
                break
            seen.add(nxt)
            result.redirects.append(nxt)
            current = nxt
            if result.status == 303:
                method = "GET"
        else:
            result.error = f"more than {self.max_redirects} redirects"
        result.final_url = current
        if result.status == 304 and cached:
            result.not_modified, result.cached = True, cached
        return result

    def _request(self, result: FetchResult, url: str, method: str, headers: dict, params, max_bytes: int,
                 conditional: bool) -> None:
        start = time.monotonic()
        with self._count_lock:
            self.counts["requests"] += 1
            self.counts["conditional"] += conditional
        try:
            resp = self.session.request(method, url, headers=headers, params=params, stream=True,
                                        allow_redirects=False, timeout=(self.timeout, self.timeout))
        except requests.exceptions.ConnectTimeout:
            result.error = "timed out while connecting"
            return
        except requests.exceptions.Timeout:
            result.error = "timed out"
            return
        except requests.exceptions.TooManyRedirects:
            result.error = "too many redirects"
            return
        except requests.exceptions.ConnectionError as exc:
            result.error = _connection_problem(exc)
            return
        except (requests.exceptions.RequestException, ValueError) as exc:
            result.error = f"request failed ({type(exc).__name__})"
            return
        with resp:
            result.status, result.headers = resp.status_code, resp.headers
            if resp.status_code == 304:
                with self._count_lock:
                    self.counts["not_modified"] += 1
            if method == "HEAD" or resp.status_code in REDIRECTS or resp.status_code == 304:
                return
            result.body, result.truncated, error = _read_body(resp, max_bytes, start + self.deadline, self.stop)
            if error:
                result.error = error

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()


def _read_body(resp: requests.Response, max_bytes: int, deadline: float, stop: threading.Event):
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return b"", True, f"larger than the {max_bytes // 1024} KB limit ({int(declared) // 1024} KB)"
    chunks, size = [], 0
    raw = resp.raw
    read = getattr(raw, "read1", None)
    try:
        while True:
            if time.monotonic() > deadline:
                return b"".join(chunks), True, "took too long to download"
            if stop.is_set():
                return b"".join(chunks), True, "the audit was stopped"
            chunk = read(65536, decode_content=True) if read else raw.read(65536, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                return b"".join(chunks), True, f"larger than the {max_bytes // 1024} KB limit"
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        return b"".join(chunks), True, f"download failed ({type(exc).__name__})"
    except Exception as exc:  # noqa: BLE001 - urllib3 read errors, bad gzip, resets
        name = type(exc).__name__
        return b"".join(chunks), True, "timed out" if "Timeout" in name else f"download failed ({name})"
    return b"".join(chunks), False, None


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


def _connection_problem(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text \
            or "name resolution" in text:
        return "the domain name does not exist"
    if "ssl" in text or "certificate" in text:
        return "secure connection failed (certificate problem)"
    if "reset" in text or "aborted" in text or "remote end closed" in text:
        return "the connection was dropped"
    if "timed out" in text or "timeout" in text:
        return "timed out"
    return "could not connect"
