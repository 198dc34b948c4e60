"""Values from a platform are untrusted: a malformed address or a control character in one reply,
post or profile makes that item unreadable, never the audit."""
from __future__ import annotations

import json

import pytest
import responses

from auditor import config as config_mod
from auditor import pipeline

from conftest import Response
from social_support import (CDN, MASTODON, add_image, mastodon_account, mastodon_reply, mastodon_status,
                            no_robots)

HOME = (b"<!doctype html><html lang='en'><head><title>Home-Start Testshire</title></head>"
        b"<body><main><h1>Home-Start Testshire</h1><p>Supporting families.</p></main></body></html>")
ACCOUNT = f'[[social]]\nplatform = "mastodon"\ninstance = "{MASTODON}"\naccount = "homestart"\n'
COMPLAINT = "I've rung three times this month and nobody has called me back."


def _audit(serve, write_config):
    site = serve(routes={"/": lambda req, h: Response(200, HOME, {"Content-Type": "text/html"})})
    cfg = config_mod.load(write_config(site.url("/"), extra=ACCOUNT))
    return pipeline.run(cfg, pipeline.Options(send_email=False, json_path=cfg.path.parent / "findings.json"))


def _mastodon(statuses, descendants, account=None):
    no_robots(MASTODON, CDN)
    responses.add(responses.GET, f"{MASTODON}/api/v1/accounts/lookup", json=account or mastodon_account())
    responses.add(responses.GET, f"{MASTODON}/api/v1/accounts/109302/statuses", json=statuses)
    responses.add(responses.GET, f"{MASTODON}/api/v1/statuses/3/context",
                  json={"ancestors": [], "descendants": descendants})
    add_image(CDN + "/m/avatar.png")


@pytest.mark.parametrize("bad_url", ["http://[::1", "https://[zz]/", "https://example.org/\r\n== ALL CLEAR ==",
                                     12345, None])
@responses.activate
def test_a_reply_with_a_malformed_address_does_not_stop_the_audit(serve, write_config, bad_url):
    responses.add_passthru("http://127.0.0.1")
    bad = mastodon_reply("6", 1, COMPLAINT)
    bad["url"] = bad_url
    bad["uri"] = bad_url
    good = mastodon_reply("5", 1, COMPLAINT)
    _mastodon([mastodon_status("3", 2, "<p>Stay and play</p>", replies=2)], [bad, good])
    result = _audit(serve, write_config)
    assert result.status == "complete"
    doc = json.loads(result.json_path.read_text(encoding="utf-8"))
    complaints = [f for f in doc["findings"] if f["check"] == "complaint.public"]
    assert [f["url"] for f in complaints] == ["https://other.example/@parent/5"]
    assert result.stats.get("social_items_unreadable") == 1


@responses.activate
def test_a_post_and_a_profile_with_malformed_addresses_are_left_out(serve, write_config):
    responses.add_passthru("http://127.0.0.1")
    status = mastodon_status("3", 2, "<p>Stay and play</p>", media=[("http://[::1/p.png", "Play")])
    status["url"] = "http://[::1"
    status["uri"] = "https://[zz]/"
    account = mastodon_account(avatar="https://[zz]/a.png")
    account["url"] = "http://[::1"
    _mastodon([status, mastodon_status("4", 3, "<p>Coffee</p>")], [], account=account)
    result = _audit(serve, write_config)
    assert result.status == "complete"
    doc = json.loads(result.json_path.read_text(encoding="utf-8"))
    assert doc["posts_checked"] == 1
    assert all("[" not in (f["url"] or "") for f in doc["findings"])


@responses.activate
def test_the_report_says_how_many_items_were_left_out(serve, write_config):
    responses.add_passthru("http://127.0.0.1")
    bad = mastodon_reply("6", 1, COMPLAINT)
    bad["url"] = bad["uri"] = "http://[::1"
    _mastodon([mastodon_status("3", 2, "<p>Stay and play</p>", replies=1)], [bad])
    result = _audit(serve, write_config)
    assert "1 post, reply or picture on the social accounts could not be read" in " ".join(result.notes)
    assert "could not be read (the platform sent malformed data)" in result.report_html.read_text(encoding="utf-8")
