"""The report's view model: what a busy CEO reads, built from a RunResult.

Findings are folded into problems (a repeat counts once), put in order of harm, each with what to
do and for whom, in plain words. One count, "things that need action", is used everywhere. Findings
marked as fine leave that count and are listed apart with their reason. Untrusted text is made
one-line and clipped here, and escaped by the templates.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from . import guidance
from .findings import SEVERITIES, Finding
from .humanise import clip, http_problem, human_date, human_duration, oneline, plain, plural
from .problems import Problem, fold, needs_action

if TYPE_CHECKING:
    from .history import Dismissal
    from .result import RunResult


@dataclass(frozen=True)
class Caps:
    """How much of each section the e-mail shows as full cards; the rest are listed briefly and all
    are in the attached list. The renderer tightens these until the e-mail fits (Gmail clips at ~102 KB)."""

    cards: dict[str, int]           # severity -> full cards per kind of problem
    listed: int = 10                # brief entries per kind after its cards
    places: int = 10                # places named per card


CAP_STEPS = (
    Caps({"high": 12, "medium": 6, "low": 3, "info": 3}),
    Caps({"high": 8, "medium": 4, "low": 2, "info": 2}),
    Caps({"high": 5, "medium": 3, "low": 1, "info": 1}, listed=8, places=6),
    Caps({"high": 3, "medium": 2, "low": 1, "info": 1}, listed=5, places=4),
    Caps({"high": 2, "medium": 1, "low": 1, "info": 1}, listed=3, places=3),
    Caps({"high": 1, "medium": 1, "low": 1, "info": 1}, listed=1, places=2),
    Caps({"high": 1, "medium": 1, "low": 1, "info": 1}, listed=0, places=1),
)
MAX_CHANGES = 10             # per list in "what changed" and "resolved"
MAX_DISMISSED = 10
MAX_THUMBNAILS = 20
MAX_HREF = 2000              # longer addresses are shown (clipped) but not linked
PHOTO_CHECKS = {"photo.no_consent", "photo.consent_expired", "photo.consent_withdrawn", "photo.consent_scope",
                "photo.consent_incomplete", "privacy.photo_metadata"}
SEVERITY_LABELS = {"high": "Urgent", "medium": "Important", "low": "Minor", "info": "For information"}
SEVERITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#475467", "info": "#175cd3"}
_SAFE_SCHEMES = ("http", "https")
COUNT_NOTE = "A problem seen in several places counts once."


@dataclass
class InlineImage:
    cid: str            # Content-ID without angle brackets
    path: Path
    subtype: str = "jpeg"


@dataclass
class Place:
    title: str          # the page's title, or "" when unknown
    address: str        # shown without http(s)://
    href: str | None    # only http(s) links are made clickable

    @property
    def label(self) -> str:
        return f"{self.title} ({self.address})" if self.title else self.address


@dataclass
class Detail:
    label: str
    text: str
    href: str | None = None


@dataclass
class Card:
    """One problem to act on, with every place it was seen (or the first few and a count)."""

    ref: str
    check: str
    severity: str
    message: str
    details: list[Detail]
    todo: str
    places: list[Place]
    count: int
    where: str          # "on 37 pages" / "in 1 place"
    known: int = 0      # addresses known: a problem on thousands of pages keeps only its first few
    new: bool = False
    thumbnail: str | None = None    # cid

    @property
    def more_places(self) -> int:
        return max(0, self.count - len(self.places))

    @property
    def all_known(self) -> bool:
        return self.known >= self.count


@dataclass
class Brief:
    """A problem listed in one line after its kind's full cards."""

    ref: str
    message: str
    item: str           # the image or address it is about ("" when none)
    place: Place
    count: int


@dataclass
class More:
    heading: str        # "12 more images without a description"
    severity: str
    entries: list[Brief]
    unlisted: int       # only in the attached list


@dataclass
class SectionView:
    key: str
    heading: str
    clauses: str
    count: int
    cards: list[Card] = field(default_factory=list)
    more: list[More] = field(default_factory=list)


@dataclass
class Dismissed:
    ref: str
    message: str
    reason: str
    who: str
    when: str
    until: str | None
    count: int


