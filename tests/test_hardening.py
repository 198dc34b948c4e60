"""Hostile and broken input against a real local server, through the whole audit.

Cases covered elsewhere by real-server tests (not repeated here):

| case                                   | test                                                                    |
|----------------------------------------|-------------------------------------------------------------------------|
| decompression-bomb and oversized images | test_crawl_website::test_decompression_bomb_and_oversized_images_are_recorded_not_decoded |
| page over the size cap (declared)      | test_crawl_website::test_oversized_page_is_not_read_and_not_broken       |
| redirect loops                         | test_crawl_website::test_redirects_are_followed_once_and_loops_reported |
| trickling body (total deadline)        | test_crawl_http::test_total_deadline_stops_a_trickling_body            |
| link farm of static pages, calendar trap | test_crawl_website::test_max_pages_bounds_a_link_farm_and_says_so, test_per_pattern_cap_bounds_a_calendar_trap |
| SIGKILL mid-run, next run recovers     | test_ops_process::test_sigkill_mid_crawl_then_the_daily_cron_line_catches_up |
| malformed feed XML                     | test_social_feeds::test_empty_feed_and_malformed_xml                    |

Here: a 50 MB streamed page, an endless redirect chain, trickled headers, a generated link
farm of 100,000 URLs, malformed HTML, hostile feeds and API payloads, and a storage folder
that cannot be written or is full.
"""
from __future__ import annotations

import ast
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import responses

from auditor import pipeline
from auditor.config import load
from auditor.crawl import website
from auditor.crawl.cache import Cache
from auditor.crawl.http import Fetcher
from auditor.history import open_history
from auditor.snapshot import Snapshot
from auditor.social import read_account
from conftest import Response, SiteServer
from crawl_support import page_html, write_site
from ops_support import auditor, finish
from social_support import BSKY, MASTODON, NOW, social
from social_support import fetcher as social_fetcher

ROOT = Path(__file__).resolve().parent.parent


def html(body: str | bytes, status: int = 200, ctype: str = "text/html; charset=utf-8") -> Response:
    return Response(status, body.encode() if isinstance(body, str) else body, {"Content-Type": ctype})


def audit(config_path: Path) -> pipeline.RunResult:
    return pipeline.run(load(config_path), pipeline.Options(send_email=False))


def findings_doc(result: pipeline.RunResult) -> dict:
    return json.loads((result.run_dir / "findings.json").read_text(encoding="utf-8"))


def broken_links(result: pipeline.RunResult) -> dict[str, str]:
    return {f.subject: f.message for f in result.findings if f.check == "link.broken"}


class PrefixRoutes(dict):
    """Routes matched by path prefix, so one handler answers a whole generated tree."""

    def get(self, path, default=None):
        for prefix, route in self.items():
            if path.startswith(prefix):
                return route
        return default


def prefixed(server: SiteServer, routes: dict) -> SiteServer:
    server.routes = PrefixRoutes(routes)
    return server


