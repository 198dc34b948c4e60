"""Bluesky reader against the public AppView's documented lexicons, mocked with `responses`."""
from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from responses import matchers

from auditor.social import bluesky
from auditor.social.common import Api, SourceError

from social_support import (BSKY, CDN, DID, NOW, ago, bsky_author, bsky_images, bsky_post, bsky_profile,
                            bsky_thread, fetcher, social)

XRPC = BSKY + "/xrpc/"
FEED = XRPC + "app.bsky.feed.getAuthorFeed"
ENTRY = social("bluesky", handle="homestart.bsky.social", api=BSKY)
SINCE = NOW - timedelta(days=120)
STRANGER = bsky_author(did="did:plc:stranger", handle="parent.bsky.social", name="A parent")


def read():
    return bluesky.read(ENTRY, Api(fetcher()), SINCE, NOW)


def profile(**kwargs):
    responses.add(responses.GET, XRPC + "app.bsky.actor.getProfile",
                  match=[matchers.query_param_matcher({"actor": "homestart.bsky.social"})], **kwargs)


@responses.activate
def test_profile_feed_cursor_reposts_media_and_thread():
    profile(json=bsky_profile())
    with_media = {"$type": "app.bsky.embed.recordWithMedia#view",
                  "record": {"record": {"$type": "app.bsky.embed.record#viewRecord", "uri": "at://x/y/z"}},
                  "media": bsky_images((CDN + "/b/quoted.jpg", ""))}
    page1 = {"feed": [
        {"post": bsky_post("3kpin", 300, "Pinned welcome"), "reason": {"$type": "app.bsky.feed.defs#reasonPin"}},
        {"post": bsky_post("3ka", 2, "Coffee morning today", embed=bsky_images((CDN + "/b/a.jpg", "Parents chatting")),
                           replies=2)},
        {"post": bsky_post("3kx", 3, "Someone else's post", author=STRANGER),
         "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": bsky_author(), "indexedAt": ago(3)}},
        {"post": bsky_post("3kfuture", 4, "Clock skew", created="2099-01-01T00:00:00.000Z")},
    ], "cursor": "cur1"}
    responses.add(responses.GET, FEED, json=page1,
                  match=[matchers.query_param_matcher({"actor": DID, "limit": "50",
                                                       "filter": "posts_and_author_threads"})])
    responses.add(responses.GET, FEED, json={"feed": [
        {"post": bsky_post("3kb", 30, "Quote with photo", embed=with_media)},
        {"post": bsky_post("3kold", 400, "Last year")}], "cursor": "cur2"},
        match=[matchers.query_param_matcher({"cursor": "cur1"}, strict_match=False)])
    parent = bsky_post("3ka", 2, "Coffee morning today")
    reply = bsky_post("3kr", 1, "Still waiting for someone to call me back about my referral.", author=STRANGER)
    own = bsky_post("3ko", 1, "We'll message you", author=bsky_author())
    gone = {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://did:plc:gone/app.bsky.feed.post/1",
            "notFound": True}
    responses.add(responses.GET, XRPC + "app.bsky.feed.getPostThread", json=bsky_thread(parent, [reply, own, gone]))
    found = read()
    assert found.account.display_name == "Home-Start Testshire"
    assert found.account.profile_url == "https://bsky.app/profile/homestart.bsky.social"
    urls = [p.url for p in found.posts]
    assert urls == [f"https://bsky.app/profile/homestart.bsky.social/post/{k}" for k in ("3ka", "3kfuture", "3kb")]
    first, future, quoted = found.posts
    assert [(i.src, i.alt) for i in first.images] == [(CDN + "/b/a.jpg", "Parents chatting")]
    assert [(i.src, i.alt) for i in quoted.images] == [(CDN + "/b/quoted.jpg", None)]
    assert future.created_at == (NOW - timedelta(days=4)).isoformat(timespec="seconds")
    assert [(r.text, r.author) for r in first.replies] == [(reply["record"]["text"], "parent.bsky.social")]
    assert first.replies[0].url == "https://bsky.app/profile/parent.bsky.social/post/3kr"
    assert found.account.last_post_at == (NOW - timedelta(days=2)).isoformat(timespec="seconds")


@responses.activate
def test_empty_feed():
    profile(json=bsky_profile())
    responses.add(responses.GET, FEED, json={"feed": []})
    found = read()
    assert found.posts == [] and found.account.last_post_at is None


@responses.activate
def test_deleted_post_thread_is_skipped():
    profile(json=bsky_profile())
    responses.add(responses.GET, FEED, json={"feed": [{"post": bsky_post("3kd", 5, "Deleted later", replies=1)}]})
    responses.add(responses.GET, XRPC + "app.bsky.feed.getPostThread", status=400,
                  json={"error": "NotFound", "message": "Post not found: at://did/app.bsky.feed.post/3kd"})
    assert [p.replies for p in read().posts] == [[]]


@responses.activate
def test_unknown_handle_and_malformed_feed():
    profile(status=400, json={"error": "InvalidRequest", "message": "Profile not found"})
    with pytest.raises(SourceError) as caught:
        read()
    assert caught.value.status == 400
    responses.replace(responses.GET, XRPC + "app.bsky.actor.getProfile", json=bsky_profile())
    responses.add(responses.GET, FEED, body='{"feed": [', content_type="application/json")
    with pytest.raises(SourceError, match="not valid JSON"):
        read()
