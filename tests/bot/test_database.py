"""The moderators' store on a real SQLite file and on a real PostgreSQL server (the same tests for both,
where they can be): the log, votes, retention, forgetting, migrations, faults."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.database import (
    LATEST_VERSION,
    LoggedQuestion,
    NoStore,
    StoreUnavailable,
    open_store,
)
from tests.databases import execute, raw, rows

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
USER = 123456789012345678


def entry(question: str = "Who is the Kremlin spokesman?", *, user: int = USER, verdict: str = "answer",
          at: datetime = NOW, guild: int | None = 1) -> LoggedQuestion:
    return LoggedQuestion(asked_at=at, origin="discord", command="ask", guild_id=guild, channel_id=2, user_id=user,
                          question=question, verdict=verdict, passages=(("musk-peace-deal#p3", 0.61234567),),
                          latency_ms=12.5)


@pytest.fixture
def database(new_database):
    """An empty store's ARTICLEBOT_DATABASE, on each backend: var/articlebot.sqlite3 or a PostgreSQL URL."""
    return new_database("articlebot")


@pytest.fixture
def path(tmp_path):
    return tmp_path / "var" / "articlebot.sqlite3"


def on_disk(database: str, backend: str) -> bytes:
    """Every byte the database keeps of the store's rows now: the SQLite file with its write-ahead log,
    or the PostgreSQL tables' files once the server has written its buffers out."""
    if backend == "sqlite":
        return b"".join(file.read_bytes() for file in Path(database).parent.iterdir())
    with raw(database) as connection:
        connection.execute("CHECKPOINT")
        folder = Path(connection.execute("SHOW data_directory").fetchone()[0])
        files = [connection.execute("SELECT pg_relation_filepath(%s)", (table,)).fetchone()[0]
                 for table in ("questions", "votes", "article_changes")]
    return b"".join((folder / file).read_bytes() for file in files)


def test_a_question_and_its_votes_round_trip_without_the_user_id(database, backend):
    with open_store(database) as store:
        asked = store.log_question(entry())
        assert store.record_vote(asked, 42, 1, NOW)
        assert store.record_vote(asked, 42, -1, NOW)  # changed, not added
        assert store.record_vote(asked, 43, -1, NOW)
        assert not store.record_vote(asked + 1000, 42, 1, NOW)  # no such question
        assert store.vote_counts(NOW - timedelta(days=1)) == (0, 2)
        [rated] = store.worst_rated(NOW - timedelta(days=1))
        assert (rated.question, rated.passages, rated.up, rated.down) == (
            "Who is the Kremlin spokesman?", ("musk-peace-deal#p3",), 0, 2)
    [(user_hash, passages, latency)] = rows(database, "SELECT user_hash, passages, latency_ms FROM questions")
    assert len(user_hash) == 64 and str(USER) not in user_hash
    assert passages == '[{"id": "musk-peace-deal#p3", "score": 0.6123}]' and latency == 12.5
    if backend == "sqlite":
        assert rows(database, "PRAGMA journal_mode") == [("wal",)]
    assert str(USER).encode() not in on_disk(database, backend)


def test_the_same_user_hashes_alike_across_openings_and_differently_per_store(new_database):
    a, b = new_database("a"), new_database("b")
    with open_store(a) as first:
        hashed = first.user_hash(USER)
    with open_store(a) as again, open_store(b) as other:
        assert again.user_hash(USER) == hashed != other.user_hash(USER)


def test_outcomes_per_day_votes_and_unanswered_questions_by_window_and_guild(database):
    with open_store(database) as store:
        store.log_question(entry("old", at=NOW - timedelta(days=9), verdict="none"))
        store.log_question(entry("a", at=NOW - timedelta(days=1)))
        store.log_question(entry("b", at=NOW - timedelta(days=1), verdict="none"))
        store.log_question(entry("c", at=NOW, verdict="none"))
        store.log_question(entry("elsewhere", at=NOW, verdict="none", guild=9))
        since = NOW - timedelta(days=7)
        day = NOW.date()
        assert store.outcomes_per_day(since, guild_id=1) == [
            (day - timedelta(days=1), "answer", 1), (day - timedelta(days=1), "none", 1), (day, "none", 1)]
        assert sum(count for *_, count in store.outcomes_per_day(since)) == 4
        assert store.questions_with_verdict(["none"], since, guild_id=1) == ["c", "b"]
        assert store.questions_with_verdict(["none", "related"], since) == ["elsewhere", "c", "b"]


