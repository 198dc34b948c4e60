"""A sample run with one finding of every kind: for `auditor send-test-email` and report tests."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from PIL import Image, ImageDraw

from .config import Config
from .findings import CODES, Finding
from .history import Changes, Comparison, Run
from .result import RunResult

STARTED = "2027-01-01T07:00:00+00:00"
PREVIOUS = "2026-10-01T07:00:00+00:00"


def sample_findings(site: str) -> list[Finding]:
    """One finding per check code, plus repeats that the report folds."""
    site = site.rstrip("/")
    found = [Finding(code, f"{site}/sample/{code.replace('.', '-')}", f"Sample: {title}.",
                     subject=f"{site}/images/{code}.jpg" if code.startswith("photo.") else None,
                     evidence={"consent_ref": "C-0042"} if code.startswith("photo.consent") else {})
             for code, (_, _, title) in CODES.items()]
    found += [Finding("logo.missing", f"{site}/news/{n}", "Sample: No approved logo on the page.")
              for n in range(1, 38)]
    return found


def sample_thumbnail(path: Path, colour: str = "#7a9cc6") -> Path:
    """A small JPEG standing in for a flagged photo's stored thumbnail."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (160, 120), colour)
    draw = ImageDraw.Draw(img)
    draw.ellipse((55, 20, 105, 70), fill="#f2d2b6")
    draw.rectangle((45, 75, 115, 120), fill="#334e68")
    img.save(path, "JPEG", quality=80)
    return path


def sample_result(config: Config, workdir: Path, test_email: bool = False) -> RunResult:
    """A complete RunResult as a real run would hand to the report, with fixed dates. For a test
    e-mail (`test_email`) it is dated now and says it is a test, and every place named is the
    website's start page, so no link leads to a page that does not exist."""
    site = config.scheme.website.rstrip("/")
    found = sample_findings(site)
    if test_email:
        found = [replace(f, url=config.scheme.website, subject=f.subject and config.scheme.website) for f in found]
    previous = Run(id=11, started_at=PREVIOUS, finished_at=PREVIOUS, status="complete", findings=40)
    old = Finding("link.broken", f"{site}/contact", "Sample: A broken link that has since been fixed.",
                  subject="https://partner.example/old")
    thumb = sample_thumbnail(Path(workdir) / "thumbnails" / "sample.jpg")
    result = RunResult(
        run_id=12, config=config, started_at=STARTED, finished_at="2027-01-01T07:04:12+00:00",
        status="complete",
        counts={"pages": 212, "images": 540, "posts": 64, "findings": len(found)},
        findings=found, failures=[],
        comparison=Comparison(new=found[:6], still_open=found[6:], resolved=[old], previous_run=previous),
        changes=Changes(new_pages=[(f"{site}/events/summer-fair", "Summer fair 2027")],
                        changed_pages=[(f"{site}/about", "About us")],
                        removed_pages=[(f"{site}/events/christmas", "Christmas party")],
                        new_posts=[("mastodon", "https://mastodon.example/@scheme/1234")],
                        previous_run=previous),
        thumbnails={f.subject: thumb for f in found if f.subject and f.check.startswith("photo.")},
        expiring_consents=[{"consent_ref": "C-0042", "expires": "2027-03-15", "photo": "photos/c42.jpg",
                            "channels": "website;facebook"}],
        trend=[("2026-04-01T07:00:00+00:00", 52), ("2026-07-01T07:00:00+00:00", 47), (PREVIOUS, 40),
               (STARTED, len(found))],
        next_run=datetime(2027, 4, 1, 7, 0, tzinfo=timezone.utc), duration_seconds=252.0, sample=test_email)
    if test_email:
        from .pipeline import next_run, now_iso

        result.started_at = result.finished_at = now_iso()
        result.next_run = next_run(config)
        result.trend = []
        home = config.scheme.website
        result.changes = Changes(new_pages=[(home, "Sample: a new page")], changed_pages=[(home, "Sample: a changed page")],
                                 removed_pages=[], new_posts=[("mastodon", home)], previous_run=previous)
    return result
