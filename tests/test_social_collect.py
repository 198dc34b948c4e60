"""All six kinds of account collected into one snapshot and checked, mocked with `responses`."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import responses

from auditor import config as config_mod
from auditor import social
from auditor.checks import Context, Runner
from auditor.snapshot import Snapshot

from social_support import (BSKY, CDN, DID, GRAPH, MASTODON, NOW, add_image, bsky_author, bsky_images, bsky_post,
                            bsky_profile, bsky_thread, fb_page, fb_post, fetcher, graph_list, ig_media, ig_user,
                            mastodon_account, mastodon_reply, mastodon_status, no_robots, rss_feed, rss_item)

SITE = "https://www.homestart.example"
PAGE = "https://www.linkedin.example/company/homestart"
ACCOUNTS = f"""
[[social]]
platform = "mastodon"
instance = "{MASTODON}"
account = "homestart"

[[social]]
platform = "bluesky"
handle = "homestart.bsky.social"
api = "{BSKY}"

[[social]]
platform = "rss"
feed = "{SITE}/news/feed.xml"

[[social]]
platform = "facebook"
id = "1234567890"
token_env = "TEST_FB_TOKEN"
api = "{GRAPH}"

[[social]]
platform = "instagram"
id = "17841400000"
token_env = "TEST_IG_TOKEN"
api = "{GRAPH}"

[[social]]
platform = "page"
url = "{PAGE}"
"""
COMPLAINT = "I've rung three times this month and nobody has called me back."


@pytest.fixture
def cfg(write_config, monkeypatch):
    monkeypatch.setenv("TEST_FB_TOKEN", "fb-secret-token")
    monkeypatch.setenv("TEST_IG_TOKEN", "ig-secret-token")
    return config_mod.load(write_config(SITE + "/", extra=ACCOUNTS))


def healthy_accounts(quiet_days: float = 2, complaint: bool = False) -> None:
    """Every platform answering as a well-kept account does; `quiet_days` since the latest post."""
    no_robots(SITE, "https://www.linkedin.example")
    responses.add(responses.GET, f"{MASTODON}/api/v1/accounts/lookup", json=mastodon_account())
    responses.add(responses.GET, f"{MASTODON}/api/v1/accounts/109302/statuses", json=[
        mastodon_status("3", quiet_days, "<p>Stay and play</p>", replies=1, media=[(CDN + "/m/p1.png", "Play")])])
    responses.add(responses.GET, f"{MASTODON}/api/v1/statuses/3/context", json={"ancestors": [], "descendants": [
        mastodon_reply("5", 1, COMPLAINT if complaint else "Lovely, see you there!")]})
    xrpc = BSKY + "/xrpc/"
    responses.add(responses.GET, xrpc + "app.bsky.actor.getProfile", json=bsky_profile())
    post = bsky_post("3ka", quiet_days, "Coffee morning", embed=bsky_images((CDN + "/b/a.png", "Coffee")), replies=1)
    responses.add(responses.GET, xrpc + "app.bsky.feed.getAuthorFeed", json={"feed": [{"post": post}]})
    reply = bsky_post("3kr", 1, "Thank you, what a lovely group!",
                      author=bsky_author(did="did:plc:x", handle="parent.bsky.social"))
    responses.add(responses.GET, xrpc + "app.bsky.feed.getPostThread", json=bsky_thread(post, [reply]))
    responses.add(responses.GET, SITE + "/news/feed.xml", content_type="application/rss+xml",
                  body=rss_feed(rss_item("fair", quiet_days, "Summer fair", "<p>Thanks all</p>")))
    responses.add(responses.GET, f"{GRAPH}/1234567890", json=fb_page())
    responses.add(responses.GET, f"{GRAPH}/1234567890/posts", json=graph_list([
        fb_post("1", quiet_days, "Summer fair", photo=(CDN + "/fb/fair.png", "Fair"), comments=["Great day!"])]))
    responses.add(responses.GET, f"{GRAPH}/17841400000", json=ig_user())
    responses.add(responses.GET, f"{GRAPH}/17841400000/media", json=graph_list([
        ig_media("1", quiet_days, "Messy play", url=CDN + "/ig/1.png")]))
    responses.add(responses.GET, PAGE, content_type="text/html", body=(
        f'<html><head><meta property="og:title" content="Home-Start Testshire">'
        f'<meta property="og:image" content="{CDN}/li/logo.png"></head><body></body></html>'))
    for path in ("/m/avatar.png", "/m/p1.png", f"/b/avatar/{DID}@jpeg", "/b/a.png", "/rss/logo.png",
                 "/fb/picture.png", "/fb/fair.png", "/ig/picture.png", "/ig/1.png", "/li/logo.png"):
        add_image(CDN + path)


def collect(cfg) -> Snapshot:
    snapshot = Snapshot(website=cfg.scheme.website, started_at=NOW.isoformat())
    social.collect(cfg, fetcher(), snapshot, previous_run_at=None, stop=threading.Event(), now=NOW)
    return snapshot


def findings(cfg, snapshot):
    runner = Runner(Context(config=cfg, now=NOW), only=("social", "complaints"))
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
    responses.replace(responses.GET, f"{BSKY}/xrpc/app.bsky.actor.getProfile", status=500,
                      headers={"Retry-After": "0"}, json={"error": "InternalServerError", "message": "oops"})
    snapshot = collect(cfg)
    found = findings(cfg, snapshot)
    by_code = {}
    for f in found:
        by_code.setdefault(f.check, []).append(f)
    assert {f.url for f in by_code["social.unreachable"]} == {"https://bsky.app/profile/homestart.bsky.social",
                                                            "https://www.instagram.com/#account-17841400000"}
    assert any("TEST_IG_TOKEN" in f.message for f in by_code["social.unreachable"])
    assert {f.url for f in by_code["social.dormant"]} == {MASTODON + "/@homestart", SITE + "/news/",
                                                        "https://www.facebook.com/homestarttestshire"}
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
