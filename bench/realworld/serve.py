"""A plain static server for one site folder on 127.0.0.1, as static hosting serves it.

Files only (no directory listings, as on GitHub Pages), `index.html` for a folder, and the files'
modification times as `Last-Modified` unless told not to send it (many hosts and CMSs send none,
or the time of the request), or told which time to send for every file (a copy of a corpus whose
file times were not kept: the time the site was published, from its SOURCE.md).
"""
from __future__ import annotations

import re
import threading
from datetime import datetime
from email.utils import formatdate
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    last_modified = True
    published: str | None = None      # the Last-Modified to send for every file, instead of its time

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "last-modified":
            if not self.last_modified:
                return
            value = self.published or value
        super().send_header(keyword, value)

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def log_message(self, format, *args) -> None:      # noqa: A002 - the base class's name
        pass


class StaticSite:
    """Serves `root` in a thread until closed; `origin` is its http://127.0.0.1:PORT."""

    def __init__(self, root: Path, last_modified: bool = True, published: datetime | None = None):
        stamp = formatdate(published.timestamp(), usegmt=True) if published else None
        handler = type("Handler", (_Handler,), {"last_modified": last_modified, "published": stamp})
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


COMMIT_DATE = re.compile(r"^\|\s*Commit date\s*\|\s*(\d{4}-\d\d-\d\dT[\d:]+(?:Z|[+-]\d\d:\d\d)?)", re.M)


def published_at(root: Path) -> datetime | None:
    """When a corpus site was published: the commit date its SOURCE.md gives; None without one."""
    try:
        found = COMMIT_DATE.search((root / "SOURCE.md").read_text(encoding="utf-8"))
    except OSError:
        return None
    return datetime.fromisoformat(found.group(1).replace("Z", "+00:00")) if found else None
