"""Payloads shaped like the platforms' documented responses, and helpers to mock them with `responses`."""
from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import responses
from PIL import Image

from auditor import imaging
from auditor.config import Social, SOCIAL_DEFAULTS
from auditor.crawl.http import Fetcher

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
LOGOS = Path(__file__).resolve().parent.parent / "reference_assets" / "logos"
MASTODON = "https://mastodon.example"
BSKY = "https://bsky.example"
GRAPH = "https://graph.example/v21.0"
CDN = "https://cdn.example"
DID = "did:plc:homestart123"


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat().replace("+00:00", "Z")


def fb_time(days: float) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def png(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def square_logo(path: Path) -> bytes:
    """A logo centred on a white square, as it is uploaded for a profile picture."""
    logo = imaging.flatten(Image.open(path))
    side = max(logo.size) + 40
    square = Image.new("RGB", (side, side), (255, 255, 255))
    square.paste(logo, ((side - logo.width) // 2, (side - logo.height) // 2))
    out = io.BytesIO()
    square.resize((400, 400)).save(out, "PNG")
    return out.getvalue()


def fetcher() -> Fetcher:
    return Fetcher(user_agent="auditor-test", delay=0, timeout=5, retries=1, stop=threading.Event())


def social(platform: str, lookback_days: int = 120, **options) -> Social:
    return Social(platform=platform, options={**SOCIAL_DEFAULTS.get(platform, {}), **options},
                  lookback_days=lookback_days)


def add_image(url: str, body: bytes | None = None) -> None:
    responses.add(responses.GET, url, body=body or png(), content_type="image/png")


def no_robots(*origins: str) -> None:
    for origin in origins:
        responses.add(responses.GET, origin + "/robots.txt", status=404)


# --- Mastodon: Account, Status and Context entities -------------------------
def mastodon_account(display_name="Home-Start Testshire", acct="homestart", avatar=CDN + "/m/avatar.png"):
    return {"id": "109302", "username": acct, "acct": acct, "display_name": display_name, "locked": False,
            "bot": False, "discoverable": True, "group": False, "created_at": "2022-11-07T00:00:00.000Z",
            "note": "<p>Supporting families</p>", "url": f"{MASTODON}/@{acct}", "uri": f"{MASTODON}/users/{acct}",
            "avatar": avatar, "avatar_static": avatar, "header": CDN + "/m/header.png",
            "header_static": CDN + "/m/header.png", "followers_count": 120, "following_count": 40,
            "statuses_count": 3, "last_status_at": ago(2)[:10], "emojis": [], "fields": []}


def mastodon_status(sid: str, days: float, content: str, *, replies=0, media=(), account=None, reblog=None,
                    visibility="public"):
    account = account or mastodon_account()
    return {"id": sid, "created_at": ago(days), "in_reply_to_id": None, "in_reply_to_account_id": None,
            "sensitive": False, "spoiler_text": "", "visibility": visibility, "language": "en",
            "uri": f"{MASTODON}/users/{account['acct']}/statuses/{sid}",
            "url": f"{MASTODON}/@{account['acct']}/{sid}", "replies_count": replies, "reblogs_count": 0,
            "favourites_count": 0, "edited_at": None, "content": content, "reblog": reblog,
            "application": None, "account": account,
            "media_attachments": [{"id": f"m{sid}{i}", "type": "image", "url": url, "preview_url": url + "?small",
                                   "remote_url": None, "text_url": None, "meta": {}, "description": alt,
                                   "blurhash": "UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$"}
                                  for i, (url, alt) in enumerate(media)],
            "mentions": [], "tags": [], "emojis": [], "card": None, "poll": None}


def mastodon_reply(sid: str, days: float, text: str, acct="parent@other.example"):
    author = {**mastodon_account(display_name="A parent", acct=acct), "id": "555"}
    status = mastodon_status(sid, days, f"<p><span class=\"h-card\">@homestart</span> {text}</p>", account=author)
    status["url"] = f"https://other.example/@parent/{sid}"
    return status


# --- Bluesky: profileViewDetailed, feedViewPost, threadViewPost --------------
def bsky_author(did=DID, handle="homestart.bsky.social", name="Home-Start Testshire"):
    return {"did": did, "handle": handle, "displayName": name, "avatar": f"{CDN}/b/avatar/{did}@jpeg",
            "labels": [], "createdAt": "2023-05-01T00:00:00.000Z"}


def bsky_profile(name="Home-Start Testshire", avatar=True):
    profile = {**bsky_author(name=name), "description": "Supporting families", "banner": CDN + "/b/banner@jpeg",
               "followersCount": 80, "followsCount": 10, "postsCount": 2, "indexedAt": ago(400),
               "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": False}}
    if not avatar:
        profile.pop("avatar")
    return profile


def bsky_post(rkey: str, days: float, text: str, *, author=None, embed=None, replies=0, created=None):
    author = author or bsky_author()
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created or ago(days), "langs": ["en"]}
    view = {"uri": f"at://{author['did']}/app.bsky.feed.post/{rkey}", "cid": f"bafyrei{rkey}", "author": author,
            "record": record, "replyCount": replies, "repostCount": 0, "likeCount": 3, "quoteCount": 0,
            "indexedAt": ago(days), "labels": []}
    if embed:
        view["embed"] = embed
    return view


def bsky_images(*images):
    return {"$type": "app.bsky.embed.images#view",
            "images": [{"thumb": url + "@thumb", "fullsize": url, "alt": alt,
                        "aspectRatio": {"width": 64, "height": 48}} for url, alt in images]}


def bsky_thread(post: dict, replies: list[dict]):
    return {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": post,
                       "replies": [{"$type": "app.bsky.feed.defs#threadViewPost", "post": r, "replies": []}
                                   if "uri" in r and "author" in r else r for r in replies]}}


