"""A whole audit with one account of each kind: the website served locally, the social APIs mocked."""
from __future__ import annotations

import json

import pytest
import responses

from auditor import config as config_mod

from conftest import Response
from social_support import ACCOUNTS, BSKY, MASTODON, healthy_accounts

pytest.importorskip("auditor.crawl.website", reason="the website collector is not merged yet")
from auditor import pipeline  # noqa: E402 - needs the website collector

HOME = (b"<!doctype html><html lang='en'><head><title>Home-Start Testshire</title></head>"
        b"<body><main><h1>Home-Start Testshire</h1><p>Supporting families.</p></main></body></html>")


@responses.activate
def test_audit_reads_every_kind_of_account(serve, write_config, monkeypatch):
    responses.add_passthru("http://127.0.0.1")
    monkeypatch.setenv("TEST_FB_TOKEN", "fb-secret-token")
    monkeypatch.setenv("TEST_IG_TOKEN", "ig-secret-token")
    site = serve(routes={"/": lambda req, h: Response(200, HOME, {"Content-Type": "text/html"})})
    healthy_accounts(quiet_days=100, complaint=True)
    responses.replace(responses.GET, f"{BSKY}/xrpc/app.bsky.actor.getProfile", status=404,
                      json={"error": "NotFound", "message": "Profile not found"})
    cfg = config_mod.load(write_config(site.url("/"), extra=ACCOUNTS))
    result = pipeline.run(cfg, pipeline.Options(send_email=False, json_path=cfg.path.parent / "findings.json"))
    doc = json.loads(result.json_path.read_text(encoding="utf-8"))
    codes = {(f["check"], f["url"]) for f in doc["findings"]}
    assert ("social.unreachable", "https://bsky.app/profile/homestart.bsky.social") in codes
    assert ("social.dormant", MASTODON + "/@homestart") in codes
    assert ("complaint.public", "https://other.example/@parent/5") in codes
    assert doc["posts_checked"] == 4            # mastodon, rss, facebook, instagram
    assert "secret-token" not in result.json_path.read_text(encoding="utf-8")
