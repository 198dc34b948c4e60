"""The pages of one audit, kept on disk so that memory stays flat however large the site.

A `PageStore` stands in for the list in `Snapshot.pages`: checks iterate it as often as they
like (`for page in snapshot.pages`), `len()` and indexing work, and each page comes back from
a temporary file in the storage folder. The file is anonymous: the operating system removes it
when the store is closed or the process ends, however it ends. Pages are pickled (the file is
this process's own, never read by anything else) and compressed, about 10 KB a page.
"""
from __future__ import annotations

import os
import pickle
import struct
import tempfile
from array import array
from pathlib import Path
from typing import Iterator

from .compression import compress, decompress
from .snapshot import Page

HEADER = struct.Struct("<I")


class PageStore:
    def __init__(self, folder: Path | str | None = None):
        if folder is not None:
            Path(folder).mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(prefix="auditor-pages-", dir=folder)
        self._offsets = array("q")      # where each page starts in the file
        self._end = 0

    def append(self, page: Page) -> None:
        blob = compress(pickle.dumps(page, pickle.HIGHEST_PROTOCOL))
        record = HEADER.pack(len(blob)) + blob
        if os.pwrite(self._file.fileno(), record, self._end) != len(record):
            raise OSError("the storage folder's disk is full: could not keep a page")
        self._offsets.append(self._end)
        self._end += HEADER.size + len(blob)

    def __len__(self) -> int:
        return len(self._offsets)

    def __bool__(self) -> bool:
        return len(self._offsets) > 0

    def __iter__(self) -> Iterator[Page]:
        # Reads by offset, so several iterations may be under way at once.
        for i in range(len(self._offsets)):
            yield self._read(self._offsets[i])

    def __getitem__(self, index: int) -> Page:
        return self._read(self._offsets[index])

    def _read(self, offset: int) -> Page:
        fd = self._file.fileno()
        (size,) = HEADER.unpack(os.pread(fd, HEADER.size, offset))
        return pickle.loads(decompress(os.pread(fd, size, offset + HEADER.size)))

    def close(self) -> None:
        self._file.close()
        self._offsets = array("q")
        self._end = 0

    def __enter__(self) -> "PageStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