# --- a 50 MB page -------------------------------------------------------------------
def test_a_50_mb_streamed_page_is_cut_at_the_cap_and_the_audit_completes(serve, write_config):
    sent = [0]

    def huge(req, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")         # no Content-Length: only streaming can tell
        h.end_headers()
        chunk = b"<p>" + b"a" * 65530 + b"</p>"
        try:
            h.wfile.write(b"<html><head><title>Huge</title></head><body>")
            while sent[0] < 50 * 2**20:
                h.wfile.write(chunk)
                sent[0] += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
        return None

    server = serve(routes={"/": lambda req, _h: html(page_html("Home", links=("/huge",))), "/huge": huge})
    result = audit(write_config(server.url("/"), crawl="max_page_mb = 1"))
    assert result.status == "complete" and result.counts["pages"] == 1
    assert sent[0] < 50 * 2**20                       # the rest was never read
    assert server.url("/huge") not in broken_links(result)
    assert any("too large" in e["message"] for e in findings_doc(result)["findings"] if e["check"] == "crawl.error")


# --- an endless redirect chain ---------------------------------------------------------
def test_an_endless_redirect_chain_is_bounded_and_reported_as_a_broken_link(serve, write_config):
    def onwards(req, _h):
        n = int(req.path.rsplit("/", 1)[1])
        return Response(302, b"", {"Location": f"/r/{n + 1}"})

    server = prefixed(serve(), {"/r/": onwards, "/": lambda req, _h: html(page_html("Home", links=("/r/1",)))})
    result = audit(write_config(server.url("/"), crawl="max_redirects = 5"))
    assert result.status == "complete"
    assert broken_links(result) == {server.url("/r/1"): broken_links(result)[server.url("/r/1")]}
    assert "more than 5 redirects" in broken_links(result)[server.url("/r/1")]
    assert len([p for p in server.paths("GET") if p.startswith("/r/")]) <= 2 * 6   # HEAD refused -> GET at most


def test_redirects_to_addresses_that_are_not_addresses_are_broken_links_in_plain_words(serve, write_config):
    targets = {"/v6": "http://[::1", "/empty": "", "/js": "javascript:alert(1)", "/spaces": "http://a b/",
               "/long": "/" + "x" * 60_000}
    routes = {p: (lambda t: lambda req, _h: Response(302, b"", {"Location": t}))(t) for p, t in targets.items()}
    routes["/"] = lambda req, _h: html(page_html("Home", links=tuple(targets)))
    server = serve(routes=routes)
    result = audit(write_config(server.url("/")))
    assert result.status == "complete" and result.failures == []
    broken = broken_links(result)
    assert "not valid" in broken[server.url("/v6")] and "not valid" in broken[server.url("/spaces")]
    assert "unsupported address" in broken[server.url("/js")]
    assert "404" in broken[server.url("/long")] and server.url("/empty") not in broken
    assert not [m for m in broken.values() if "Error" in m or "Exception" in m]     # no exception names


# --- trickling servers: a total deadline per request --------------------------------------
def trickle(head: bytes, per_byte: float, stop: threading.Event):
    """Send `head` then one byte every `per_byte` seconds until the client leaves or the test ends."""
    def route(req, h):
        try:
            h.wfile.write(head)
            h.wfile.flush()
            while not stop.is_set():
                h.wfile.write(b"a")
                h.wfile.flush()
                stop.wait(per_byte)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
        return None
    return route


@pytest.fixture
def stop_trickling():
    stop = threading.Event()
    yield stop
    stop.set()


def test_trickled_headers_and_body_end_by_the_total_deadline(serve, stop_trickling):
    server = serve(routes={
        "/headers": trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: ", 0.05, stop_trickling),
        "/status": trickle(b"HTTP/1.1 ", 0.05, stop_trickling),
        "/body": trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<p>",
                         0.05, stop_trickling)})
    fetcher = Fetcher(user_agent="auditor-test", delay=0, timeout=0.4, deadline=0.5, retries=0)
    try:
        results = {path: fetcher.fetch(server.url(path), robots=False) for path in ("/headers", "/status", "/body")}
        head = fetcher.fetch(server.url("/headers"), method="HEAD", robots=False)
    finally:
        fetcher.close()
    assert results["/headers"].error == results["/status"].error == head.error == "took too long to respond"
    assert results["/headers"].status is None and head.status is None     # half-read headers are not a 200
    assert results["/body"].error == "took too long to download" and results["/body"].truncated


def test_a_trickling_page_in_a_crawl_is_an_error_not_a_hang(serve, write_config, stop_trickling):
    server = serve(routes={"/": lambda req, _h: html(page_html("Home", links=("/slow",))),
                           "/slow": trickle(b"HTTP/1.1 200 OK\r\nX-A: ", 0.05, stop_trickling)})
    config = load(write_config(server.url("/"), crawl="max_pages = 5"))
    fetcher = Fetcher.for_config(config)
    fetcher.deadline = 1.0                            # for_config sets at least timeout + 10 s
    snapshot = Snapshot(website=config.scheme.website, started_at="2026-01-01T00:00:00+00:00")
    cache = Cache(config.storage / "cache.sqlite3")
    try:
        website.collect(config, fetcher, cache, snapshot, stop=threading.Event())
    finally:
        fetcher.close()
        cache.close()
    assert snapshot.links[server.url("/slow")].broken
    assert "too long" in snapshot.links[server.url("/slow")].error


# --- a link farm of 100,000 generated URLs --------------------------------------------------
def farm(req, _h):
    """Any /farm/... page links to 50 new pages, numbered so 100,000 distinct URLs can appear."""
    seed = sum(map(ord, req.path))
    rng = random.Random(seed)
    links = tuple(f"/farm/{rng.randrange(100_000)}/{rng.randrange(1000)}" for _ in range(50))
    return html(page_html(f"Farm {req.path}", links=links + tuple(f"/p{i}/" for i in range(3))))


