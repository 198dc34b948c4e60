"""Mastodon reader against the REST API's documented entities, mocked with `responses`."""
from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from responses import matchers

from auditor.social import mastodon
from auditor.social.common import Api, SourceError

from social_support import (CDN, MASTODON, NOW, fetcher, mastodon_account, mastodon_reply, mastodon_status,
                            social)

API = MASTODON + "/api/v1"
STATUSES = f"{API}/accounts/109302/statuses"
ENTRY = social("mastodon", instance=MASTODON, account="homestart")
SINCE = NOW - timedelta(days=120)


def read():
    return mastodon.read(ENTRY, Api(fetcher()), SINCE, NOW)


def lookup(status=200, **kwargs):
    responses.add(responses.GET, f"{API}/accounts/lookup", status=status,
                  match=[matchers.query_param_matcher({"acct": "homestart"})], **kwargs)


@responses.activate
def test_account_posts_pages_and_replies():
    lookup(json=mastodon_account())
    page1 = [mastodon_status("3", 2, "<p>Stay &amp; play <b>today</b></p>", replies=2,
                             media=[(CDN + "/m/p1.jpg", "Toddlers painting"), (CDN + "/m/p2.jpg", None)]),
             mastodon_status("2b", 3, "", reblog=mastodon_status("99", 3, "<p>someone else</p>")),
             mastodon_status("2", 10, "<p>Volunteer training</p>")]
    link = f'<{STATUSES}?max_id=2>; rel="next", <{STATUSES}?min_id=3>; rel="prev"'
    responses.add(responses.GET, STATUSES, json=page1, headers={"Link": link},
                  match=[matchers.query_param_matcher({"limit": "40", "exclude_reblogs": "true"})])
    responses.add(responses.GET, STATUSES, json=[mastodon_status("1", 200, "<p>Old news</p>")],
                  match=[matchers.query_param_matcher({"max_id": "2"})])
    own = mastodon_status("4", 1, "<p>Thanks, we'll DM you</p>")
    responses.add(responses.GET, f"{API}/statuses/3/context",
                  json={"ancestors": [], "descendants": [mastodon_reply("5", 1, "Lovely, see you there!"), own]})
    found = read()
    assert found.account.display_name == "Home-Start Testshire"
    assert found.account.avatar_url == CDN + "/m/avatar.png"
    assert found.account.profile_url == MASTODON + "/@homestart"
    assert [p.url for p in found.posts] == [MASTODON + "/@homestart/3", MASTODON + "/@homestart/2"]
    first = found.posts[0]
    assert first.text == "Stay & play today"
    assert [(i.src, i.alt) for i in first.images] == [(CDN + "/m/p1.jpg", "Toddlers painting"), (CDN + "/m/p2.jpg", None)]
    assert [(r.text, r.author, r.url) for r in first.replies] == [
        ("@homestart Lovely, see you there!", "parent@other.example", "https://other.example/@parent/5")]
    assert found.account.last_post_at == (NOW - timedelta(days=2)).isoformat(timespec="seconds")
    assert not any("99" in p.url for p in found.posts)


@responses.activate
def test_empty_account_has_no_posts_and_no_last_post():
    lookup(json=mastodon_account())
    responses.add(responses.GET, STATUSES, json=[])
    found = read()
    assert found.posts == [] and found.account.last_post_at is None


@responses.activate
def test_deleted_post_keeps_the_account_and_loses_only_its_replies():
    lookup(json=mastodon_account())
    responses.add(responses.GET, STATUSES, json=[mastodon_status("7", 5, "<p>Gone soon</p>", replies=3)])
    responses.add(responses.GET, f"{API}/statuses/7/context", status=404, json={"error": "Record not found"})
    found = read()
    assert [p.replies for p in found.posts] == [[]]


@responses.activate
def test_server_demanding_a_token_is_said_plainly():
    lookup(status=401, json={"error": "This API requires an authenticated user"})
    with pytest.raises(SourceError) as caught:
        read()
    assert caught.value.status == 401 and "without a token" in str(caught.value)


@pytest.mark.parametrize("status, words", [(403, "refused access"), (404, "not found"), (500, "internal error")])
@responses.activate
def test_http_failures(status, words):
    for _ in range(3):
        lookup(status=status, json={"error": "nope"}, headers={"Retry-After": "0"})
    with pytest.raises(SourceError) as caught:
        read()
    assert caught.value.status == status and words in str(caught.value)


@responses.activate
def test_429_waits_for_retry_after_then_reads():
    lookup(status=429, json={"error": "Too many requests"}, headers={"Retry-After": "0"})
    lookup(json=mastodon_account())
    responses.add(responses.GET, STATUSES, json=[])
    assert read().account.display_name == "Home-Start Testshire"


@responses.activate
def test_malformed_json_is_unreachable():
    lookup(body="<html>Maintenance</html>", content_type="text/html")
    with pytest.raises(SourceError, match="not valid JSON"):
        read()
    responses.replace(responses.GET, f"{API}/accounts/lookup", json=mastodon_account())
    responses.add(responses.GET, STATUSES, json={"error": "unexpected"})
    with pytest.raises(SourceError, match="unexpected shape"):
        read()


@responses.activate
def test_paging_never_leaves_the_server():
    lookup(json=mastodon_account())
    responses.add(responses.GET, STATUSES, json=[mastodon_status("9", 1, "<p>Hello</p>")],
                  headers={"Link": '<https://elsewhere.example/api/v1/accounts/1/statuses?max_id=9>; rel="next"'})
    assert [p.text for p in read().posts] == ["Hello"]
    assert all(c.request.url.startswith(MASTODON) for c in responses.calls)
