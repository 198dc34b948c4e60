"""An API token goes only to the server it was configured for, whatever redirects or paging say."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from auditor import social
from auditor.crawl.http import for_redirect

from conftest import Response
from social_support import fb_page, fetcher, graph_list, social as account

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
TOKEN = "EAAG-secret-token-123"


def _json(data) -> Response:
    return Response(200, json.dumps(data).encode(), {"Content-Type": "application/json"})


def test_a_cross_host_redirect_from_the_graph_api_never_carries_the_token(serve, monkeypatch):
    monkeypatch.setenv("TEST_FB_TOKEN", TOKEN)
    other = serve(routes={
        "/v21.0/1234567890": lambda req, h: _json(fb_page()),
        "/v21.0/1234567890/posts": lambda req, h: _json(graph_list([])),
    })
    elsewhere = other.url("/").replace("127.0.0.1", "localhost")
    api = serve(routes={
        "/v21.0/1234567890": lambda req, h: Response(302, b"", {"Location": elsewhere + "v21.0/1234567890"}),
        "/v21.0/1234567890/posts": lambda req, h: Response(302, b"", {"Location": elsewhere + "v21.0/1234567890/posts"}),
    })
    entry = account("facebook", id="1234567890", token_env="TEST_FB_TOKEN", api=api.url("/v21.0"))
    collected = social.read_account(entry, fetcher(), NOW - timedelta(days=120), NOW)
    assert collected.account.error is None          # the redirect was followed, without the token
    assert other.requests and all("authorization" not in r.headers for r in other.requests)
    assert all(TOKEN not in r.path for r in other.requests)
    assert any(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in api.requests)


def test_the_same_server_keeps_the_header_and_another_port_or_a_downgrade_does_not():
    headers = {"Authorization": "Bearer x", "Accept": "application/json", "Cookie": "a=b"}
    assert for_redirect(headers, "https://graph.example/a", "https://graph.example/b") == headers
    assert for_redirect(headers, "http://graph.example/a", "https://graph.example/b") == headers
    for target in ("https://evil.example/b", "https://graph.example:8443/b", "http://graph.example/b",
                   "https://graph.example.evil.example/b"):
        assert for_redirect(headers, "https://graph.example/a", target) == {"Accept": "application/json"}

