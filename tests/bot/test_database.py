"""The moderators' store on a real SQLite file: the log, votes, retention, forgetting, migrations, faults."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.database import (
    LATEST_VERSION,
    LoggedQuestion,
    NoStore,
    StoreUnavailable,
    open_store,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
USER = 123456789012345678


def entry(question: str = "Who is the Kremlin spokesman?", *, user: int = USER, verdict: str = "answer",
          at: datetime = NOW, guild: int | None = 1) -> LoggedQuestion:
    return LoggedQuestion(asked_at=at, origin="discord", command="ask", guild_id=guild, channel_id=2, user_id=user,
                          question=question, verdict=verdict, passages=(("musk-peace-deal#p3", 0.61234567),),
                          latency_ms=12.5)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "var" / "articlebot.sqlite3"


def test_a_question_and_its_votes_round_trip_without_the_user_id(path):
    with open_store(path) as store:
        asked = store.log_question(entry())
        assert store.record_vote(asked, 42, 1, NOW)
        assert store.record_vote(asked, 42, -1, NOW)  # changed, not added
        assert store.record_vote(asked, 43, -1, NOW)
        assert not store.record_vote(asked + 1000, 42, 1, NOW)  # no such question
        assert store.vote_counts(NOW - timedelta(days=1)) == (0, 2)
        [rated] = store.worst_rated(NOW - timedelta(days=1))
        assert (rated.question, rated.passages, rated.up, rated.down) == (
            "Who is the Kremlin spokesman?", ("musk-peace-deal#p3",), 0, 2)
    raw = sqlite3.connect(path)
    [(user_hash, passages, latency)] = raw.execute("SELECT user_hash, passages, latency_ms FROM questions")
    assert len(user_hash) == 64 and str(USER) not in user_hash
    assert passages == '[{"id": "musk-peace-deal#p3", "score": 0.6123}]' and latency == 12.5
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()
    for file in path.parent.iterdir():
        assert str(USER).encode() not in file.read_bytes()


def test_the_same_user_hashes_alike_across_openings_and_differently_per_store(tmp_path):
    with open_store(tmp_path / "a.sqlite3") as first:
        hashed = first.user_hash(USER)
    with open_store(tmp_path / "a.sqlite3") as again, open_store(tmp_path / "b.sqlite3") as other:
        assert again.user_hash(USER) == hashed != other.user_hash(USER)


def test_outcomes_per_day_votes_and_unanswered_questions_by_window_and_guild(path):
    with open_store(path) as store:
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


def test_prune_deletes_old_questions_with_their_votes(path):
    with open_store(path) as store:
        old = store.log_question(entry("old", at=NOW - timedelta(days=31)))
        new = store.log_question(entry("new", at=NOW - timedelta(days=29)))
        store.record_vote(old, 5, -1, NOW)
        store.record_vote(new, 5, 1, NOW)
        assert store.prune(NOW - timedelta(days=30)) == 1
        assert store.questions_with_verdict(["answer"], NOW - timedelta(days=365)) == ["new"]
        assert store.vote_counts(NOW - timedelta(days=365)) == (1, 0)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM votes").fetchone() == (1,)


def test_forget_deletes_a_persons_questions_the_votes_on_them_and_their_votes(path):
    with open_store(path) as store:
        theirs = store.log_question(entry("mine, and nobody else's", user=USER))
        others = store.log_question(entry("yours", user=77))
        store.record_vote(theirs, 77, 1, NOW)
        store.record_vote(others, USER, -1, NOW)
        store.record_vote(others, 78, 1, NOW)
    with open_store(path) as store:  # the rows are in the file itself now, not only in the write-ahead log
        forgotten = store.forget_user(USER)
        assert (forgotten.questions, forgotten.votes) == (1, 2)
        assert store.questions_with_verdict(["answer"], NOW - timedelta(days=1)) == ["yours"]
        assert store.vote_counts(NOW - timedelta(days=1)) == (1, 0)
        assert store.forget_user(USER).questions == 0
        for file in path.parent.iterdir():  # while the store is open, as a running bot keeps it
            assert b"nobody else" not in file.read_bytes()  # zeroed in the file and in the write-ahead log


def test_an_id_is_never_given_twice_so_old_buttons_cannot_vote_on_a_new_question(path):
    with open_store(path) as store:
        newest = store.log_question(entry("forget me", user=USER))
        store.forget_user(USER)
        assert store.log_question(entry("someone else", user=77)) > newest
        assert not store.record_vote(newest, 5, 1, NOW)


# The schema as articlebot's first store wrote it, frozen here: a migration must keep its rows.
VERSION_1 = (
    "CREATE TABLE schema_versions (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    "CREATE TABLE store_secrets (name VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, asked_at BIGINT NOT NULL, origin VARCHAR(16) "
    "NOT NULL, command VARCHAR(16) NOT NULL, guild_id BIGINT, channel_id BIGINT, user_hash CHAR(64) NOT NULL, "
    "question TEXT NOT NULL, verdict VARCHAR(16) NOT NULL, passages TEXT NOT NULL, latency_ms DOUBLE PRECISION "
    "NOT NULL)",
    "CREATE INDEX questions_by_time ON questions (asked_at)",
    "CREATE INDEX questions_by_user ON questions (user_hash)",
    "INSERT INTO schema_versions VALUES (1, 0)",
    "INSERT INTO store_secrets VALUES ('user_hash_salt', '" + "ab" * 32 + "')",
)


def test_a_store_from_an_older_version_is_migrated_and_keeps_its_rows(path):
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:
        for statement in VERSION_1:
            old.execute(statement)
        old.execute("INSERT INTO questions (asked_at, origin, command, guild_id, channel_id, user_hash, question, "
                    "verdict, passages, latency_ms) VALUES (?, 'discord', 'ask', 1, 2, 'x', 'kept?', 'none', '[]', 3)",
                    (int(NOW.timestamp() * 1000),))
    old.close()
    with open_store(path) as store:
        assert store.schema_version() == LATEST_VERSION > 1
        assert store.questions_with_verdict(["none"], NOW - timedelta(days=1)) == ["kept?"]
        [kept_id] = [row[0] for row in store._execute("SELECT id FROM questions")]
        assert store.record_vote(kept_id, 5, -1, NOW)  # the votes table came with the migration
        assert store.user_hash(1) == open_store(path).user_hash(1)  # the old secret is kept


def test_a_store_written_by_a_newer_articlebot_is_refused_untouched(path):
    with open_store(path) as store:
        store.log_question(entry())
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_versions VALUES (?, 0)", (LATEST_VERSION + 1,))
    raw.close()
    with pytest.raises(StoreUnavailable, match=r"newer articlebot.*upgrade articlebot or set ARTICLEBOT_DATABASE"):
        open_store(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM questions").fetchone() == (1,)
    raw.close()


def test_a_missing_file_is_not_made_when_only_reading(path):
    with pytest.raises(NoStore, match="does not exist"):
        open_store(path, create=False)
    assert not path.exists()


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


def test_article_changes_are_stored_with_the_hash_and_forgotten_with_the_person(tmp_path):
    at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    with open_store(tmp_path / "a.sqlite3") as store:
        store.record_article_change("added", "harbour-storm", 7, 42, at)
        store.record_article_change("removed", "harbour-storm", 8, 43, at)
        assert store.article_changes(7) == [(at, 7, store.user_hash(42), "added", "harbour-storm")]
        assert len(store.article_changes()) == 2
        store.forget_user(42)
        assert [change[1] for change in store.article_changes()] == [8]
