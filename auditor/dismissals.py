"""Findings marked as fine ("dismissed") with a reason: which still hold in this audit, and when one
comes back by itself (its date passed, or its page, image or post changed since it was dismissed)."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Iterable

from .findings import Finding
from .history import Dismissal, History
from .humanise import human_date

if TYPE_CHECKING:
    from .snapshot import ImageInfo, Post, Snapshot

CHANGED = "its page, image or post changed"


def states(findings: Iterable[Finding], page_digests: dict[str, str], snapshot: "Snapshot") -> dict[str, str]:
    """fingerprint -> a digest of what the finding is about: its page, and the image or post it names.
    "" when none of them was seen (a social account's profile): such a dismissal ends only by date."""
    posts = {p.url: p for p in snapshot.posts}
    out: dict[str, str] = {}
    for f in findings:
        parts = [page_digests.get(f.url, "")]
        for key in dict.fromkeys(k for k in (f.subject, f.url) if k):
            parts.append(_image_digest(snapshot.images.get(key)))
            parts.append(_post_digest(posts.get(key)))
        out[f.fingerprint] = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20] if any(parts) else ""
    return out


def _image_digest(info: "ImageInfo | None") -> str:
    if info is None:
        return ""
    return json.dumps([info.status, info.error, info.width, info.height, info.bytes, sorted(info.hashes.items())])


def _post_digest(post: "Post | None") -> str:
    if post is None:
        return ""
    return json.dumps([post.text, [i.src for i in post.images], [(r.url, r.text) for r in post.replies]])


def apply(history: History, findings: Iterable[Finding], found_states: dict[str, str], today: date,
          at: str) -> dict[str, Dismissal]:
    """The dismissals that still hold for these findings (fingerprint -> dismissal). Those whose date
    has passed or whose finding changed are ended in the history, so they stay back."""
    held, lapsed = holding(history.open_dismissals(), findings, found_states, today)
    for why, fingerprints in lapsed.items():
        history.end_dismissals(fingerprints, at, why)
    return held


def holding(open_: dict[str, Dismissal], findings: Iterable[Finding], found_states: dict[str, str],
            today: date) -> tuple[dict[str, Dismissal], dict[str, list[str]]]:
    """(fingerprint -> dismissal that holds, why -> fingerprints whose dismissal lapsed); reads nothing."""
    held: dict[str, Dismissal] = {}
    lapsed: dict[str, list[str]] = {}
    for f in findings:
        d = open_.get(f.fingerprint)
        if d is None or f.fingerprint in held:
            continue
        if d.until and d.until < today.isoformat():
            lapsed.setdefault(f"its date ({human_date(d.until)}) passed", []).append(f.fingerprint)
        elif d.state and found_states.get(f.fingerprint, "") != d.state:
            lapsed.setdefault(CHANGED, []).append(f.fingerprint)
        else:
            held[f.fingerprint] = d
    return held, lapsed
