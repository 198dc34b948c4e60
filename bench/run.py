"""The benchmark in one command: `python -m bench [--pages N] [--skip-reference]`.

Generates (or reuses) the synthetic site, serves it on 127.0.0.1, and times as whole processes:
the raw fetch ceiling, a first `auditor run`, a second one over the unchanged site, a minimal
Scrapy spider and LinkChecker with its throttle lifted. Prints wall time, pages/s, photos/s, CPU
time and peak RSS for each, then the ratios against the targets. Logs and configs of the last run
stay in the cache folder; figures are kept in `results.json` there so a 20,000-page run can be
compared with the 2,000-page one.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from . import generate, report
from .server import Server

PROJECT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    name: str
    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    pages: int = 0
    photos: int = 0
    expected_codes: tuple[int, ...] = (0,)

    @property
    def ok(self) -> bool:
        return self.returncode in self.expected_codes


def measure(name: str, cmd: list[str], log: Path) -> Measured:
    """Run `cmd` to its end; wall time, CPU time and peak RSS of its whole process tree.

    The kernel's ru_maxrss is not used for the peak: it carries over the parent's size from
    before exec. The process's own high-water mark is read often (cheap); the sum over its
    children, if it has any, twice a second (scanning processes costs CPU the tool would miss).
    """
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT, env=env)
        ended: list = []
        waiter = threading.Thread(target=lambda: ended.extend([*os.wait4(proc.pid, 0), time.perf_counter()]))
        waiter.start()
        peak, ticks = 0, 0
        while waiter.is_alive():
            peak = max(peak, _high_water(proc.pid), _tree_rss(proc.pid) if ticks % 10 == 0 else 0)
            ticks += 1
            waiter.join(0.05)
    _pid, status, usage, finished = ended
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(name, round(finished - start, 2), round(usage.ru_utime + usage.ru_stime, 2),
                    round(peak / 2**20, 1), proc.returncode)


def _tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
    except psutil.Error:
        return 0


def _high_water(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- the tools --------------------------------------------------------------------------------

def write_config(work: Path, origin: str, site: Path, pages: int, photos: int, workers: int | None) -> Path:
    """An audit of the bench site: every check, no delay, no e-mail, storage in the work folder."""
    register = work / "consent.csv"
    rows = ["photo,subjects,consent_ref,given,expires,channels,withdrawn"]
    layout = generate.Layout(pages, photos)
    rows += [f"{generate.file_for(site, layout.photo_path(k))},family {k},C{k:04d},2025-01-01,,all,"
             for k in range(0, photos, 2)]
    register.write_text("\n".join(rows) + "\n", encoding="utf-8")
    logos = PROJECT / "reference_assets" / "logos"
    lines = [
        "[scheme]", f'name = "{generate.SCHEME}"', f'website = "{origin}/"', "",
        "[crawl]", f"max_pages = {pages + 1000}", f"max_per_pattern = {pages + 1000}", "delay_seconds = 0",
        "timeout_seconds = 20", "check_external_links = true", *([f"workers = {workers}"] if workers else []), "",
        "[identity]", f'approved_logos = "{logos / "approved"}"', f'deprecated_logos = "{logos / "deprecated"}"', "",
        "[consent]", f'register = "{register}"', "",
        "[privacy]", 'allowed_contacts = ["020 8000 0000"]', "",
        "[storage]", f'directory = "{work / "var"}"', "",
    ]
    path = work / "auditor.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_auditor(name: str, slug: str, work: Path, config: Path) -> Measured:
    findings = work / f"{slug}.json"
    cmd = [sys.executable, "-m", "auditor", "run", "--config", str(config), "--no-email", "--json", str(findings), "-q"]
    m = measure(name, cmd, work / f"{findings.stem}.log")
    if findings.exists():
        doc = json.loads(findings.read_text(encoding="utf-8"))
        m.pages, m.photos = doc.get("pages_crawled", 0), doc.get("images_checked", 0)
    return m


def run_rawfetch(work: Path, origin: str, photos: int) -> Measured:
    summary = work / "rawfetch.json"
    m = measure("raw fetch, 1 session", [sys.executable, "-m", "bench.rawfetch", origin, str(photos), str(summary)],
                work / "rawfetch.log")
    return _counts_from(m, summary)


def run_scrapy(work: Path, origin: str) -> Measured:
    summary = work / "scrapy.json"
    m = measure("Scrapy", [sys.executable, "-m", "bench.scrapy_spider", origin + "/", str(summary)],
                work / "scrapy.log")
    return _counts_from(m, summary)


def run_linkchecker(work: Path, origin: str) -> Measured:
    rc, out = work / "linkcheckerrc", work / "linkchecker.csv"
    # The server sends a `LinkChecker` header; with it, this rate is LinkChecker's real limit.
    rc.write_text("[checking]\nmaxrequestspersecond=1000\nthreads=10\n", encoding="utf-8")
    out.touch(mode=0o666)   # run as root, LinkChecker drops to `nobody` before it writes
    out.chmod(0o666)
    cmd = [sys.executable, "-m", "linkcheck", "-f", str(rc), "--check-extern", "--no-status", "-v",
           "-o", "none", "-F", f"csv/utf-8/{out}", origin + "/"]
    m = measure("LinkChecker", cmd, work / "linkchecker.log")
    m.expected_codes = (0, 1)   # 1: it found the site's broken links
    if out.exists():
        lines = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        for row in csv.DictReader(lines, delimiter=";"):
            url = row.get("url") or ""
            if url.startswith(origin) and row.get("result", "").startswith("200"):
                m.pages += url.endswith((".html", "/"))
                m.photos += url.endswith(".jpg")
    return m


def _counts_from(m: Measured, summary: Path) -> Measured:
    if summary.exists():
        counts = json.loads(summary.read_text(encoding="utf-8"))
        m.pages, m.photos = counts.get("pages", 0), counts.get("photos", 0)
    return m


# --- one command -------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages in the synthetic site (default 2000)")
    parser.add_argument("--photos", type=int, default=400, help="distinct photos (default 400)")
    parser.add_argument("--skip-reference", action="store_true", help="time only the auditor (and the fetch ceiling)")
    parser.add_argument("--workers", type=int, help="crawl.workers for the audit (default: the config default)")
    parser.add_argument("--cache", type=Path, default=PROJECT / ".bench-cache",
                        help="where the generated site, logs and results are kept (default .bench-cache)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    clock = time.perf_counter()
    site = generate.ensure_site(args.cache, args.pages, args.photos)
    print(f"site: {site} (ready in {time.perf_counter() - clock:.1f} s)", flush=True)
    work = args.cache / f"run-{args.pages}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    server = Server(site)
    rows = []
    try:
        print(f"serving on {server.origin} (external links: {server.external})", flush=True)
        steps = [lambda: run_rawfetch(work, server.origin, args.photos)]
        config = write_config(work, server.origin, site, args.pages, args.photos, args.workers)
        steps += [lambda: run_auditor("auditor run (first)", "audit-first", work, config),
                  lambda: run_auditor("auditor run (re-run)", "audit-rerun", work, config)]
        if not args.skip_reference:
            steps += [lambda: run_scrapy(work, server.origin), lambda: run_linkchecker(work, server.origin)]
        for step in steps:
            rows.append(step())
            print(f"  {rows[-1].name}: {rows[-1].wall:.2f} s, exit {rows[-1].returncode}", flush=True)
    finally:
        server.close()
    kept = report.remember(args.cache / "results.json", args.pages, rows)
    print()
    print(report.table(rows))
    print()
    print("\n".join(report.verdicts({m.name: m for m in rows}, args.pages, kept)))
    print(f"\nlogs and configs: {work}")
    return 0 if all(m.ok for m in rows) else 1
