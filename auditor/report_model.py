"""The report's view model: what a busy CEO reads, built from a RunResult.

Findings are grouped by policy clause, repeats folded, each with what to do; untrusted text is made
one-line and clipped here, and escaped by the templates.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit

from . import guidance
from .findings import SEVERITIES, Finding
from .humanise import clip, human_date, human_duration, oneline, plural, short_date

if TYPE_CHECKING:
    from .result import RunResult

# Caps keep the e-mail under ~100 KB (Gmail clips longer messages); the rest are counted.
MAX_ITEMS = 25               # folded items shown in all
MAX_ITEMS_PER_CHECK = 8      # folded items shown per check code
MAX_PLACES = 3               # "/a, /b, /c and 35 more"
MAX_CHANGES = 10             # per list in "what changed" and "resolved"
MAX_THUMBNAILS = 20
MAX_HREF = 2000              # longer addresses are shown (clipped) but not linked
PHOTO_CHECKS = {"photo.no_consent", "photo.consent_expired", "photo.consent_withdrawn",
                "photo.consent_scope", "privacy.photo_metadata"}
SEVERITY_LABELS = {"high": "Urgent", "medium": "Important", "low": "Minor", "info": "For information"}
SEVERITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#475467", "info": "#175cd3"}
_SAFE_SCHEMES = ("http", "https")


@dataclass
class InlineImage:
    cid: str            # Content-ID without angle brackets
    path: Path
    subtype: str = "jpeg"


@dataclass
class Place:
    label: str
    href: str | None    # only http(s) links are made clickable


@dataclass
class Item:
    """One thing to act on: findings of one check folded by subject (or message)."""

    check: str
    severity: str
    message: str
    todo: str
    places: list[Place]
    more_places: int
    count: int
    where: str          # "on 37 pages" / "on 1 page"
    new: bool = False
    thumbnail: str | None = None    # cid


@dataclass
class Clause:
    policy: str
    heading: str
    items: list[Item]
    hidden: int = 0


def view_model(result: "RunResult") -> dict[str, Any]:
    config = result.config
    host = config.site_host
    new = _new_fingerprints(result)
    inline: dict[str, InlineImage] = {}
    groups = fold(result.findings)
    clauses = _clauses(groups, host, new, result.thumbnails, inline)
    headline = _headline(result, len(groups))
    return {
        "scheme": oneline(config.scheme.name), "website": config.scheme.website,
        "headline": headline, "preview": _preview(clauses, groups),
        "subject": clip(oneline(f"{config.scheme.name} audit: {headline}"), 160),
        "audit_date": human_date(result.started_at), "status": result.status,
        "severity_counts": _severity_counts(groups), "clauses": clauses,
        "notes": [oneline(n) for n in result.notes],
        "failures": [f"{f.module}: {oneline(f.error)}" for f in result.failures],
        "comparison": _comparison(result), "changes": _changes(result, host),
        "consents": _consents(result.expiring_consents), "checklist": guidance.CHECKLIST,
        "trend": _trend(result.trend), "footer": _footer(result),
        "inline_images": list(inline.values()), "colours": SEVERITY_COLOURS, "labels": SEVERITY_LABELS,
    }


def _headline(result: "RunResult", actions: int) -> str:
    if result.sample:
        return "This is a test e-mail: the findings below are made up to show what a report looks like"
    if result.status != "complete":
        return "The audit could not finish"
    if actions == 0 and result.failures:
        return "Some checks could not run"
    if actions == 0:
        seen = result.counts.get("pages", 0) or result.counts.get("posts", 0)
        return "All clear" if seen else "Nothing could be checked"
    when = f" before {human_date(result.next_run)}" if result.next_run else ""
    return f"{plural(actions, 'thing needs', 'things need')} action{when}"


def _preview(clauses: list[Clause], groups: list[list[Finding]]) -> str:
    """The line mail apps show under the subject."""
    counts = ", ".join(f"{n} {SEVERITY_LABELS[s].lower()}" for s, n in _severity_counts(groups))
    first = min((i for c in clauses for i in c.items), key=lambda i: SEVERITIES.index(i.severity), default=None)
    if first is None:
        return "Nothing found that breaks the policy; a short checklist to tick by hand."
    return clip(f"{counts}. Most urgent: {first.message}", 150)


def _new_fingerprints(result: "RunResult") -> set[str]:
    comparison = result.comparison
    if comparison is None or comparison.previous_run is None:
        return set()
    return {f.fingerprint for f in comparison.new}


def fold(findings: Iterable[Finding]) -> list[list[Finding]]:
    """Group findings by (check, subject or message), keeping first-seen order."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.check, f.subject or f.message), []).append(f)
    return list(groups.values())


