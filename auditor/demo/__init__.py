"""The bundled demo: a sample scheme website, with one instance of every problem, served on 127.0.0.1.

Files under `site/` may hold tokens, replaced as they are served so the demo stays
true whatever the date: `{{site}}` (this server's base URL), `{{partner}}` (a second
local site standing in for an external one and for a Mastodon server), `{{year}}`, `{{date:+N}}` (a UK date N days
from today, e.g. "Saturday 15 June 2027"; N may be negative) and `{{iso:+N}}` (YYYY-MM-DD).
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

TOKEN = re.compile(r"\{\{(site|partner|year|date:[+-]?\d+|iso:[+-]?\d+)\}\}")
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/rss+xml", "application/atom+xml")


def data_dir() -> Path:
    return Path(str(resources.files(__name__)))


class StaticServer:
    """A small threaded server for one folder, with ETags and 304s."""

    def __init__(self, root: Path, tokens: dict[str, str] | None = None):
        self.root = root.resolve()
        self.tokens = tokens if tokens is not None else {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.respond(self, body=True)

            def do_HEAD(self):
                server.respond(self, body=False)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "StaticServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, h: BaseHTTPRequestHandler, body: bool) -> None:
        target = self.resolve(h.path.split("?")[0].split("#")[0])
        if target is None:
            status, payload, headers = 404, b"<!doctype html><title>Not found</title><h1>Page not found</h1>", {
                "Content-Type": "text/html; charset=utf-8"}
        else:
            status, payload, headers = self.file(target, h.headers.get("If-None-Match"))
        h.send_response(status)
        headers["Content-Length"] = str(len(payload))
        for key, value in headers.items():
            h.send_header(key, value)
        h.end_headers()
        if body and status != 304:
            h.wfile.write(payload)

    def resolve(self, path: str) -> Path | None:
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        elif not target.exists() and target.with_name(target.name + ".json").is_file():
            target = target.with_name(target.name + ".json")   # API-style URLs without an extension
        if not target.is_relative_to(self.root) or not target.is_file():
            return None
        return target

    def file(self, target: Path, if_none_match: str | None):
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        payload = target.read_bytes()
        if ctype.startswith(TEXT_TYPES):
            payload = self.substitute(payload.decode("utf-8")).encode("utf-8")
            ctype += "; charset=utf-8"
        etag = '"' + hashlib.sha1(payload).hexdigest()[:20] + '"'
        # No Last-Modified: installed files' times say nothing about the sample content's age.
        headers = {"Content-Type": ctype, "ETag": etag}
        if if_none_match == etag:
            return 304, b"", headers
        return 200, payload, headers

    def substitute(self, text: str) -> str:
        return TOKEN.sub(lambda m: self.token(m.group(1)), text)

    def token(self, name: str) -> str:
        if name in self.tokens:
            return self.tokens[name]
        if name in ("site", "partner"):
            return "{{" + name + "}}"
        if name == "year":
            return str(date.today().year)
        kind, _, offset = name.partition(":")
        day = date.today() + timedelta(days=int(offset))
        return day.isoformat() if kind == "iso" else f"{day:%A} {day.day} {day:%B %Y}"


class DemoSites:
    """The sample scheme site plus a stand-in external site, both on 127.0.0.1."""

    def __init__(self):
        root = data_dir()
        self.partner = StaticServer(root / "partner")
        self.site = StaticServer(root / "site")
        for server in (self.site, self.partner):
            server.tokens.update(site=self.site.url, partner=self.partner.url)

    def __enter__(self) -> "DemoSites":
        self.partner.start()
        self.site.start()
        return self

    def __exit__(self, *exc) -> None:
        self.site.stop()
        self.partner.stop()


def write_config(out: Path, website: str, partner: str = "http://127.0.0.1:9") -> Path:
    """The bundled demo config, with the live servers' URLs and absolute data paths filled in."""
    template = (data_dir() / "auditor.toml").read_text(encoding="utf-8")
    text = (template.replace("{{site}}", website).replace("{{partner}}", partner)
            .replace("{{data}}", data_dir().as_posix()))
    path = out / "auditor.toml"
    path.write_text(text, encoding="utf-8")
    return path