# --- Graph API: Page, Page posts, IG user, IG media -------------------------
def fb_page(name="Home-Start Testshire", picture=CDN + "/fb/picture.png"):
    return {"name": name, "link": "https://www.facebook.com/homestarttestshire",
            "picture": {"data": {"height": 200, "is_silhouette": False, "url": picture, "width": 200}},
            "id": "1234567890"}


def fb_post(pid: str, days: float, message: str, *, photo=None, comments=()):
    post = {"id": f"1234567890_{pid}", "message": message, "created_time": fb_time(days),
            "permalink_url": f"https://www.facebook.com/homestarttestshire/posts/pfbid{pid}"}
    if photo:
        post["attachments"] = {"data": [{"media_type": "photo", "type": "photo", "description": photo[1],
                                         "media": {"image": {"height": 48, "src": photo[0], "width": 64}},
                                         "target": {"id": pid, "url": "https://www.facebook.com/photo/?fbid=" + pid},
                                         "url": "https://www.facebook.com/photo/?fbid=" + pid}]}
    if comments:
        post["comments"] = {"data": [{"id": f"{pid}_{i}", "message": text, "created_time": fb_time(1),
                                      "permalink_url": f"https://www.facebook.com/homestarttestshire/posts/"
                                                       f"pfbid{pid}?comment_id={i}"}
                                     for i, text in enumerate(comments)],
                            "paging": {"cursors": {"before": "QVFIUa", "after": "QVFIUb"}}}
    return post


def graph_list(items, next_url=None):
    paging = {"cursors": {"before": "QVFIUbefore", "after": "QVFIUafter"}}
    if next_url:
        paging["next"] = next_url
    return {"data": items, "paging": paging}


def ig_user(name="Home-Start Testshire", picture=CDN + "/ig/picture.png"):
    return {"username": "homestarttestshire", "name": name, "profile_picture_url": picture, "id": "17841400000"}


def ig_media(mid: str, days: float, caption: str, *, url=None, comments=(), children=None):
    media = {"id": mid, "caption": caption, "media_type": "CAROUSEL_ALBUM" if children else "IMAGE",
             "permalink": f"https://www.instagram.com/p/C{mid}/", "timestamp": fb_time(days)}
    if url:
        media["media_url"] = url
    if children:
        media["children"] = {"data": [{"id": f"{mid}{i}", "media_type": "IMAGE", "media_url": c}
                                      for i, c in enumerate(children)]}
    if comments:
        media["comments"] = {"data": [{"id": f"1790{mid}{i}", "text": t, "timestamp": fb_time(1)}
                                      for i, t in enumerate(comments)]}
    return media


# --- Feeds ---------------------------------------------------------------
def rss_feed(items: str, title="Home-Start Testshire news", image=CDN + "/rss/logo.png") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>{title}</title>
  <link>https://www.homestart.example/news/</link>
  <description>News from the scheme</description>
  <language>en-gb</language>
  <image><url>{image}</url><title>{title}</title><link>https://www.homestart.example/</link></image>
  {items}
</channel>
</rss>"""


def rss_item(slug: str, days: float, title: str, body: str = "", extra: str = "") -> str:
    when = (NOW - timedelta(days=days)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    return f"""<item><title>{title}</title><link>https://www.homestart.example/news/{slug}/</link>
<guid isPermaLink="true">https://www.homestart.example/news/{slug}/</guid><pubDate>{when}</pubDate>
<description><![CDATA[{body}]]></description>{extra}</item>"""


# --- one account of each kind ------------------------------------------------
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


AVATARS = ("/m/avatar.png", f"/b/avatar/{DID}@jpeg", "/rss/logo.png", "/fb/picture.png", "/ig/picture.png",
           "/li/logo.png")
IDENTITY = f'[identity]\napproved_logos = "{LOGOS / "approved"}"\ndeprecated_logos = "{LOGOS / "deprecated"}"\n'


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
    for path in ("/m/p1.png", "/b/a.png", "/fb/fair.png", "/ig/1.png"):
        add_image(CDN + path)
    logo = square_logo(LOGOS / "approved" / "home-start-bbh-logo.png")
    for path in AVATARS:
        add_image(CDN + path, logo)
