"""Any other public profile page, read through its OpenGraph tags (name, picture, address).

Such pages give no posts, so they are checked for name and avatar only.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..crawl.extract import decode_html, extract
from ..snapshot import Account, Page
from ..settings import URL, Key
from .common import Api, Collected, SourceError, join

if TYPE_CHECKING:
    from ..config import Social

# The [[social]] keys this reader takes: config.py reads them with these types and defaults.
PLATFORMS = {"page": {
    "url": Key(URL, help="any public profile page"),
}}

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


def read(entry: Social, api: Api, since: datetime, now: datetime) -> Collected:
    url = entry.get("url")
    result = api.get(url, robots=True, accept=ACCEPT)
    if "html" not in result.content_type and not result.body.lstrip()[:1] == b"<":
        raise SourceError("the address does not hold a web page")
    page = extract(Page(url=url, final_url=result.final_url or url), decode_html(result.body, result.charset))
    base = page.final_url or url
    name = page.meta.get("og:title") or page.meta.get("og:site_name") or page.title
    picture = page.meta.get("og:image:secure_url") or page.meta.get("og:image")
    profile = page.meta.get("og:url")
    account = Account(platform="page", display_name=" ".join((name or "").split()),
                      profile_url=(join(base, profile) if profile else "") or base,
                      avatar_url=(join(base, picture) if picture else "") or None)
    return Collected(account)
