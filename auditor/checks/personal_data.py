"""Private e-mail addresses and mobile numbers published on pages and posts (policy 1.1)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Iterator
from urllib.parse import unquote, urlsplit

from ..findings import Finding
from ..snapshot import Page, Post, Snapshot
from ..text.contacts import Contact, find_contacts
from ._common import group
from .base import Check
from .resources import Resources

CODES = ("privacy.personal_data",)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    host = urlsplit(ctx.config.scheme.website).hostname or ""
    allowed = ctx.config.privacy.allowed_contacts
    seen = group((c.value, page.url, c) for page in snapshot.pages if (page.status or 200) < 400
                 for c in page_contacts(page, host, allowed, ctx))
    for value, found in seen.items():
        yield _finding(found.first, found.url, f"is published {found.where()}", found.evidence())
    for post in snapshot.posts:
        yield from check_post(post, host, allowed)


def page_contacts(page: Page, host: str, allowed, ctx: Resources) -> list[Contact]:
    """The page's contacts: kept between audits for the same page content and config."""
    found = ctx.per_page(page, "personal_data.contacts",
                         lambda p: [asdict(c) for c in find_contacts(page_text(p), host, allowed)])
    return [Contact(**c) for c in found]


def check_post(post: Post, host: str, allowed) -> Iterator[Finding]:
    """The scheme's own post text (not the public's replies)."""
    for contact in find_contacts(post.text, host, allowed):
        yield _finding(contact, post.url, f"is in this {post.platform} post", {"platform": post.platform})


def page_text(page: Page) -> str:
    """Visible text plus the addresses behind mailto:/tel: links, which the text may not show."""
    targets = []
    for href in page.contact_links:
        target = unquote(href.split(":", 1)[1].split("?", 1)[0]).strip()
        targets.append(target)
    return "\n".join([page.text, *targets])


def _finding(contact: Contact, url: str, where: str, evidence: dict) -> Finding:
    if contact.kind == "phone":
        what = "A mobile phone number"
    elif contact.personal:
        what = "A personal e-mail address"
    else:
        what = "An e-mail address outside the scheme's own domain"
    return Finding("privacy.personal_data", url=url, subject=f"{contact.kind}:{contact.masked}",
                   severity="high" if contact.personal else "medium",
                   message=f"{what} ({contact.masked}) {where}; check the person agreed to it being public.",
                   evidence={"kind": contact.kind, "masked": contact.masked, "personal": contact.personal,
                             **evidence})


CHECK = Check("personal_data", __doc__, CODES, site=check)
