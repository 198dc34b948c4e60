"""Meaningful images with no text alternative, which screen-reader users miss (policy 1.1)."""
from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import unquote, urlsplit

from ..findings import Finding
from ..snapshot import ImageInfo, ImageUse, Page, Snapshot
from ._common import group
from .base import Check
from .resources import Resources

CODES = ("image.alt_missing",)

SHOWN_KINDS = {"img", "input"}    # icons, og:image and CSS backgrounds are not page content
USELESS = {"image", "img", "photo", "photograph", "picture", "pic", "graphic", "icon", "untitled", "alt",
           "null", "none", "undefined", "placeholder", "thumbnail", "banner", "default", "spacer", "logo"}
FILE_LIKE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|avif|heic)$|^(?:img|dsc|dscn|dscf|pxl|p|screenshot"
                       r"|image|photo|whatsapp image)[\s_-]*\d[\d_ -]*$", re.I)
SPACER_PX = 2


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    seen = group((use.src + "\x1f" + problem, page.url, (use, problem, link_text))
                 for page in snapshot.pages if (page.status or 200) < 400
                 for use, problem, link_text in page_problems(page, snapshot.images))
    for found in seen.values():
        use, problem, link_text = found.first
        unnamed_link = use.link is not None and not link_text
        message = _message(use, problem, unnamed_link, found.where())
        yield Finding("image.alt_missing", url=found.url, subject=use.src, message=message,
                      severity="medium" if unnamed_link else "low",
                      evidence={"problem": problem, "alt": use.alt, "link": use.link, "region": use.region,
                                "context": use.context[:200], **found.evidence()})


def page_problems(page: Page, images: dict[str, ImageInfo]) -> Iterator[tuple[ImageUse, str, str]]:
    """(image, "missing" | "useless" | "unnamed link", link text) for each image that needs alt text."""
    for use in page.images:
        if use.kind not in SHOWN_KINDS or _spacer(use, images.get(use.src)):
            continue
        text = _link_text(page, use)
        problem = alt_problem(use)
        if problem is None and use.link and not text and not _named(use) and not (use.alt or "").strip():
            problem = "unnamed link"
        if problem:
            yield use, problem, text


def _link_text(page: Page, use: ImageUse) -> str:
    """The text of the link around the image ("" when that link holds nothing but images).

    Several links may share the image's target (a logo and a "Home" link): a textless one in
    the same region is taken to be the image's own."""
    if not use.link:
        return ""
    texts = [link.text for link in page.links if link.url == use.link and link.region == use.region]
    return "" if not texts or "" in texts else texts[0]


def alt_problem(use: ImageUse) -> str | None:
    if _named(use):
        return None
    if use.alt is None:
        return None if _hidden(use) else "missing"
    alt = " ".join(use.alt.split())
    if not alt:
        return None                 # decorative on purpose
    if alt.lower().strip(".") in USELESS or FILE_LIKE.match(alt) or _is_file_name(alt, use.src):
        return "useless"
    return None


def _named(use: ImageUse) -> bool:
    """aria-label names the image whatever its alt says."""
    return bool(use.attrs.get("aria-label", "").strip())


def _hidden(use: ImageUse) -> bool:
    role = use.attrs.get("role", "").lower()
    style = use.attrs.get("style", "").replace(" ", "").lower()
    return (role in ("presentation", "none") or use.attrs.get("aria-hidden", "").lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _spacer(use: ImageUse, info: ImageInfo | None) -> bool:
    sizes = [_px(use.attrs.get("width")), _px(use.attrs.get("height"))]
    if info is not None and info.ok:
        sizes += [info.width, info.height]
    return any(size is not None and size <= SPACER_PX for size in sizes)


def _px(value: str | None) -> int | None:
    match = re.match(r"\s*(\d+)(?:px)?\s*$", value or "")
    return int(match.group(1)) if match else None


def _is_file_name(alt: str, src: str) -> bool:
    name = unquote(urlsplit(src).path.rsplit("/", 1)[-1]).rsplit(".", 1)[0].lower()
    return bool(name) and alt.lower() == name and bool(re.search(r"[\d_-]", name))


def _message(use: ImageUse, problem: str, unnamed_link: bool, where: str) -> str:
    what = "A linked image" if use.link else ("An image in the " + use.region if use.region in
                                               ("header", "footer", "nav") else "An image")
    if problem == "useless":
        return f"{what} {where} has the unhelpful text alternative \u201c{(use.alt or '').strip()[:60]}\u201d."
    if unnamed_link:
        return (f"{what} {where} has no text alternative and the link has no text, so screen readers "
                f"cannot say where it goes.")
    return f"{what} {where} has no text alternative (alt text), so screen-reader users miss it."


CHECK = Check("alt_text", __doc__, CODES, site=check)
