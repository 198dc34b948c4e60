"""The report's content: headline, folding, guidance, sections, escaping, and the golden file."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest

from auditor import guidance, humanise, mailer, report, report_model, sample
from auditor.checks import CheckFailure
from auditor.findings import CODES, Finding
from auditor.history import Changes

from report_support import EMOJI, HOSTILE_ATTR, HOSTILE_SCRIPT, LONG, RTL, hostile, load_config

GOLDEN = Path(__file__).parent / "golden" / "report.html"
SITE = "https://www.example.org.uk"
@pytest.fixture
def config(tmp_path):
    return load_config(tmp_path)


@pytest.fixture
def result(config, tmp_path):
    return sample.sample_result(config, tmp_path)


def test_headline_counts_folded_items_and_names_the_next_run(result):
    model = report_model.view_model(result)
    assert model["headline"] == f"{len(CODES)} things need action before 1 April 2027"
    assert model["subject"] == f"Home-Start Testshire audit: {model['headline']}"


def cards(model):
    return [card for section in model["sections"] for card in section.cards]


def test_repeats_are_folded_with_the_first_ten_pages_and_a_count(result):
    items = [i for i in cards(report_model.view_model(result)) if i.check == "logo.missing"]
    assert len(items) == 1
    item = items[0]
    assert item.count == 38 and item.where == "on 38 pages" and item.more_places == 28
    assert [p.address for p in item.places][:3] == ["www.example.org.uk/sample/logo-missing",
                                                    "www.example.org.uk/news/1", "www.example.org.uk/news/2"]
    text = report.render(result).text
    assert "Seen on 38 pages (all 38 in the attached list):" in text and f"{SITE}/news/9\n" in text


def test_findings_are_grouped_in_order_of_harm_with_guidance(result):
    sections = report_model.view_model(result)["sections"]
    assert [s.key for s in sections] == ["people", "consent", "personal", "complaints", "identity", "freshness",
                                         "access"]
    for section in sections:
        assert all(guidance.section_of(i.check, CODES[i.check][0]).key == section.key for i in section.cards)
        severities = [("high", "medium", "low", "info").index(i.severity) for i in section.cards]
        assert severities == sorted(severities)
        assert section.count == len(section.cards)
    assert "Ask whoever edits the website to take the photo down" in report.render(result).html


def test_every_check_code_has_its_own_guidance_section_and_name():
    assert set(CODES) <= set(guidance.GUIDANCE) and set(CODES) <= set(guidance.NOUNS)
    assert len(set(guidance.GUIDANCE.values())) == len(guidance.GUIDANCE)
    listed = [code for section in guidance.SECTIONS for code in section.codes]
    assert set(CODES) <= set(listed) and len(listed) == len(set(listed))
    for text in guidance.GUIDANCE.values():
        assert not any(word in text for word in guidance.JARGON), text


def test_sections_appear_in_the_agreed_order(result):
    html = report.render(result).html
    marks = ["things need action", "Photos of people without consent", "Consent withdrawn",
             "Personal details published", "Complaints to answer", "Our name and logo", "Out-of-date content",
             "Accessibility", "Marked as fine", "Since the last audit", "Content approved by the CEO",
             "Consents expiring", "Please check by hand", "Things needing action, audit by audit", "Checked 212 pages"]
    assert "9 urgent, 11 important, 5 minor. First: Sample: A photo with no consent record." in html
    positions = [html.index(m) for m in marks]
    assert positions == sorted(positions)
    for expected in ("5</strong>new", "20</strong>still open", "1</strong>resolved",
                     "A broken link that has since been fixed", "Summer fair 2027", "Christmas party",
                     "C-0042</strong> expires 15 March 2027", "website, facebook", "1.3", "1.7", "1.8",
                     "Next audit: 1 April 2027", "4 min 12 s", "540 images", "64 posts"):
        assert expected in html


def test_flagged_photos_are_inline_images_referenced_by_content_id(result):
    rendered = report.render(result)
    photo_codes = [c for c in CODES if c.startswith("photo.")]
    assert len(rendered.inline_images) == len(photo_codes)
    for image in rendered.inline_images:
        assert f'src="cid:{image.cid}"' in rendered.html
    standalone = rendered.standalone_html()
    assert "cid:" not in standalone and standalone.count('src="data:image/jpeg;base64,') == len(photo_codes)


def test_consent_register_names_never_appear(result):
    result.expiring_consents = [{"consent_ref": "C-7", "expires": "2027-02-01", "photo": "jane-smith.jpg",
                                 "subjects": "Jane Smith", "channels": "all"}]
    rendered = report.render(result)
    assert "C-7" in rendered.html
    assert "Jane" not in rendered.html and "jane-smith" not in rendered.html and "Jane" not in rendered.text


def test_clean_audit_sends_a_short_all_clear(result):
    result.findings, result.comparison.new[:], result.comparison.still_open[:] = [], [], []
    rendered = report.render(result)
    assert rendered.subject == "Home-Start Testshire audit: All clear"
    assert "Nothing on" in rendered.html and "Please check by hand" in rendered.html
    assert "ALL CLEAR" in rendered.text
    result.counts = {"pages": 0, "images": 0, "posts": 0, "findings": 0}
    rendered = report.render(result)
    assert rendered.subject.endswith("Nothing could be checked") and "found no pages or posts" in rendered.text


def test_incomplete_and_crashed_runs_say_so(result):
    result.status = "incomplete"
    result.notes = ["the crawl stopped after 1000 pages (crawl.max_pages)"]
    result.failures = [CheckFailure("photo_consent", "RegisterProblems: line 3: bad date", "Traceback…")]
    rendered = report.render(result)
    assert rendered.subject.endswith("The audit could not finish")
    assert "the crawl stopped after 1000 pages</li>" in rendered.html and "crawl.max_pages" not in rendered.html
    assert "these parts of the audit are missing:</strong> photo consent." in rendered.html
    assert "RegisterProblems" not in rendered.html and "RegisterProblems" not in rendered.text
    listing = rendered.attachments[0].data.decode("utf-8")
    assert "photo_consent: <span dir=\"auto\">RegisterProblems: line 3: bad date</span>" in listing   # for the admin
    result.status, result.findings = "complete", []
    assert report.render(result).subject.endswith("Some checks could not run")


def test_many_distinct_items_of_one_kind_are_capped(result):
    result.findings = [Finding("link.broken", f"{SITE}/p", f"Link {n} fails.", subject=f"{SITE}/gone/{n}")
                       for n in range(25)]
    section = report_model.view_model(result)["sections"][0]
    assert section.count == 25 and len(section.cards) == 6
    assert section.more[0].heading == "19 more broken links (important)"
    assert len(section.more[0].entries) == 10 and section.more[0].unlisted == 9
    html = report.render(result).html
    assert "…and 9 more: all are in the attached list." in html and "Ref " + section.more[0].entries[9].ref in html


def test_hostile_text_is_escaped_in_html_and_kept_plain_in_text(result):
    rendered = report.render(hostile(result))
    html = rendered.html
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//script") and not tree.xpath("//@*[starts-with(name(), 'on')]")
    assert any(HOSTILE_ATTR in t for t in tree.xpath("//text()"))   # shown as text, inert
    assert 'href="javascript:' not in html.lower() and "javascript:alert(1)" in html  # shown, not linked
    assert "\u202e" not in html and "مرحبا بالعالم" in html and "👶🏽🎉" in html
    assert re.search(r'<span dir="auto"[^>]*>A reply says', html)
    assert LONG not in html and "W" * 100 in html    # clipped
    assert "\r" not in rendered.text and "\nBcc:" not in rendered.text
    assert HOSTILE_SCRIPT in rendered.text         # plain text needs no escaping, only one line


def test_a_subject_cannot_be_injected_into_the_headers(result, tmp_path):
    evil = "Home-Start\r\nBcc: victim@example.com\r\nX-Evil: 1"
    result.config = replace(result.config, scheme=replace(result.config.scheme, name=evil))
    rendered = report.render(hostile(result))
    msg = BytesParser(policy=policy.default).parsebytes(mailer.build_message(rendered, result.config.report).as_bytes())
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert msg["Subject"].startswith("Home-Start Bcc: victim@example.com X-Evil: 1 audit:")


def test_dates_are_written_the_uk_way(result):
    result.next_run = datetime(2027, 10, 1, 7, tzinfo=timezone.utc)
    assert report_model.view_model(result)["headline"].endswith("before 1 October 2027")
    result.findings = result.findings[:1]
    assert report_model.view_model(result)["headline"] == "1 thing needs action before 1 October 2027"


def test_first_audit_has_nothing_to_compare(result):
    result.comparison = replace(result.comparison, previous_run=None)
    result.changes = Changes([], [], [], [], None)
    html = report.render(result).html
    assert "first complete audit" in html and "from the second audit on" in html
    assert ">New<" not in html


def test_rendered_report_matches_the_golden_file(result, request):
    html = report.render(result).html
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8")
    assert GOLDEN.is_file(), "no golden file yet: run pytest with --update-golden and review it"
    assert html == GOLDEN.read_text(encoding="utf-8"), "the report changed: review, then --update-golden"


def test_a_huge_audit_still_fits_in_one_unclipped_email(result):
    result.findings = [Finding(code, f"{SITE}/section/{i}/a-page-with-a-longish-address",
                               f"A plain sentence describing problem {i} of kind {code}, of ordinary length.",
                               subject=f"{SITE}/images/{i}.jpg") for code in CODES for i in range(40)]
    pages = [(f"{SITE}/some/page/{i}", f"A page title of ordinary length, number {i}") for i in range(300)]
    result.changes = replace(result.changes, new_pages=pages, changed_pages=pages, removed_pages=pages,
                             new_posts=[("mastodon", f"https://mastodon.example/@x/{i}") for i in range(200)])
    result.comparison.resolved[:] = result.findings[:300]
    rendered = report.render(result)
    assert len(rendered.html.encode("utf-8")) < 100_000       # Gmail clips messages over ~102 KB
    text = rendered.text
    assert all(guidance.noun(code, 39, "more ") in text for code in CODES)   # every kind is still named
    assert rendered.subject.endswith(f"{40 * len(CODES)} things need action before 1 April 2027")
    assert "…and 290 more." in rendered.html


def test_brief_entries_name_the_image_and_a_missing_register_is_not_a_photo_to_take_down(result):
    result.findings = [Finding("image.alt_missing", f"{SITE}/gallery", "An image on this page has no text alternative.",
                               subject=f"{SITE}/uploads/2024/picnic-{n}.jpg?resize=120") for n in range(6)]
    result.findings.append(Finding("photo.no_consent", SITE + "/", "37 photos are published but no consent register "
                                   "is configured, so their consent cannot be checked.", evidence={"photos": 37}))
    text = report.render(result).text
    assert re.search(r"- An image on this page has no description\. picnic-5\.jpg on https://", text)
    register = text[text.index("37 photos are published"):]
    assert "set up the consent register" in register.split("What to do:")[1].splitlines()[0]


@pytest.mark.parametrize("said, plainly", [
    ("the crawl stopped at its limit of 1000 pages (crawl.max_pages)", "the crawl stopped at its limit of 1000 pages"),
    ("An old logo (logo-2019.png).", "An old logo."),
    ("It names a person (in EXIF Artist, IPTC By-line, XMP dc:creator).", "It names a person."),
    ("It names a person (in Artist, XPComment).", "It names a person."),
    ("The sharing image (og:image) does not load", "The sharing image does not load"),
    ("The site\u2019s robots.txt forbids the auditor from reading it", "The site\u2019s rules for automated visitors "
                                                                      "forbid the audit from reading it"),
    ("Consent for this photo (consent C-0042) expired on 2023-06-20.", "Consent for this photo (consent C-0042) "
                                                                       "expired on 20 June 2023."),
    ("A mobile number (075** ***987) and ja****h@gmail.com (3 faces found)",
     "A mobile number (075** ***987) and ja****h@gmail.com (3 faces found)"),
    ("A reply says \u201cthe form (forms.example/x) is broken on 2024-01-02\u201d (in Artist, XPComment)",
     "A reply says \u201cthe form (forms.example/x) is broken on 2024-01-02\u201d"),
    ("The link does not work: the server answered 404.", "The link does not work: there is nothing at that address any more."),
    ("An image has no text alternative (alt text), so screen-reader users miss it.",
     "An image has no description, so blind visitors using screen readers miss it."),
])
def test_checks_sentences_are_put_in_plain_words(said, plainly):
    assert humanise.plain(said) == plainly


def test_a_clean_consent_register_is_said_in_words(result):
    result.expiring_consents = []
    rendered = report.render(result)
    assert "No consent runs out before the next audit." in rendered.html and "None." not in rendered.text


def test_the_attached_csv_cannot_run_a_formula_from_a_web_page(result):
    result.findings = [Finding("complaint.public", "https://mastodon.example/@x/1", "=HYPERLINK(\u201chttp://evil\u201d)",
                               subject="https://mastodon.example/@scheme/1"),
                       Finding("name.variant", f"{SITE}/about", "@SUM(1+1) is how the page writes it")]
    rows = list(csv.DictReader(io.StringIO(report.render(result).attachments[1].data.decode("utf-8-sig"))))
    assert [r["What was found"] for r in rows] == ["'=HYPERLINK(\u201chttp://evil\u201d)",
                                                   "'@SUM(1+1) is how the page writes it"]
