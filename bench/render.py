"""The rendering scenario: `python -m bench render [--pages N]`.

A site where every page needs a browser: each page's header, menu and footer are loaded by jQuery
(`$('#header').load('/header.html')`), there is no sitemap, and only the loaded menu links the pages.
The same audit runs twice as whole processes: with rendering off (what a crawler without a browser
finds) and on. It prints the pages each found, wall time, CPU time (Chromium's processes included)
and peak memory, and the cost per rendered page: the difference between the two runs divided by the
pages rendered. Run it on an otherwise idle machine; the load average is printed with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from .run import PROJECT, Measured, measure
from .server import Server

SCHEME = "Home-Start Example Vale"
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {scheme}</title>
<script src="https://code.jquery.com/jquery-3.6.0.min.js"></script>
<script>$(function () {{ $('#header').load('/header.html'); $('#footer').load('/footer.html'); }});</script>
</head><body><div id="header"></div><div class="content"><h1>{title}</h1>{text}</div><div id="footer"></div></body></html>
"""
WORDS = "Our volunteers visit families at home every week and help parents with young children. " * 12


def build(root: Path, pages: int) -> Path:
    """The script-built site: `pages` pages, the menu in a fragment, nothing else links them."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    paths = ["/"] + [f"/page-{i:03d}.html" for i in range(1, pages)]
    for i, path in enumerate(paths):
        target = root / ("index.html" if path == "/" else path.lstrip("/"))
        target.write_text(PAGE.format(title=f"Page {i}" if i else "Welcome", scheme=SCHEME,
                                      text=f"<p>{WORDS}</p>"), encoding="utf-8")
    items = "".join(f'<li><a href="{p}">Page {i}</a></li>' for i, p in enumerate(paths) if i)
    (root / "header.html").write_text(f'<header><a href="/">{SCHEME}</a><nav><ul>{items}</ul></nav></header>',
                                      encoding="utf-8")
    (root / "footer.html").write_text(f"<footer><p>&copy; 2026 {SCHEME}</p></footer>", encoding="utf-8")
    return root


def config(work: Path, origin: str, pages: int, render: bool) -> Path:
    path = work / f"render-{'on' if render else 'off'}.toml"
    path.write_text("\n".join([
        "[scheme]", f'name = "{SCHEME}"', f'website = "{origin}/"', "",
        "[crawl]", f"max_pages = {pages + 10}", "delay_seconds = 0", "check_external_links = false",
        f"render = {'true' if render else 'false'}", "",
        "[storage]", f'directory = "{work / ("var-on" if render else "var-off")}"', ""]), encoding="utf-8")
    return path


def audit(name: str, work: Path, cfg: Path) -> tuple[Measured, dict]:
    findings = work / f"{cfg.stem}.json"
    cmd = [sys.executable, "-m", "auditor", "run", "--config", str(cfg), "--no-email", "--json", str(findings), "-q"]
    m = measure(name, cmd, work / f"{cfg.stem}.log")
    m.expected_codes = (0, 1)      # 1: the audit ran but mailing or a check did not; the figures still stand
    doc = json.loads(findings.read_text(encoding="utf-8")) if findings.exists() else {}
    m.pages = doc.get("pages_crawled", 0)
    return m, doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench render", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40, help="pages in the script-built site (default 40)")
    parser.add_argument("--cache", type=Path, default=PROJECT / ".bench-cache",
                        help="where the site, logs and configs are kept (default .bench-cache)")
    args = parser.parse_args(argv)
    work = args.cache / f"render-{args.pages}"
    site = build(work / "site", args.pages)
    server = Server(site)
    try:
        off, _ = audit("rendering off", work, config(work, server.origin, args.pages, False))
        on, _ = audit("rendering on", work, config(work, server.origin, args.pages, True))
    finally:
        server.close()
    load = os.getloadavg()
    print(f"script-built site of {args.pages} pages (load average {load[0]:.2f}, {os.cpu_count()} cores)")
    print(f"{'run':<16}{'exit':>5}{'pages found':>13}{'wall s':>9}{'CPU s':>8}{'peak RSS MB':>13}")
    for m in (off, on):
        print(f"{m.name:<16}{m.returncode:>5}{m.pages:>13}{m.wall:>9.2f}{m.cpu:>8.2f}{m.peak_mb:>13.1f}")
    rendered = on.pages
    if rendered and on.ok and off.ok:
        print(f"per rendered page: {(on.wall - off.wall) / rendered:.3f} s wall, "
              f"{(on.cpu - off.cpu) / rendered:.3f} s CPU ({rendered} pages rendered, one browser)")
    else:
        print("no page was rendered: see the logs (is Chromium installed?)")
    print(f"logs and configs: {work}")
    return 0 if rendered and on.ok and off.ok else 1