def test_a_generated_link_farm_is_bounded_and_the_report_says_the_crawl_was_cut_short(serve, write_config):
    server = prefixed(serve(), {
        "/farm/": farm,
        "/p": lambda req, _h: html(page_html(f"Page {req.path}", links=(f"/farm/{len(req.path)}/1",))),
        "/": lambda req, _h: html(page_html("Home", links=("/farm/1/1", "/p0/", "/p1/"))),
    })
    result = audit(write_config(server.url("/"), crawl="max_pages = 40\nmax_per_pattern = 25"))
    fetched = [p for p in server.paths("GET") if p != "/robots.txt"]
    assert len([p for p in fetched if p.startswith("/farm/")]) == 25
    assert len(fetched) <= 40 and result.counts["pages"] <= 40
    assert {"Page /p0/", "Page /p1/", "Page /p2/"} <= {t for t in _titles(result)}
    doc = findings_doc(result)
    assert any("/farm/N/N" in n for n in doc["notes"]), doc["notes"]
    assert any(f["check"] == "crawl.error" and "/farm/N/N" in f["message"] for f in doc["findings"])


def _titles(result: pipeline.RunResult) -> set[str]:
    with open_history(result.config.storage) as history:
        return {r[0] for r in history.db.execute("SELECT title FROM pages WHERE run_id=?", (result.run_id,))}


def test_a_link_farm_without_patterns_stops_at_max_pages(serve, write_config):
    def words(req, _h):
        rng = random.Random(req.path)
        names = ["".join(rng.choice("abcdefghij") for _ in range(8)) for _ in range(50)]
        return html(page_html(f"Words {req.path}", links=tuple(f"/w-{n}" for n in names)))

    server = prefixed(serve(), {"/w-": words, "/": lambda req, _h: html(page_html("Home", links=("/w-start",)))})
    result = audit(write_config(server.url("/"), crawl="max_pages = 30"))
    assert result.counts["pages"] == 30
    assert len([p for p in server.paths("GET") if p.startswith("/w-")]) == 29
    assert result.status == "complete" and any("30 pages" in n for n in result.notes)


# --- malformed HTML ---------------------------------------------------------------------------
MALFORMED = {
    "/unclosed": html("<html><head><title>Unclosed</title><body><div><p>text <b>bold <i>both <a href='/'>home"),
    "/nested": html("<html><title>Nested</title><body>" + "<div>" * 10_000 + "deep" + "</div>" * 10_000),
    "/nul": html(b"<html><title>Nul\x00bytes</title><body><p>a\x00b</p><img src='\x00.png' alt='\x00'></body>"),
    "/utf8": html(b"<html><title>Bad \xff\xfe bytes \xc3</title><body><p>caf\xe9 \xed\xa0\x80</p></body>"),
    "/garbage": html(bytes(random.Random(9).randrange(256) for _ in range(200_000))),
    "/empty": html(b""),
    "/charset": html(b"<title>Odd charset</title><p>x</p>", ctype="text/html; charset=no-such-charset"),
    "/attrs": html('<title>Attrs</title><a href="http://[::1">v6</a><a href="javascript:alert(1)">j</a>'
                   '<a href="http://a\tb c/">ws</a><img src="data:image/png;base64,@@@" alt="d">'
                   '<meta property="og:image" content="http://[bad"><script type="application/ld+json">'
                   '{"@type": ["Event", {"x": 1}], "startDate": 5}</script>'),
}


def test_malformed_html_is_recorded_never_a_crash(serve, write_config):
    routes = {path: (lambda resp: lambda req, _h: resp)(resp) for path, resp in MALFORMED.items()}
    routes["/"] = lambda req, _h: html(page_html("Home", links=tuple(MALFORMED)))
    server = serve(routes=routes)
    result = audit(write_config(server.url("/")))
    assert result.status == "complete" and result.failures == []
    assert set(MALFORMED) <= {p for p in server.paths("GET")}
    titles = _titles(result)
    assert {"Home", "Unclosed", "Nested", "Attrs", "Odd charset"} <= titles
    assert any(t.startswith("Nul") for t in titles) and any(t.startswith("Bad") for t in titles)
    # The one link no browser could follow is the one reported, in plain words.
    assert {u: m.split(": ")[-1] for u, m in broken_links(result).items()} == {"http://ab c/": "the address is not valid."}


