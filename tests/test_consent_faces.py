"""People are looked for in every photograph, with a consent record or not: a record naming fewer
people than the faces shown is a finding too. An analysis cached before the people detector
(which has no `people` fact) is redone although the server answers 304."""
from __future__ import annotations

from consent_support import encode, photo

from auditor import pipeline
from auditor.config import load
from auditor.crawl.cache import Cache

REGISTER_HEAD = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


def _site(tmp_path):
    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    (site / "img" / "family.jpg").write_bytes(encode(photo("astronaut")))
    (site / "index.html").write_text(
        '<html><head><title>Home-Start Testshire</title></head><body><main><h1>Home-Start Testshire</h1>'
        '<figure><img src="/img/family.jpg" alt="A family at our group"></figure></main></body></html>',
        encoding="utf-8")
    (tmp_path / "family-original.jpg").write_bytes(encode(photo("astronaut")))
    return site


def _audit(config_path):
    result = pipeline.run(load(config_path), pipeline.Options(send_email=False))
    return [f for f in result.findings if f.check.startswith("photo.")]


def test_people_are_counted_with_a_record_and_an_old_analysis_is_redone(serve, write_config, tmp_path):
    server = serve(_site(tmp_path))
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_HEAD + "family-original.jpg,the Smith family,C-1,2025-01-01,2025-06-30,all,\n",
                        encoding="utf-8")
    config = write_config(server.url("/"), extra="[consent]\nregister = 'register.csv'\n")

    expired = _audit(config)
    assert [(f.check, f.subject, f.evidence["faces"]) for f in expired] == \
        [("photo.consent_expired", server.url("/img/family.jpg"), 1)]

    # the cached analysis is made to look as it did before people were detected
    cache = Cache(next(tmp_path.rglob("cache.sqlite3")))
    url = server.url("/img/family.jpg")
    old = cache.validators(url)
    for key in ("people", "unclear_faces"):
        del old.data["facts"][key]
    cache.store(url, old.etag, old.last_modified, old.kind, old.data)
    cache.close()

    register.write_text(REGISTER_HEAD, encoding="utf-8")
    image_gets = len([p for p in server.paths("GET") if p == "/img/family.jpg"])
    missing = _audit(config)
    assert [(f.check, f.severity, f.evidence["faces"]) for f in missing] == [("photo.no_consent", "high", 1)]
    # the cached analysis lacked the people fact: the image was fetched again in full to look
    assert len([p for p in server.paths("GET") if p == "/img/family.jpg"]) == image_gets + 2
