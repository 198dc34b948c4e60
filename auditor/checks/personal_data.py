"""Private e-mail addresses and mobile numbers published on pages and posts (policy 1.1)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Iterator
from urllib.parse import unquote, urlsplit

from ..findings import Finding
from ..snapshot import Page, Post, Snapshot
from ..text.contacts import Contact, find_contacts
from ._common import group, photo_captions
from .base import Check
from .resources import Resources

CODES = ("privacy.personal_data",)
# Where on a page a contact was found, when outside the body text, in the report's words.
PLACES = {"title": "in the page title", "alt text": "in an image's alt text",
          "title attribute": "in a tooltip (title attribute)", "aria-label": "in a label read out by screen readers",
          "figure caption": "in a figure caption"}


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    host = urlsplit(ctx.config.scheme.website).hostname or ""
    allowed = ctx.config.privacy.allowed_contacts
    seen = group((c.value, page.url, (c, place)) for page in snapshot.pages if (page.status or 200) < 400
                 for c, place in page_contacts(page, host, allowed, ctx))
    for value, found in seen.items():
        contact, place = found.first
        inside = f"{PLACES[place]} " if place in PLACES else ""
        yield _finding(contact, found.url, f"is published {inside}{found.where()}",
                       {**found.evidence(), "place": place})
    for where, src, captions in photo_captions(snapshot):
        for contact in find_contacts("\n".join(captions), host, allowed):
            if contact.value not in seen:
                yield _finding(contact, where, "is written in the hidden caption (metadata) of a photo on this page",
                               {"place": "photo caption", "image": src})
    for post in snapshot.posts:
        yield from check_post(post, host, allowed)


def page_contacts(page: Page, host: str, allowed, ctx: Resources) -> list[tuple[Contact, str]]:
    """The page's contacts, each with where it was found first (the body text, then the words outside
    it: title, alt text, tooltips…); kept between audits for the same page content and config."""
    found = ctx.per_page(page, "personal_data.contacts.v2", lambda p: _contacts(p, host, allowed))
    return [(Contact(**{k: v for k, v in c.items() if k != "place"}), c["place"]) for c in found]


def _contacts(page: Page, host: str, allowed) -> list[dict]:
    out: dict[str, dict] = {}
    places = [("text", page_text(page)), ("title", page.title),
              *((place, "\n".join(texts)) for place, texts in page.texts_outside.items())]
    for place, text in places:
        for contact in find_contacts(text, host, allowed) if text else ():
            out.setdefault(contact.value, {**asdict(contact), "place": place})
    return list(out.values())


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