def test_prune_deletes_old_questions_with_their_votes(database):
    with open_store(database) as store:
        old = store.log_question(entry("old", at=NOW - timedelta(days=31)))
        new = store.log_question(entry("new", at=NOW - timedelta(days=29)))
        store.record_vote(old, 5, -1, NOW)
        store.record_vote(new, 5, 1, NOW)
        assert store.prune(NOW - timedelta(days=30)) == 1
        assert store.questions_with_verdict(["answer"], NOW - timedelta(days=365)) == ["new"]
        assert store.vote_counts(NOW - timedelta(days=365)) == (1, 0)
    assert rows(database, "SELECT COUNT(*) FROM votes") == [(1,)]


def test_forget_deletes_a_persons_questions_the_votes_on_them_and_their_votes(database, backend):
    with open_store(database) as store:
        theirs = store.log_question(entry("mine, and nobody else's", user=USER))
        others = store.log_question(entry("yours", user=77))
        store.record_vote(theirs, 77, 1, NOW)
        store.record_vote(others, USER, -1, NOW)
        store.record_vote(others, 78, 1, NOW)
    # The rows are in the file itself now, not only in the write-ahead log (on PostgreSQL: in the tables' files).
    assert b"nobody else" in on_disk(database, backend)
    with open_store(database) as store:
        forgotten = store.forget_user(USER)
        assert (forgotten.questions, forgotten.votes) == (1, 2)
        assert store.questions_with_verdict(["answer"], NOW - timedelta(days=1)) == ["yours"]
        assert store.vote_counts(NOW - timedelta(days=1)) == (1, 0)
        assert store.forget_user(USER).questions == 0
        # While the store is open, as a running bot keeps it: zeroed in the file and in the write-ahead log
        # (on PostgreSQL, the tables rewritten without the rows).
        assert b"nobody else" not in on_disk(database, backend)


def test_an_id_is_never_given_twice_so_old_buttons_cannot_vote_on_a_new_question(database):
    with open_store(database) as store:
        newest = store.log_question(entry("forget me", user=USER))
        store.forget_user(USER)
        assert store.log_question(entry("someone else", user=77)) > newest
        assert not store.record_vote(newest, 5, 1, NOW)


# The schema as articlebot's first store wrote it, frozen here: a migration must keep its rows. `{identity}`
# is each database's auto-numbered key, as the store writes it.
IDENTITY = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
            "postgresql": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"}
