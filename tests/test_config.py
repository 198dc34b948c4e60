"""Config loading: the example config, defaults, relative paths, and every kind of error."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor import config
from auditor.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = '[scheme]\nname = "Home-Start Testshire"\nwebsite = "https://www.example.org.uk/"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        config.load(write(tmp_path, text))
    return info.value


def test_example_config_loads_with_every_section():
    cfg = config.load(ROOT / "config" / "auditor.toml")
    assert cfg.scheme.name == "Home-Start Barnet, Brent and Harrow"
    assert cfg.scheme.accepted_names == ("Home-Start BBH",)
    # what needs the scheme's own files, accounts or mail server is there, commented out
    assert cfg.identity.approved_logos is None and cfg.consent.register is None
    assert cfg.report.smtp is None and cfg.social == ()
    assert cfg.storage == (ROOT / "config" / "var").resolve()
    assert cfg.schedule.cron == "0 7 1 1,4,7,10 *"


def test_the_example_configs_commented_parts_load_once_uncommented(tmp_path):
    text = (ROOT / "config" / "auditor.toml").read_text()
    for block in ("[report.smtp]", "[[social]]\n# platform = \"mastodon\""):
        start = text.index("# " + block.split("\n")[0])
        end = text.index("\n#\n", start) if "social" in block else text.index("\n\n", start)
        lines = text[start:end].splitlines()
        text = text[:start] + "\n".join(line[2:] for line in lines) + text[end:]
    cfg = config.load(write(tmp_path, text))
    assert cfg.report.smtp is not None and cfg.report.smtp.security == "starttls"
    assert cfg.social[0].platform == "mastodon"


def test_defaults_fill_a_minimal_config(tmp_path):
    cfg = config.load(write(tmp_path, MINIMAL))
    assert cfg.crawl.max_pages == 1000 and cfg.crawl.delay_seconds == 0.5
    assert cfg.crawl.check_external_links is True
    assert cfg.freshness.stale_after_days == 365 and cfg.freshness.dormant_after_days == 90
    assert cfg.report.smtp is None
    assert cfg.schedule.timezone == "Europe/London"
    assert cfg.storage == (tmp_path / "../var").resolve()
    assert cfg.social == ()
    assert cfg.site_host == "www.example.org.uk"


def test_relative_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    (tmp_path / "logos").mkdir()
    (tmp_path / "register.csv").write_text("photo,subjects,consent_ref,given,expires,channels,withdrawn\n")
    path = write(tmp_path, MINIMAL + '[identity]\napproved_logos = "logos"\n[consent]\nregister = "register.csv"\n'
                                     '[storage]\ndirectory = "state"\n')
    monkeypatch.chdir(ROOT)
    cfg = config.load(path)
    assert cfg.identity.approved_logos == tmp_path.resolve() / "logos"
    assert cfg.consent.register == tmp_path.resolve() / "register.csv"
    assert cfg.storage == tmp_path.resolve() / "state"


def test_social_defaults_and_platform_keys(tmp_path):
    cfg = config.load(write(tmp_path, MINIMAL + '[[social]]\nplatform = "bluesky"\nhandle = "x.bsky.social"\n'
                                                '[[social]]\nplatform = "rss"\nfeed = "http://127.0.0.1:9/feed.xml"\n'
                                                'lookback_days = 30\n'))
    assert cfg.social[0].get("api") == "https://public.api.bsky.app"
    assert cfg.social[1].lookback_days == 30


@pytest.mark.parametrize("text, key, problem", [
    ("", "scheme", "missing section"),
    ('[scheme]\nname = "X"\n', "scheme.website", "is required"),
    (MINIMAL.replace("https://www.example.org.uk/", "www.example.org.uk"), "scheme.website", "http(s) URL"),
    (MINIMAL.replace("https://www.example.org.uk/", "ftp://example.org.uk/"), "scheme.website", "http(s) URL"),
    (MINIMAL + 'extra_pages = ["not a url"]\n', "scheme.extra_pages[0]", "http(s) URL"),
    (MINIMAL + 'accepted_names = "Home-Start BBH"\n', "scheme.accepted_names", "list of strings"),
    (MINIMAL + "colour = 1\n", "scheme.colour", "unknown key"),
    (MINIMAL + "[crawler]\nmax_pages = 5\n", "crawler", "unknown section"),
    (MINIMAL + '[crawl]\nmax_pages = "many"\n', "crawl.max_pages", "must be an integer"),
    (MINIMAL + "[crawl]\nmax_pages = 0\n", "crawl.max_pages", "between 1 and"),
    (MINIMAL + "[crawl]\ndelay_seconds = -1\n", "crawl.delay_seconds", "between 0 and"),
    (MINIMAL + '[crawl]\ncheck_external_links = "yes"\n', "crawl.check_external_links", "true or false"),
    (MINIMAL + "[crawl]\ntimeout_seconds = true\n", "crawl.timeout_seconds", "must be a number"),
    (MINIMAL + '[identity]\napproved_logos = "no-such-folder"\n', "identity.approved_logos", "not found"),
    (MINIMAL + '[consent]\nregister = "missing.csv"\n', "consent.register", "not found"),
    (MINIMAL + '[report]\nrecipients = ["ceo"]\n', "report.recipients", "not one plain e-mail address"),
    (MINIMAL + '[report.smtp]\nport = 25\n', "report.smtp.host", "is required"),
    (MINIMAL + '[report.smtp]\nhost = "x"\nsecurity = "tls"\n', "report.smtp.security", "none, starttls, ssl"),
    (MINIMAL + '[report.smtp]\nhost = "x"\nport = 70000\n', "report.smtp.port", "between 1 and 65535"),
    (MINIMAL + '[report.smtp]\nhost = "x"\npassword = "secret"\n', "report.smtp.password", "unknown key"),
    (MINIMAL + '[schedule]\ncron = "every quarter"\n', "schedule.cron", "crontab"),
    (MINIMAL + '[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone", "unknown time zone"),
    (MINIMAL + '[[social]]\nplatform = "myspace"\n', "social[0].platform", "must be one of"),
    (MINIMAL + '[[social]]\nplatform = "mastodon"\naccount = "x"\n', "social[0].instance", "required for platform"),
    (MINIMAL + '[[social]]\nplatform = "rss"\nfeed = "feed.xml"\n', "social[0].feed", "http(s) URL"),
    (MINIMAL + '[[social]]\nplatform = "rss"\nfeed = "http://x/f"\ntoken = "t"\n', "social[0].token", "unknown key"),
    (MINIMAL + '[storage]\ndirectory = 5\n', "storage.directory", "path string"),
    (MINIMAL + "[checks]\nignore = [1]\n", "checks.ignore[0]", "non-empty string"),
    ("[scheme\n", "", "not valid TOML"),
])
def test_errors_name_the_file_the_key_and_the_problem(tmp_path, text, key, problem):
    err = error_for(tmp_path, text)
    assert err.path == str(tmp_path / "auditor.toml")
    assert err.key == key
    assert problem in err.problem
    assert str(err).startswith(f"{tmp_path / 'auditor.toml'}: ")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        config.load(tmp_path / "nope.toml")


def test_config_path_from_argument_environment_or_default(monkeypatch):
    monkeypatch.delenv("AUDITOR_CONFIG", raising=False)
    assert config.resolve_path(None) == Path("config/auditor.toml")
    monkeypatch.setenv("AUDITOR_CONFIG", "/etc/auditor/scheme.toml")
    assert config.resolve_path(None) == Path("/etc/auditor/scheme.toml")
    assert config.resolve_path("mine.toml") == Path("mine.toml")
