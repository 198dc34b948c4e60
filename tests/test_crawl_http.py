"""The Fetcher against a real local server: redirects, caps, deadlines, retries, robots, keep-alive."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import pytest

from auditor.config import load
from auditor.crawl.cache import Cache
from auditor.crawl.failure import Kind
from auditor.crawl.http import Fetcher
from auditor.crawl.transfer import retry_after
from conftest import Response


@pytest.fixture
def fetcher(tmp_path):
    cache = Cache(tmp_path / "cache.sqlite3")
    f = Fetcher(user_agent="auditor-test", delay=0, timeout=2, cache=cache, backoff=0.01)
    yield f
    f.close()
    cache.close()


def raw(status_line: str, headers: dict[str, str], chunks: list[bytes], pause: float = 0.0):
    """A route writing its own response: no Content-Length, optional pauses between chunks."""
    def route(req, h):
        h.wfile.write(f"HTTP/1.1 {status_line}\r\n".encode())
        for k, v in {"Connection": "close", **headers}.items():
            h.wfile.write(f"{k}: {v}\r\n".encode())
        h.wfile.write(b"\r\n")
        for chunk in chunks:
            h.wfile.write(chunk)
            h.wfile.flush()
            time.sleep(pause)
        h.close_connection = True
        return None
    return route


def test_redirect_chains_are_bounded_and_odd_targets_refused(serve, fetcher):
    routes = {f"/r{i}": (lambda i: lambda req, _h: Response(302, b"", {"Location": f"/r{i + 1}"}))(i) for i in range(20)}
    routes["/ftp"] = lambda req, _h: Response(301, b"", {"Location": "ftp://example.org/file"})
    server = serve(routes=routes)
    fetcher.max_redirects = 5
    too_many = fetcher.fetch(server.url("/r0"))
    assert too_many.error == "more than 5 redirects" and too_many.failure is Kind.REDIRECT
    assert "unsupported address" in fetcher.fetch(server.url("/ftp")).error
    assert len([p for p in server.paths("GET") if p.startswith("/r") and p != "/robots.txt"]) == 6


def test_size_cap_by_declared_length_and_while_streaming(serve, fetcher):
    server = serve(routes={"/declared": lambda req, _h: Response(200, b"x" * 5000, {"Content-Type": "text/html"}),
                           "/streamed": raw("200 OK", {"Content-Type": "text/html"}, [b"y" * 1024] * 10)})
    declared = fetcher.fetch(server.url("/declared"), max_bytes=1000)
    streamed = fetcher.fetch(server.url("/streamed"), max_bytes=3000)
    assert declared.too_large and declared.body == b"" and "limit" in declared.error
    assert declared.failure is streamed.failure is Kind.TOO_LARGE
    assert streamed.too_large and streamed.truncated and len(streamed.body) <= 3000


def test_total_deadline_stops_a_trickling_body(serve, tmp_path):
    server = serve(routes={"/trickle": raw("200 OK", {"Content-Type": "text/html"}, [b"z"] * 40, pause=0.05)})
    fetcher = Fetcher(user_agent="auditor-test", delay=0, timeout=1, deadline=0.4)
    result = fetcher.fetch(server.url("/trickle"))
    assert result.error == "took too long to download" and result.truncated and result.failure is Kind.DEADLINE
    fetcher.close()


def test_read_timeout_and_refused_connection_are_plain_errors(serve, fetcher):
    def slow(req, _h):
        time.sleep(1)
        return Response(200, b"late")
    server = serve(routes={"/slow": slow})
    fetcher.timeout = 0.3
    late = fetcher.fetch(server.url("/slow"))
    assert late.error == "timed out" and late.failure is Kind.TIMEOUT
    server.close()
    refused = fetcher.fetch(server.url("/slow"))
    assert refused.error == "connection refused" and refused.failure is Kind.REFUSED


def test_a_dropped_connection_an_unknown_domain_and_a_failed_handshake_are_told_apart(serve, fetcher):
    def hang_up(req, h):
        h.close_connection = True
        return None
    server = serve(routes={"/drop": hang_up})
    dropped = fetcher.fetch(server.url("/drop"))
    assert (dropped.failure, dropped.error) == (Kind.DROPPED, "the connection was dropped")
    unknown = fetcher.fetch("http://no-such-host.invalid/")
    assert (unknown.failure, unknown.error) == (Kind.NO_DOMAIN, "the domain name does not exist")
    handshake = fetcher.fetch(server.url("/drop").replace("http://", "https://"))
    assert handshake.failure is Kind.CERTIFICATE and "secure connection failed" in handshake.error


def test_retry_after_is_honoured_and_long_waits_are_not(serve, fetcher):
    calls = []

    def flaky(req, _h):
        calls.append(time.monotonic())
        return Response(503, b"", {"Retry-After": "1"}) if len(calls) == 1 else Response(200, b"ok")
    server = serve(routes={"/flaky": flaky,
                           "/later": lambda req, _h: Response(429, b"", {"Retry-After": "3600"})})
    assert fetcher.fetch(server.url("/flaky")).status == 200 and calls[1] - calls[0] >= 0.9
    assert fetcher.fetch(server.url("/later")).status == 429
    assert server.paths().count("/later") == 1                 # an hour's wait is not waited for


def test_retry_after_accepts_seconds_and_http_dates():
    assert retry_after("7", 1.0) == 7.0
    assert 25 <= retry_after(formatdate(time.time() + 30, usegmt=True), 1.0) <= 31
    assert retry_after("soon", 2.0) == 2.0 and retry_after(None, 0.5) == 0.5


def test_stop_interrupts_a_retry_wait(serve, fetcher):
    server = serve(routes={"/busy": lambda req, _h: Response(429, b"", {"Retry-After": "30"})})
    stop = threading.Event()
    fetcher.stop = stop
    threading.Timer(0.2, stop.set).start()
    start = time.monotonic()
    assert fetcher.fetch(server.url("/busy")).status == 429
    assert time.monotonic() - start < 20                       # not the 30 s asked for, nor 2 retries of it


def test_failing_robots_txt_keeps_the_crawl_out_and_says_why(serve, fetcher):
    server = serve(routes={"/robots.txt": lambda req, _h: Response(503, b"down")})
    result = fetcher.fetch(server.url("/page"))
    assert result.robots_blocked and result.error == "its robots.txt answered 503"
    assert result.failure is Kind.ROBOTS_UNREADABLE
    assert "/page" not in server.paths()


def test_robots_txt_is_fetched_once_by_many_threads(serve, fetcher):
    server = serve(routes={"/robots.txt": lambda req, _h: Response(200, b"User-agent: *\nDisallow: /no\n"),
                           "/yes": lambda req, _h: Response(200, b"ok")})
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetcher.fetch, [server.url("/yes")] * 16 + [server.url("/no")] * 4))
    assert server.paths().count("/robots.txt") == 1
    assert sum(r.status == 200 for r in results) == 16 and sum(r.robots_blocked for r in results) == 4


def test_conditional_requests_and_cached_payloads(serve, fetcher, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.html").write_text("<p>hello</p>")
    server = serve(tmp_path / "site")
    first = fetcher.fetch_cached(server.url("/a.html"), "page")
    assert first.status == 200 and first.body == b"<p>hello</p>" and not first.not_modified
    fetcher.remember(first, "page", {"title": "hello"})
    again = fetcher.fetch_cached(server.url("/a.html"), "page")
    assert again.not_modified and again.cached.data == {"title": "hello"} and again.body == b""
    other_kind = fetcher.fetch_cached(server.url("/a.html"), "image")
    assert other_kind.status == 200 and other_kind.body                # cached as something else: asked afresh
    assert fetcher.counts == {"requests": 5, "conditional": 2, "not_modified": 2}   # robots.txt + 4


def test_status_only_and_unwanted_types_leave_the_body_unread(serve, fetcher):
    server = serve(routes={"/doc": lambda req, _h: Response(200, b"%PDF" + b"0" * 100_000,
                                                            {"Content-Type": "application/pdf"})})
    typed = fetcher.fetch(server.url("/doc"), body_types=("text/html",))
    status_only = fetcher.fetch(server.url("/doc"), body=False)
    head = fetcher.fetch(server.url("/doc"), "HEAD")
    for result in (typed, status_only, head):
        assert result.status == 200 and result.body == b"" and result.body_skipped and result.ok


def test_connections_are_kept_alive(serve, fetcher):
    ports = []

    def record(req, h):
        ports.append(h.client_address[1])
        etag = '"v1"'
        if req.headers.get("if-none-match") == etag:
            return Response(304, b"", {"ETag": etag})
        return Response(200, b"body", {"ETag": etag, "Content-Type": "text/html"})
    server = serve(routes={"/k": record})
    for _ in range(3):
        fetcher.fetch(server.url("/k"))
        fetcher.fetch(server.url("/k"), "HEAD")
    fetcher.remember(fetcher.fetch(server.url("/k")), "page", {})
    fetcher.fetch_cached(server.url("/k"), "page")
    assert len(ports) == 8 and len(set(ports)) == 1


def test_user_agent_is_honest_with_a_contact_url(serve, write_config):
    server = serve(routes={"/": lambda req, _h: Response(200, b"ok")})
    # the local server is configured too: requests go only to configured hosts and the public internet
    config = load(write_config("https://www.example.org.uk/", scheme=f'extra_pages = ["{server.url("/")}"]'))
    fetcher = Fetcher.for_config(config)
    fetcher.fetch(server.url("/"))
    agent = server.requests[-1].headers["user-agent"]
    assert agent.startswith("auditor/") and "https://www.example.org.uk/" in agent
    fetcher.close()
