"""Property-based tests: random input to the parsers of untrusted text never makes them raise.

HTML (decode and extract), feeds, dates, phone numbers and e-mail addresses, social API
timestamps, and the config loader (which may raise only ConfigError).
"""
from __future__ import annotations

import json
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from auditor.config import SCHEMA, ConfigError, Social, load
from auditor.crawl.extract import decode_html, extract, normalise_url
from auditor.crawl.http import FetchResult
from auditor.social import rss
from auditor.social.common import Api, SourceError, parse_time
from auditor.snapshot import Page
from auditor.text import contacts, dates

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

# --- HTML ------------------------------------------------------------------------
TAGS = ["html", "head", "body", "title", "main", "nav", "header", "footer", "aside", "div", "p", "a", "img",
        "h1", "h2", "h3", "figure", "figcaption", "picture", "source", "meta", "link", "base", "script",
        "style", "table", "td", "time", "svg", "template", "noscript", "iframe", "!--", "?xml", "!doctype"]
ATTRS = ["href", "src", "srcset", "alt", "title", "content", "property", "name", "rel", "charset", "lang",
         "datetime", "role", "class", "id", "style", "type", "sizes", "width", "height", "itemprop"]
VALUES = st.one_of(st.text(max_size=30), st.sampled_from([
    "http://[::1", "//", "javascript:alert(1)", "data:image/png;base64,@@", "../../..", "#", "?a=1&b", "\x00",
    "http://a\tb c/", "mailto:x@y", "https://ex ample.org/\u00e9", "1x, 2x", "application/ld+json", "og:image",
    "{\"@type\": \"Event\", \"startDate\": [1]}", "2026-13-45", "\ufeff", "%zz", "http://\u2603.example/"]))


