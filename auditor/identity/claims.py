"""Which images on a page present themselves as the scheme's own logo.

A strong claim (the site icon, an image linking to the home page, an image whose alt text,
title, class, id or file name says "logo" or names the scheme) must be an approved logo.
A weak claim (other header images, the sharing image) only counts when it matches.
Partners' and funders' logos ("Supported by…", alt text naming another organisation, a
logo linking to another site, the national Home-Start UK mark) are never the scheme's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..snapshot import ImageUse, Page
from .names import NameMatcher

PARTNER_CONTEXT = re.compile(
    r"\b(?:supported|funded|sponsored|backed|powered|endorsed|accredited|commissioned)\s+by\b"
    r"|\b(?:our\s+)?(?:partners?|funders?|sponsors?|supporters?|donors?)\b|\bin\s+partnership\b"
    r"|\bthanks?\s+to\b|\bmember\s+of\b|\baward(?:s|ed)?\b|\bregistered\s+with\b|\bpart\s+of\b", re.I)
NATIONAL = re.compile(r"\bhome[\s\-\u2010\u2011]*start\s+uk\b", re.I)
LOGO_WORD = re.compile(r"logo|emblem|brand|masthead", re.I)
FILLER = re.compile(r"\b(?:logo(?:type)?s?|emblem|brand(?:ing)?|image|picture|icon|the|our|of|a|an|new|main"
                    r"|site|header|home(?:page)?|link|to|go|back)\b|[^\w\s]", re.I)
HOME_PATHS = {"/", "/index.html", "/index.htm", "/index.php", "/home", "/home/", "/en/", "/default.aspx"}
ICON_KINDS = ("icon", "apple-touch-icon")


@dataclass(frozen=True)
class Claim:
    strong: bool
    reason: str


def claim(use: ImageUse, page: Page, names: NameMatcher, site_host: str) -> Claim | None:
    """How strongly `use` presents itself as the scheme's logo, or None if it does not."""
    if use.kind in ICON_KINDS:
        return Claim(True, "site icon")
    if is_partner(use, names, site_host):
        return None
    labels = _labels(use)
    handles = " ".join((use.attrs.get("id", ""), use.attrs.get("class", ""), file_name(use.src)))
    if names.mentions(labels) or names.mentions(handles):
        return Claim(True, "named as the scheme")
    if LOGO_WORD.search(labels) or LOGO_WORD.search(handles):
        return Claim(True, "called a logo")
    if use.link and is_home(use.link, page, site_host):
        return Claim(True, "links to the home page")
    if use.kind == "og:image":
        return Claim(False, "sharing image")
    if use.region == "header":
        return Claim(False, "header image")
    return None


def is_partner(use: ImageUse, names: NameMatcher, site_host: str) -> bool:
    labels = _labels(use)
    if NATIONAL.search(labels) or NATIONAL.search(use.context or ""):
        return True
    if names.mentions(labels):
        return False
    if PARTNER_CONTEXT.search(use.context or ""):
        return True
    if LOGO_WORD.search(labels) and FILLER.sub(" ", labels).strip():
        return True        # "National Lottery Community Fund logo": somebody else's logo
    elsewhere = bool(use.link) and _host(use.link or "") not in ("", _strip_www(site_host))
    return elsewhere and not names.mentions(file_name(use.src))


def is_home(link: str, page: Page, site_host: str) -> bool:
    parts = urlsplit(link)
    hosts = {site_host, _host(page.final_url or page.url)}
    same_site = _strip_www(parts.hostname or "") in {_strip_www(h) for h in hosts}
    return same_site and (parts.path or "/") in HOME_PATHS and not parts.query


def file_name(src: str) -> str:
    return unquote(urlsplit(src).path.rsplit("/", 1)[-1])


def _labels(use: ImageUse) -> str:
    return " ".join(filter(None, (use.alt, use.title, use.attrs.get("aria-label"))))


def _host(url: str) -> str:
    return _strip_www((urlsplit(url).hostname or "").lower())


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
