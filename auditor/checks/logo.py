"""Logos: deprecated, unrecognised, stretched or missing scheme logos (policy 1.6)."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Callable, Iterator
from urllib.parse import urlsplit

from ..findings import Finding
from ..identity.claims import ICON_KINDS, LOGO_WORD, Claim, claim, file_name, is_partner, says_menu
from ..identity.logos import LogoMatch
from ..identity.names import NameMatcher
from ..snapshot import ImageInfo, ImageUse, Page, Snapshot
from .base import Check
from .resources import Resources

CODES = ("logo.missing", "logo.deprecated", "logo.unrecognised", "logo.distorted")

INLINE_SVG = "inline-svg"
HOME_ICON_PIXELS = 48      # images linking home this small are buttons
BUTTON_PIXELS = 150        # images saying only a menu word ("Home") this small are buttons
DISTORTION = 0.10          # displayed shape may differ from the image's own by this much
CLAIMS_KEPT = 2048         # distinct image uses whose claim is remembered: a photo's caption makes each use new
FIT_CLASS = re.compile(r"(?<![\w-])object-(?:contain|cover|scale-down|none)(?![\w-])")   # utility CSS (Tailwind…)
PIXELS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")
WHAT = {"icon": "The site icon (favicon)", "apple-touch-icon": "The touch icon",
        "og:image": "The sharing image (og:image)"}


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    logos = ctx.logo_files
    if logos is None:
        return      # no reference logos: nothing to compare with
    page_logos = _page_logos(snapshot, ctx)
    images: dict[str, str] = {}

    def image_digest(url: str) -> str:
        if url not in images:
            info = snapshot.images.get(url)
            images[url] = "-" if info is None else hashlib.sha1(
                json.dumps(info.to_dict(), sort_keys=True, default=str).encode()).hexdigest()
        return images[url]

    for page in snapshot.pages:
        if is_html_page(page):
            # A page's logo findings depend on it, its images' analyses and the reference logos:
            # kept between audits while none of them changes.
            depends = logos + "".join(image_digest(use.src) for use in page.images)
            found = ctx.per_page(page, "logo.findings", lambda p: [f.to_dict() for f in page_logos(p)],
                                 depends=depends)
            yield from (Finding.from_dict(data) for data in found)


def _page_logos(snapshot: Snapshot, ctx: Resources) -> Callable[[Page], list[Finding]]:
    """The findings of one page; the matcher is built on the first page that needs it."""
    names = ctx.names
    matches: dict[tuple[str, bool], LogoMatch] = {}     # each image is matched once, however many pages show it
    claims: dict[tuple, Claim | None] = {}     # a header logo makes the same claim on every page

    def match(url: str, icon: bool = False) -> LogoMatch | None:
        info = snapshot.images.get(url)
        if info is not None and (url, icon) not in matches:
            found = ctx.logos.match(info)
            if icon and found.judged and found.kind is None:
                found = ctx.logos.match_part(info) or found     # the mark cut from a logo
            matches[(url, icon)] = found
        return matches.get((url, icon))

    def claim_of(use: ImageUse, page: Page) -> Claim | None:
        key = (urlsplit(page.final_url or page.url).netloc, use.kind, use.src, use.alt, use.title, use.region,
               use.link, use.context, tuple(sorted(use.attrs.items())))
        if key not in claims:
            if len(claims) >= CLAIMS_KEPT:
                claims.clear()      # memory stays flat on a large site; the logo repeated on every page comes back at once
            claims[key] = claim(use, page, names, ctx.config.site_host)
        return claims[key]

    def page_logos(page: Page) -> list[Finding]:
        matcher = ctx.logos
        if not matcher.references:
            return []
        return list(check_logos(page, snapshot.images, match, matcher.has_approved, names, ctx.config.site_host,
                                claim_of))
    return page_logos


def is_html_page(page: Page) -> bool:
    ok = page.status is None or 200 <= page.status < 300
    return ok and (not page.content_type or "html" in page.content_type.lower())


def check_logos(page: Page, images: dict[str, ImageInfo], match_of: Callable[[str, bool], LogoMatch | None],
                have_approved: bool, names: NameMatcher, site_host: str,
                claim_of: Callable[[ImageUse, Page], Claim | None] | None = None) -> Iterator[Finding]:
    shown, unknown, seen = False, False, set()
    for use in page.images:
        if (use.src, use.kind) in seen:
            continue
        seen.add((use.src, use.kind))
        claimed = claim_of(use, page) if claim_of else claim(use, page, names, site_host)
        match = match_of(use.src, use.kind in ICON_KINDS)
        if use.kind == INLINE_SVG and not (match and match.judged and match.kind in ("approved", "deprecated")):
            # Page styles may recolour an inline drawing: one presented as the logo is not judged unapproved.
            unknown = unknown or inline_claim(use, claimed, names, site_host)
            continue
        if match is None or not match.judged:
            unknown = unknown or claimed is not None   # an unread image might be the logo
            continue
        info = images[use.src]
        evidence = {"image": use.src, "kind": use.kind, "alt": use.alt, "region": use.region,
                    "reference": match.reference, "distance": match.distance}
        if match.kind == "approved":
            shown = shown or use.kind != "og:image"
            yield from distorted(page, use, info, match.aspect_change, evidence)
        elif match.kind == "deprecated":
            yield Finding("logo.deprecated", url=page.url, subject=use.src, evidence=evidence,
                          message=f"{_what(use)} is an old logo that is no longer approved ({match.reference}).")
        elif claimed and claimed.strong and not _set_aside(use, claimed, info):
            yield Finding("logo.unrecognised", url=page.url, subject=use.src,
                          severity="low" if use.kind in ICON_KINDS else "",
                          evidence={**evidence, "why_a_logo": claimed.reason},
                          message=f"{_what(use)} is presented as the scheme's logo "
                                  f"but is not one of the approved logos.")
    if not shown and not unknown and have_approved:
        yield Finding("logo.missing", url=page.url, message="This page does not show the approved logo.",
                      evidence={"images_on_page": len(seen)})


def inline_claim(use: ImageUse, claimed, names: NameMatcher, site_host: str) -> bool:
    """An inline SVG presented as the logo by itself, its container ("site-logo") or a home link."""
    if claimed is not None and claimed.strong:
        return True
    container = use.attrs.get("container", "")
    named = bool(LOGO_WORD.search(container)) or names.mentions(container)
    return named and not is_partner(use, names, site_host)


def distorted(page: Page, use: ImageUse, info: ImageInfo, file_change: float, evidence: dict) -> Iterator[Finding]:
    if use.kind not in ("img", "source"):      # icons, sharing images, CSS backgrounds, drawings: no file
        return
    shown = displayed_size(use)
    if shown and info.width and info.height:
        change = (shown[0] / shown[1]) / (info.width / info.height) - 1
        if abs(change) > DISTORTION:
            yield Finding("logo.distorted", url=page.url, subject=use.src,
                          evidence={**evidence, "displayed": list(shown), "intrinsic": [info.width, info.height],
                                    "change": round(change, 3)},
                          message=f"The logo is shown at {_size(shown)} pixels although its own shape is "
                                  f"{info.width}\u00d7{info.height}, so it looks {_how(change)}.")
            return
    if abs(file_change) > DISTORTION:
        yield Finding("logo.distorted", url=page.url, subject=use.src, evidence={**evidence, "change": file_change},
                      message=f"The logo image itself ({file_name(use.src)}) has been {_how(file_change)} "
                              f"compared with the approved logo.")


def _set_aside(use: ImageUse, claimed: Claim, info: ImageInfo) -> bool:
    """Not a logo candidate after all: a photograph (one that matched a reference was judged
    before), or a navigation button: a small picture saying only a menu word, or a tiny one
    linking home."""
    if info.facts.get("photo"):
        return True
    side = max(info.width, info.height)
    return (says_menu(use) and side <= BUTTON_PIXELS) or (
        claimed.reason == "links to the home page" and side <= HOME_ICON_PIXELS)


def displayed_size(use: ImageUse) -> tuple[float, float] | None:
    """Width and height the page asks for, when both are fixed; None when the browser keeps the shape."""
    style = _style(use.attrs.get("style", ""))
    if style.get("object-fit") in ("contain", "cover", "scale-down", "none") or FIT_CLASS.search(use.attrs.get("class", "")):
        return None
    width = _pixels(style.get("width")) or (None if "width" in style else _pixels(use.attrs.get("width")))
    height = _pixels(style.get("height")) or (None if "height" in style else _pixels(use.attrs.get("height")))
    return (width, height) if width and height else None


def _style(style: str) -> dict[str, str]:
    out = {}
    for decl in style.split(";"):
        key, _, value = decl.partition(":")
        if key.strip():
            out[key.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


def _pixels(value: str | None) -> float | None:
    m = PIXELS.match(value or "")
    return float(m.group(1)) or None if m else None


def _size(size: tuple[float, float]) -> str:
    return "\u00d7".join(f"{v:g}" for v in size)


def _how(change: float) -> str:
    return f"stretched wide by {change:.0%}" if change > 0 else f"squashed narrow by {-change:.0%}"


def _what(use: ImageUse) -> str:
    if use.kind in WHAT:
        return WHAT[use.kind]
    where = {"header": " in the page header", "footer": " in the footer", "nav": " in the menu"}.get(use.region, "")
    if use.kind == INLINE_SVG:
        return f"The logo drawn into the page (inline SVG){where}"
    return f"The image {file_name(use.src) or use.src}{where}"


CHECK = Check("logo", __doc__, CODES, site=check)