def _clauses(groups: list[list[Finding]], host: str, new: set[str], thumbnails: dict[str, Path],
             inline: dict[str, InlineImage]) -> list[Clause]:
    by_clause: dict[str, Clause] = {}
    per_check: Counter[str] = Counter()
    for group in sorted(groups, key=lambda g: (SEVERITIES.index(g[0].severity), g[0].check, -len(g))):
        first = group[0]
        clause = by_clause.setdefault(first.policy, Clause(first.policy, guidance.clause_heading(first.policy), []))
        per_check[first.check] += 1
        if per_check[first.check] > MAX_ITEMS_PER_CHECK or sum(len(c.items) for c in by_clause.values()) >= MAX_ITEMS:
            clause.hidden += 1
            continue
        item = _item(group, host, new)
        item.thumbnail = _thumbnail(first, thumbnails, inline)
        clause.items.append(item)
    return [by_clause[p] for p in sorted(by_clause, key=_clause_order)]


def _clause_order(policy: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in policy.split("."))


def _item(group: list[Finding], host: str, new: set[str]) -> Item:
    first = group[0]
    urls = list(dict.fromkeys(f.url for f in group))
    on_site = all(_host(u) == host for u in urls)
    noun = ("page", "pages") if on_site else ("place", "places")
    return Item(
        check=first.check, severity=first.severity, message=clip(oneline(first.message), 300),
        todo=guidance.what_to_do(first.check), places=[place(u, host) for u in urls[:MAX_PLACES]],
        more_places=max(0, len(urls) - MAX_PLACES), count=len(urls),
        where="on " + plural(len(urls), *noun), new=any(f.fingerprint in new for f in group))


def _thumbnail(f: Finding, thumbnails: dict[str, Path], inline: dict[str, InlineImage]) -> str | None:
    path = thumbnails.get(f.subject or "") if f.check in PHOTO_CHECKS else None
    if path is None or not Path(path).is_file():
        return None
    if f.subject not in inline:
        if len(inline) >= MAX_THUMBNAILS:
            return None
        digest = hashlib.sha1(f.subject.encode("utf-8")).hexdigest()[:16]
        subtype = "png" if Path(path).suffix.lower() == ".png" else "jpeg"
        inline[f.subject] = InlineImage(cid=f"photo-{digest}@auditor", path=Path(path), subtype=subtype)
    return inline[f.subject].cid


def place(url: str, host: str) -> Place:
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.lower() == host:
        label = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    else:
        label = re.sub(r"^[a-z]+://", "", url, flags=re.I)
    linkable = parts.scheme.lower() in _SAFE_SCHEMES and parts.hostname and len(url) <= MAX_HREF
    href = url if linkable else None
    return Place(clip(oneline(label), 70), href)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _severity_counts(groups: list[list[Finding]]) -> list[tuple[str, int]]:
    counts = Counter(g[0].severity for g in groups)
    return [(s, counts[s]) for s in SEVERITIES if counts[s]]


def _comparison(result: "RunResult") -> dict[str, Any] | None:
    c = result.comparison
    if c is None or c.previous_run is None:
        return None
    resolved = [(clip(oneline(g[0].message), 200), len(g)) for g in fold(c.resolved)]
    return {"since": human_date(c.previous_run.started_at), "new": len(c.new),
            "still_open": len(c.still_open), "resolved": len(c.resolved),
            "resolved_items": resolved[:MAX_CHANGES], "resolved_more": max(0, len(resolved) - MAX_CHANGES)}


def _changes(result: "RunResult", host: str) -> dict[str, Any] | None:
    ch = result.changes
    if ch is None or ch.previous_run is None:
        return None
    lists = []
    for label, rows in (("New pages", ch.new_pages), ("Changed pages", ch.changed_pages),
                        ("Removed pages", ch.removed_pages)):
        entries = [(place(u, host), clip(oneline(t), 100)) for u, t in rows]
        lists.append(_change_list(label, entries))
    posts = [(place(u, host), oneline(platform)) for platform, u in ch.new_posts]
    lists.append(_change_list("New posts", posts))
    return {"since": human_date(ch.previous_run.started_at), "lists": [x for x in lists if x["total"]]}


def _change_list(label: str, entries: list[tuple[Place, str]]) -> dict[str, Any]:
    return {"label": label, "total": len(entries), "entries": entries[:MAX_CHANGES],
            "more": max(0, len(entries) - MAX_CHANGES)}


def _consents(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for row in sorted(rows, key=lambda r: str(r.get("expires", ""))):
        channels = row.get("channels") or ""
        if not isinstance(channels, str):
            channels = ", ".join(map(str, channels))
        out.append({"ref": clip(oneline(str(row.get("consent_ref") or "(no reference)")), 60),
                    "expires": human_date(row.get("expires")), "channels": clip(oneline(channels.replace(";", ", ")), 80)})
    return out


def _trend(points: list[tuple[str, int]]) -> list[dict[str, Any]]:
    top = max((n for _, n in points), default=0) or 1
    return [{"label": short_date(when), "count": n, "width": max(2, round(180 * n / top)) if n else 0,
             "last": i == len(points) - 1} for i, (when, n) in enumerate(points)]


def _footer(result: "RunResult") -> dict[str, Any]:
    c = result.counts
    return {"pages": c.get("pages", 0), "images": c.get("images", 0), "posts": c.get("posts", 0),
            "findings": c.get("findings", len(result.findings)), "duration": human_duration(result.duration_seconds),
            "next_run": human_date(result.next_run) if result.next_run else None, "run_id": result.run_id,
            "recipients": ", ".join(result.config.report.recipients)}
