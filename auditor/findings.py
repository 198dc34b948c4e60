"""Findings: stable check codes, the Finding record and the findings document."""
from __future__ import annotations

import difflib
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

SEVERITIES = ("high", "medium", "low", "info")

# code -> (policy clause, default severity, short title for reports)
CODES: dict[str, tuple[str, str, str]] = {
    "logo.missing": ("1.6", "medium", "No approved logo on the page"),
    "logo.deprecated": ("1.6", "high", "An old, deprecated logo is shown"),
    "logo.unrecognised": ("1.6", "medium", "A logo that is not an approved one"),
    "logo.distorted": ("1.6", "low", "The logo is stretched or squashed"),
    "name.missing": ("1.6", "medium", "The page does not name the scheme"),
    "name.variant": ("1.6", "low", "A wrong spelling of the name"),
    "photo.no_consent": ("1.4", "high", "A photo with no consent record"),
    "photo.consent_expired": ("1.4", "high", "A photo whose consent has expired"),
    "photo.consent_withdrawn": ("1.4", "high", "A photo whose consent was withdrawn"),
    "photo.consent_scope": ("1.4", "high", "A photo used where its consent does not cover"),
    "photo.consent_incomplete": ("1.4", "high", "A photo showing more people than its consent names"),
    "content.stale": ("1.5", "low", "A page not updated for a long time"),
    "event.past": ("1.5", "medium", "A past event still promoted"),
    "copyright.stale": ("1.5", "low", "An out-of-date copyright year"),
    "link.broken": ("1.5", "medium", "A broken link"),
    "image.broken": ("1.5", "medium", "A broken image"),
    "social.dormant": ("1.5", "medium", "A social account with no recent posts"),
    "social.name": ("1.6", "medium", "A social account not named as the scheme"),
    "social.avatar": ("1.6", "medium", "A social account without the approved logo"),
    "social.unreachable": ("1.5", "medium", "A social account that could not be read"),
    "privacy.personal_data": ("1.1", "high", "Personal contact details published"),
    "image.alt_missing": ("1.1", "low", "An image without a text alternative"),
    "privacy.photo_metadata": ("1.1", "high", "A photo carrying location or names in its metadata"),
    "complaint.public": ("1.7", "medium", "A public complaint to answer privately"),
    "crawl.error": ("1.5", "high", "Something the audit could not read"),
}


def unknown(what: str, name: str, valid: Iterable[str]) -> str:
    """How a wrong name is refused: it, and the closest valid one."""
    closest = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.0)
    return f"unknown {what} {name!r}" + (f" (the closest is {closest[0]!r})" if closest else "")


@dataclass(slots=True)
class Finding:
    check: str
    url: str
    message: str
    subject: str | None = None
    severity: str = ""
    policy: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.check not in CODES:
            raise ValueError(f"unknown check code {self.check!r}")
        policy, severity, _ = CODES[self.check]
        self.policy = self.policy or policy
        self.severity = self.severity or severity
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs: the same problem at the same place."""
        key = "\x1f".join((self.check, self.url, self.subject or ""))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check, "severity": self.severity, "policy": self.policy,
            "url": self.url, "subject": self.subject, "message": self.message,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        return cls(check=data["check"], url=data["url"], message=data["message"],
                   subject=data.get("subject"), severity=data.get("severity", ""),
                   policy=data.get("policy", ""), evidence=data.get("evidence") or {})


def sort_key(f: Finding):
    return (SEVERITIES.index(f.severity), f.policy, f.check, f.url, f.subject or "")


def document(scheme: str, started_at: str, finished_at: str, counts: dict[str, int],
             findings: Iterable[Finding], **extra: Any) -> dict[str, Any]:
    """The findings document of DESIGN.md; `extra` adds keys after the required ones."""
    doc = {
        "scheme": scheme, "started_at": started_at, "finished_at": finished_at,
        "pages_crawled": counts.get("pages", 0), "images_checked": counts.get("images", 0),
        "posts_checked": counts.get("posts", 0),
        "findings": [f.to_dict() for f in sorted(findings, key=sort_key)],
    }
    doc.update(extra)
    return doc


def write_document(path: Path, doc: dict[str, Any], findings: Iterable[Finding] | None = None) -> None:
    """Write `doc` as JSON; `findings`, when given, take the place of its "findings" list and are
    written one at a time (in the order given), so a large audit's are never all held as dicts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:      # streamed: a large audit's text is never whole in memory
        if findings is None:
            json.dump(doc, out, indent=2, ensure_ascii=False)
        else:
            _dump_streamed(doc, findings, out)
        out.write("\n")
    tmp.replace(path)


def _dump_streamed(doc: dict[str, Any], findings: Iterable[Finding], out) -> None:
    """Exactly what json.dump(…, indent=2, ensure_ascii=False) writes for the whole document."""
    mark = f"findings-{uuid.uuid4().hex}"
    head, tail = json.dumps({**doc, "findings": mark}, indent=2, ensure_ascii=False).split(json.dumps(mark))
    out.write(head + "[")
    written = False
    for f in findings:
        item = json.dumps(f.to_dict(), indent=2, ensure_ascii=False).replace("\n", "\n    ")
        out.write(("," if written else "") + "\n    " + item)
        written = True
    out.write(("\n  ]" if written else "]") + tail)
