"""Every photo still published in an account's posts is checked for consent, however old the post;
complaints and names are read only in the window since the previous audit (or lookback_days)."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import responses
from responses import matchers

from auditor import config as config_mod
from auditor import pipeline
from auditor.config import ConfigError
from auditor.isolation import Decoders
from auditor.snapshot import Snapshot
from auditor.social import collect, mastodon
from auditor.social.common import LIMIT_REACHED, Api

from conftest import Response
from consent_support import encode, photo
from social_support import CDN, MASTODON, NOW, fetcher, mastodon_account, mastodon_reply, mastodon_status, social

API = MASTODON + "/api/v1"
STATUSES = f"{API}/accounts/109302/statuses"
HOME = (b"<!doctype html><html lang='en'><head><title>Home-Start Testshire</title></head>"
        b"<body><main><h1>Home-Start Testshire</h1><p>Supporting families.</p></main></body></html>")
COMPLAINT = "I've rung three times this month and nobody has called me back."


def mastodon_pages(statuses: list[dict], per_page: int = 40, failing: int | None = None) -> None:
    """The account's statuses served in pages linked by the Link header, as Mastodon pages them;
    page number `failing` (from 0) answers 502."""
    responses.add(responses.GET, f"{API}/accounts/lookup", json=mastodon_account(),
                  match=[matchers.query_param_matcher({"acct": "homestart"})])
    pages = [statuses[i:i + per_page] for i in range(0, len(statuses), per_page)] or [[]]
    for n, page in enumerate(pages):
        headers = {"Link": f'<{STATUSES}?max_id=p{n + 1}>; rel="next"'} if n + 1 < len(pages) else {}
        query = {"limit": "40", "exclude_reblogs": "true"} if n == 0 else {"max_id": f"p{n}"}
        answer = {"status": 502, "json": {"error": "Bad gateway"}} if n == failing else {"json": page}
        responses.add(responses.GET, STATUSES, headers=headers, match=[matchers.query_param_matcher(query)], **answer)


def image(path: str, body: bytes) -> str:
    url = CDN + path
    responses.add(responses.GET, url, body=body, content_type="image/jpeg", headers={"ETag": f'"{path}"'})
    return url


@responses.activate
def test_an_account_whose_posts_are_all_older_than_the_lookback_has_its_photos_checked(serve, write_config,
                                                                                      tmp_path):
    responses.add_passthru("http://127.0.0.1")
    site = serve(routes={"/": lambda req, h: Response(200, HOME, {"Content-Type": "text/html"})})
    consented = encode(photo("astronaut"))
    (tmp_path / "astronaut.jpg").write_bytes(consented)
    (tmp_path / "register.csv").write_text(
        "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"
        "astronaut.jpg,Parent A,CF-1,2024-01-01,,website,\n", encoding="utf-8")
    unrecorded = image("/m/camera.jpg", encode(photo("camera")))
    website_only = image("/m/astronaut.jpg", consented)
    responses.add(responses.GET, CDN + "/m/avatar.png", status=404)
    mastodon_pages([
        mastodon_status("3", 200, "<p>Homestart coffee morning</p>", media=[(unrecorded, "Parents at coffee")]),
        mastodon_status("2", 250, "<p>Summer trip</p>", replies=1, media=[(website_only, "Our summer trip")]),
        mastodon_status("1", 400, "<p>Hello</p>"),
    ])
    responses.add(responses.GET, f"{API}/statuses/2/context",
                  json={"ancestors": [], "descendants": [mastodon_reply("9", 249, COMPLAINT)]})
    extra = (f'[consent]\nregister = "register.csv"\n\n[[social]]\nplatform = "mastodon"\n'
             f'instance = "{MASTODON}"\naccount = "homestart"\n')
    cfg = config_mod.load(write_config(site.url("/"), extra=extra))
    result = pipeline.run(cfg, pipeline.Options(send_email=False, json_path=tmp_path / "findings.json"))
    doc = json.loads(result.json_path.read_text(encoding="utf-8"))
    found = {(f["check"], f["url"], f["subject"]) for f in doc["findings"]}
    assert ("photo.no_consent", MASTODON + "/@homestart/3", unrecorded) in found
    assert ("photo.consent_scope", MASTODON + "/@homestart/2", website_only) in found
    # the complaints window is unchanged: an old post's replies are not read, its words not checked
    assert not [f for f in doc["findings"] if f["check"] in ("complaint.public", "name.variant")]
    assert not [c for c in responses.calls if "/context" in c.request.url]
    assert ("social.dormant", MASTODON + "/@homestart", None) in found
    assert doc["posts_checked"] == 3

    # A re-audit reuses what it learnt of each photo: the platform's media are not fetched again.
    before = len([c for c in responses.calls if c.request.url.startswith(CDN + "/m/") and "avatar" not in c.request.url])
    again = pipeline.run(cfg, pipeline.Options(send_email=False, json_path=tmp_path / "again.json"))
    after = len([c for c in responses.calls if c.request.url.startswith(CDN + "/m/") and "avatar" not in c.request.url])
    assert after == before == 2
    checks = {(f.check, f.url) for f in again.findings}
    assert ("photo.no_consent", MASTODON + "/@homestart/3") in checks
    assert ("photo.consent_scope", MASTODON + "/@homestart/2") in checks


@responses.activate
def test_max_posts_bounds_the_reading_and_the_report_says_so():
    mastodon_pages([mastodon_status(str(1000 - i), 200 + i, f"<p>Post {i}</p>") for i in range(100)])
    entry = social("mastodon", instance=MASTODON, account="homestart")
    entry = type(entry)(platform=entry.platform, options=entry.options, lookback_days=120, max_posts=50)
    found = mastodon.read(entry, Api(fetcher()), NOW - timedelta(days=120), NOW)
    assert not found.posts and len(found.older) == 50 and found.cut_short == LIMIT_REACHED
    assert len([c for c in responses.calls if c.request.url.startswith(STATUSES)]) == 2   # 40 + 40 >= 50: no third page

    snapshot = Snapshot(website="https://www.homestart.example/", started_at=NOW.isoformat())
    responses.add(responses.GET, CDN + "/m/avatar.png", status=404)
    config = type("Config", (), {"social": (entry,), "crawl": type("Crawl", (), {"max_image_mb": 5})()})()
    with Decoders(1) as decoders:
        collect(config, fetcher(), snapshot, previous_run_at=None, stop=threading.Event(), now=NOW, decoders=decoders)
    [note] = [e for e in snapshot.errors if e.kind == "truncated"]
    assert "newest 50 posts" in note.message and "max_posts" in note.message
    assert len(snapshot.older_posts) == 50 and not snapshot.posts


@responses.activate
def test_a_failing_page_of_old_posts_keeps_what_was_read_and_says_why():
    mastodon_pages([mastodon_status(str(100 - i), 10 + 30 * i, f"<p>Post {i}</p>") for i in range(45)], failing=1)
    found = mastodon.read(social("mastodon", instance=MASTODON, account="homestart"), Api(fetcher()),
                          NOW - timedelta(days=120), NOW)
    assert len(found.posts) == 4 and len(found.older) == 36
    assert "could not be read" in found.cut_short


@responses.activate
def test_a_failing_page_inside_the_window_still_makes_the_account_unreadable():
    mastodon_pages([mastodon_status(str(100 - i), 1 + i, f"<p>Post {i}</p>") for i in range(45)], failing=1)
    with pytest.raises(Exception, match="internal error"):
        mastodon.read(social("mastodon", instance=MASTODON, account="homestart"), Api(fetcher()),
                      NOW - timedelta(days=120), NOW)


def test_max_posts_is_validated(write_config):
    path = write_config("https://example.org/", extra='[[social]]\nplatform = "rss"\nfeed = "https://example.org/f"\n'
                                                      "max_posts = 0\n")
    with pytest.raises(ConfigError, match=r"social\[0\]\.max_posts.*between 1 and 100000"):
        config_mod.load(path)
