"""Problems: findings folded so that a repeat counts once, and the short references people quote.

A finding's reference comes from its fingerprint (check, page, subject), so it is the same in every
audit; a problem seen in several places has its own reference from what folds it, and quoting it
means every place at once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

from .findings import Finding

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"     # Crockford's: no I, L, O or U to misread
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
REF_CHARS = 8


def short_ref(hex_digest: str) -> str:
    """'K7Q2-9XWM': 40 bits of a digest, in letters and digits that survive being read aloud."""
    n = int(hex_digest[:10], 16)
    text = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(REF_CHARS)))
    return f"{text[:4]}-{text[4:]}"


def normalise_ref(text: str) -> str | None:
    """A reference as someone typed it ('k7q29xwm', 'K7Q2 9XWM', with O for 0) in its shown form, or None."""
    raw = "".join(text.upper().split()).replace("-", "").translate(_MISREAD)
    if len(raw) != REF_CHARS or any(c not in _ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def finding_ref(f: Finding) -> str:
    return short_ref(f.fingerprint)


@dataclass
class Problem:
    """Findings of one check about one thing (an image, a link target, one message)."""

    key: tuple[str, str]
    findings: list[Finding]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def ref(self) -> str:
        if len(self.findings) == 1:
            return finding_ref(self.first)
        return short_ref(hashlib.sha256("\x1f".join(self.key).encode("utf-8")).hexdigest())

    @property
    def places(self) -> int:
        """Distinct places; a finding that already stands for many pages counts them all."""
        urls = {f.url for f in self.findings if not _page_count(f)}
        return len(urls) + sum(_page_count(f) for f in self.findings)

    def urls(self) -> list[str]:
        """Every known address, the finding's own first (a grouped finding keeps only its first few)."""
        out: dict[str, None] = {}
        for f in self.findings:
            out[f.url] = None
            pages = f.evidence.get("pages") if isinstance(f.evidence, dict) else None
            if isinstance(pages, list):
                out.update((str(p), None) for p in pages)
        return list(out)


def _page_count(f: Finding) -> int:
    n = f.evidence.get("page_count") if isinstance(f.evidence, dict) else None
    return n if isinstance(n, int) and n > 0 else 0


def fold(findings: Iterable[Finding]) -> list[Problem]:
    """Group by (check, subject), or (check, message) for findings without a subject; first-seen order."""
    groups: dict[tuple[str, str], Problem] = {}
    for f in findings:
        key = (f.check, f.subject or f.message)
        problem = groups.get(key)
        if problem is None:
            groups[key] = Problem(key, [f])
        else:
            problem.findings.append(f)
    return list(groups.values())


def needs_action(findings: Iterable[Finding], dismissed: Iterable[str]) -> list[Problem]:
    """The problems still open: the one count the report, its subject, the trend and the history use."""
    gone = set(dismissed)
    return fold(f for f in findings if f.fingerprint not in gone)


def resolve(refs: Iterable[str], findings: list[Finding]) -> tuple[dict[str, list[Finding]], list[str]]:
    """Which findings each reference names (a finding's own, or a problem's); and the refs that name none."""
    by_ref: dict[str, list[Finding]] = {}
    for f in findings:
        by_ref.setdefault(finding_ref(f), []).append(f)
    for problem in fold(findings):
        by_ref.setdefault(problem.ref, problem.findings)
    found, unknown = {}, []
    for text in refs:
        ref = normalise_ref(text)
        if ref is None or ref not in by_ref:
            unknown.append(text)
        else:
            found[ref] = by_ref[ref]
    return found, unknown
