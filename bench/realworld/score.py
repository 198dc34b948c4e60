"""Findings scored against judgements kept in the repository.

A judged finding is keyed by (site, code, page, subject): the page and subject as paths on the
site ("/about/people.html"), or whole URLs when on another host, so the key does not depend on
the port the site was served on. Judgement files (`judgements-*.csv`, one per family of checks so
that people judging different checks do not edit the same file):

    site,code,page,subject,verdict,reason      verdict: right | wrong

Expected files (`expected-*.csv`) list what a careful reader found on the sites and the audit
should report; page and subject may be left empty to accept any:

    site,code,page,subject,note
"""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

JUDGEMENT_FIELDS = ("site", "code", "page", "subject", "verdict", "reason")
EXPECTED_FIELDS = ("site", "code", "page", "subject", "note")
VERDICTS = ("right", "wrong")

Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Seen:
    """One finding of an audit, keyed as judgements are."""

    site: str
    code: str
    page: str
    subject: str
    message: str

    @property
    def key(self) -> Key:
        return (self.site, self.code, self.page, self.subject)


def relative(url: str | None, origin: str) -> str:
    """A URL on the served site as its path (and query); any other URL whole; None as ""."""
    if not url:
        return ""
    parts, home = urlsplit(url), urlsplit(origin)
    if (parts.scheme, parts.netloc) != (home.scheme, home.netloc):
        return url
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def seen_in(site: str, doc: dict, origin: str) -> list[Seen]:
    return [Seen(site, f["check"], relative(f["url"], origin), relative(f.get("subject"), origin),
                 " ".join((f.get("message") or "").split()))
            for f in doc.get("findings", [])]


class BadFile(ValueError):
    """A judgement or expected file that cannot be read as promised; says file and line."""


def _rows(path: Path, fields: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != fields:
            raise BadFile(f"{path}: the header must be {','.join(fields)}")
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
                for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]


def load_judgements(folder: Path) -> dict[Key, tuple[str, str, str]]:
    """key -> (verdict, reason, "file:line") from every judgements-*.csv in folder."""
    out: dict[Key, tuple[str, str, str]] = {}
    for path in sorted(folder.glob("judgements-*.csv")):
        for line, row in _rows(path, JUDGEMENT_FIELDS):
            if row["verdict"] not in VERDICTS:
                raise BadFile(f"{path}:{line}: verdict must be right or wrong, not {row['verdict']!r}")
            key = (row["site"], row["code"], row["page"], row["subject"])
            if key in out:
                raise BadFile(f"{path}:{line}: already judged at {out[key][2]}")
            out[key] = (row["verdict"], row["reason"], f"{path.name}:{line}")
    return out


def load_expected(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("expected-*.csv")):
        rows += [{**row, "where": f"{path.name}:{line}"} for line, row in _rows(path, EXPECTED_FIELDS)]
    return rows


@dataclass
class Tally:
    findings: int = 0
    right: int = 0
    wrong: int = 0
    lost: int = 0         # judged right, no longer reported

    @property
    def unjudged(self) -> int:
        return self.findings - self.right - self.wrong

    @property
    def precision(self) -> str:
        judged = self.right + self.wrong
        return f"{self.right / judged:.3f}" if judged else "-"


def tally(seen: list[Seen], judgements: dict, sites: list[str], wanted) -> dict[tuple[str, str], Tally]:
    """(site, code) -> Tally; also (ALL, code) over every site."""
    out: dict[tuple[str, str], Tally] = defaultdict(Tally)
    keys = set()
    for s in seen:
        if not wanted(s.code):
            continue
        keys.add(s.key)
        verdict = judgements.get(s.key, ("",))[0]
        for where in ((s.site, s.code), (ALL, s.code)):
            t = out[where]
            t.findings += 1
            t.right += verdict == "right"
            t.wrong += verdict == "wrong"
    for key, (verdict, _, _) in judgements.items():
        if key[0] in sites and wanted(key[1]) and verdict == "right" and key not in keys:
            out[(key[0], key[1])].lost += 1
            out[(ALL, key[1])].lost += 1
    return out


ALL = "(all sites)"


def table(tallies: dict[tuple[str, str], Tally], sites: list[str]) -> str:
    """One row per site and code; a site with none of the codes scored gets one row saying so."""
    tallies = dict(tallies)
    for site in sites:
        if not any(key[0] == site for key in tallies):
            tallies[(site, "(none)")] = Tally()
    head = f"{'site':<24}{'code':<26}{'findings':>9}{'right':>7}{'wrong':>7}{'unjudged':>9}{'precision':>10}{'lost':>6}"
    out = [head, "-" * len(head)]
    last = None
    for (site, code), t in sorted(tallies.items(), key=lambda kv: (kv[0][0] == ALL, kv[0])):
        if last is not None and site != last:
            out.append("")
        last = site
        out.append(f"{site:<24}{code:<26}{t.findings:>9}{t.right:>7}{t.wrong:>7}{t.unjudged:>9}{t.precision:>10}"
                   f"{t.lost:>6}")
    out.append("lost: judged right in the judgement files but not reported by this audit")
    return "\n".join(out)


def recall(expected: list[dict[str, str]], seen: list[Seen], sites: list[str], wanted) -> tuple[str, list[str]]:
    """A table of expected findings reported per code, and the lines of those missed."""
    rows = [e for e in expected if e["site"] in sites and wanted(e["code"])]
    found, total, missed = Counter(), Counter(), []
    for e in rows:
        total[e["code"]] += 1
        hit = any(s.site == e["site"] and s.code == e["code"] and (not e["page"] or s.page == e["page"])
                  and (not e["subject"] or s.subject == e["subject"]) for s in seen)
        found[e["code"]] += hit
        if not hit:
            where = " ".join(filter(None, (e["page"] or "(any page)", e["subject"])))
            missed.append(f"  missed {e['site']} {e['code']} {where}: {e['note']} [{e['where']}]")
    lines = [f"{'code':<26}{'expected':>9}{'reported':>9}{'recall':>8}"]
    lines += [f"{code:<26}{total[code]:>9}{found[code]:>9}{found[code] / total[code]:>8.3f}" for code in sorted(total)]
    return "\n".join(lines), missed


def listing(seen: list[Seen], judgements: dict, which: str, wanted) -> str:
    """Findings as judgement rows to review (right, wrong, all) or to fill in (unjudged: the verdict
    left empty, the finding's message as the reason, to be replaced by the judge's own)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    for s in sorted(set(seen), key=lambda s: s.key):
        if not wanted(s.code):
            continue
        verdict, reason, _ = judgements.get(s.key, ("", "", ""))
        if which == "all" or verdict == which or (which == "unjudged" and not verdict):
            out.writerow([*s.key, verdict, reason or f"? {s.message[:300]}"])
    return buffer.getvalue()
