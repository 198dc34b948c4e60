"""Shared fixtures: a real HTTP server on 127.0.0.1 serving fixture sites, free ports, configs."""
from __future__ import annotations

import hashlib
import mimetypes
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
ASSETS = TESTS / "assets"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


# A route handler gets the Request and returns a Response, or takes over the raw
# handler (for trickling bodies, dropping connections…) and returns None.
Route = Callable[[Request, BaseHTTPRequestHandler], "Response | None"]


class SiteServer:
    """Serves `root` (a folder) plus custom `routes`, with ETag/Last-Modified and 304s."""

    def __init__(self, root: Path | None = None, routes: dict[str, Route] | None = None, host: str = "127.0.0.1"):
        self.root = Path(root) if root else None
        self.host = host
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body go out in separate writes

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self, "GET")

            def do_HEAD(self):
                server.handle(self, "HEAD")

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def paths(self, method: str | None = None) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests if method is None or r.method == method]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        req = Request(method, h.path, {k.lower(): v for k, v in h.headers.items()})
        with self.lock:
            self.requests.append(req)
        route = self.routes.get(h.path) or self.routes.get(h.path.split("?")[0])
        try:
            resp = route(req, h) if route else self.static(req)
        except (BrokenPipeError, ConnectionResetError):
            return
        if resp is None:
            return
        try:
            h.send_response(resp.status)
            headers = {"Content-Length": str(len(resp.body)), **resp.headers}
            for key, value in headers.items():
                h.send_header(key, value)
            h.end_headers()
            if method != "HEAD":
                h.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def static(self, req: Request) -> Response:
        if self.root is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        rel = req.path.split("?")[0].lstrip("/")
        target = (self.root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not str(target).startswith(str(self.root.resolve())) or not target.is_file():
            return Response(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
        body = target.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = int(target.stat().st_mtime)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") and "charset" not in ctype:
            ctype += "; charset=utf-8" if not target.name.endswith(".cp1252.html") else ""
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if req.headers.get("if-none-match") == etag or _not_modified_since(req, mtime):
            return Response(304, b"", {"ETag": etag, "Last-Modified": headers["Last-Modified"]})
        return Response(200, body, headers)


def _not_modified_since(req: Request, mtime: int) -> bool:
    since = req.headers.get("if-modified-since")
    if not since or "if-none-match" in req.headers:
        return False
    try:
        return parsedate_to_datetime(since).timestamp() >= mtime
    except (TypeError, ValueError):
        return False


@pytest.fixture
def serve():
    """Factory: serve(root=folder, routes={path: handler}, host=loopback address) -> SiteServer,
    stopped after the test."""
    servers: list[SiteServer] = []

    def start(root: Path | str | None = None, routes: dict[str, Route] | None = None,
              host: str = "127.0.0.1") -> SiteServer:
        server = SiteServer(Path(root) if root else None, routes, host)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def write_config(tmp_path):
    """Factory: write_config(website, extra=..., scheme=..., crawl=...) -> a valid config in tmp_path.

    `scheme` and `crawl` are extra lines for those tables; `extra` holds any other tables.
    """

    def write(website: str, extra: str = "", scheme: str = "", crawl: str = "",
              name: str = "auditor.toml", storage: str = "var") -> Path:
        path = tmp_path / name
        path.write_text(
            f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "{website}"\n{scheme}\n\n'
            f'[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\n{crawl}\n\n'
            f'[storage]\ndirectory = "{storage}"\n\n{extra}\n', encoding="utf-8")
        return path

    return write


def one_page_site(folder: Path, name: str = "Home-Start Testshire") -> Path:
    """A site of one page that names the scheme, in `folder`, to serve."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<html><head><title>{name}</title></head>"
                                       f"<body><h1>{name}</h1></body></html>", encoding="utf-8")
    return folder


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll for a condition that another thread or process brings about."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def pytest_addoption(parser):
    """`--update-golden` rewrites golden files (rendered report, expected findings) for review."""
    try:
        parser.addoption("--update-golden", action="store_true", default=False,
                         help="rewrite golden files instead of comparing against them")
    except ValueError:  # already added by another plugin
        pass
