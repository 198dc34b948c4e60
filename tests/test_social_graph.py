"""Facebook Pages and Instagram accounts through the Graph API, mocked with `responses`."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import responses
from responses import matchers

from auditor.social import graph
from auditor.social.common import Api, SourceError

from social_support import CDN, GRAPH, NOW, fb_page, fb_post, fetcher, graph_list, ig_media, ig_user, social

TOKEN = "EAAGm0PX4ZCpsBAKZCZCsecret"
FB = social("facebook", id="1234567890", token_env="TEST_FB_TOKEN", api=GRAPH)
IG = social("instagram", id="17841400000", token_env="TEST_IG_TOKEN", api=GRAPH)
SINCE = NOW - timedelta(days=120)


@pytest.fixture
def tokens(monkeypatch):
    monkeypatch.setenv("TEST_FB_TOKEN", TOKEN)
    monkeypatch.setenv("TEST_IG_TOKEN", TOKEN)


def token_only():
    return matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})


def no_token_in_addresses():
    assert responses.calls and not any(TOKEN in c.request.url for c in responses.calls)


def read(entry):
    return graph.read(entry, Api(fetcher()), SINCE, NOW)


@responses.activate
def test_facebook_page_posts_paging_photos_and_comments(tokens, caplog):
    caplog.set_level(logging.DEBUG)
    responses.add(responses.GET, f"{GRAPH}/1234567890", json=fb_page(), match=[token_only()])
    nxt = f"{GRAPH}/1234567890/posts?access_token={TOKEN}&fields=id&limit=25&after=QVFIUafter"
    responses.add(responses.GET, f"{GRAPH}/1234567890/posts", match=[token_only(), matchers.query_param_matcher(
        {"fields": graph.FACEBOOK_POSTS, "limit": "25"})],
        json=graph_list([fb_post("1", 3, "Our summer fair raised £500!", photo=(CDN + "/fb/fair.jpg", "The fair"),
                                 comments=["Brilliant day!", "Nobody answered my calls about the fair, very poor."]),
                         fb_post("2", 20, "Volunteer course")], next_url=nxt))
    responses.add(responses.GET, f"{GRAPH}/1234567890/posts", json=graph_list([fb_post("3", 300, "Ancient")]),
                  match=[token_only(), matchers.query_param_matcher({"fields": "id", "limit": "25",
                                                                     "after": "QVFIUafter"})])
    found = read(FB)
    assert found.account.display_name == "Home-Start Testshire"
    assert found.account.avatar_url == CDN + "/fb/picture.png"
    assert found.account.profile_url == "https://www.facebook.com/homestarttestshire"
    assert [p.text for p in found.posts] == ["Our summer fair raised £500!", "Volunteer course"]
    assert [(i.src, i.alt) for i in found.posts[0].images] == [(CDN + "/fb/fair.jpg", "The fair")]
    assert [r.text for r in found.posts[0].replies][1].startswith("Nobody answered")
    assert "comment_id=1" in found.posts[0].replies[1].url
    assert TOKEN not in caplog.text
    no_token_in_addresses()


@responses.activate
def test_instagram_media_carousel_and_comments(tokens):
    responses.add(responses.GET, f"{GRAPH}/17841400000", json=ig_user(), match=[token_only()])
    responses.add(responses.GET, f"{GRAPH}/17841400000/media", match=[token_only()], json=graph_list([
        ig_media("1", 5, "Messy play!", url=CDN + "/ig/1.jpg", comments=["So cute", "Still no call back, shocking."]),
        ig_media("2", 8, "Our team", children=[CDN + "/ig/2a.jpg", CDN + "/ig/2b.jpg"])]))
    found = read(IG)
    assert found.account.profile_url == "https://www.instagram.com/homestarttestshire/"
    assert found.account.avatar_url == CDN + "/ig/picture.png"
    assert [[i.src for i in p.images] for p in found.posts] == [[CDN + "/ig/1.jpg"], [CDN + "/ig/2a.jpg", CDN + "/ig/2b.jpg"]]
    assert found.posts[0].replies[1].url == "https://www.instagram.com/p/C1/c/179011/"
    assert found.posts[0].images[0].alt == "Messy play!"


@responses.activate
def test_empty_page_without_a_picture(tokens):
    page = fb_page()
    page["picture"]["data"]["is_silhouette"] = True
    responses.add(responses.GET, f"{GRAPH}/1234567890", json=page)
    responses.add(responses.GET, f"{GRAPH}/1234567890/posts", json=graph_list([]))
    found = read(FB)
    assert found.posts == [] and found.account.last_post_at is None and found.account.avatar_url is None


@responses.activate
def test_album_photos_counted_and_link_previews_not(tokens):
    post = fb_post("9", 2, "Our week")
    post["attachments"] = {"data": [
        {"media_type": "album", "media": {"image": {"src": CDN + "/fb/cover.jpg", "height": 1, "width": 1}},
         "subattachments": {"data": [
             {"media_type": "photo", "description": "Painting", "media": {"image": {"src": CDN + "/fb/a1.jpg"}}},
             {"media_type": "photo", "media": {"image": {"src": CDN + "/fb/a2.jpg"}}}]}},
        {"media_type": "link", "media": {"image": {"src": "https://news.example/og.jpg"}}}]}
    responses.add(responses.GET, f"{GRAPH}/1234567890", json=fb_page())
    responses.add(responses.GET, f"{GRAPH}/1234567890/posts", json=graph_list([post]))
    (found,) = read(FB).posts
    assert [(i.src, i.alt) for i in found.images] == [(CDN + "/fb/a1.jpg", "Painting"), (CDN + "/fb/a2.jpg", "Our week")]


def test_missing_token_is_named_not_guessed(monkeypatch):
    monkeypatch.delenv("TEST_FB_TOKEN", raising=False)
    with pytest.raises(SourceError, match="TEST_FB_TOKEN"):
        read(FB)


@responses.activate
def test_refused_token_is_explained_and_masked(tokens):
    responses.add(responses.GET, f"{GRAPH}/1234567890", status=400, json={"error": {
        "message": f"Error validating access token {TOKEN}: Session has expired", "type": "OAuthException",
        "code": 190, "error_subcode": 463, "fbtrace_id": "AbCdEf"}})
    with pytest.raises(SourceError) as caught:
        read(FB)
    assert "access token was refused" in str(caught.value) and TOKEN not in str(caught.value)


@pytest.mark.parametrize("status", [401, 403, 404, 500])
@responses.activate
def test_http_failures_never_show_the_token(tokens, status):
    for _ in range(2):
        responses.add(responses.GET, f"{GRAPH}/17841400000", status=status, body="", headers={"Retry-After": "0"})
    with pytest.raises(SourceError) as caught:
        read(IG)
    assert caught.value.status == status and TOKEN not in str(caught.value)


@responses.activate
def test_429_beyond_the_wait_bound_gives_up(tokens):
    responses.add(responses.GET, f"{GRAPH}/1234567890", status=429, headers={"Retry-After": "3600"},
                  json={"error": {"message": "Application request limit reached", "code": 4}})
    with pytest.raises(SourceError, match="limiting requests"):
        read(FB)
    assert len(responses.calls) == 1


@responses.activate
def test_malformed_json(tokens):
    responses.add(responses.GET, f"{GRAPH}/1234567890", json=fb_page())
    responses.add(responses.GET, f"{GRAPH}/1234567890/posts", body="{'data': }", content_type="application/json")
    with pytest.raises(SourceError, match="not valid JSON"):
        read(FB)
