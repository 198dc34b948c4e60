"""social.name and social.avatar through the identity matchers, on real reference logos."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from auditor import config as config_mod
from auditor import imaging
from auditor.checks import Resources
from auditor.checks import social_identity
from auditor.snapshot import Account, Snapshot

from social_support import CDN, IDENTITY, LOGOS, NOW, square_logo


def photo() -> bytes:
    rng = np.random.default_rng(7)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (300, 300, 3), dtype=np.uint8)).save(out, "JPEG")
    return out.getvalue()


def run(write_config, accounts, images):
    cfg = config_mod.load(write_config("https://www.homestart.example/", extra=IDENTITY,
                                       scheme='accepted_names = ["Home-Start T"]'))
    snapshot = Snapshot(website=cfg.scheme.website, started_at="", accounts=accounts,
                        images={url: imaging.analyse(url, data, "image/png") for url, data in images.items()})
    return list(social_identity.check(snapshot, Resources(config=cfg, now=NOW)))


def account(platform, name="Home-Start Testshire", avatar=None, **kw):
    return Account(platform=platform, profile_url=f"https://{platform}.example/@hs", display_name=name,
                   avatar_url=avatar, **kw)


def test_healthy_accounts_are_quiet(write_config):
    good = square_logo(LOGOS / "approved" / "home-start-bbh-logo.png")
    found = run(write_config, [account("mastodon", avatar=CDN + "/good.png"),
                               account("rss", name="News from Home-Start Testshire"),
                               account("bluesky", name="Home-Start T", avatar=CDN + "/good.png")],
                {CDN + "/good.png": good})
    assert found == []


def test_wrong_name_and_no_name(write_config):
    found = run(write_config, [account("facebook", name="Barnet Family Support", avatar=None),
                               account("instagram", name="")], {})
    names = [f for f in found if f.check == "social.name"]
    assert [f.url for f in names] == ["https://facebook.example/@hs", "https://instagram.example/@hs"]
    assert "\u201cBarnet Family Support\u201d" in names[0].message and "shows no name" in names[1].message


def test_deprecated_unrecognised_and_missing_avatars(write_config):
    old = square_logo(LOGOS / "deprecated" / "home-start-bbh-logo-2012.jpg")
    found = run(write_config, [account("mastodon", avatar=CDN + "/old.png"),
                               account("bluesky", avatar=CDN + "/photo.jpg"),
                               account("facebook", avatar=None),
                               account("mastodon", avatar="https://m.example/avatars/original/missing.png"),
                               account("rss", avatar=None), account("page", error="down"),
                               account("page", avatar=CDN + "/photo.jpg"), account("rss", avatar=CDN + "/old.png")],
                {CDN + "/old.png": old, CDN + "/photo.jpg": photo()})
    avatars = [(f.url, f.severity, f.subject) for f in found if f.check == "social.avatar"]
    assert avatars == [("https://mastodon.example/@hs", "high", CDN + "/old.png"),
                       ("https://bluesky.example/@hs", "medium", CDN + "/photo.jpg"),
                       ("https://facebook.example/@hs", "low", None),
                       ("https://mastodon.example/@hs", "low", None),
                       ("https://rss.example/@hs", "high", CDN + "/old.png")]
    assert all(f.check == "social.avatar" for f in found)
