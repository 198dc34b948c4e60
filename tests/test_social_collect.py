"""All six kinds of account collected into one snapshot and checked, mocked with `responses`."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import responses

from auditor import config as config_mod
from auditor import social
from auditor.checks import Resources, Runner
from auditor.snapshot import Snapshot

from social_support import (ACCOUNTS, BSKY, CDN, GRAPH, IDENTITY, LOGOS, MASTODON, NOW, SITE, fb_page, fetcher,
                            healthy_accounts, square_logo)

@pytest.fixture
def cfg(write_config, monkeypatch):
    monkeypatch.setenv("TEST_FB_TOKEN", "fb-secret-token")
    monkeypatch.setenv("TEST_IG_TOKEN", "ig-secret-token")
    return config_mod.load(write_config(SITE + "/", extra=IDENTITY + ACCOUNTS))


def collect(cfg) -> Snapshot:
    snapshot = Snapshot(website=cfg.scheme.website, started_at=NOW.isoformat())
    social.collect(cfg, fetcher(), snapshot, previous_run_at=None, stop=threading.Event(), now=NOW)
    return snapshot


def findings(cfg, snapshot):
    runner = Runner(Resources(config=cfg, now=NOW), only=("social", "social_identity", "complaints"))
    runner.site(snapshot)
    assert runner.failures == []
    return runner.findings


@responses.activate
def test_one_account_of_each_kind_end_to_end_is_quiet_when_healthy(cfg):
    healthy_accounts()
    snapshot = collect(cfg)
    assert [a.platform for a in snapshot.accounts] == ["mastodon", "bluesky", "rss", "facebook", "instagram", "page"]
    assert all(a.error is None for a in snapshot.accounts)
    assert {p.platform for p in snapshot.posts} == {"mastodon", "bluesky", "rss", "facebook", "instagram"}
    assert len(snapshot.images) == 10 and all(i.ok and i.hashes.get("phash") for i in snapshot.images.values())
    assert findings(cfg, snapshot) == []
    sent = [c.request.url for c in responses.calls if "Authorization" in c.request.headers]
    assert sent and all(u.startswith(GRAPH) for u in sent)      # the token goes to the Graph API only
    assert not any("secret-token" in c.request.url for c in responses.calls)


@responses.activate
def test_planted_problems_fire(cfg, monkeypatch):
    healthy_accounts(quiet_days=100, complaint=True)
    monkeypatch.delenv("TEST_IG_TOKEN")
    responses.replace(responses.GET, CDN + "/m/avatar.png", content_type="image/png",
                      body=square_logo(LOGOS / "deprecated" / "home-start-bbh-logo-2012.jpg"))
    responses.replace(responses.GET, f"{GRAPH}/1234567890", json=fb_page(name="Testshire Family Support"))
    responses.replace(responses.GET, f"{BSKY}/xrpc/app.bsky.actor.getProfile", status=500,
                      headers={"Retry-After": "0"}, json={"error": "InternalServerError", "message": "oops"})
    snapshot = collect(cfg)
    found = findings(cfg, snapshot)
    by_code = {}
    for f in found:
        by_code.setdefault(f.check, []).append(f)
    assert set(by_code) == {"social.unreachable", "social.dormant", "social.avatar", "social.name", "complaint.public"}
    assert {f.url for f in by_code["social.unreachable"]} == {"https://bsky.app/profile/homestart.bsky.social",
                                                            "https://www.instagram.com/#account-17841400000"}
    assert any("TEST_IG_TOKEN" in f.message for f in by_code["social.unreachable"])
    assert {f.url for f in by_code["social.dormant"]} == {MASTODON + "/@homestart", SITE + "/news/",
                                                        "https://www.facebook.com/homestarttestshire"}
    assert [(f.url, f.severity) for f in by_code["social.avatar"]] == [(MASTODON + "/@homestart", "high")]
    assert [f.url for f in by_code["social.name"]] == ["https://www.facebook.com/homestarttestshire"]
    (complaint,) = by_code["complaint.public"]
    assert complaint.url == "https://other.example/@parent/5" and complaint.subject == MASTODON + "/@homestart/3"
    assert "answer it privately" in complaint.message and "complaints procedure" in complaint.message
    assert "fb-secret-token" not in repr(snapshot) and "ig-secret-token" not in repr(found)


def test_a_stopped_run_is_incomplete_without_false_unreachable_accounts(cfg):
    stop = threading.Event()
    stop.set()
    snapshot = Snapshot(website=cfg.scheme.website, started_at=NOW.isoformat())
    social.collect(cfg, fetcher(), snapshot, previous_run_at=None, stop=stop, now=NOW)
    assert snapshot.accounts == [] and snapshot.complete is False


def test_lookback_reaches_the_previous_audit_when_it_is_older(cfg):
    entry = cfg.social[0]
    assert social.window_start(entry, None, NOW) == NOW - timedelta(days=120)
    assert social.window_start(entry, NOW - timedelta(days=200), NOW) == NOW - timedelta(days=200)
    assert social.window_start(entry, NOW - timedelta(days=30), NOW) == NOW - timedelta(days=120)


@responses.activate
def test_a_broken_image_is_recorded_not_fatal(cfg):
    healthy_accounts()
    responses.replace(responses.GET, CDN + "/m/p1.png", body=b"not an image", content_type="image/png")
    snapshot = collect(cfg)
    assert snapshot.images[CDN + "/m/p1.png"].error and snapshot.images[CDN + "/m/avatar.png"].ok