def view_model(result: "RunResult", caps: Caps = CAP_STEPS[0]) -> dict[str, Any]:
    config = result.config
    host = config.site_host
    dismissed = result.dismissed
    titles = result.page_titles
    open_problems = needs_action(result.findings, dismissed)
    new = _new_fingerprints(result)
    inline: dict[str, InlineImage] = {}
    looks = Looks(host, titles, caps)
    sections = _sections(open_problems, looks, new, result.thumbnails, inline)
    actions = len(open_problems)
    headline = _headline(result, actions)
    places = sum(p.places for p in open_problems)
    return {
        "scheme": oneline(config.scheme.name), "website": config.scheme.website,
        "website_label": display_address(config.scheme.website),
        "headline": headline, "preview": _preview(sections, open_problems),
        "subject": clip(oneline(f"{config.scheme.name} audit: {headline}"), 160),
        "audit_date": human_date(result.started_at), "status": result.status, "state_text": _state_text(result),
        "actions": actions, "places": places, "count_note": COUNT_NOTE if places > actions else "",
        "severity_counts": _severity_counts(open_problems), "sections": sections,
        "dismissed": _dismissed(result.findings, dismissed)[:MAX_DISMISSED],
        "dismissed_total": len(fold(f for f in result.findings if f.fingerprint in dismissed)),
        "dismiss_howto": guidance.DISMISS_HOWTO,
        "notes": [plain(n) for n in result.notes],
        "delivery_notes": [plain(n) for n in result.delivery_notes],
        "failures": [guidance.check_name(f.module) for f in result.failures],
        "comparison": _comparison(result), "changes": _changes(result, looks),
        "consents": _consents(result.expiring_consents), "checklist": guidance.CHECKLIST,
        "trend": _trend(result.trend, result.started_at, actions), "footer": _footer(result, actions),
        "inline_images": list(inline.values()), "colours": SEVERITY_COLOURS, "labels": SEVERITY_LABELS,
    }


@dataclass
class Looks:
    """How places are named: the site's host, page titles, and the caps in force."""

    host: str
    titles: dict[str, str]
    caps: Caps

    def place(self, url: str) -> Place:
        return place(url, self.host, self.titles)


def _headline(result: "RunResult", actions: int) -> str:
    if result.sample:
        return "This is a test e-mail: the findings below are made up to show what a report looks like"
    if result.coverage is not None and result.coverage.headline:
        return result.coverage.headline
    if result.status != "complete":
        return "The audit could not finish"
    if actions == 0 and result.failures:
        return "Some checks could not run"
    if actions == 0:
        seen = result.counts.get("pages", 0) or result.counts.get("posts", 0)
        return "All clear" if seen else "Nothing could be checked"
    when = f" before {human_date(result.next_run)}" if result.next_run else ""
    return f"{plural(actions, 'thing needs', 'things need')} action{when}"


def _state_text(result: "RunResult") -> str:
    """What a run that did not see everything means for this report, and what to do."""
    if result.coverage is not None and result.coverage.advice:
        return result.coverage.advice
    return "The audit stopped before it had checked everything, so this report is incomplete."


def _preview(sections: list[SectionView], problems: list[Problem]) -> str:
    """The line mail apps show under the subject."""
    counts = ", ".join(f"{n} {SEVERITY_LABELS[s].lower()}" for s, n in _severity_counts(problems))
    first = next((c for s in sections for c in s.cards), None)
    if first is None:
        return "Nothing found that breaks the policy; a short checklist to tick by hand."
    return clip(f"{counts}. First: {first.message}", 150)


def _new_fingerprints(result: "RunResult") -> set[str]:
    comparison = result.comparison
    if comparison is None or comparison.previous_run is None:
        return set()
    return {f.fingerprint for f in comparison.new}


def harm_order(problem: Problem) -> tuple:
    """Most harmful first: the report's part, then urgency, then kind, then the most places."""
    f = problem.first
    section = guidance.section_of(f.check, f.policy)
    return (guidance.SECTIONS.index(section), SEVERITIES.index(f.severity), guidance.code_rank(f.check),
            f.check, -problem.places)


def _sections(problems: list[Problem], looks: Looks, new: set[str], thumbnails: dict[str, Path],
              inline: dict[str, InlineImage]) -> list[SectionView]:
    views: dict[str, SectionView] = {}
    kinds: dict[tuple[str, str, str], list[Problem]] = {}
    for problem in sorted(problems, key=harm_order):
        f = problem.first
        section = guidance.section_of(f.check, f.policy)
        view = views.setdefault(section.key, SectionView(section.key, section.heading, section.clauses, 0))
        view.count += 1
        kinds.setdefault((section.key, f.check, f.severity), []).append(problem)
    for (key, check, severity), group in kinds.items():
        view = views[key]
        shown = looks.caps.cards.get(severity, 1)
        for problem in group[:shown]:
            card = card_of(problem, looks, new)
            card.thumbnail = _thumbnail(problem.first, thumbnails, inline)
            view.cards.append(card)
        rest = group[shown:]
        if rest:
            entries = [Brief(p.ref, clip(message_of(p.first), 140), item_of(p.first), looks.place(p.first.url),
                             p.places) for p in rest[:looks.caps.listed]]
            view.more.append(More(f"{guidance.noun(check, len(rest), 'more ')} ({SEVERITY_LABELS[severity].lower()})",
                                  severity, entries, len(rest) - len(entries)))
    return list(views.values())


