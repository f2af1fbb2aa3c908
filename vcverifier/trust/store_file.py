"""The file trust store: one `<id>.json` per list in the trust directory (the default).

Writes are compare-and-set under an exclusive `flock` on `<dir>/.lock`, so processes (and
threads: each call opens its own descriptor) that share the directory serialise their writes.
A list is written to a temporary file in the same directory, fsynced, and moved over the old
one with `os.replace` (atomic on POSIX), then the directory is fsynced; readers never see a
half-written file and need no lock. The journal is `<dir>/journal.jsonl`, one JSON object per
line, appended and fsynced before the list is replaced (a crash in between leaves a journaled
change that did not happen, never an unjournaled one).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vcverifier.errors import ConfigError
from vcverifier.trust.model import TrustList, check_list_id
from vcverifier.trust.store import JournalEntry, check_put, conflict

JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = ".lock"


class FileTrustStore:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        # (mtime_ns, size, inode) -> parsed list, so verification does not re-parse every time
        self._cache: dict[str, tuple[tuple[int, int, int], TrustList]] = {}
        self._ids_cache: tuple[int, tuple[str, ...]] | None = None

    # --- reads --------------------------------------------------------------------------------

    def _path(self, list_id: str) -> Path:
        return self.directory / f"{check_list_id(list_id)}.json"

    def _list_ids(self) -> tuple[str, ...]:
        try:
            stamp = self.directory.stat().st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):
            return ()
        if self._ids_cache is not None and self._ids_cache[0] == stamp:
            return self._ids_cache[1]
        ids = tuple(sorted(p.stem for p in self.directory.glob("*.json") if p.is_file()))
        self._ids_cache = (stamp, ids)
        return ids

    def _stamp(self, list_id: str) -> tuple[int, int, int] | None:
        try:
            st = self._path(list_id).stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _get(self, list_id: str) -> TrustList | None:
        stamp = self._stamp(list_id)
        if stamp is None:
            return None
        cached = self._cache.get(list_id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        trust_list = TrustList.from_file(self._path(list_id))
        self._cache[list_id] = (stamp, trust_list)
        return trust_list

    async def list_ids(self) -> tuple[str, ...]:
        # A stat of the directory (microseconds) tells whether the cached listing still holds;
        # only a changed directory is listed again. A thread hop would cost more than the work.
        return self._list_ids()

    async def get(self, list_id: str) -> TrustList | None:
        # Unchanged files (same mtime, size, inode) are served from memory without a thread
        # hop; a changed file is parsed off the event loop.
        stamp = self._stamp(list_id)
        cached = self._cache.get(list_id)
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        return await asyncio.to_thread(self._get, list_id)

    def _journal(self, list_id: str | None) -> tuple[JournalEntry, ...]:
        path = self.directory / JOURNAL_NAME
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ()
        # A line without its newline is still being appended by another process: skip it.
        lines = text.split("\n")[:-1]
        entries = (JournalEntry.loads(line) for line in lines if line.strip())
        return tuple(e for e in entries if list_id is None or e.list_id == list_id)

    async def journal(self, list_id: str | None = None) -> tuple[JournalEntry, ...]:
        return await asyncio.to_thread(self._journal, list_id)

    # --- writes -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ConfigError(f"cannot lock trust directory {self.directory}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _append_journal(self, record: JournalEntry) -> None:
        fd = os.open(self.directory / JOURNAL_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (record.dumps() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write_atomic(self, path: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self._fsync_dir()

    def _put(
        self, trust_list: TrustList, expected_version: int | None, record: JournalEntry
    ) -> None:
        check_put(trust_list, expected_version, record)
        path = self._path(trust_list.id)
        with self._locked():
            # Re-read under the lock, bypassing the cache: this is the compare of compare-and-set.
            current = TrustList.from_file(path) if path.exists() else None
            found = current.version if current is not None else None
            if found != expected_version:
                raise conflict(trust_list.id, expected_version, found)
            self._append_journal(record)
            self._write_atomic(path, trust_list.dumps())

    async def put(
        self, trust_list: TrustList, *, expected_version: int | None, record: JournalEntry
    ) -> None:
        await asyncio.to_thread(self._put, trust_list, expected_version, record)

    async def close(self) -> None:
        self._cache.clear()
