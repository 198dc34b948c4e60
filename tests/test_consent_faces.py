"""Faces are looked for only where the count can change the audit: in photos with no consent record.

A photo with a record is not searched for faces (the slowest analysis); if its record goes, the next
audit analyses it afresh although the server answers 304, so it is reported with its faces.
"""
from __future__ import annotations

from consent_support import encode, photo

from auditor import pipeline
from auditor.config import load

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


def test_faces_are_counted_only_without_a_record_and_again_when_the_record_goes(serve, write_config, tmp_path):
    server = serve(_site(tmp_path))
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_HEAD + "family-original.jpg,the Smith family,C-1,2025-01-01,2025-06-30,all,\n",
                        encoding="utf-8")
    config = write_config(server.url("/"), extra="[consent]\nregister = 'register.csv'\n")

    expired = _audit(config)
    assert [(f.check, f.subject) for f in expired] == [("photo.consent_expired", server.url("/img/family.jpg"))]
    assert "faces" not in expired[0].evidence          # not looked for: the record decides

    register.write_text(REGISTER_HEAD, encoding="utf-8")
    image_gets = len([p for p in server.paths("GET") if p == "/img/family.jpg"])
    missing = _audit(config)
    assert [(f.check, f.severity, f.evidence["faces"]) for f in missing] == [("photo.no_consent", "high", 1)]
    # the cached analysis had no face count: the image was fetched again in full to count them
    assert len([p for p in server.paths("GET") if p == "/img/family.jpg"]) == image_gets + 2
