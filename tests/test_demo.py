"""`auditor demo`: the bundled sample site is served, audited, and every planted problem found."""
from __future__ import annotations

import json

import pytest

from auditor import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "auditor-demo"
    assert cli.main(["demo", "--output", str(out), "-q"]) == 0
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return out, doc


def found(doc, check, url_end="", subject_end=""):
    return [f for f in doc["findings"] if f["check"] == check and f["url"].endswith(url_end)
            and (f["subject"] or "").endswith(subject_end)]


def test_demo_writes_config_history_and_findings(demo):
    out, doc = demo
    assert (out / "auditor.toml").is_file() and (out / "history.sqlite3").is_file()
    assert doc["scheme"] == "Home-Start Barnet, Brent and Harrow"
    assert doc["pages_crawled"] >= 9 and doc["complete"] is True


def test_demo_planted_broken_link_and_image_are_found(demo):
    _, doc = demo
    assert found(doc, "link.broken", "/volunteer.html", "/old-leaflet.html")
    assert found(doc, "image.broken", "/volunteer.html", "/images/course-flyer.png")
    assert found(doc, "link.broken", "/", "/closed-project")


def test_demo_robots_forbidden_page_is_a_crawl_error_not_a_broken_link(demo):
    _, doc = demo
    errors = found(doc, "crawl.error", "/private/staff.html")
    assert errors and "robots.txt" in errors[0]["message"]
    assert not found(doc, "link.broken", subject_end="/private/staff.html")


def test_demo_healthy_links_are_not_flagged(demo):
    _, doc = demo
    broken = {f["subject"] for f in doc["findings"] if f["check"] == "link.broken"}
    assert not any(s.endswith(("/volunteer-pack.pdf", "/contact.html", "/about.html")) for s in broken)


def test_demo_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me")
    assert cli.main(["demo", "--output", str(tmp_path)]) == 2
    assert "was not made by `auditor demo`" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_demo_planted_content_problems_are_found(demo):
    _, doc = demo
    [stale] = found(doc, "content.stale")
    assert stale["url"].endswith("/about.html") and "Last updated 3 March 2021" in stale["evidence"]["source"]
    [event] = found(doc, "event.past", "/events.html")    # structured data and listing line: one event
    assert "structured data" in event["evidence"]["source"] and "page text" in event["evidence"]["source"]
    assert not any("Coffee morning" in f["message"] for f in doc["findings"])
    [notice] = found(doc, "copyright.stale")
    assert notice["evidence"]["year"] == 2019
    assert found(doc, "image.alt_missing", subject_end="/images/fun-day-balloons.png")


def test_demo_personal_data_found_office_number_and_own_address_not(demo):
    _, doc = demo
    subjects = sorted(f["subject"] for f in found(doc, "privacy.personal_data"))
    assert subjects == ["email:sa**********p@gmail.com", "phone:075** ***987"]


def test_demo_carries_one_instance_of_every_finding_code(demo):
    from auditor.findings import CODES

    _, doc = demo
    assert {f["check"] for f in doc["findings"]} == set(CODES)


def test_demo_social_accounts(demo):
    _, doc = demo
    assert found(doc, "social.name", "/mastodon/@homestartbbh")
    assert found(doc, "social.avatar", "/mastodon/@homestartbbh", "/mastodon/avatar.png")
    assert found(doc, "complaint.public", "/@parent_of_two/201")
    assert not found(doc, "complaint.public", "/@grandma_jo/202")
    unreachable = found(doc, "social.unreachable")
    assert len(unreachable) == 1 and "Bluesky" in unreachable[0]["message"]


def test_demo_keeps_the_consent_register_hashes_in_its_storage_folder(demo):
    out, _ = demo
    assert (out / "consent-hashes.json").is_file()