# --- hostile feeds and API payloads -------------------------------------------------------------
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>http://x/</link>
<item><title>&lol9;</title><link>http://x/1</link><description>&lol9;</description></item>
</channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Feed</title><link>http://x/</link>
<item><title>&secret;</title><link>http://x/1</link><description>&secret;</description></item>
</channel></rss>"""


def test_hostile_feeds_are_unreadable_or_harmless_never_a_crash(serve):
    feeds = {"/laughs.xml": BILLION_LAUGHS, "/external.xml": EXTERNAL_ENTITY,
             "/deep.xml": b"<rss version='2.0'><channel>" + b"<x>" * 100_000 + b"</channel></rss>",
             "/binary.xml": bytes(random.Random(3).randrange(256) for _ in range(100_000)),
             "/huge.xml": b"<rss version='2.0'><channel><title>" + b"t" * (6 * 2**20) + b"</title></channel></rss>"}
    server = serve(routes={p: (lambda body: lambda req, _h: html(body, ctype="application/rss+xml"))(b)
                           for p, b in feeds.items()})
    fetcher = Fetcher(user_agent="auditor-test", delay=0, timeout=5, retries=0)
    try:
        accounts = {p: read_account(social("rss", feed=server.url(p)), fetcher, NOW.replace(year=2000), NOW).account
                    for p in feeds}
    finally:
        fetcher.close()
    for path, account in accounts.items():
        assert account.error is None or "could not be understood" not in account.error, (path, account.error)
        assert "root:" not in account.display_name
    assert accounts["/huge.xml"].error and "limit" in accounts["/huge.xml"].error
    assert accounts["/binary.xml"].error == "the address does not hold a valid RSS or Atom feed"
    assert len(accounts["/laughs.xml"].display_name) < 10_000


WRONG_TYPES = {"id": [1], "did": {"x": 1}, "url": 5, "avatar": {"a": 1}, "display_name": None, "acct": 7,
               "handle": ["h"], "displayName": 3, "feed": "none", "cursor": {"c": 1}}
HOSTILE = {"too large": b"x" * (6 * 2**20), "deeply nested": b"[" * 100_000 + b"]" * 100_000,
           "cut short": b'{"id": ', "not UTF-8": b"\xff\xfe\x00", "a list": b"[1, 2, 3]", "null": b"null",
           "wrong types": json.dumps(WRONG_TYPES).encode(), "huge id": json.dumps({"id": "1" * 100_000}).encode()}
BAD_STATUSES = [{"id": None, "content": 5, "created_at": "not a date", "url": ["x"], "media_attachments": "none",
                 "replies_count": "many", "account": 3}, "a string", None, [], {"reblog": {"reblog": 1}}]
BAD_FEED = {"feed": [{"post": {"uri": 5, "record": "text", "embed": {"images": 7}, "indexedAt": []}}, None, 1,
                     {"post": None}, {"reply": 3}], "cursor": ["x"]}


def read_hostile(platform: str, first: str, first_body: bytes, then: str, then_body: bytes):
    entry = (social("mastodon", instance=MASTODON, account="homestart") if platform == "mastodon"
             else social("bluesky", handle="homestart.example", api=BSKY))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for origin in (MASTODON, BSKY):
            mock.add(responses.GET, origin + "/robots.txt", status=404)
        mock.add(responses.GET, first, body=first_body, content_type="application/json")
        mock.add(responses.GET, then, body=then_body, content_type="application/json")
        fetcher = social_fetcher()
        try:
            return read_account(entry, fetcher, NOW.replace(year=2000), NOW).account
        finally:
            fetcher.close()


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_hostile_api_payloads_make_an_unreadable_account_never_a_crash(platform):
    if platform == "mastodon":
        first, then = f"{MASTODON}/api/v1/accounts/lookup", f"{MASTODON}/api/v1/accounts/1/statuses"
        good, posts = {"id": "1", "url": f"{MASTODON}/@homestart", "acct": "homestart"}, BAD_STATUSES
    else:
        first, then = f"{BSKY}/xrpc/app.bsky.actor.getProfile", f"{BSKY}/xrpc/app.bsky.feed.getAuthorFeed"
        good, posts = {"did": "did:plc:x", "handle": "homestart.example"}, BAD_FEED
    accounts = {name: read_hostile(platform, first, body, then, json.dumps(posts).encode())
                for name, body in HOSTILE.items()}
    accounts["bad posts"] = read_hostile(platform, first, json.dumps(good).encode(), then, json.dumps(posts).encode())
    for then_name, then_body in HOSTILE.items():
        accounts[f"posts {then_name}"] = read_hostile(platform, first, json.dumps(good).encode(), then, then_body)
    for name, account in accounts.items():
        assert account.platform == platform
        assert not (account.error or "").startswith("its data could not be understood"), (name, account.error)
    assert "limit" in accounts["too large"].error
    for name in ("deeply nested", "cut short", "not UTF-8", "a list", "null", "wrong types"):
        assert accounts[name].error, name


# --- the storage folder unwritable or full ----------------------------------------------------------
def storage_config(tmp_path: Path, website: str, storage: str) -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "{website}"\n\n'
                    f'[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\n\n[storage]\ndirectory = "{storage}"\n',
                    encoding="utf-8")
    return path


def small_site(serve, tmp_path: Path) -> SiteServer:
    pages = {"/": page_html("Home", links=tuple(f"/p{i}.html" for i in range(6)))}
    pages.update({f"/p{i}.html": page_html(f"Page {i}", "Family support. " * 50, links=("/",)) for i in range(6)})
    return serve(write_site(tmp_path / "site", pages))


def assert_one_clear_error(code: int, out: str, err: str) -> None:
    assert code == 1, (out, err)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err


def test_a_storage_folder_that_cannot_be_made_is_a_clear_error_and_exit_1(serve, tmp_path):
    server = small_site(serve, tmp_path)
    (tmp_path / "blocker").write_text("a file where the storage folder's parent should be", encoding="utf-8")
    code, out, err = finish(auditor(storage_config(tmp_path, server.url("/"), "blocker/var"), "run", "--no-email"))
    assert_one_clear_error(code, out, err)
    assert "blocker/var" in err and server.paths() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root; the read-only mount test covers it")
def test_a_storage_folder_without_write_permission_is_a_clear_error_and_exit_1(serve, tmp_path):
    server = small_site(serve, tmp_path)
    (tmp_path / "var").mkdir(mode=0o500)
    try:
        code, out, err = finish(auditor(storage_config(tmp_path, server.url("/"), "var"), "run", "--no-email"))
    finally:
        (tmp_path / "var").chmod(0o700)
    assert_one_clear_error(code, out, err)


# A private mount namespace (`unshare -rm`) gives a real small or read-only filesystem
# without changing the machine; where the kernel or container forbids it, these tests skip.
HISTORY = ("from auditor.history import open_history\n"
           "with open_history('disk/var') as h: print('runs:', [r.status for r in reversed(h.runs())])")


def in_namespace(serve, tmp_path: Path, script: str) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """Run `script` (sh) over a 4 MB filesystem at disk/, where `run NAME` audits once with its
    storage at disk/var and `fill N` leaves N KB free. Returns NAME -> (exit code, output), and
    the statuses of the audits in the history, oldest first."""
    config = storage_config(tmp_path, small_site(serve, tmp_path).url("/"), "disk/var")
    prelude = (f'run() {{ echo "== $1"; "{sys.executable}" -m auditor run --no-email -q --config "{config}" 2>&1; '
               'echo "exit $?"; }\nfill() { avail=$(df -k --output=avail disk | tail -1); '
               'dd if=/dev/zero of=disk/filler bs=1k count=$((avail - $1)) 2>/dev/null; }\n'
               'mount -t tmpfs -o size=4m none disk || exit 99\n')
    (tmp_path / "disk").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("AUDITOR_CONFIG", None)
    script += f'\necho "== history"; "{sys.executable}" -c "{HISTORY}"; echo "exit $?"\n'
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", prelude + script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode == 99 or "unshare:" in proc.stderr:
        pytest.skip(f"no private mounts here: {proc.stderr.strip()[:200]}")
    steps: dict[str, tuple[int, str]] = {}
    for block in proc.stdout.split("== ")[1:]:
        name, _, rest = block.partition("\n")
        body, _, code = rest.rstrip("\n").rpartition("exit ")
        steps[name] = (int(code), body)
    return steps, ast.literal_eval(steps["history"][1].split("runs:", 1)[1].strip())


needs_unshare = pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1)")


@needs_unshare
def test_a_full_disk_is_a_clear_error_and_the_next_run_recovers(serve, tmp_path):
    steps, statuses = in_namespace(serve, tmp_path, "run first\nfill 0\nrun full\nrm disk/filler\n"
                                                    "fill 48\nrun nearly\nrm disk/filler\nrun freed")
    assert steps["first"] == (0, "") and steps["freed"] == (0, "")
    for name in ("full", "nearly"):
        code, output = steps[name]
        assert_one_clear_error(code, "", output)
        assert "space" in output or "full" in output, output
    # An audit the full disk stopped before it could record its end is marked incomplete by the next.
    assert statuses[0] == "complete" and statuses[-1] == "complete" and "running" not in statuses


@needs_unshare
def test_a_read_only_storage_folder_is_a_clear_error_and_the_next_run_recovers(serve, tmp_path):
    steps, statuses = in_namespace(serve, tmp_path, "run first\nmount -o remount,ro disk\nrun read-only\n"
                                                    "mount -o remount,rw disk\nrun again")
    assert steps["first"] == (0, "") and steps["again"] == (0, "")
    assert_one_clear_error(steps["read-only"][0], "", steps["read-only"][1])
    assert "Read-only file system" in steps["read-only"][1]
    assert statuses == ["complete", "complete"]
