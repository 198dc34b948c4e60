"""Reference crawler: a minimal Scrapy spider that follows every same-site link and downloads every
image. Run as `python -m bench.scrapy_spider START_URL SUMMARY_JSON`; it writes the counts it saw.
"""
from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess

SETTINGS = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "HTTPERROR_ALLOW_ALL": True,
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
}


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, start: str, summary: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.netloc = urlsplit(start).netloc
        self.summary = summary
        self.counts = {"pages": 0, "images": 0, "photos": 0, "bytes": 0, "errors": 0}

    def parse(self, response):
        self.counts["bytes"] += len(response.body)
        if response.status >= 400 or not isinstance(response, scrapy.http.TextResponse):
            self.counts["errors"] += 1
            return
        self.counts["pages"] += 1
        for src in response.css("img::attr(src)").getall():
            yield response.follow(src, callback=self.image)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == self.netloc:
                yield scrapy.Request(url, callback=self.parse)

    def image(self, response):
        self.counts["images"] += 1
        self.counts["photos"] += response.url.endswith(".jpg")
        self.counts["bytes"] += len(response.body)

    def closed(self, reason):
        with open(self.summary, "w", encoding="utf-8") as out:
            json.dump(self.counts, out)


def main(argv: list[str]) -> None:
    start, summary = argv
    process = CrawlerProcess(settings=SETTINGS)
    process.crawl(SiteSpider, start=start, summary=summary)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
