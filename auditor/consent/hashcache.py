"""A cache of register photos' hashes, so an unchanged register is not re-hashed every run.

Entries are keyed by the photo's absolute path, size and modification time: an edited or
replaced photo misses and is hashed again. The file lives in a folder the caller chooses (the
storage folder), because the register's own folder may be read-only; with none, nothing is cached.
Only photos looked up in this load are kept, so the file never outgrows the register.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from .hashing import HashSet

log = logging.getLogger(__name__)

FILE_NAME = "consent-hashes.json"
VERSION = 1     # bump when the hashing changes, so old entries are ignored


class HashCache:
    """(reference, candidate) hash sets of register photos, loaded and saved as one JSON file."""

    def __init__(self, folder: Path | None):
        self.path = Path(folder) / FILE_NAME if folder is not None else None
        self.old = self._read()
        self.new: dict[str, list] = {}

    def _read(self) -> dict[str, list]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data["photos"] if data.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            log.warning("ignoring an unreadable consent hash cache %s", self.path)
            return {}

    @staticmethod
    def key(file: Path, stat: os.stat_result) -> str:
        return f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"

    def get(self, key: str) -> tuple[HashSet, HashSet] | None:
        entry = self.old.get(key)
        if not (isinstance(entry, list) and len(entry) == 4):
            return None
        try:
            found = HashSet.from_hex(*entry[:2]), HashSet.from_hex(*entry[2:])
        except (ValueError, TypeError):
            return None
        self.new[key] = entry
        return found

    def put(self, key: str, reference: HashSet, candidate: HashSet) -> None:
        self.new[key] = [*reference.to_hex(), *candidate.to_hex()]

    def save(self) -> None:
        """Write the entries used in this load, atomically; a failure only costs speed next time."""
        if self.path is None or self.new == self.old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".consent-hashes-")
        except OSError as exc:
            log.warning("could not save the consent hash cache %s (%s)", self.path, exc)
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"version": VERSION, "photos": self.new}, out)
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            log.warning("could not save the consent hash cache %s (%s)", self.path, exc)
