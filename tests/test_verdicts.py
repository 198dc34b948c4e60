"""What a run's state promises, tried as a user would on real local servers: a site that goes down,
a run of some checks, a site larger than the limit, pages built by script, images that cannot be
analysed and very large photos. Nothing is called resolved that was not read again."""
from __future__ import annotations

import io
import json
import struct
import zlib
from email import policy
from email.parser import BytesParser

from PIL import Image

from auditor import cli, scheduler
from auditor.config import load
from auditor.coverage import FAILED_SHARE, assess
from auditor.crawl import outside
from auditor.history import open_history
from auditor.snapshot import LinkStatus, Snapshot
from conftest import SITES
from consent_support import encode, photo
from conftest import Response
from crawl_support import crawl, page_html, write_site

MOBILE = "Call Jo on 07534 201987 about the toy library."


def run(capsys, config, *args) -> tuple[int, str, str]:
    try:
        code = cli.main(["run", "--no-email", "--config", str(config), *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def last_run(config):
    with open_history(load(config).storage) as history:
        return history.runs(1)[0]


def report_text(config, run_id: int) -> str:
    eml = load(config).storage / "runs" / f"{run_id:05d}" / "report.eml"
    return BytesParser(policy=policy.default).parsebytes(eml.read_bytes()).get_body(("plain",)).get_content()


def document(config, run_id: int) -> dict:
    return json.loads((load(config).storage / "runs" / f"{run_id:05d}" / "findings.json").read_text())


def site_pages(count: int, problems: dict[int, str]) -> dict[str, str]:
    links = tuple(f"/p{i}.html" for i in range(1, count))
    pages = {"/": page_html("Home-Start Testshire", problems.get(0, "Welcome."), links)}
    pages.update({f"/p{i}.html": page_html(f"Page {i} | Home-Start Testshire", problems.get(i, "Nothing to see."))
                  for i in range(1, count)})
    return pages


def compared(config, run_id: int):
    with open_history(load(config).storage) as history:
        return history.compare(run_id), history.changes(run_id)


# --- a site that is down ------------------------------------------------------------------
def test_a_site_that_goes_down_is_a_failed_audit_that_resolves_nothing_and_is_retried(
        serve, write_config, tmp_path, capsys):
    server = serve(write_site(tmp_path / "site", site_pages(3, {1: MOBILE})))
    config = write_config(server.url("/"))
    assert run(capsys, config, "-q")[0] == 0
    assert last_run(config).status == "complete"
    server.close()

    code, out, err = run(capsys, config, "-q")
    assert code == 1
    assert "Audit 2 failed" in out                          # said even under -q
    assert err.startswith("Error: the website could not be read: The website\u2019s start page")
    failed = last_run(config)
    assert failed.status == "failed" and failed.coverage["state"] == "failed"
    comparison, changes = compared(config, failed.id)
    assert comparison.resolved == [] and [f.check for f in comparison.not_checked] == ["privacy.personal_data"]
    assert changes.removed_pages == [] and changes.not_reached == 3
    text = report_text(config, failed.id)
    assert "THE AUDIT COULD NOT READ THE WEBSITE" in text
    assert "Nothing was checked, so nothing in this report is resolved" in text
    assert "could not be read" in text and "Removed pages" not in text and "resolved: " not in text
    assert document(config, failed.id)["state"] == "failed"
    with open_history(load(config).storage) as history:   # so the next daily check tries again
        assert not scheduler.counts_for_schedule(failed) and scheduler.last_fulfilling_run(history).id == 1


def test_a_site_that_never_answered_fails_on_the_first_audit(write_config, capsys):
    config = write_config("http://127.0.0.1:9/")
    code, out, err = run(capsys, config, "-q")
    assert code == 1 and "Audit 1 failed" in out and "Error: the website could not be read" in err
    assert "THE AUDIT COULD NOT READ THE WEBSITE" in report_text(config, 1)


def test_robots_txt_forbidding_everything_is_a_failed_audit(serve, write_config, tmp_path, capsys):
    server = serve(write_site(tmp_path / "site", site_pages(2, {}), {"/robots.txt": b"User-agent: *\nDisallow: /\n"}))
    config = write_config(server.url("/"))
    code, out, err = run(capsys, config)
    assert code == 1 and "robots.txt forbids" in err
    assert last_run(config).status == "failed"


# --- a run of some checks ---------------------------------------------------------------------
def test_a_run_of_some_checks_resolves_nothing_else_and_never_stands_for_the_quarterly_audit(
        serve, write_config, tmp_path, capsys):
    root = write_site(tmp_path / "site", site_pages(2, {1: MOBILE}))
    server = serve(root)
    config = write_config(server.url("/"))
    assert run(capsys, config, "--only", "nosuchcheck")[0] == 2       # refused, nothing fetched
    assert server.paths() == []
    code, out, err = run(capsys, config, "--only", "name")
    assert code == 0 and "Audit 1 incomplete" in out
    assert "PARTIAL AUDIT: ONLY THESE CHECKS RAN: NAME" in report_text(config, 1)
    # the daily check still owes the quarter its full audit
    code, out, err = run(capsys, config, "--if-due")
    assert code == 0 and "Audit 2 complete" in out
    # the problem is fixed, but a run of other checks cannot say so
    write_site(root, {"/p1.html": page_html("Page 1 | Home-Start Testshire", "Fixed.")})
    assert run(capsys, config, "--only", "name")[0] == 0
    partial = last_run(config)
    assert partial.status == "incomplete" and partial.partial
    comparison, _ = compared(config, partial.id)
    assert comparison.resolved == [] and [f.check for f in comparison.not_checked] == ["privacy.personal_data"]
    assert run(capsys, config, "--if-due")[1].startswith("No audit is due")


# --- part of the site not read --------------------------------------------------------------
def test_a_site_larger_than_the_limit_resolves_only_what_was_read_again(serve, write_config, tmp_path, capsys):
    root = write_site(tmp_path / "site", site_pages(5, {1: MOBILE, 4: "Text Sam on 07911 123456."}))
    server = serve(root)
    config = write_config(server.url("/"), crawl="max_pages = 10")
    assert run(capsys, config)[0] == 0
    # the problem on /p1 is fixed; /p4 is beyond the new limit, so not read this time
    write_site(root, {"/p1.html": page_html("Page 1 | Home-Start Testshire", "Fixed.")})
    config.write_text(config.read_text().replace("max_pages = 10", "max_pages = 3"))
    code, out, err = run(capsys, config)
    assert code == 1 and "Audit 2 incomplete" in out
    comparison, changes = compared(config, 2)
    assert [f.url for f in comparison.resolved] == [server.url("/p1.html")]
    assert [f.url for f in comparison.not_checked] == [server.url("/p4.html")]
    assert changes.removed_pages == [] and changes.not_reached == 2
    text = report_text(config, 2)
    assert "INCOMPLETE AUDIT: THE WEBSITE IS LARGER THAN THE AUDIT'S PAGE LIMIT" in text
    assert "1 resolved, 1 not checked this time" in text
    assert "2 pages read last time were not reached by this audit" in text
    doc = document(config, 2)
    assert doc["state"] == "incomplete" and doc["coverage"]["pages_read"] == 3
    assert doc["coverage"]["pages_known"] > doc["coverage"]["pages_read"]
    assert f"Checked 3 of {doc['coverage']['pages_known']} pages the audit knows of" in " ".join(text.split())


def test_pages_built_by_script_that_were_not_read_are_said_in_the_headline(serve, write_config, capsys):
    server = serve(SITES / "scripted")
    config = write_config(server.url("/"), crawl="render = false")
    code, out, err = run(capsys, config)
    assert code == 1 and "Audit 1 incomplete" in out
    text = report_text(config, 1)
    assert "INCOMPLETE AUDIT: PAGES BUILT BY SCRIPT COULD NOT BE READ" in text
    assert "built by script" in text.split("Why the audit is incomplete:")[1]


def test_a_site_that_often_does_not_answer_is_read_only_in_part(serve, write_config, tmp_path):
    down = {f"/p{i}.html": (lambda req, h: Response(503, b"busy", {"Content-Type": "text/plain"})) for i in range(1, 5)}
    server = serve(write_site(tmp_path / "site", site_pages(6, {})), routes=down)
    snapshot, _ = crawl(write_config(server.url("/")))
    coverage = assess(snapshot)
    assert coverage.failed_requests == 4 and coverage.failed_requests > FAILED_SHARE * coverage.requests
    assert coverage.state == "incomplete" and coverage.headline == "Incomplete audit: the website often did not answer"


# --- images ---------------------------------------------------------------------------------------
def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels in a few hundred bytes: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def test_images_that_cannot_be_analysed_are_listed_with_the_reason(serve, write_config, tmp_path, capsys):
    pages = {"/": page_html("Home-Start Testshire", "Welcome.", images=("/bomb.png", "/big.png"))}
    server = serve(write_site(tmp_path / "site", pages, {"/bomb.png": png_header_only(40_000, 40_000),
                                                          "/big.png": png_header_only(100, 100) + b"\0" * 30_000}))
    config = write_config(server.url("/"), crawl="max_image_mb = 0.02")
    code, out, err = run(capsys, config)
    assert code == 1 and "Audit 1 incomplete" in out
    [unchecked] = [f for f in document(config, 1)["findings"] if f["evidence"].get("kind") == "unchecked"]
    reasons = {item["url"]: item["reason"] for item in unchecked["evidence"]["images"]}
    assert "too large to decode safely (over 100 million pixels" in reasons[server.url("/bomb.png")]
    assert "MB limit, so it was not checked" in reasons[server.url("/big.png")]
    assert "INCOMPLETE AUDIT: SOME IMAGES COULD NOT BE CHECKED" in report_text(config, 1)


def big_photo(name: str, size: tuple[int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    photo(name).resize(size, Image.Resampling.BILINEAR).save(out, fmt, **({"quality": 80} if fmt == "JPEG"
                                                                           else {"compress_level": 1}))
    return out.getvalue()


def test_photos_of_50_and_30_megapixels_are_checked_for_consent(serve, write_config, tmp_path, capsys):
    # a person in each (consent is asked only where people are pictured), on pages of their own
    files = {"/fifty.jpg": big_photo("astronaut", (8660, 5774), "JPEG"),
             "/thirty.png": big_photo("astronaut", (6708, 4472), "PNG")}
    pages = {"/": page_html("Home-Start Testshire", "Our families.", links=("/more.html",), images=("/fifty.jpg",)),
             "/more.html": page_html("More | Home-Start Testshire", "More families.", images=("/thirty.png",))}
    server = serve(write_site(tmp_path / "site", pages, files))
    (tmp_path / "other.jpg").write_bytes(encode(photo("rocket")))
    (tmp_path / "register.csv").write_text("photo,subjects,consent_ref,given,expires,channels,withdrawn\n"
                                           "other.jpg,Someone,CF-1,2025-01-01,,all,\n")
    config = write_config(server.url("/"), extra='[consent]\nregister = "register.csv"\n')
    assert run(capsys, config)[0] in (0, 1)
    doc = document(config, 1)
    no_consent = {f["subject"] for f in doc["findings"] if f["check"] == "photo.no_consent"}
    assert no_consent == {server.url("/fifty.jpg"), server.url("/thirty.png")}
    assert doc["state"] == "complete"



def test_links_to_other_websites_none_of_which_answers_are_not_checked_rather_than_broken(
        serve, write_config, tmp_path, capsys):
    """Before: on a computer that could not reach the internet, every link to another website was
    reported broken ("the domain name does not exist": Facebook, the national site…)."""
    elsewhere = serve(routes={"/gone": lambda req, h: Response(404, b"gone", {"Content-Type": "text/plain"})})
    silent = ("http://one.invalid/", "http://two.invalid/x", "http://three.invalid/")
    site = tmp_path / "site"
    server = serve(write_site(site, {"/": page_html("Home-Start Testshire", "Welcome.", (elsewhere.url("/gone"),
                                                                                        *silent))}))
    config = write_config(server.url("/"))

    # another website answers (with a 404): names that do not exist are broken links
    assert run(capsys, config, "-q")[0] == 0
    first = document(config, 1)
    assert first["state"] == "complete"
    assert {f["subject"] for f in first["findings"] if f["check"] == "link.broken"} == {elsewhere.url("/gone"), *silent}

    # the link to the website that answered is taken off; none of the others answers this computer
    write_site(site, {"/": page_html("Home-Start Testshire", "Welcome.", silent)})
    code, out, _ = run(capsys, config, "-q")
    second = document(config, 2)
    assert code == 1 and "Audit 2 incomplete" in out
    assert second["state"] == "incomplete" and [r["kind"] for r in second["coverage"]["reasons"]] == ["offline"]
    assert not [f for f in second["findings"] if f["check"] == "link.broken"]
    [said] = [f for f in second["findings"] if f["check"] == "crawl.error"]
    assert "none of the 3 websites the site links to answered this computer" in said["message"]
    comparison, _ = compared(config, 2)
    assert [f.subject for f in comparison.resolved] == [elsewhere.url("/gone")]     # read again: gone
    assert {f.subject for f in comparison.not_checked} == set(silent)
    assert "links to other websites could not be checked" in report_text(config, 2).lower()
    assert cli.main(["history", "--config", str(config)]) == 0       # the admin sees why, too
    assert "Incomplete audit: links to other websites could not be checked" in capsys.readouterr().out


def test_an_image_on_the_one_other_website_is_not_called_broken_when_nothing_shows_this_computer_can_look_up_names(
        serve, write_config, tmp_path, capsys):
    """Before: a site tested on a machine without internet reported its own production domain's sharing
    image as "does not load: the domain name does not exist" on every page."""
    head = '<meta property="og:image" content="https://www.homestart-testshire.invalid/share.jpg">'
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home-Start Testshire", "Welcome.", head=head)}))
    config = write_config(server.url("/"))        # reached by its numeric address: no name was looked up
    assert run(capsys, config, "-q")[0] == 1
    doc = document(config, 1)
    assert doc["state"] == "incomplete" and not [f for f in doc["findings"] if f["check"] == "image.broken"]
    [said] = [f for f in doc["findings"] if f["check"] == "crawl.error"]
    assert "the one other website the site links to (www.homestart-testshire.invalid) did not answer" in said["message"]


def test_a_name_that_does_not_exist_is_a_broken_link_where_name_look_ups_work():
    dead = "http://gone.invalid/"

    def snapshot(website):
        return Snapshot(website, "2026-12-03T09:00:00+00:00", links={dead: LinkStatus(
            dead, error="the domain name does not exist", external=True, failure="no_domain")})

    # the site itself was found by its name: look-ups work, so the other name does not exist
    named = snapshot("https://www.homestart-testshire.org.uk/")
    assert outside.unreachable(named, lambda url: False, named.website) is None
    assert named.links[dead].broken
    # the site was reached by its numeric address: nothing shows that look-ups work here
    numeric = snapshot("http://192.0.2.10/")
    assert outside.unreachable(numeric, lambda url: False, numeric.website).kind == "offline"
    assert not numeric.links[dead].broken