VERSION_1 = (
    "CREATE TABLE schema_versions (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    "CREATE TABLE store_secrets (name VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE questions (id {identity}, asked_at BIGINT NOT NULL, origin VARCHAR(16) "
    "NOT NULL, command VARCHAR(16) NOT NULL, guild_id BIGINT, channel_id BIGINT, user_hash CHAR(64) NOT NULL, "
    "question TEXT NOT NULL, verdict VARCHAR(16) NOT NULL, passages TEXT NOT NULL, latency_ms DOUBLE PRECISION "
    "NOT NULL)",
    "CREATE INDEX questions_by_time ON questions (asked_at)",
    "CREATE INDEX questions_by_user ON questions (user_hash)",
    "INSERT INTO schema_versions VALUES (1, 0)",
    "INSERT INTO store_secrets VALUES ('user_hash_salt', '" + "ab" * 32 + "')",
)


def test_a_store_from_an_older_version_is_migrated_and_keeps_its_rows(database, backend):
    if backend == "sqlite":
        Path(database).parent.mkdir(parents=True)
    execute(database, *(statement.format(identity=IDENTITY[backend]) for statement in VERSION_1))
    execute(database, "INSERT INTO questions (asked_at, origin, command, guild_id, channel_id, user_hash, question, "
            "verdict, passages, latency_ms) VALUES (?, 'discord', 'ask', 1, 2, 'x', ?, 'none', '[]', 3)",
            parameters=(int(NOW.timestamp() * 1000), "kept?"))
    with open_store(database) as store:
        assert store.schema_version() == LATEST_VERSION > 1
        assert store.questions_with_verdict(["none"], NOW - timedelta(days=1)) == ["kept?"]
        [kept_id] = [row[0] for row in store._execute("SELECT id FROM questions")]
        assert store.record_vote(kept_id, 5, -1, NOW)  # the votes table came with the migration
        with open_store(database) as again:
            assert store.user_hash(1) == again.user_hash(1)  # the old secret is kept
        assert store.log_question(entry()) > kept_id  # numbering goes on after the old rows


def test_a_new_store_gets_every_migration_once(database):
    with open_store(database) as store:
        assert store.schema_version() == LATEST_VERSION
    with open_store(database):
        pass
    assert [version for (version,) in rows(database, "SELECT version FROM schema_versions ORDER BY version")] == \
        list(range(1, LATEST_VERSION + 1))


def test_a_store_written_by_a_newer_articlebot_is_refused_untouched(database):
    with open_store(database) as store:
        store.log_question(entry())
    execute(database, "INSERT INTO schema_versions VALUES (?, 0)", parameters=(LATEST_VERSION + 1,))
    with pytest.raises(StoreUnavailable, match=r"newer articlebot.*upgrade articlebot or set ARTICLEBOT_DATABASE"):
        open_store(database)
    assert rows(database, "SELECT COUNT(*) FROM questions") == [(1,)]


def test_a_missing_file_is_not_made_when_only_reading(database, backend):
    if backend == "sqlite":
        with pytest.raises(NoStore, match="does not exist"):
            open_store(database, create=False)
        assert not Path(database).exists()
    else:
        with pytest.raises(NoStore, match=r"no questions are recorded yet: .* has no articlebot tables"):
            open_store(database, create=False)
        assert rows(database, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


@pytest.mark.parametrize("create", [True, False])
def test_another_program_s_sqlite_file_gets_nothing_written(tmp_path, create):
    """A SQLite file with tables but none of articlebot's (a typo in ARTICLEBOT_DATABASE, or the
    index's own passage store) is refused before anything, WAL mode included, is written to it."""
    other = tmp_path / "customers.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    before = other.read_bytes()
    if create:
        with pytest.raises(StoreUnavailable, match=r"another program's SQLite database .* nothing was written to it"):
            open_store(other)
    else:
        with pytest.raises(NoStore, match=r"no questions are recorded yet: .* has no articlebot tables"):
            open_store(other, create=False)
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["customers.db"]
    empty = tmp_path / "empty.sqlite3"
    empty.touch()  # an empty file is an empty database: the store is made in it
    with open_store(empty) as store:
        assert store.schema_version() == LATEST_VERSION


def test_faults_are_one_line_naming_the_fix(tmp_path, path):
    with open_store(path) as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        with open_store(path, busy_seconds=0.05) as waiting, pytest.raises(StoreUnavailable, match="is locked"):
            waiting.log_question(entry())
        holder.execute("ROLLBACK")
        holder.close()
        store._execute("PRAGMA max_page_count = 1")  # SQLite's own "disk is full"
        with pytest.raises(StoreUnavailable, match="the disk is full; free some space"):
            for number in range(200):
                store.log_question(entry(f"question {number} " * 50))
        store._execute("PRAGMA query_only = 1")  # SQLite's own "read-only database"
        with pytest.raises(StoreUnavailable, match="cannot be written; check the permissions"):
            store.log_question(entry())

    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"these are not the rows you are looking for" * 200)
    with pytest.raises(StoreUnavailable, match="is not a SQLite database; move it aside") as raised:
        open_store(damaged)
    assert "\n" not in str(raised.value)
    assert damaged.read_bytes().startswith(b"these are not")  # never moved, deleted or rewritten

    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StoreUnavailable, match=r"cannot be made.*set ARTICLEBOT_DATABASE"):
        open_store(tmp_path / "a-file" / "articlebot.sqlite3")


def test_article_changes_are_stored_with_the_hash_and_forgotten_with_the_person(database):
    at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    with open_store(database) as store:
        store.record_article_change("added", "harbour-storm", 7, 42, at)
        store.record_article_change("removed", "harbour-storm", 8, 43, at)
        assert store.article_changes(7) == [(at, 7, store.user_hash(42), "added", "harbour-storm")]
        assert len(store.article_changes()) == 2
        assert store.forget_user(42).article_changes == 1
        assert [change[1] for change in store.article_changes()] == [8]
