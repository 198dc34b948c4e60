"""A site whose crawl can be held mid-way, and `auditor` run as a real separate process."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from conftest import Response

ROOT = Path(__file__).resolve().parent.parent
PAGES = 6
HELD = "/p3"          # the request that waits until the test lets it through


def page(body: str) -> Response:
    html = f"<!doctype html><html lang='en'><head><title>Page</title></head><body><main>{body}</main></body></html>"
    return Response(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})


def held_site(serve, gate: threading.Event):
    """A small site; the request for HELD waits for `gate`, so a crawl is caught mid-way."""
    links = "".join(f"<p><a href='/p{i}'>Page {i}</a></p>" for i in range(1, PAGES + 1))
    routes = {"/": lambda req, h: page(f"<h1>Home</h1>{links}")}
    for i in range(1, PAGES + 1):
        routes[f"/p{i}"] = lambda req, h, i=i: page(f"<h1>Page {i}</h1><p>Text of page {i}.</p>")
    plain = routes[HELD]

    def held(req, h):
        gate.wait(120)    # a deadline for a loaded machine; tests set the gate
        return plain(req, h)

    routes[HELD] = held
    return serve(routes=routes)


def auditor(config: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_CONFIG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "auditor", *args, "--config", str(config)],
                            cwd=config.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err
