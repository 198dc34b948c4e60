"""A plain static server for one site folder on 127.0.0.1, as static hosting serves it.

Files only (no directory listings, as on GitHub Pages), `index.html` for a folder, and the files'
modification times as `Last-Modified` unless told not to send it (many hosts and CMSs send none,
or the time of the request).
"""
from __future__ import annotations

import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    last_modified = True

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "last-modified" and not self.last_modified:
            return
        super().send_header(keyword, value)

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def log_message(self, format, *args) -> None:      # noqa: A002 - the base class's name
        pass


class StaticSite:
    """Serves `root` in a thread until closed; `origin` is its http://127.0.0.1:PORT."""

    def __init__(self, root: Path, last_modified: bool = True):
        handler = type("Handler", (_Handler,), {"last_modified": last_modified})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "StaticSite":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