@st.composite
def html_ish(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            attrs = " ".join(f'{draw(st.sampled_from(ATTRS))}="{draw(VALUES)}"'
                             for _ in range(draw(st.integers(0, 3))))
            parts.append(f"<{tag} {attrs}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(st.text(max_size=40)))
        else:
            parts.append(draw(VALUES))
    return "".join(parts)


@SETTINGS
@given(body=st.binary(max_size=2000), charset=st.one_of(st.none(), st.text(max_size=20),
                                                        st.sampled_from(["utf-8", "utf-16", "latin1", "cp1252"])))
def test_decode_html_takes_any_bytes(body, charset):
    assert isinstance(decode_html(body, charset), str)


@SETTINGS
@given(text=st.one_of(html_ish(), st.text(max_size=500)), url=st.sampled_from(
    ["https://example.org/", "https://example.org/a/b?c=1", "http://127.0.0.1:8080/x/"]))
def test_extract_takes_any_html(text, url):
    page = extract(Page(url=url), text)
    assert isinstance(page.title, str) and isinstance(page.text, str)
    assert all(isinstance(link.url, str) for link in page.links)


@SETTINGS
@given(body=st.binary(max_size=2000))
def test_extract_takes_any_decoded_bytes(body):
    extract(Page(url="https://example.org/"), decode_html(body, None))


@SETTINGS
@given(href=st.one_of(VALUES, st.text(max_size=60)), base=st.one_of(st.none(), VALUES, st.just("https://e.org/a/")))
def test_normalise_url_takes_any_text(href, base):
    out = normalise_url(href, base)
    assert out is None or out.startswith(("http://", "https://"))


URL_PIECES = st.sampled_from(["/", "//", "/a", "b", "..", ".", "?q=1", "#f", "http:", "https://", "HTTP://",
                              "h.org", ":8080", "@", "%20", " ", "\t", "[", "]", "mailto:", "é"])
BASES = st.sampled_from(["https://e.org/a/b.html", "http://E.org:80/a/?x=1", "https://u:p@e.org:8443/",
                         "http://e.org?q", "http://e.org#top", "HTTPS://e.org/x/", "https://[::1]:8000/p/",
                         "ftp://e.org/", "e.org/a", "", "http://", "https://e.org/a b/"])


@SETTINGS
@given(href=st.lists(URL_PIECES, max_size=6).map("".join), base=BASES)
@example(href="/\t/", base="https://e.org/a/b.html")      # a tab the URL parser drops makes "//"
def test_shared_answers_for_repeated_links_equal_the_full_computation(href, base):
    from auditor.crawl.extract import _normalise
    assert normalise_url(href, base) == _normalise(href.strip(), base)


# --- feeds ---------------------------------------------------------------------------
class BytesApi(Api):
    """The real Api, answering with fixed bytes instead of the network."""

    def __init__(self, body: bytes):
        super().__init__(fetcher=None)
        self.body = body

    def get(self, url, params=None, **_kwargs) -> FetchResult:
        from requests.structures import CaseInsensitiveDict
        return FetchResult(url=url, final_url=url, status=200, body=self.body,
                           headers=CaseInsensitiveDict({"content-type": "application/rss+xml"}))


FEED_TAGS = ["rss", "channel", "item", "entry", "feed", "title", "link", "description", "summary", "content",
             "pubDate", "published", "updated", "enclosure", "media:content", "media:thumbnail", "image", "url",
             "guid", "id", "logo", "icon"]


@st.composite
def feed_ish(draw) -> bytes:
    root = draw(st.sampled_from(['<rss version="2.0">', '<feed xmlns="http://www.w3.org/2005/Atom">', "<rdf:RDF>", ""]))
    parts = ['<?xml version="1.0"?>', root]
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(st.sampled_from(FEED_TAGS))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            parts.append(f'<{tag} href="{draw(VALUES)}" url="{draw(VALUES)}" type="image/png">')
        elif choice == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(st.one_of(VALUES, st.text(max_size=40), st.sampled_from(
                ["Tue, 24 Nov 2026 09:00:00 GMT", "2026-11-24T09:00:00Z", "9999-99-99", "<![CDATA[<img src=x>]]>",
                 "&amp;", "&nosuch;", "&#0;", "&#xD800;"]))))
    return "".join(parts).encode("utf-8", errors="replace")


@SETTINGS
@given(body=st.one_of(feed_ish(), st.binary(max_size=1000)))
def test_feed_reading_takes_any_bytes(body):
    entry = Social(platform="rss", options={"feed": "https://example.org/feed.xml"}, lookback_days=90)
    try:
        collected = rss.read(entry, BytesApi(body), datetime(2000, 1, 1, tzinfo=timezone.utc), NOW)
    except SourceError:
        return
    assert all(p.url.startswith(("http://", "https://")) for p in collected.posts)


# --- dates, phones, e-mail addresses, timestamps -----------------------------------------
DATEISH = st.one_of(st.text(max_size=80), st.from_regex(
    r"(©|\(c\)|Copyright)? ?(\d{1,4}(st|nd|rd|th)? ?(Jan|February|Sept|Dec|Mon|Tuesday)?[ /.-]?){1,4}"
    r"( ?[-–to]+ ?\d{1,4})?( at \d{1,2}(:\d\d)? ?(am|pm)?)?", fullmatch=True))


@SETTINGS
@given(text=DATEISH)
def test_date_parsing_takes_any_text(text):
    for found in (dates.find_dates(text, TODAY), dates.find_event_dates(text, TODAY)):
        assert all(isinstance(m.date, date) for m in found)
    dates.leading_date(text, TODAY)
    dates.parse_text_date(text, TODAY)
    dates.parse_iso(text)
    dates.parse_moment(text)
    assert all(isinstance(n.year, int) for n in dates.find_copyright_notices(text))


@SETTINGS
@given(value=st.one_of(st.text(max_size=40), st.integers(), st.none(), st.floats(), st.lists(st.integers()),
                       st.from_regex(r"[+-]?\d{1,6}-\d{1,2}-\d{1,2}T\d{1,2}:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)?",
                                     fullmatch=True)))
def test_social_timestamps_take_any_value(value):
    when = parse_time(value, NOW)
    assert when is None or (when.tzinfo is not None and when <= NOW)


PHONEISH = st.one_of(st.text(max_size=80), st.from_regex(
    r"(Tel|Call|Phone|Mobile)?:? ?(\+|00)?[\d ()\-.]{0,25}( ?(ext|x)\.? ?\d{1,5})?", fullmatch=True),
    st.from_regex(r"[\w.+-]{0,20}(@| at |\[at\]|&#64;)[\w-]{0,20}(\.| dot |\[dot\])[a-z]{0,6}", fullmatch=True))


@SETTINGS
@given(text=PHONEISH, allowed=st.lists(st.one_of(PHONEISH, st.sampled_from(["*.example.org", "0208 123 4567"])),
                                       max_size=3))
def test_contact_parsing_takes_any_text(text, allowed):
    for found in (contacts.find_contacts(text, "example.org", allowed), contacts.find_emails(text),
                  contacts.find_phones(text)):
        assert all(isinstance(c.value, str) for c in found)
    value = contacts.phone_value(text)
    assert value is None or value.startswith("+")


# --- the config loader ---------------------------------------------------------------
def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value).replace("inf", "inf").replace("nan", "nan")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


SCALARS = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(), st.text(max_size=20),
                    st.sampled_from(["https://example.org/", "ftp://x", "", "../var", "Europe/London", "rss",
                                     "mastodon", "0 7 1 1,4,7,10 *", "61 25 * * *", "Mars/Olympus"]))
VALUES_TOML = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=6)
SECTIONS = sorted(SCHEMA) + ["social", "unknown"]


@st.composite
def config_ish(draw) -> str:
    lines = []
    for section in draw(st.lists(st.sampled_from(SECTIONS), max_size=6, unique=True)):
        keys = sorted(SCHEMA.get(section, {})) + ["platform", "feed", "instance", "account", "lookback_days", "x"]
        header = "[[social]]" if section == "social" else (f"[report.{section}]" if section == "smtp" else f"[{section}]")
        lines.append(header)
        for key in draw(st.lists(st.sampled_from(keys), max_size=6, unique=True)):
            lines.append(f"{key} = {toml_value(draw(VALUES_TOML))}")
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):                         # and sometimes a random edit on top
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=5)) + text[at:]
    return text


@SETTINGS
@given(text=st.one_of(config_ish(), st.text(max_size=200)))
def test_config_loader_raises_only_config_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "auditor.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load(path)
        except ConfigError as exc:
            assert str(exc)
