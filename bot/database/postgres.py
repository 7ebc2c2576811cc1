"""The store on a PostgreSQL server, for bot processes on several machines sharing one store.

Same schema, same migrations and same queries as the SQLite file (store.py); what differs is here:
psycopg's `%s` placeholders, an advisory lock that makes concurrent migrations wait for each other,
VACUUM after deleting, and the server's errors turned into one line with the fix. The URL's password
never leaves this object: the store is named by the URL with the password masked, and the
password is cut out of every error message.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg import conninfo, errors

from index.settings import MASK, shown_database, url_password

from .store import NoStore, Store, StoreUnavailable

# Seconds to wait for the server to answer a connection, unless the URL says (connect_timeout=…).
CONNECT_SECONDS = 5
# pg_advisory_xact_lock's key for migrating: any number, the same in every articlebot ("artcl").
SCHEMA_LOCK_KEY = 0x617274636C

# By SQLSTATE (psycopg names each as an exception class), the fix for each.
_PROBLEMS: tuple[tuple[type[psycopg.Error], str], ...] = (
    (errors.LockNotAvailable, "is busy: another program holds a lock on its tables; wait until it is done, or stop it"),
    (errors.QueryCanceled, "is busy: a statement waited too long; wait until the server is less busy"),
    (errors.ReadOnlySqlTransaction, "cannot be written: the server or database is read-only (a standby?); point "
                                    "ARTICLEBOT_DATABASE at a writable one"),
    (errors.InsufficientPrivilege, "refuses articlebot's user; grant it the right to create and use tables in the "
                                   "database, or give ARTICLEBOT_DATABASE another user"),
    (errors.DiskFull, "cannot grow: the server's disk is full; free some space"),
    (errors.AdminShutdown, "was shut down; articlebot reconnects on the next try"),
    (errors.OperationalError, "cannot be reached; check that the server runs and ARTICLEBOT_DATABASE's host, port, "
                              "user, password and database name"),
)


@functools.lru_cache(maxsize=256)
def _placeholders(sql: str) -> str:
    """The store's portable `?` placeholders as psycopg's `%s` (the statements have no `?` in their texts)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresStore(Store):
    """The store in one PostgreSQL database, which articlebot's user may create tables in."""

    # The base class's identity column: a sequence, so an id is never given twice and an old
    # message's vote buttons can never land on someone else's question.
    ERRORS = (psycopg.Error,)

    def __init__(self, url: str, busy_seconds: float = 2.0):
        super().__init__(shown_database(url))
        self._url = url
        # The password as written (percent-encoded or not) and as libpq reads it: none of them is ever shown.
        written = url_password(url) or ""
        try:
            parsed = str(conninfo.conninfo_to_dict(url).get("password") or "")
        except psycopg.Error:  # a URL libpq cannot read: connecting says so, translated
            parsed = ""
        self._secrets = {written, unquote(written), parsed} - {""}
        self.busy_seconds = busy_seconds
        self._connection: psycopg.Connection[Any] | None = None

    def _connect(self, create: bool) -> None:
        options: dict[str, Any] = {"autocommit": True, "application_name": "articlebot"}
        if "connect_timeout" not in conninfo.conninfo_to_dict(self._url):
            options["connect_timeout"] = CONNECT_SECONDS
        # Autocommit: transactions are begun explicitly, as on SQLite, and VACUUM runs outside one.
        self._connection = psycopg.connect(self._url, **options)
        try:
            # How long a write waits for another program's lock, as SQLite's busy timeout.
            lock_ms = max(1, round(self.busy_seconds * 1000))
            self._execute("SELECT set_config('lock_timeout', ?, false)", (f"{lock_ms}ms",))
            if not create and not self._has_table("schema_versions"):
                raise NoStore(f"no questions are recorded yet: {self.name} has no articlebot tables")
        except BaseException:
            self._disconnect()
            raise

    def _execute(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        if self._connection is None:
            raise StoreUnavailable(f"the question database {self.name} is not open")
        # Always a sequence, even empty, so that psycopg reads the placeholders (and the `%%`). PostgreSQL's
        # text cannot hold NUL, which SQLite keeps: a question typed with one is stored with U+FFFD in its
        # place, instead of failing on every retry and holding up every record after it.
        values = tuple(value.replace("\x00", "\ufffd") if isinstance(value, str) else value for value in parameters)
        return self._connection.execute(_placeholders(sql), values)

    def _lock_schema(self) -> None:
        # Two processes starting at once on a new database: the second waits, then finds it migrated.
        self._execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK_KEY,))

    def _has_table(self, name: str) -> bool:
        return bool(self._one("SELECT to_regclass(?) IS NOT NULL", (name,)))

    def _after_pruning(self) -> None:
        # Deleted rows stay in the table's pages until vacuumed; this makes their space reusable.
        self._execute("VACUUM questions, votes")

    def _after_forgetting(self) -> None:
        # A plain VACUUM can leave a deleted row's bytes in a page's free space; FULL rewrites the
        # tables into new files without them. The server's write-ahead log and backups are the
        # operator's to expire.
        self._execute("VACUUM FULL questions, votes, article_changes")

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _describe(self, error: BaseException) -> str:
        where = f"the question database {self.name}"
        # One line, whatever libpq said over several (DETAIL, HINT), and never the password.
        detail = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        for secret in sorted(self._secrets, key=len, reverse=True):  # longest first: one may hold another
            detail = detail.replace(secret, MASK)
        for kind, fix in _PROBLEMS:
            if isinstance(error, kind):
                return f"{where} {fix} ({detail})"
        return f"{where} failed: {detail}"
