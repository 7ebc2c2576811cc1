"""The store in one SQLite file: the default, for a bot on one machine."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .store import NoStore, Store, StoreUnavailable

# SQLite's primary result codes (Python ≥ 3.11 names them on every sqlite3 error), with the fix for each.
_SQLITE_PROBLEMS = {
    "SQLITE_BUSY": "is locked by another program; wait until it is done, or stop it",
    "SQLITE_LOCKED": "is locked by another program; wait until it is done, or stop it",
    "SQLITE_READONLY": "cannot be written; check the permissions of the file and its folder, or set "
                       "ARTICLEBOT_DATABASE to a writable file",
    "SQLITE_CANTOPEN": "cannot be opened; check that its folder exists and is writable, or set "
                       "ARTICLEBOT_DATABASE to a writable file",
    "SQLITE_PERM": "cannot be written; check the permissions of the file and its folder",
    "SQLITE_FULL": "cannot grow: the disk is full; free some space",
    "SQLITE_CORRUPT": "is damaged; move it aside (articlebot then starts a new one) or restore a backup",
    "SQLITE_NOTADB": "is not a SQLite database; move it aside (articlebot then starts a new one) or set "
                     "ARTICLEBOT_DATABASE to another file",
    "SQLITE_IOERR": "cannot be read or written (a disk error); check the disk",
}


class SqliteStore(Store):
    """The store in one SQLite file, in write-ahead-log mode so readers never wait for the writer."""

    # AUTOINCREMENT: an id is never given twice, even after the newest question was deleted, so an
    # old message's vote buttons can never land on someone else's question.
    IDENTITY = "INTEGER PRIMARY KEY AUTOINCREMENT"
    ERRORS = (sqlite3.Error, OSError)

    def __init__(self, path: Path, busy_seconds: float = 2.0):
        super().__init__(str(path))
        self.path = path
        self.busy_seconds = busy_seconds
        self._connection: sqlite3.Connection | None = None

    def _connect(self, create: bool) -> None:
        existed = self.path.exists()
        if not create and not existed:
            raise NoStore(f"no questions are recorded yet: {self.path} does not exist")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: transactions are begun explicitly, with the write lock taken up front.
        self._connection = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None,
                                           check_same_thread=False)
        try:
            if existed:
                self._check_ours(create)  # before the first pragma, which already writes to the file
            for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "secure_delete = ON"):
                self._connection.execute(f"PRAGMA {pragma}")
        except BaseException:
            self._disconnect()
            raise

    def _check_ours(self, create: bool) -> None:
        """NoStore or StoreUnavailable, writing nothing, for a SQLite file without articlebot's tables
        that is not empty: another program's database (or the index's own passage store) must never
        get our tables nor be switched to write-ahead logging."""
        if self._has_table("schema_versions"):
            return
        if not create:
            raise NoStore(f"no questions are recorded yet: {self.path} has no articlebot tables")
        if self._one("SELECT COUNT(*) FROM sqlite_master"):
            raise StoreUnavailable(
                f"the question database {self.path} is another program's SQLite database (it has tables, none "
                "of articlebot's); nothing was written to it. Set ARTICLEBOT_DATABASE to a file of its own, "
                "such as var/articlebot.sqlite3")

    def _execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        if self._connection is None:
            raise StoreUnavailable(f"the question database {self.name} is not open")
        return self._connection.execute(sql, parameters)

    def _begin_write(self) -> None:
        self._execute("BEGIN IMMEDIATE")

    def _has_table(self, name: str) -> bool:
        return self._one("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) > 0

    def _after_pruning(self) -> None:
        self._after_forgetting()

    def _after_forgetting(self) -> None:
        # secure_delete (set on connecting: not every SQLite build has it on) zeroes deleted rows; the
        # checkpoint writes the zeroed pages into the file and empties the write-ahead log, which still
        # held the rows' old pages while the store stays open.
        self._execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _describe(self, error: BaseException) -> str:
        where = f"the question database {self.path}"
        if isinstance(error, sqlite3.Error):
            # An extended code names its primary one first: SQLITE_READONLY_DBMOVED → SQLITE_READONLY.
            code = "_".join((getattr(error, "sqlite_errorname", None) or "").split("_")[:2])
            if code in _SQLITE_PROBLEMS:
                return f"{where} {_SQLITE_PROBLEMS[code]} ({error})"
        if isinstance(error, OSError):
            detail = f"{error.filename}: {error.strerror}" if error.filename else str(error)
            return f"{where} cannot be made ({detail}); check its folder, or set ARTICLEBOT_DATABASE to another file"
        return f"{where} failed: {error}"
