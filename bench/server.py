"""A small, fast static HTTP/1.1 server for the benchmark (asyncio, keep-alive, 304s).

Serves the generated site on one port and a stand-in "external" site on another, both on
127.0.0.1. Pages get ETag and Last-Modified and answer conditional requests with 304, so a
re-audit of the unchanged site is answered the way a real web server answers it. Every response
carries a `LinkChecker` header, which is how a server lifts LinkChecker's own rate limit.

Run as `python -m bench.server ROOT`; it prints the two origins on one line, then serves until
killed.
"""
from __future__ import annotations

import argparse
import asyncio
import mimetypes
import os
import subprocess
import sys
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .generate import EXTERNAL, SITE, file_for

PROJECT = Path(__file__).resolve().parent.parent

TEXT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
              ".css": "text/css", ".json": "application/json"}
EXTERNAL_PAGE = b"<!DOCTYPE html><html><head><title>Partner</title></head><body><p>A partner site.</p></body></html>"
REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed"}
NOT_FOUND = b"<!DOCTYPE html><title>Not found</title><p>Not found.</p>"


class Site:
    """Answers (status, headers, body) for a request path and its conditional headers."""

    def __init__(self, root: Path, site: str, external: str):
        self.root = root.resolve()
        self.swaps = ((SITE.encode(), site.encode()), (EXTERNAL.encode(), external.encode()))

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        target = file_for(self.root, unquote(path))
        if not target.resolve().is_relative_to(self.root):
            return 404, [("Content-Type", "text/html")], NOT_FOUND
        try:
            st = target.stat()
        except OSError:
            return 404, [("Content-Type", "text/html")], NOT_FOUND
        if target.is_dir():
            return 404, [("Content-Type", "text/html")], NOT_FOUND
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        modified = formatdate(int(st.st_mtime), usegmt=True)
        meta = [("ETag", etag), ("Last-Modified", modified), ("Content-Type", _content_type(target))]
        if headers.get("if-none-match") == etag or (
                "if-none-match" not in headers and headers.get("if-modified-since") == modified):
            return 304, meta, b""
        body = target.read_bytes()
        if target.suffix in TEXT_TYPES:
            for placeholder, value in self.swaps:
                body = body.replace(placeholder, value)
        return 200, meta, body


def _content_type(path: Path) -> str:
    return TEXT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class Http(asyncio.Protocol):
    """One keep-alive connection; requests are answered in order (pipelining works)."""

    def __init__(self, answer):
        self.answer = answer
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
            if not self.respond(head):
                self.transport.close()
                return
        if len(self.buffer) > 65536:
            self.transport.close()

    def respond(self, head: str) -> bool:
        """Write one response; False when the connection is to be closed."""
        request, *lines = head.split("\r\n")
        try:
            method, target, version = request.split(" ", 2)
        except ValueError:
            return False
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        if method not in ("GET", "HEAD"):
            status, meta, body = 405, [("Allow", "GET, HEAD")], b""
        else:
            status, meta, body = self.answer(urlsplit(target).path or "/", headers)
        keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        out = [f"HTTP/1.1 {status} {REASONS[status]}", f"Date: {formatdate(usegmt=True)}",
               "Server: bench", "LinkChecker: 1", f"Content-Length: {len(body)}",
               f"Connection: {'keep-alive' if keep else 'close'}"]
        out += [f"{k}: {v}" for k, v in meta]
        self.transport.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        if method == "GET" and body:
            self.transport.write(body)
        return keep


def external_answer(path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    return 200, [("Content-Type", "text/html")], EXTERNAL_PAGE


async def serve(root: Path, port: int = 0, external_port: int = 0) -> None:
    loop = asyncio.get_running_loop()
    ext = await loop.create_server(lambda: Http(external_answer), "127.0.0.1", external_port, backlog=1024)
    ext_origin = f"http://127.0.0.1:{ext.sockets[0].getsockname()[1]}"
    site = None   # bound below, before the first connection is accepted
    main = await loop.create_server(lambda: Http(site.answer), "127.0.0.1", port, backlog=1024)
    origin = f"http://127.0.0.1:{main.sockets[0].getsockname()[1]}"
    site = Site(root, origin, ext_origin)
    print(origin, ext_origin, flush=True)
    await asyncio.gather(main.serve_forever(), ext.serve_forever())


class Server:
    """The bench server in its own process, so its CPU and memory are not counted to any tool."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.server", str(root)], cwd=PROJECT,
                                     stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(PROJECT)})
        line = self.proc.stdout.readline().decode().split()
        if len(line) != 2:
            self.close()
            raise RuntimeError("the bench server did not start")
        self.origin, self.external = line

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a generated benchmark site on 127.0.0.1.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--external-port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.root, args.port, args.external_port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
