"""social.dormant and social.unreachable on hand-made snapshots."""
from __future__ import annotations

from datetime import timedelta

from auditor import config as config_mod
from auditor.checks import Resources
from auditor.checks import social as social_checks
from auditor.snapshot import Account, Post, Snapshot

from social_support import NOW


def run(write_config, accounts, posts=()):
    cfg = config_mod.load(write_config("https://www.homestart.example/", extra="[freshness]\ndormant_after_days = 90\n"))
    snapshot = Snapshot(website="https://www.homestart.example/", started_at="", accounts=list(accounts),
                        posts=list(posts))
    return list(social_checks.check(snapshot, Resources(config=cfg, now=NOW)))


def account(platform="mastodon", days=None, **kw):
    last = (NOW - timedelta(days=days)).isoformat() if days is not None else None
    return Account(platform=platform, profile_url=f"https://{platform}.example/@hs", display_name="Home-Start",
                   last_post_at=last, **kw)


def test_dormant_after_the_configured_days_only(write_config):
    found = run(write_config, [account(days=91), account("bluesky", days=89)])
    assert [(f.check, f.url) for f in found] == [("social.dormant", "https://mastodon.example/@hs")]
    assert "91 days ago" in found[0].message and "the limit is 90" in found[0].message


def test_no_posts_at_all_is_dormant_but_undated_posts_are_not(write_config):
    found = run(write_config, [account("bluesky"), account("rss")], posts=[Post(platform="rss", url="https://r/1")])
    assert [(f.check, f.url) for f in found] == [("social.dormant", "https://bluesky.example/@hs")]


def test_profile_pages_show_no_posts_so_are_never_dormant(write_config):
    assert run(write_config, [account("page")]) == []


def test_unreachable_says_why(write_config):
    found = run(write_config, [account("facebook", error="the server had an internal error (500)", status=500)])
    (finding,) = found
    assert finding.check == "social.unreachable" and finding.evidence["status"] == 500
    assert finding.message == "The Facebook account could not be read: the server had an internal error (500)."
