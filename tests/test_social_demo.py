"""The demo's news feed: read as a social account, dormant by design, its photo fetched for the photo checks."""
from __future__ import annotations

import threading

from auditor import config as config_mod
from auditor import social
from auditor.checks import Resources, Runner
from auditor.crawl.http import Fetcher
from auditor.demo import DemoSites, write_config
from auditor.snapshot import Snapshot


def test_demo_feed_is_collected_and_planted_dormancy_found(tmp_path):
    with DemoSites() as sites:
        cfg = config_mod.load(write_config(tmp_path, sites.site.url, sites.partner.url))
        snapshot = Snapshot(website=cfg.scheme.website, started_at="")
        social.collect(cfg, Fetcher.for_config(cfg), snapshot, previous_run_at=None, stop=threading.Event())
    (account,) = [a for a in snapshot.accounts if a.platform == "rss"]
    snapshot.accounts = [account]
    snapshot.posts = [p for p in snapshot.posts if p.platform == "rss"]
    assert account.error is None and account.display_name == "Home-Start Barnet, Brent and Harrow news"
    assert [p.url.rsplit("/", 1)[-1] for p in snapshot.posts] == ["news.html#coffee-morning",
                                                                  "volunteer.html#training"]
    photo = sites.site.url + "/images/coffee-morning.jpg"
    assert snapshot.posts[0].images[0].src == photo and snapshot.images[photo].ok
    runner = Runner(Resources(config=cfg), only=("social", "social_identity", "complaints"))
    runner.site(snapshot)
    assert runner.failures == []
    assert [(f.check, f.url) for f in runner.findings] == [("social.dormant", sites.site.url + "/news.html")]