def card_of(problem: Problem, looks: Looks, new: set[str]) -> Card:
    first = problem.first
    urls = problem.urls()
    count = problem.places
    on_site = all(host_of(u) == looks.host for u in urls)
    noun = ("page", "pages") if on_site else ("place", "places")
    return Card(
        ref=problem.ref, check=first.check, severity=first.severity, message=clip(message_of(first), 300),
        details=details_of(first, looks),
        todo=guidance.what_to_do(guidance.advice_key(first.check, first.subject), host_of(first.url) == looks.host),
        places=[looks.place(u) for u in urls[:looks.caps.places]], count=count, known=len(urls),
        where=("on " if on_site else "in ") + plural(count, *noun),
        new=bool(new) and all(f.fingerprint in new for f in problem.findings))


def message_of(f: Finding) -> str:
    """The finding's sentence in plain words; broken links and images say what the link said."""
    if f.check == "link.broken":
        text = oneline(str(f.evidence.get("link_text") or ""))
        region = f.evidence.get("region")
        where = f" in the page {region}" if region in ("header", "footer") else \
            " in the menu" if region == "nav" else ""
        if text:
            return f"The link \u201c{clip(text, 80)}\u201d{where} does not work."
    if f.check == "image.broken" and f.subject:
        return plain(f.message).split(":")[0].rstrip(".") + "."     # why, and where, are the card's details
    return plain(f.message)


def details_of(f: Finding, looks: Looks) -> list[Detail]:
    """What the card names besides its sentence: the broken address, the photo, the post."""
    out: list[Detail] = []
    subject = f.subject or ""
    if f.check in ("link.broken", "image.broken") and subject:
        status, error = f.evidence.get("status"), f.evidence.get("error")
        why = http_problem(status) if isinstance(status, int) else plain(str(error or "it could not be reached"))
        out.append(Detail("Broken address", display_address(subject, 120), _href(subject)))
        out.append(Detail("Why", why))
        alt = oneline(str(f.evidence.get("alt") or ""))
        if f.check == "image.broken" and alt:
            out.append(Detail("The image is described as", f"\u201c{clip(alt, 80)}\u201d"))
    elif subject.startswith(("http://", "https://")):
        label = "Post" if f.check == "complaint.public" else "Image" if _looks_like_image(f) else "Address"
        out.append(Detail(label, display_address(subject, 120), _href(subject)))
    return out


def item_of(f: Finding) -> str:
    """What a one-line entry names besides its page: an image's file name, a link's address."""
    subject = f.subject or ""
    if not subject.startswith(("http://", "https://")):
        return ""
    if _looks_like_image(f):
        name = urlsplit(subject).path.rstrip("/").rpartition("/")[2]
        return clip(display_address(name or subject, 200), 60)
    return display_address(subject, 60)


def _looks_like_image(f: Finding) -> bool:
    return f.check in PHOTO_CHECKS or f.check.startswith(("logo.", "image.")) or f.check == "social.avatar"


def _thumbnail(f: Finding, thumbnails: dict[str, Path], inline: dict[str, InlineImage]) -> str | None:
    path = thumbnails.get(f.subject or "") if f.check in PHOTO_CHECKS else None
    if path is None or not Path(path).is_file() or not f.subject:
        return None
    if f.subject not in inline:
        if len(inline) >= MAX_THUMBNAILS:
            return None
        digest = hashlib.sha1(f.subject.encode("utf-8")).hexdigest()[:16]
        subtype = "png" if Path(path).suffix.lower() == ".png" else "jpeg"
        inline[f.subject] = InlineImage(cid=f"photo-{digest}@auditor", path=Path(path), subtype=subtype)
    return inline[f.subject].cid


def display_address(url: str, limit: int = 70) -> str:
    """An address as people write it: no http(s)://, no trailing slash on a bare site, readable letters."""
    text = re.sub(r"^https?://", "", oneline(url), flags=re.I)
    if text.count("/") == 1 and text.endswith("/"):
        text = text[:-1]
    try:
        text = unquote(text, errors="strict")
    except UnicodeDecodeError:
        pass
    return clip(oneline(text), limit)


