"""The report read as the CEO reads it: the e-mail and its attached list rendered in headless
Chromium at desktop and phone widths, for a small report and a 300-finding one. What is asserted is
what a reader sees: the order of harm, one count everywhere, every finding reachable, plain words.
Screenshots are kept in test-artifacts/."""
from __future__ import annotations

import csv
import io
import re

import pytest

from auditor import guidance, report, sample
from auditor.problems import finding_ref, needs_action

from report_support import ARTIFACTS, WIDTHS, big_result, chromium, load_config, probe, run_chromium, wrapper

HARM_ORDER = [s.heading for s in guidance.SECTIONS]


@pytest.fixture(scope="module", params=["small", "large"])
def rendered(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    config = load_config(folder)
    result = (sample.sample_result(config, folder / "work") if request.param == "small"
              else big_result(config, folder / "work"))
    out = report.render(result)
    mail = folder / "report.html"
    mail.write_text(out.standalone_html(), encoding="utf-8")
    listing = folder / "findings.html"
    listing.write_bytes(out.attachments[0].data)
    return request.param, result, out, mail, listing


def shown(exe, page, tmp_path, width, name):
    facts = probe(exe, page, tmp_path / "profile", width)
    assert facts["scrollWidth"] <= width, f"{page.name} is {facts['scrollWidth']} px wide at {width} px"
    assert facts["broken"] == 0
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    height = min(facts["height"], 16000)
    run_chromium(exe, tmp_path / "profile", width, height, f"--screenshot={shot}", wrapper(page, width, height).as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return facts


def number(text: str, pattern: str) -> int:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} is not in what the reader sees"
    return int(match.group(1))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_email_reads_in_order_of_harm_with_one_count(rendered, tmp_path, width):
    size, result, out, mail, _ = rendered
    facts = shown(chromium(), mail, tmp_path, WIDTHS[width], f"reading-{size}-email-{width}")
    text, headings = facts["text"], facts["headings"]
    parts = [h for h in headings if re.sub(r" \(\d+\)$", "", h) in HARM_ORDER]
    assert [HARM_ORDER.index(re.sub(r" \(\d+\)$", "", h)) for h in parts] == \
        sorted(HARM_ORDER.index(re.sub(r" \(\d+\)$", "", h)) for h in parts)
    assert parts[0].startswith("Photos of people without consent")
    # One count: headline, subject, sections, footer and this audit's point of the trend agree.
    count = len(needs_action(result.findings, result.dismissed))
    assert number(headings[0], r"^(\d+) things? needs? action") == count
    assert number(out.subject, r"audit: (\d+) things") == count
    assert sum(int(re.search(r"\((\d+)\)$", h).group(1)) for h in parts) == count
    assert number(text, r"(\d+) things? needs? action \(a problem seen in several places counts once\)") == count
    trend = text[text.index("Things needing action, audit by audit"):]
    assert number(trend, r"1 January 2027\s+(\d+)") == count
    assert "A problem seen in several places counts once." in text


@pytest.mark.parametrize("width", WIDTHS)
def test_every_finding_is_reachable_and_the_words_are_plain(rendered, tmp_path, width):
    size, result, out, mail, listing = rendered
    exe = chromium()
    email_text = shown(exe, mail, tmp_path, WIDTHS[width], f"reading-{size}-email-{width}")["text"]
    list_text = shown(exe, listing, tmp_path, WIDTHS[width], f"reading-{size}-list-{width}")["text"]
    # Every problem needing action is in the e-mail by its reference, or counted in a "…and N more" line.
    needing = {p.ref for p in needs_action(result.findings, result.dismissed)}
    before_fine = email_text[:email_text.index("Marked as fine")]
    shown_refs = set(re.findall(r"Ref ([0-9A-Z]{4}-[0-9A-Z]{4})", before_fine, re.IGNORECASE))
    unlisted = sum(int(n) for n in re.findall(r"…and (\d+) more: all are in the attached list", before_fine))
    assert shown_refs <= needing and len(shown_refs) + unlisted == len(needing)
    missing = [finding_ref(f) for f in result.findings if finding_ref(f) not in list_text]
    assert missing == []
    for word in guidance.JARGON:
        assert not re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", email_text), f"the e-mail says {word!r}"
    assert " /" not in email_text.replace(" / ", "")      # a page is never just "/"
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", email_text)       # one human date format
    assert "If something here is fine as it is" in email_text
    for line in email_text.splitlines():
        if line.startswith("What to do:"):
            assert "sk whoever" in line, line


def test_the_csv_has_one_row_per_finding_with_page_what_and_todo(rendered):
    _, result, out, _, _ = rendered
    data = out.attachments[1].data
    assert data.startswith("\ufeff".encode("utf-8")) and out.attachments[1].filename.endswith(".csv")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == len(result.findings)
    assert {r["Ref"] for r in table} == {finding_ref(f) for f in result.findings}
    assert all(r["Page address"] and r["What was found"] and r["What to do"] for r in table)
    assert {r["Check code"] for r in table} == {f.check for f in result.findings}


def test_the_worst_comes_first_and_the_email_is_never_clipped(rendered):
    size, result, out, _, _ = rendered
    assert len(out.html.encode("utf-8")) < 100_000
    text = out.text
    assert text.index("Photos of people without consent") < text.index("Personal details published") \
        < text.index("Our name and logo") < text.index("Out-of-date content") < text.index("Accessibility")
    if size == "small":
        assert "Nothing is marked as fine." in text
        return
    assert "Broken address: https://www.example.org.uk/files/annual-report-2021.pdf" in text
    assert "The link \u201cOur annual report\u201d in the page footer does not work." in text
    assert "Seen on 287 pages, including:" in text      # only its first ten addresses were kept
    assert "Marked as fine (4)" in text and "Stock photo bought from a library" in text
