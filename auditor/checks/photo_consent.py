"""Photos of people shown without the consent of all those pictured: no record, expired, withdrawn, wrong channel, fewer people named than faces shown (policy 1.4)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from ..consent import register as register_mod
from ..consent.hashing import HashSet
from ..findings import Finding
from ..people import Sighting
from ..snapshot import ImageInfo, ImageUse, Snapshot
from .base import Check, CheckProblem
from .resources import Resources

CODES = ("photo.no_consent", "photo.consent_expired", "photo.consent_withdrawn", "photo.consent_scope",
         "photo.consent_incomplete")
PHOTO_KINDS = ("img", "source", "css", "og:image")
STATUS_CODE = {"withdrawn": "photo.consent_withdrawn", "expired": "photo.consent_expired",
               "scope": "photo.consent_scope", "not_yet": "photo.no_consent"}
STATUS_RANK = ("ok", "scope", "not_yet", "expired", "withdrawn")
SAME_PHOTO_BITS = 8     # of 64 (phash): two sources on one page showing one photo (srcset sizes)


class RegisterProblems(CheckProblem):
    """The register has bad rows: they were left out, and the report should say so."""


@dataclass
class PhotoUse:
    where: str            # page or post URL
    channel: str          # website, or the post's platform
    use: ImageUse
    info: ImageInfo


def photo_uses(snapshot: Snapshot) -> Iterator[PhotoUse]:
    """Every photograph shown on a page or in a post, once per place and photo."""
    for page in snapshot.pages:
        yield from _dedupe(page.url, "website", page.images, snapshot)
    for post in [*snapshot.posts, *snapshot.older_posts]:     # an old post's photo is still published
        yield from _dedupe(post.url, post.platform, post.images, snapshot)


def _dedupe(where: str, channel: str, uses: list[ImageUse], snapshot: Snapshot) -> Iterator[PhotoUse]:
    seen: list[int] = []
    for use in uses:
        info = snapshot.images.get(use.src)
        if use.kind not in PHOTO_KINDS or info is None or not info.facts.get("photo"):
            continue
        phash = int(info.hashes.get("phash", "0"), 16)
        if any((phash ^ other).bit_count() <= SAME_PHOTO_BITS for other in seen):
            continue
        seen.append(phash)
        yield PhotoUse(where, channel, use, info)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    if ctx.config.consent.register is None:
        yield from _no_register(snapshot)
        return
    try:
        register = ctx.consent
    except (OSError, ValueError) as exc:     # unreadable, or a header without the columns
        raise CheckProblem(f"the consent register could not be read: {exc}") from None
    assert register is not None
    _learn_urls(register, snapshot)
    today = ctx.now.date()
    for photo in photo_uses(snapshot):
        finding = judge(register, photo, today)
        if finding:
            yield finding
    if register.errors:
        first = register.errors[0]
        raise RegisterProblems(f"{len(register.errors)} row(s) of the consent register were left out "
                               f"because they are invalid; the first: {first}")


def _learn_urls(register: register_mod.Register, snapshot: Snapshot) -> None:
    """Rows naming a photo by address are matched by the look of what the crawl fetched there."""
    for record in register.records:
        info = snapshot.images.get(record.photo) if record.is_url else None
        hashes = HashSet.of(info.hashes) if info else None
        if hashes is not None:
            register.learn_url(record.photo, hashes)


def shows_people(info: ImageInfo) -> bool | None:
    """Whether people are pictured; None when the photo could not be searched for them."""
    return bool(info.facts["people"]) if "people" in info.facts else None


def needs_consent(info: ImageInfo) -> bool:
    """A photograph that shows people, or may (it could not be searched), needs a consent record."""
    return bool(info.facts.get("photo")) and shows_people(info) is not False


def severity(info: ImageInfo) -> str:
    """High when a recognisable face is seen, medium for people who cannot be recognised."""
    return "high" if Sighting.from_facts(info.facts).faces else "medium"


def judge(register: register_mod.Register, photo: PhotoUse, today: date) -> Finding | None:
    records = register.by_url(photo.use.src)
    hashes = HashSet.of(photo.info.hashes)
    if not records and hashes is not None:
        records = [record for record, _ in register.match(hashes)]
    if not records and hashes is None:
        return None          # never hashed (analysis failed): no verdict rather than a false alarm
    if not records:
        return _no_record(photo)
    record = min(records, key=lambda r: STATUS_RANK.index(r.status(today, photo.channel)))
    status = record.status(today, photo.channel)
    evidence = {"consent_ref": record.consent_ref, "register_line": record.line,
                "channel": photo.channel, "kind": photo.use.kind, **_seen(photo.info)}
    if status != "ok":
        return Finding(STATUS_CODE[status], url=photo.where, subject=photo.use.src,
                       message=_message(status, record, photo.channel), evidence=evidence)
    faces, named = Sighting.from_facts(photo.info.facts).faces, record.people_named
    if faces <= named:
        return None
    return Finding("photo.consent_incomplete", url=photo.where, subject=photo.use.src, severity="high",
                   message=f"This photo shows {faces} faces but its consent record ({record.consent_ref}) names "
                           f"{named} {'person' if named == 1 else 'people'}: everyone pictured needs to have consented.",
                   evidence={**evidence, "people_named": named})


def _no_record(photo: PhotoUse) -> Finding | None:
    if not needs_consent(photo.info):
        return None          # nobody pictured
    sighting = Sighting.from_facts(photo.info.facts)
    if shows_people(photo.info) is None:
        message = ("This photo has no record in the consent register, and it could not be searched for people; "
                   "if it shows people, their consent should be recorded.")
    else:
        message = f"This photo shows people ({sighting.describe()}) but has no record in the consent register."
    return Finding("photo.no_consent", url=photo.where, subject=photo.use.src,
                   severity=severity(photo.info), message=message,
                   evidence={"channel": photo.channel, "kind": photo.use.kind, **_seen(photo.info)})


def _seen(info: ImageInfo) -> dict:
    if "people" not in info.facts:
        return {}
    sighting = Sighting.from_facts(info.facts)
    return {"faces": sighting.faces, "unclear_faces": sighting.unclear, "seen": sighting.describe()}


def _message(status: str, record: register_mod.Record, channel: str) -> str:
    ref = f"consent {record.consent_ref}"
    if status == "withdrawn":
        return f"Consent for this photo ({ref}) was withdrawn on {record.withdrawn}, so it should be taken down."
    if status == "expired":
        return f"Consent for this photo ({ref}) expired on {record.expires}."
    if status == "not_yet":
        return f"Consent for this photo ({ref}) only starts on {record.given}."
    where = "this website" if channel == "website" else channel.capitalize()
    return f"Consent for this photo ({ref}) covers {', '.join(sorted(record.channels))} only, not {where}."


def _no_register(snapshot: Snapshot) -> Iterator[Finding]:
    """Without a register nothing can be matched: one finding for the whole audit, not one per photo."""
    photos = [p for p in photo_uses(snapshot) if needs_consent(p.info)]
    if not photos:
        return
    srcs = list(dict.fromkeys(p.use.src for p in photos))
    with_faces = {p.use.src for p in photos if p.info.facts.get("faces")}
    yield Finding("photo.no_consent", url=snapshot.website, subject=None,
                  severity="high" if with_faces else "medium",
                  message=f"{len(srcs)} photos of people are published ({len(with_faces)} showing faces) but no "
                          f"consent register is configured, so their consent cannot be checked.",
                  evidence={"photos": len(srcs), "with_faces": len(with_faces), "examples": srcs[:5]})


CHECK = Check("photo_consent", __doc__, CODES, site=check)
