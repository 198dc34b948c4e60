"""Public replies under the scheme's posts that read as complaints (policy 1.7)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..snapshot import Snapshot
from ..social.complaint import classify
from ..social.labels import label
from .base import Check
from .resources import Resources

CODES = ("complaint.public",)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    seen = set()
    for post in snapshot.posts:
        for reply in post.replies:
            if reply.url in seen:
                continue
            seen.add(reply.url)
            verdict = classify(reply.text)
            if not verdict.complaint:
                continue
            yield Finding(
                "complaint.public", url=reply.url, subject=post.url,
                message=f"A public reply on {label(post.platform)} reads as a complaint: answer it privately "
                        "and follow the complaints procedure.",
                evidence={"reply": reply.text[:300], "post": post.url, "platform": post.platform,
                          "reason": verdict.reason, "signals": verdict.phrases, "sentiment": verdict.compound,
                          "replied_at": reply.created_at})


CHECK = Check("complaints", __doc__, CODES, site=check)
