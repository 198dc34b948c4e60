"""Which images on a page present themselves as the scheme's own logo.

A strong claim is evidence a person would accept: the site icon, the image a home link shows,
an image whose alt text is the scheme's name, or whose alt text, title, class, id or file name
says it is a logo. It must be an approved logo. A weak claim (other header images, the sharing
image) only counts when it matches. Never a claim: partners' and funders' logos ("Supported
by…", alt text or file name naming another organisation's logo, a logo linking to another site,
the national Home-Start UK mark), navigation buttons ("Home", "Menu"), and images that merely
mention the scheme in a description ("Coffee morning at Home-Start"). The logo check also sets
aside small images saying only a menu word ("Home", "Menu": navigation buttons) and photographs:
those count only when they match a reference.
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
LOGO_WORD = re.compile(r"logo|emblem|brand|masthead|crest", re.I)
FILLER = re.compile(r"\b(?:logo(?:type)?s?|emblem|brand(?:ing)?|crest|image|picture|icon|the|our|of|a|an|new|main"
                    r"|official|site|header|footer|home(?:page)?|link|to|go|back|\d+)\b|[^\w\s]|_", re.I)
# words a logo's file name carries besides what it is the logo of: sizes, colours, formats, versions
FILE_FILLER = re.compile(r"\b(?:\d+|\d+x\d*|v\d+|png|jpe?g|gif|svg|webp|ico|small|large|medium|sm|md|lg|xl|full"
                         r"|white|black|blackwhite|colou?r|multi|mono|dark|light|transparent|retina|scaled"
                         r"|cropped|thumb(?:nail)?|web|rgb|cmyk|hd|final|copy|min|stacked|horizontal|vertical"
                         r"|linear|wide|square|round|circle|top|left|right|nav|navbar|desktop|mobile)\b", re.I)
# what a navigation button or icon says: an image with only these words is part of the menu
MENU = re.compile(r"(?:home|home\s*page|about|about\s+us|contact|contact\s+us|menu|search|news|events?|donate"
                  r"|gallery|shop|top|back|back\s+to\s+top|next|prev|previous|close|open|more|log\s*in|sign\s*in"
                  r"|up|down|print|share|help)", re.I)
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
    if labels and names.mentions(labels) and not _rest(labels, names):
        return Claim(True, "named as the scheme")
    if use.link and is_home(use.link, page, site_host):
        return Claim(True, "links to the home page")
    if _others_logo(use, names):
        return None
    if _called_logo(use, names):
        return Claim(True, "called a logo")
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
    if LOGO_WORD.search(labels) and _rest(labels, names):
        return True        # "National Lottery Community Fund logo": somebody else's logo
    elsewhere = bool(use.link) and _host(use.link or "") not in ("", _strip_www(site_host))
    return elsewhere and not names.mentions(file_name(use.src))


def says_menu(use: ImageUse) -> bool:
    """Its alt text or title (or, without those, its link's text) is only a menu word ("Home",
    "Menu"), and nothing calls it a logo: a navigation button when it is small (see the logo check)."""
    labels = (_labels(use) or use.attrs.get("link_text", "")).strip()
    return bool(labels) and MENU.fullmatch(labels.rstrip(" .!>»›")) is not None \
        and not LOGO_WORD.search(_handles(use) + " " + file_name(use.src))


def _called_logo(use: ImageUse, names: NameMatcher) -> bool:
    return bool(LOGO_WORD.search(_labels(use)) or LOGO_WORD.search(_handles(use))
                or LOGO_WORD.search(file_name(use.src)))


def _others_logo(use: ImageUse, names: NameMatcher) -> bool:
    """Called a logo by its class or file name while its alt text or file name says whose it is, and
    that is not the scheme: class="footer-logo" alt="Making Music", "beavers-logo-blue.png"."""
    labels = _labels(use)
    if LOGO_WORD.search(_handles(use)) and _rest(labels, names) and not names.mentions(labels):
        return True
    stem = file_name(use.src).rsplit(".", 1)[0]
    if not LOGO_WORD.search(stem) or names.mentions(stem):
        return False
    words = FILE_FILLER.sub(" ", FILLER.sub(" ", " ".join(re.split(r"[\W_]+|(?i:logo)", stem))))
    return bool(words.strip())


def _rest(labels: str, names: NameMatcher) -> str:
    """What a label says besides the scheme's name and words like "logo" or "the"."""
    return FILLER.sub(" ", names.without(labels)).strip()


def is_home(link: str, page: Page, site_host: str) -> bool:
    parts = urlsplit(link)
    hosts = {site_host, _host(page.final_url or page.url)}
    same_site = _strip_www(parts.hostname or "") in {_strip_www(h) for h in hosts}
    return same_site and (parts.path or "/") in HOME_PATHS and not parts.query


def file_name(src: str) -> str:
    return unquote(urlsplit(src).path.rsplit("/", 1)[-1])


def _labels(use: ImageUse) -> str:
    return " ".join(filter(None, (use.alt, use.title, use.attrs.get("aria-label"))))


def _handles(use: ImageUse) -> str:
    return " ".join((use.attrs.get("id", ""), use.attrs.get("class", "")))


def _host(url: str) -> str:
    return _strip_www((urlsplit(url).hostname or "").lower())


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
