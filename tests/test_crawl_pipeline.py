"""The crawl inside a whole audit: `pipeline.run` writes findings for broken links and images."""
from __future__ import annotations

import json

from auditor import pipeline
from auditor.config import load
from crawl_support import page_html, png, write_site


def test_pipeline_reports_broken_links_and_images(serve, write_config, tmp_path):
    server = serve(write_site(tmp_path / "site", {
        "/": page_html("Home", links=("/about/", "/nowhere.html"), images=("/logo.png", "/missing.jpg")),
        "/about/": page_html("About", links=("/",))}, {"/logo.png": png()}))
    config = load(write_config(server.url("/")))
    seen: list[tuple[int, int]] = []
    result = pipeline.run(config, pipeline.Options(send_email=False, progress=lambda d, t: seen.append((d, t))))
    doc = json.loads((config.storage / "runs" / "00001" / "findings.json").read_text(encoding="utf-8"))
    found = {(f["check"], f["subject"]) for f in doc["findings"]}
    assert found == {("link.broken", server.url("/nowhere.html")), ("image.broken", server.url("/missing.jpg"))}
    assert result.status == "complete" and result.counts["pages"] == 2
    assert result.stats["pages"] == 2 and result.stats["requests"] >= 6
    assert seen and seen[-1][0] == seen[-1][1]          # progress ends with everything known done


def test_pipeline_rerun_is_answered_by_304s(serve, write_config, tmp_path):
    sitemap = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a/</loc></url></urlset>'
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=("/a/",), images=("/logo.png",)),
                                                  "/a/": page_html("A")},
                              {"/logo.png": png(), "/robots.txt": b"User-agent: *\nDisallow: /admin/\n",
                               "/sitemap.xml": sitemap}))
    config = load(write_config(server.url("/")))
    pipeline.run(config, pipeline.Options(send_email=False))
    second = pipeline.run(config, pipeline.Options(send_email=False))
    assert second.stats["not_modified"] == second.stats["requests"] == 5
    assert second.counts["pages"] == 2 and second.findings == []
