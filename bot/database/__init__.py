"""The moderators' store: the questions people asked and their votes on the answers.

All of articlebot's SQL is in this package: store.py holds the schema, its migrations and every
query, portable between SQLite (sqlite.py, one file: the default) and PostgreSQL (postgres.py, a
server several bot processes or machines share), chosen by ARTICLEBOT_DATABASE.

User ids are never stored: each is replaced by an HMAC-SHA256 keyed with a random secret that is
made once and kept in the store itself.
"""

from __future__ import annotations

from pathlib import Path

from index.settings import is_database_url, shown_database

from .sqlite import SqliteStore
from .store import (
    DAY_MS,
    LATEST_VERSION,
    MIGRATIONS,
    SALT,
    Forgotten,
    LoggedQuestion,
    NoStore,
    RatedAnswer,
    Store,
    StoreUnavailable,
    day_of,
    epoch_ms,
)

__all__ = [
    "DAY_MS",
    "LATEST_VERSION",
    "MIGRATIONS",
    "SALT",
    "Forgotten",
    "LoggedQuestion",
    "NoStore",
    "RatedAnswer",
    "SqliteStore",
    "Store",
    "StoreUnavailable",
    "day_of",
    "epoch_ms",
    "open_store",
]


def open_store(database: str | Path, create: bool = True, busy_seconds: float = 2.0) -> Store:
    """The store named by ARTICLEBOT_DATABASE (a SQLite file path or a postgresql:// URL), open and up
    to date. `create`: make the file or the tables when there are none (else NoStore)."""
    if isinstance(database, str) and is_database_url(database):
        try:
            # Loaded only here, so that a bot on a SQLite file never loads libpq.
            from .postgres import PostgresStore
        except ImportError as error:  # psycopg is a dependency: missing only from a broken install
            raise StoreUnavailable(f"the question database {shown_database(database)} needs psycopg, which cannot "
                                   f"be loaded ({error}); pip install 'psycopg[binary]'") from error
        return PostgresStore(database, busy_seconds=busy_seconds).open(create=create)
    return SqliteStore(Path(database), busy_seconds=busy_seconds).open(create=create)
