"""Real-world evaluation: real sites served on 127.0.0.1, audited, and scored against judgements.

`python -m bench realworld --corpus DIR`: each site folder of the corpus named in `sites.toml` is served on 127.0.0.1, audited as if today
were `--today` with the config `sites.toml` gives it (name, accepted names, the site's own logo
file as the approved logo, contacts it publishes on purpose), and its findings are scored against
the judgement files beside this module: per site and per code, findings, judged right, judged
wrong, unjudged, and the share of expected findings reported. See `score` for the file formats.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import score
from .serve import StaticSite, published_at

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
TODAY = "2026-12-03"
SITE_KEYS = {"name", "accepted_names", "forbidden_names", "logo", "start", "allowed_contacts", "note"}


@dataclass(frozen=True)
class SiteConfig:
    folder: str
    name: str
    accepted_names: list[str] = field(default_factory=list)
    forbidden_names: list[str] = field(default_factory=list)
    logo: str | None = None          # the approved logo: a file within the site folder
    start: str = "/"                 # the page the audit starts from
    allowed_contacts: list[str] = field(default_factory=list)
    note: str = ""


def load_sites(path: Path) -> list[SiteConfig]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sites = []
    for folder, table in data.items():
        unknown = set(table) - SITE_KEYS
        if unknown or "name" not in table:
            raise ValueError(f"{path}: [{folder}] needs a name and knows only {', '.join(sorted(SITE_KEYS))}"
                             + (f" (not {', '.join(sorted(unknown))})" if unknown else ""))
        sites.append(SiteConfig(folder, **table))
    return sites


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False)     # a JSON string or list of strings is valid TOML


def write_config(site: SiteConfig, root: Path, origin: str, work: Path) -> Path:
    """The audit's config, its storage and a copy of the logo file, all in the work folder."""
    lines = ["[scheme]", f"name = {_toml(site.name)}", f"accepted_names = {_toml(site.accepted_names)}",
             f"forbidden_names = {_toml(site.forbidden_names)}", f"website = {_toml(origin + site.start)}", "",
             "[crawl]", "max_pages = 1000", "max_per_pattern = 1000", "delay_seconds = 0", "timeout_seconds = 5",
             "check_external_links = false", ""]
    if site.logo:
        approved = work / "logos" / "approved"
        approved.mkdir(parents=True)
        shutil.copyfile(root / site.logo, approved / Path(site.logo).name)
        lines += ["[identity]", f"approved_logos = {_toml(str(approved))}", ""]
    lines += ["[privacy]", f"allowed_contacts = {_toml(site.allowed_contacts)}", "",
              "[storage]", f"directory = {_toml(str(work / 'var'))}", ""]
    path = work / "auditor.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def audit(site: SiteConfig, corpus: Path, work: Path, today: str, last_modified: bool,
          dated_by_source: bool = False) -> tuple[int, dict | None]:
    """Serve and audit one site from scratch; (exit code, findings document with its origin)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root = corpus / site.folder
    published = published_at(root) if dated_by_source else None
    with StaticSite(root, last_modified, published) as served:
        config = write_config(site, root, served.origin, work)
        out = work / "findings.json"
        cmd = [sys.executable, "-m", "bench.realworld.frozen", today, "run", "--config", str(config),
               "--no-email", "--json", str(out), "-q"]
        with open(work / "audit.log", "wb") as log:
            code = subprocess.call(cmd, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONPATH": str(PROJECT)})
    if not out.exists():
        return code, None
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["bench_origin"] = served.origin
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return code, doc


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench realworld", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="folder holding one folder per site (needed unless --reuse)")
    parser.add_argument("--sites", help="comma-separated site folders (default: every site in sites.toml)")
    parser.add_argument("--codes", default="", help="comma-separated codes or prefixes to score, e.g. logo.,name. "
                                                    "(default: every code)")
    parser.add_argument("--today", default=TODAY, help=f"the audit's date, YYYY-MM-DD (default {TODAY})")
    parser.add_argument("--no-last-modified", action="store_true",
                        help="serve the sites without Last-Modified headers")
    parser.add_argument("--dated-by-source", action="store_true",
                        help="send each site's commit date (its SOURCE.md) as Last-Modified instead of the files' "
                             "times, for a copy of the corpus whose file times were not kept")
    parser.add_argument("--reuse", action="store_true", help="score the findings of the last run again, without auditing")
    parser.add_argument("--list", choices=("unjudged", "wrong", "right", "all"),
                        help="also print those findings as judgement rows (CSV)")
    parser.add_argument("--judgements", type=Path, default=HERE,
                        help="folder with sites.toml, judgements-*.csv and expected-*.csv (default: beside this module)")
    parser.add_argument("--cache", type=Path, default=PROJECT / ".bench-cache" / "realworld",
                        help="where configs, logs and findings of each audit are kept (default .bench-cache/realworld)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        sites = load_sites(args.judgements / "sites.toml")
        judgements = score.load_judgements(args.judgements)
        expected = score.load_expected(args.judgements)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    if args.sites:
        chosen = args.sites.split(",")
        unknown = set(chosen) - {s.folder for s in sites}
        if unknown:
            print(f"Error: not in sites.toml: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        sites = [s for s in sites if s.folder in chosen]
    if not args.reuse and (args.corpus is None or not args.corpus.is_dir()):
        print("Error: --corpus must name a folder of site folders (or use --reuse)", file=sys.stderr)
        return 2
    prefixes = tuple(p for p in args.codes.split(",") if p)
    wanted = (lambda code: code.startswith(prefixes)) if prefixes else (lambda code: True)
    cache = args.cache / ("no-last-modified" if args.no_last_modified else "last-modified")
    seen, failed = [], []
    for site in sites:
        work = cache / site.folder
        if args.reuse:
            if not (work / "findings.json").exists():
                print(f"{site.folder}: no findings kept from an earlier run, skipped", flush=True)
                continue
            code, doc = 0, json.loads((work / "findings.json").read_text(encoding="utf-8"))
        elif not (args.corpus / site.folder).is_dir():
            print(f"{site.folder}: not in the corpus, skipped", flush=True)
            continue
        else:
            code, doc = audit(site, args.corpus, work, args.today, not args.no_last_modified, args.dated_by_source)
        if doc is None:
            failed.append(site.folder)
            print(f"{site.folder}: no findings document (exit {code}); see {work / 'audit.log'}", flush=True)
            continue
        found = score.seen_in(site.folder, doc, doc["bench_origin"])
        seen += found
        print(f"{site.folder}: {doc.get('pages_crawled', 0)} pages, {doc.get('images_checked', 0)} images, "
              f"{len(found)} findings (exit {code})", flush=True)
    names = [s.folder for s in sites]
    print()
    print(score.table(score.tally(seen, judgements, names, wanted), [n for n in names if n not in failed]))
    recall_table, missed = score.recall(expected, seen, names, wanted)
    print("\nexpected findings reported\n" + recall_table)
    print("\n".join(missed))
    if args.list:
        print(f"\n{args.list} findings (site,code,page,subject,verdict,reason):")
        print(score.listing(seen, judgements, args.list, wanted), end="")
    print(f"\nconfigs, logs and findings: {cache}")
    return 1 if failed else 0