def place(url: str, host: str, titles: dict[str, str] | None = None) -> Place:
    parts = urlsplit(url)
    title = clip(oneline((titles or {}).get(url, "")), 80)
    on_site = (parts.hostname or "").lower() == host
    if on_site and (parts.path or "/") == "/" and not parts.query and not title:
        title = "Home page"
    return Place(title, display_address(url), _href(url))


def _href(url: str) -> str | None:
    parts = urlsplit(url)
    return url if parts.scheme.lower() in _SAFE_SCHEMES and parts.hostname and len(url) <= MAX_HREF else None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _severity_counts(problems: list[Problem]) -> list[tuple[str, int]]:
    counts = Counter(p.first.severity for p in problems)
    return [(s, counts[s]) for s in SEVERITIES if counts[s]]


def _dismissed(findings: list[Finding], dismissed: dict[str, "Dismissal"]) -> list[Dismissed]:
    out = []
    for problem in fold(f for f in findings if f.fingerprint in dismissed):
        d = dismissed[problem.first.fingerprint]
        out.append(Dismissed(problem.ref, clip(message_of(problem.first), 200), clip(oneline(d.reason), 200),
                             clip(oneline(d.who), 60), human_date(d.at), human_date(d.until) if d.until else None,
                             problem.places))
    return out


def _comparison(result: "RunResult") -> dict[str, Any] | None:
    c = result.comparison
    if c is None or c.previous_run is None:
        return None
    resolved = [(clip(message_of(p.first), 200), p.places) for p in fold(c.resolved)]
    fresh = {f.fingerprint for f in c.new}
    problems = needs_action(result.findings, result.dismissed)
    new = sum(1 for p in problems if all(f.fingerprint in fresh for f in p.findings))
    return {"since": human_date(c.previous_run.started_at), "new": new,
            "still_open": len(problems) - new, "resolved": len(resolved),
            "not_checked": len(fold(c.not_checked)),
            "resolved_items": resolved[:MAX_CHANGES], "resolved_more": max(0, len(resolved) - MAX_CHANGES)}


def _changes(result: "RunResult", looks: Looks) -> dict[str, Any] | None:
    ch = result.changes
    if ch is None or ch.previous_run is None:
        return None
    lists = []
    for label, rows in (("New pages", ch.new_pages), ("Changed pages", ch.changed_pages),
                        ("Removed pages", ch.removed_pages)):
        entries = [place(u, looks.host, {u: t}) for u, t in rows]
        lists.append(_change_list(label, entries))
    posts = [Place(oneline(platform).capitalize(), display_address(u), _href(u)) for platform, u in ch.new_posts]
    lists.append(_change_list("New posts", posts))
    return {"since": human_date(ch.previous_run.started_at), "lists": [x for x in lists if x["total"]],
            "not_reached": ch.not_reached}


def _change_list(label: str, entries: list[Place]) -> dict[str, Any]:
    return {"label": label, "total": len(entries), "entries": entries[:MAX_CHANGES],
            "more": max(0, len(entries) - MAX_CHANGES)}


def _consents(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for row in sorted(rows, key=lambda r: str(r.get("expires", ""))):
        channels = row.get("channels") or ""
        if not isinstance(channels, str):
            channels = ", ".join(map(str, channels))
        out.append({"ref": clip(oneline(str(row.get("consent_ref") or "(no reference)")), 60),
                    "expires": human_date(row.get("expires")), "channels": clip(oneline(channels.replace(";", ", ")), 80)})
    return out


def _trend(points: list[tuple[str, int]], started_at: str, actions: int) -> list[dict[str, Any]]:
    """This audit's point is the report's own count, whatever the caller put there."""
    points = [(when, actions if when == started_at else n) for when, n in points]
    top = max((n for _, n in points), default=0) or 1
    return [{"label": human_date(when), "count": n, "width": max(2, round(180 * n / top)) if n else 0,
             "last": i == len(points) - 1} for i, (when, n) in enumerate(points)]


def _footer(result: "RunResult", actions: int) -> dict[str, Any]:
    c = result.counts
    pages = c.get("pages", 0)
    known = result.coverage.pages_known if result.coverage is not None else 0
    return {"pages": plural(pages, "page") if known <= pages else f"{pages} of {plural(known, 'page')} the audit knows of",
            "images": c.get("images", 0), "posts": c.get("posts", 0),
            "actions": actions, "findings": len(result.findings), "duration": human_duration(result.duration_seconds),
            "next_run": human_date(result.next_run) if result.next_run else None, "run_id": result.run_id,
            "recipients": ", ".join(result.config.report.recipients)}
