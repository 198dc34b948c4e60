"""The complete list of findings attached to the report: one row per finding, in the report's order.

Two files: an HTML page that reads on a phone and can be forwarded as it is (no scripts, nothing
loaded from outside), and a CSV of the same rows with technical columns for a spreadsheet. Both
open on any phone's mail app without another app; an XLSX would need one on some phones and
cannot be read by the browser tests that check what the CEO sees.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import guidance
from .humanise import clip, human_date, oneline
from .problems import finding_ref
from .problems import fold, needs_action
from .report_model import SEVERITY_COLOURS, SEVERITY_LABELS, Looks, host_of, harm_order, details_of, message_of

if TYPE_CHECKING:
    from .result import RunResult
    from .report_model import Caps

COLUMNS = ("Ref", "Problem ref", "Status", "Urgency", "Part of the report", "Page title", "Page address",
           "What was found", "Broken address or item", "Seen on pages", "Also on", "What to do", "New since last audit",
           "Marked fine because", "Marked fine by", "Marked fine on", "Marked fine until",
           "Check code", "Policy clause", "Technical note", "Technical details")
MAX_DETAILS = 1000


@dataclass
class Attachment:
    filename: str
    maintype: str
    subtype: str
    data: bytes


def rows(result: "RunResult", caps: "Caps") -> list[dict[str, str]]:
    """Every finding, dismissed ones too, in the order the e-mail shows their problems."""
    dismissed = result.dismissed
    looks = Looks(result.config.site_host, result.page_titles, caps)
    new = {f.fingerprint for f in result.comparison.new} if result.comparison and result.comparison.previous_run else set()
    open_refs = {p.ref for p in needs_action(result.findings, dismissed)}
    out = []
    for problem in sorted(fold(result.findings), key=lambda p: (p.ref not in open_refs, harm_order(p))):
        section = guidance.section_of(problem.first.check, problem.first.policy)
        for f in problem.findings:
            place = looks.place(f.url)
            d = dismissed.get(f.fingerprint)
            subject = next((x.text for x in details_of(f, looks) if x.href or x.label != "Why"), "")
            n = f.evidence.get("page_count") if isinstance(f.evidence, dict) else None
            pages = f.evidence.get("pages") if isinstance(f.evidence, dict) else None
            also = [str(p) for p in pages if p != f.url] if isinstance(pages, list) else []
            advice = guidance.advice_key(f.check, f.subject)
            out.append({
                "Ref": finding_ref(f), "Problem ref": problem.ref,
                "Status": "Marked as fine" if d else "Needs action",
                "Urgency": SEVERITY_LABELS[f.severity], "Part of the report": section.heading,
                "Page title": place.title, "Page address": f.url, "What was found": message_of(f),
                "Broken address or item": subject or oneline(f.subject or ""),
                "Seen on pages": str(n) if isinstance(n, int) else "1",
                "Also on": " ; ".join(also) + (" and others" if isinstance(n, int) and n > len(also) + 1 else ""),
                "What to do": guidance.what_to_do(advice, host_of(f.url) == looks.host),
                "New since last audit": "yes" if f.fingerprint in new else "",
                "Marked fine because": oneline(d.reason) if d else "", "Marked fine by": oneline(d.who) if d else "",
                "Marked fine on": human_date(d.at) if d else "",
                "Marked fine until": human_date(d.until) if d and d.until else "",
                "Check code": f.check, "Policy clause": f.policy, "Technical note": guidance.technical(advice),
                "Technical details": clip(json.dumps(f.evidence, ensure_ascii=False, default=str), MAX_DETAILS),
            })
    return out


def to_csv(table: list[dict[str, str]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the letters right; a cell that a
    spreadsheet would run as a formula is prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: _inert(oneline(v)) for k, v in row.items()})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _inert(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def filename(result: "RunResult", ext: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", result.config.scheme.name.lower()).strip("-")
    if len(slug) > 40:
        slug = slug[:41].rpartition("-")[0] or slug[:40]      # whole words
    slug = slug or "scheme"
    return f"{slug}-audit-{result.started_at[:10]}-all-findings.{ext}"


def context(result: "RunResult", table: list[dict[str, str]], model: dict[str, Any]) -> dict[str, Any]:
    failures = [(f.module, clip(oneline(f.error), 300)) for f in result.failures]
    return {"rows": table, "model": model, "failures": failures, "colours": {SEVERITY_LABELS[k]: v for k, v in SEVERITY_COLOURS.items()},
            "total": len(table), "open": sum(1 for r in table if r["Status"] == "Needs action")}
