"""RSS 2.0, Atom and YouTube feeds, and OpenGraph profile pages, mocked with `responses`."""
from __future__ import annotations

from datetime import timedelta

import pytest
import responses

from auditor.social import opengraph, rss
from auditor.social.common import Api, SourceError

from social_support import CDN, NOW, fetcher, no_robots, rss_feed, rss_item, social

SITE = "https://www.homestart.example"
FEED = SITE + "/news/feed.xml"
SINCE = NOW - timedelta(days=120)


def read_feed(url=FEED):
    return rss.read(social("rss", feed=url), Api(fetcher()), SINCE, NOW)


@responses.activate
def test_rss_items_with_enclosure_media_and_inline_images():
    no_robots(SITE)
    items = "".join([
        rss_item("fair", 3, "Summer fair", '<p>What a day!</p><img src="/img/fair.jpg" alt="Stalls on the green">',
                 f'<enclosure url="{CDN}/rss/enc.jpg" length="1234" type="image/jpeg"/>'),
        rss_item("walk", 10, "Sponsored walk", "<p>Thanks to all walkers</p>",
                 f'<media:content url="{CDN}/rss/walk.jpg" medium="image" width="64" height="48"/>'
                 f'<media:thumbnail url="{CDN}/rss/walk-small.jpg"/>'),
        rss_item("old", 400, "Last year's news"),
    ])
    responses.add(responses.GET, FEED, body=rss_feed(items), content_type="application/rss+xml")
    found = read_feed()
    assert found.account.display_name == "Home-Start Testshire news"
    assert found.account.avatar_url == CDN + "/rss/logo.png"
    assert found.account.profile_url == SITE + "/news/"
    assert [p.url for p in found.posts] == [SITE + "/news/fair/", SITE + "/news/walk/"]
    fair, walk = found.posts
    assert fair.text == "Summer fair What a day!"
    assert {(i.src, i.alt) for i in fair.images} == {(CDN + "/rss/enc.jpg", "Summer fair"),
                                                   (SITE + "/img/fair.jpg", "Stalls on the green")}
    assert [i.src for i in walk.images] == [CDN + "/rss/walk.jpg", CDN + "/rss/walk-small.jpg"]
    assert found.account.last_post_at == (NOW - timedelta(days=3)).isoformat(timespec="seconds")


@responses.activate
def test_youtube_channel_feed_reads_as_atom():
    origin = "https://www.youtube.example"
    no_robots(origin)
    url = origin + "/feeds/videos.xml?channel_id=UCabc"
    published = (NOW - timedelta(days=6)).isoformat()
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="{url}"/>
 <id>yt:channel:UCabc</id><yt:channelId>UCabc</yt:channelId>
 <title>Home-Start Testshire</title>
 <link rel="alternate" href="https://www.youtube.example/channel/UCabc"/>
 <author><name>Home-Start Testshire</name><uri>https://www.youtube.example/channel/UCabc</uri></author>
 <published>2020-01-01T00:00:00+00:00</published>
 <entry>
  <id>yt:video:vid1</id><yt:videoId>vid1</yt:videoId><yt:channelId>UCabc</yt:channelId>
  <title>Why we volunteer</title>
  <link rel="alternate" href="https://www.youtube.example/watch?v=vid1"/>
  <author><name>Home-Start Testshire</name><uri>https://www.youtube.example/channel/UCabc</uri></author>
  <published>{published}</published><updated>{published}</updated>
  <media:group>
   <media:title>Why we volunteer</media:title>
   <media:content url="https://www.youtube.example/v/vid1?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.example/vi/vid1/hqdefault.jpg" width="480" height="360"/>
   <media:description>Three volunteers talk about their year.</media:description>
  </media:group>
 </entry>
</feed>"""
    responses.add(responses.GET, url, body=body, content_type="application/atom+xml; charset=UTF-8")
    found = read_feed(url)
    assert found.account.display_name == "Home-Start Testshire"
    assert found.account.profile_url == "https://www.youtube.example/channel/UCabc"
    (post,) = found.posts
    assert post.url == "https://www.youtube.example/watch?v=vid1"
    assert [(i.src, i.alt) for i in post.images] == [("https://i1.ytimg.example/vi/vid1/hqdefault.jpg",
                                                      "Why we volunteer")]
    assert "Three volunteers" in post.text


@responses.activate
def test_empty_feed_and_malformed_xml():
    no_robots(SITE)
    responses.add(responses.GET, FEED, body=rss_feed(""), content_type="application/rss+xml")
    found = read_feed()
    assert found.posts == [] and found.account.last_post_at is None
    responses.replace(responses.GET, FEED, body="<rss><channel><item><title>Broken</titl", content_type="text/xml")
    with pytest.raises(SourceError, match="not .*valid RSS or Atom"):
        read_feed()
    responses.replace(responses.GET, FEED, body="<html><body>Page moved</body></html>", content_type="text/html")
    with pytest.raises(SourceError, match="valid RSS or Atom"):
        read_feed()


@responses.activate
def test_missing_feed_is_a_plain_404():
    no_robots(SITE)
    responses.add(responses.GET, FEED, status=404, body="Not found")
    with pytest.raises(SourceError, match="not found"):
        read_feed()


@responses.activate
def test_profile_page_through_opengraph():
    origin = "https://www.linkedin.example"
    no_robots(origin)
    url = origin + "/company/homestart"
    html = f"""<html><head><title>Home-Start Testshire | LinkedIn</title>
<meta property="og:title" content="Home-Start Testshire">
<meta property="og:image" content="{CDN}/li/logo.png">
<meta property="og:url" content="{url}/"></head><body><p>Charity</p></body></html>"""
    responses.add(responses.GET, url, body=html, content_type="text/html; charset=utf-8")
    found = opengraph.read(social("page", url=url), Api(fetcher()), SINCE, NOW)
    assert (found.account.display_name, found.account.avatar_url, found.account.profile_url) == (
        "Home-Start Testshire", CDN + "/li/logo.png", url + "/")
    assert found.posts == []
