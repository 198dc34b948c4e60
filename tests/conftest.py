"""Shared fixtures: a real HTTP server on 127.0.0.1 serving fixture sites, free ports, configs."""
from __future__ import annotations

import hashlib
import mimetypes
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
ASSETS = TESTS / "assets"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


# A route handler gets the Request and returns a Response, or takes over the raw
# handler (for trickling bodies, dropping connections…) and returns None.
Route = Callable[[Request, BaseHTTPRequestHandler], "Response | None"]


class SiteServer:
    """Serves `root` (a folder) plus custom `routes`, with ETag/Last-Modified and 304s."""

    def __init__(self, root: Path | None = None, routes: dict[str, Route] | None = None, host: str = "127.0.0.1"):
        self.root = Path(root) if root else None
        self.host = host
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body go out in separate writes

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self, "GET")

            def do_HEAD(self):
                server.handle(self, "HEAD")

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def paths(self, method: str | None = None) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests if method is None or r.method == method]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        req = Request(method, h.path, {k.lower(): v for k, v in h.headers.items()})
        with self.lock:
            self.requests.append(req)
        route = self.routes.get(h.path) or self.routes.get(h.path.split("?")[0])
        try:
            resp = route(req, h) if route else self.static(req)
        except (BrokenPipeError, ConnectionResetError):
            return
        if resp is None:
            return
        try:
            h.send_response(resp.status)
            headers = {"Content-Length": str(len(resp.body)), **resp.headers}
            for key, value in headers.items():
                h.send_header(key, value)
            h.end_headers()
            if method != "HEAD":
                h.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def static(self, req: Request) -> Response:
        if self.root is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        rel = req.path.split("?")[0].lstrip("/")
        target = (self.root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not str(target).startswith(str(self.root.resolve())) or not target.is_file():
            return Response(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
        body = target.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = int(target.stat().st_mtime)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") and "charset" not in ctype:
            ctype += "; charset=utf-8" if not target.name.endswith(".cp1252.html") else ""
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if req.headers.get("if-none-match") == etag or _not_modified_since(req, mtime):
            return Response(304, b"", {"ETag": etag, "Last-Modified": headers["Last-Modified"]})
        return Response(200, body, headers)


def _not_modified_since(req: Request, mtime: int) -> bool:
    since = req.headers.get("if-modified-since")
    if not since or "if-none-match" in req.headers:
        return False
    try:
        return parsedate_to_datetime(since).timestamp() >= mtime
    except (TypeError, ValueError):
        return False


@pytest.fixture
def serve():
    """Factory: serve(root=folder, routes={path: handler}, host=loopback address) -> SiteServer,
    stopped after the test."""
    servers: list[SiteServer] = []

    def start(root: Path | str | None = None, routes: dict[str, Route] | None = None,
              host: str = "127.0.0.1") -> SiteServer:
        server = SiteServer(Path(root) if root else None, routes, host)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def write_config(tmp_path):
    """Factory: write_config(website, extra=..., scheme=..., crawl=...) -> a valid config in tmp_path.

    `scheme` and `crawl` are extra lines for those tables; `extra` holds any other tables.
    """

    def write(website: str, extra: str = "", scheme: str = "", crawl: str = "",
              name: str = "auditor.toml", storage: str = "var") -> Path:
        path = tmp_path / name
        path.write_text(
            f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "{website}"\n{scheme}\n\n'
            f'[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\n{crawl}\n\n'
            f'[storage]\ndirectory = "{storage}"\n\n{extra}\n', encoding="utf-8")
        return path

    return write


def one_page_site(folder: Path, name: str = "Home-Start Testshire") -> Path:
    """A site of one page that names the scheme, in `folder`, to serve."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<html><head><title>{name}</title></head>"
                                       f"<body><h1>{name}</h1></body></html>", encoding="utf-8")
    return folder


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll for a condition that another thread or process brings about."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def pytest_addoption(parser):
    """`--update-golden` rewrites golden files (rendered report, expected findings) for review."""
    try:
        parser.addoption("--update-golden", action="store_true", default=False,
                         help="rewrite golden files instead of comparing against them")
    except ValueError:  # already added by another plugin
        pass

# Tests that take seconds each: real processes, a browser, whole audits, many generated cases.
# `pytest -m "not slow"` leaves them out for a quick run while developing; CI runs everything.
# List a new slow test here (by module and function name) or mark it @pytest.mark.slow.
SLOW = {
    "test_bench.py": {
        "test_cached_site_is_reused_and_rebuilt_when_the_version_changes",
        "test_generation_is_deterministic",
        "test_server_keeps_connections_alive_and_answers_304_over_http",
    },
    "test_bench_realworld.py": {
        "test_findings_are_audited_at_the_given_date_and_scored_per_site_and_code",
        "test_reuse_scores_again_without_auditing_and_bad_files_are_refused",
    },
    "test_checkspeed_golden.py": {
        "test_findings_match_the_golden_file",
    },
    "test_checkspeed_scan.py": {
        "test_addresses_masked_line_by_line_as_in_one_pass",
        "test_contacts_found_line_by_line_as_in_one_pass",
        "test_fold_keeps_positions_and_every_letter_a_case_blind_pattern_takes",
        "test_numeric_dates_are_read_as_dateparser_reads_them",
        "test_patterns_tried_only_where_they_start_find_what_a_full_scan_finds",
    },
    "test_cli.py": {
        "test_python_dash_m_runs_the_cli",
    },
    "test_consent_analysis.py": {
        "test_faces_are_counted_in_a_photo_of_a_person_and_not_in_a_landscape",
        "test_facts_and_hashes_survive_the_json_cache",
        "test_metadata_reports_gps_and_the_fields_that_name_people",
        "test_photo_classifier_accuracy_on_the_labelled_set",
    },
    "test_consent_checks.py": {
        "test_a_photo_of_people_without_consent_is_high",
        "test_bad_register_rows_are_left_out_reported_and_the_rest_still_checked",
        "test_consent_findings_for_pages_and_posts",
        "test_messages_and_evidence_name_the_consent_ref_never_the_people",
        "test_photo_metadata_gps_and_names",
        "test_thumbnails_of_flagged_photos_are_small_and_stripped",
        "test_url_rows_match_their_exact_url_and_copies_of_the_crawled_image",
        "test_without_a_register_one_finding_sums_up_the_photos",
    },
    "test_consent_demo.py": {
        "test_each_planted_consent_case_is_found",
    },
    "test_consent_faces.py": {
        "test_people_are_counted_with_a_record_and_an_old_analysis_is_redone",
    },
    "test_consent_matching.py": {
        "test_two_photos_of_the_same_scene_are_not_confused",
    },
    "test_crawl_pipeline.py": {
        "test_pipeline_reports_broken_links_and_images",
        "test_pipeline_rerun_is_answered_by_304s",
    },
    "test_crawl_render.py": {
        "test_a_script_built_page_is_rendered_again_on_a_re_audit",
        "test_a_site_whose_menu_and_footer_are_loaded_by_script_is_read_whole",
        "test_rendering_asks_only_the_site_within_robots_txt",
        "test_views_of_a_hash_routed_app_are_pages_of_their_own",
    },
    "test_crawl_website.py": {
        "test_decompression_bomb_and_oversized_images_are_recorded_not_decoded",
    },
    "test_demo.py": {
        "test_demo_writes_config_history_and_findings",
    },
    "test_dismissals.py": {
        "test_a_dismissal_comes_back_after_its_date",
        "test_a_dismissal_holds_across_audits_and_comes_back_when_its_page_changes",
        "test_a_problem_reference_dismisses_every_place_and_undismiss_takes_it_back",
        "test_bad_references_and_dates_change_nothing",
    },
    "test_hardening.py": {
        "test_a_50_mb_streamed_page_is_cut_at_the_cap_and_the_audit_ends_normally",
        "test_a_full_disk_is_a_clear_error_and_the_next_run_recovers",
        "test_a_link_farm_without_patterns_stops_at_max_pages",
        "test_a_read_only_storage_folder_is_a_clear_error_and_the_next_run_recovers",
        "test_a_storage_folder_that_cannot_be_made_is_a_clear_error_and_exit_1",
        "test_an_endless_redirect_chain_is_bounded_and_reported_as_a_broken_link",
        "test_hostile_feeds_are_unreadable_or_harmless_never_a_crash",
        "test_malformed_html_is_recorded_never_a_crash",
        "test_redirects_to_addresses_that_are_not_addresses_are_broken_links_in_plain_words",
    },
    "test_hardening_properties.py": {
        "test_config_loader_raises_only_config_error",
        "test_contact_parsing_takes_any_text",
        "test_date_parsing_takes_any_text",
        "test_decode_html_takes_any_bytes",
        "test_extract_takes_any_html",
        "test_social_timestamps_take_any_value",
    },
    "test_history.py": {
        "test_processes_opening_a_new_history_at_once_migrate_it_once",
    },
    "test_identity_calibration.py": {
        "test_on_coloured_backgrounds_only_a_same_mark_look_alike_comes_through",
        "test_variants_match_their_reference_and_different_logos_never_match",
    },
    "test_identity_demo.py": {
        "test_demo_identity_problems_are_found_and_traps_are_quiet",
        "test_whole_demo_run_reports_the_identity_problems",
    },
    "test_memory.py": {
        "test_pages_reach_the_history_in_batches_during_the_crawl",
    },
    "test_ops_cron.py": {
        "test_the_crontab_line_runs_as_the_unprivileged_user_with_root_only_config_and_private_secrets",
    },
    "test_ops_mail.py": {
        "test_a_stopped_audit_saves_its_report_and_the_next_one_mails_it",
    },
    "test_ops_process.py": {
        "test_a_second_signal_stops_at_once_and_the_next_run_recovers",
        "test_schedule_catches_up_at_start_and_stops_on_sigterm",
        "test_sigkill_mid_crawl_then_the_daily_cron_line_catches_up",
        "test_sigterm_mid_crawl_keeps_what_was_collected_and_the_next_run_is_normal",
        "test_two_simultaneous_runs_make_one_audit",
    },
    "test_quality_inline_svg.py": {
        "test_inline_svg_logos_are_matched_like_image_files",
    },
    "test_report_browser.py": {
        "test_report_renders_in_chromium_and_fits",
    },
    "test_report_mail.py": {
        "test_auditor_run_exits_1_on_an_outage_and_the_next_run_delivers_both",
    },
    "test_report_reading.py": {
        "test_every_finding_is_reachable_and_the_words_are_plain",
        "test_the_email_reads_in_order_of_harm_with_one_count",
    },
    "test_rerun_cache.py": {
        "test_a_changed_config_is_not_served_results_made_for_the_old_one",
        "test_a_changed_page_or_image_analysis_is_checked_afresh",
        "test_an_unreadable_cache_file_only_costs_speed",
        "test_results_kept_on_one_day_are_judged_against_the_next_days_date",
        "test_whole_audits_of_the_demo_site_agree_with_a_fresh_audit_after_a_page_changes",
    },
    "test_social_back_catalogue.py": {
        "test_an_account_whose_posts_are_all_older_than_the_lookback_has_its_photos_checked",
    },
    "test_social_pipeline.py": {
        "test_audit_reads_every_kind_of_account",
    },
}


def pytest_collection_modifyitems(config, items):
    modules = {}
    for item in items:
        module = item.path.name
        modules[module] = getattr(item, "module", None)
        if getattr(item, "originalname", item.name) in SLOW.get(module, ()):
            item.add_marker(pytest.mark.slow)
    stale = [f"{name}::{test}" for name, module in modules.items() if module is not None
             for test in sorted(SLOW.get(name, ())) if not hasattr(module, test)]
    if stale:
        raise pytest.UsageError(f"conftest.SLOW names tests that no longer exist: {', '.join(stale)}")
