"""Logging levels for stderr and the log file in the storage folder."""
from __future__ import annotations

import logging

import pytest

from auditor import logs


@pytest.fixture(autouse=True)
def restore_root_logging():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved


@pytest.mark.parametrize("verbose, quiet, printed, hidden", [
    (0, True, ["ERROR"], ["WARNING", "INFO"]),
    (0, False, ["ERROR", "WARNING"], ["INFO"]),
    (1, False, ["WARNING", "INFO"], ["DEBUG"]),
    (2, False, ["INFO", "DEBUG"], []),
])
def test_stderr_shows_what_the_flags_ask_for(capsys, tmp_path, verbose, quiet, printed, hidden):
    logs.setup(verbose, quiet)
    logs.add_file(tmp_path, verbose)
    log = logging.getLogger("auditor.example")
    for level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        log.log(getattr(logging, level), "a %s line", level.lower())
    err = capsys.readouterr().err
    assert all(f"{level} auditor.example: a {level.lower()} line" in err for level in printed)
    assert not any(f"{level} auditor" in err for level in hidden)
    text = (tmp_path / "auditor.log").read_text()
    assert "INFO auditor.example: a info line" in text and "ERROR auditor.example" in text
    assert ("a debug line" in text) == (verbose >= 2)


def test_the_log_file_is_added_once_and_rotates(tmp_path):
    logs.setup()
    logs.add_file(tmp_path / "store")
    logs.add_file(tmp_path / "store")
    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    assert len(files) == 1
    log = logging.getLogger("auditor.example")
    for _ in range(logs.MAX_BYTES // 500 + 50):
        log.info("x" * 500)
    assert (tmp_path / "store" / "auditor.log.1").exists()
