"""What only PostgreSQL has, on a real server the suite starts itself (tests/databases.py): its URL in
the settings with the password never shown, migrations of processes starting at once, erasing for good,
its faults as one line with the fix, and the bot answering through them. The behaviour both databases
share is tested on both in test_database.py and test_stats.py."""

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.database import LATEST_VERSION, LoggedQuestion, StoreUnavailable, open_store
from index.settings import SettingsError, load_settings, postgres_url_problem, shown_database
from tests.databases import execute, raw, rows

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PASSWORD = "hunter2-Secret"


def entry(question: str, user: int = 1) -> LoggedQuestion:
    return LoggedQuestion(NOW, "discord", "ask", 1, 2, user, question, "answer", (("a#p1", 0.5),), 1.0)


def with_password(url: str) -> str:
    """The server's URL with a password in it (the test server trusts local users, so any will do)."""
    assert url.startswith("postgresql://postgres:@")
    return url.replace("postgres:@", f"postgres:{PASSWORD}@", 1)


@pytest.fixture
def url(postgres_server) -> str:
    return with_password(postgres_server.new_database("store"))


# ---- the setting ---------------------------------------------------------------------------------
async def _bot_storing_in(database: str, seed_settings, seed_engine):
    """A bot answering from the seed engine, keeping its records in `database`, retrying fast."""
    from bot.client import ArticleBot
    from bot.records import Records
    from bot.service import AnswerService

    settings = seed_settings.model_copy(update={"database": database})
    service = AnswerService(settings)
    service.engine = seed_engine
    bot = ArticleBot(settings, service=service, records=Records(settings, retry_seconds=0.1, busy_seconds=0.1))
    await bot.setup_hook()
    return bot, service


@pytest.mark.parametrize("value", ["postgresql://bot:pw@db.example:5432/articlebot", "postgres://db/articlebot",
                                   "postgresql:///articlebot?host=/var/run/postgresql", "var/articlebot.sqlite3"])
def test_a_postgres_url_or_a_file_is_a_database(monkeypatch, tmp_path, value):
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("ARTICLEBOT_DATABASE", value)
    settings = load_settings()
    assert settings.database == value and "pw" not in repr(settings)


@pytest.mark.parametrize("value, says", [
    ("mysql://bot:hunter2-Secret@db/articlebot", "mysql:// is not a database articlebot knows"),
    ("postgresql://bot:hunter2-Secret@db:fivefour/articlebot", "the port 'fivefour' is not a number"),
    ("postgresql://bot:hunter2-Secret@db/articlebot?colour=blue", 'invalid URI query parameter: "colour"'),
    ("postgresql://bot:hunter2%zzSecret@db/articlebot", "password has a character that must be percent-encoded"),
    ("postgresql://bot@db/articlebot?password=hunter2-Secret&colour=blue", "invalid URI query parameter"),
    # libpq would read part of such a password as the port, the host or the database, and quote it.
    ("postgresql://bot:hunter2/Secret@db/articlebot", "password has a character that must be percent-encoded"),
    ("postgresql://bot:hunter2@Secret@db/articlebot", "password has a character that must be percent-encoded"),
])
def test_a_bad_url_is_one_line_without_its_password(monkeypatch, tmp_path, value, says):
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("ARTICLEBOT_DATABASE", value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("ARTICLEBOT_DATABASE=") and says in message and "\n" not in message
    assert "hunter2" not in message and "Secret" not in message


@pytest.mark.parametrize("url", ["postgresql://bot:hunter2@db/articlebot?application_name=a@b",
                                 "postgresql://db:5432/team@prod", "postgresql://bot:hunter2@db/team@prod",
                                 "postgres://bot:p%40ss@[::1]:5432/a"])
def test_an_at_sign_outside_the_password_is_no_problem(url):
    assert postgres_url_problem(url) is None


def test_a_password_holding_a_question_mark_and_an_at_sign_is_refused():
    """libpq would read "x?y" as the password and "Secret@db" as the host, and quote it."""
    assert "percent-encoded" in postgres_url_problem("postgresql://bot:x?y@Secret@db/a")


@pytest.mark.parametrize("url, shown", [
    ("postgresql://bot:hunter2@db/a", "postgresql://bot:***@db/a"),
    ("postgres://bot:p%40ss@[::1]:5432/a", "postgres://bot:***@[::1]:5432/a"),
    ("postgresql://bot:pass/word@db/a", "postgresql://bot:***@db/a"),  # not a password to libpq: masked all the same
    ("postgresql:///a?host=/run&password=hunter2&user=bot", "postgresql:///a?host=/run&password=***&user=bot"),
    ("postgresql://bot@db:5432/a", "postgresql://bot@db:5432/a"),
    ("var/articlebot.sqlite3", "var/articlebot.sqlite3"),
])
def test_the_password_is_masked_wherever_the_url_has_one(url, shown):
    assert shown_database(url) == shown


# ---- the store -----------------------------------------------------------------------------------
def test_a_store_is_named_without_its_password_and_keeps_it_out_of_every_error(url):
    with open_store(url) as store:
        assert store.name == url.replace(PASSWORD, "***") and PASSWORD not in store.name
    unreachable = "postgresql://bot:hunter2-Secret@127.0.0.1:1/articlebot?connect_timeout=2"
    with pytest.raises(StoreUnavailable) as raised:
        open_store(unreachable)
    message = str(raised.value)
    assert message.startswith("the question database postgresql://bot:***@127.0.0.1:1/articlebot")
    assert "cannot be reached; check that the server runs" in message and "\n" not in message
    assert "hunter2" not in message and "hunter2" not in repr(raised.value.__cause__.args)


def open_at_once(url: str, start: threading.Barrier, hashes: list[str], failures: list[BaseException]) -> None:
    start.wait()
    try:
        with open_store(url) as store:
            hashes.append(store.user_hash(1))
    except BaseException as error:
        failures.append(error)


def test_processes_starting_at_once_on_a_new_database_migrate_it_once(postgres_server):
    for attempt in range(3):
        url = postgres_server.new_database(f"race{attempt}")
        start = threading.Barrier(4)
        hashes: list[str] = []
        failures: list[BaseException] = []
        threads = [threading.Thread(target=open_at_once, args=(url, start, hashes, failures)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(set(hashes)) == 1  # one secret, made once
        assert rows(url, "SELECT version FROM schema_versions ORDER BY version") == [
            (version,) for version in range(1, LATEST_VERSION + 1)]


def test_forgetting_rewrites_the_tables_so_no_byte_of_the_rows_is_left(url, postgres_server):
    with open_store(url) as store:
        store.log_question(entry("a question of someone else's", user=77))
        store.log_question(entry("the newest question, forgotten", user=5))  # last in its page
        store.record_article_change("added", "forgettable-article", 1, 5, NOW)
        assert store.forget_user(5).questions == 1
        with raw(url) as connection:
            connection.execute("CHECKPOINT")
            files = [postgres_server.data_directory / connection.execute(
                "SELECT pg_relation_filepath(%s)", (table,)).fetchone()[0]
                for table in ("questions", "article_changes")]
        on_disk = b"".join(file.read_bytes() for file in files)
        assert b"someone else" in on_disk
        assert b"the newest question" not in on_disk and b"forgettable-article" not in on_disk


def test_a_question_with_a_nul_is_stored_not_refused_for_ever(url):
    with open_store(url) as store:
        store.log_question(entry("Who\x00 runs SpaceX?"))
        assert store.questions_with_verdict(["answer"], NOW - timedelta(days=1)) == ["Who\ufffd runs SpaceX?"]


def test_a_lock_held_elsewhere_is_one_line_naming_the_fix(url):
    with open_store(url, busy_seconds=0.05) as store, raw(url) as holder:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE questions IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreUnavailable, match="is busy: another program holds a lock on its tables") as raised:
            store.log_question(entry("waits"))
        assert "\n" not in str(raised.value) and PASSWORD not in str(raised.value)
        holder.execute("ROLLBACK")
        store.log_question(entry("written once the lock is gone"))
    assert rows(url, "SELECT question FROM questions") == [("written once the lock is gone",)]


def test_a_read_only_database_is_one_line_naming_the_fix(url):
    with open_store(url) as store:
        store.log_question(entry("before"))
    name = urlsplit(url).path.lstrip("/")
    execute(url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    with open_store(url) as store:  # reading and an up-to-date schema need no write
        assert store.questions_with_verdict(["answer"], NOW - timedelta(days=1)) == ["before"]
        with pytest.raises(StoreUnavailable, match="cannot be written: the server or database is read-only"):
            store.log_question(entry("after"))


# ---- the bot -------------------------------------------------------------------------------------
@pytest.mark.slow
async def test_the_bot_answers_through_an_unreachable_server_and_logs_once_without_the_password(
        seed_settings, seed_engine, tmp_path, caplog):
    from tests.bot.test_question_log import ask

    socket_folder = tmp_path / "no-server-here"
    socket_folder.mkdir()
    down = f"postgresql://bot:{PASSWORD}@/articlebot?host={socket_folder}"
    bot, service = await _bot_storing_in(down, seed_settings, seed_engine)
    try:
        with caplog.at_level(logging.DEBUG):
            replies = [(await ask(bot, "Who is the Kremlin spokesman?"))[1] for _ in range(2)]
            await asyncio.sleep(0.3)  # some retries
        assert all("Dmitry Peskov" in reply.embed.description for reply in replies)
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "bot.records"]
        assert len(errors) == 1 and "cannot be reached" in errors[0] and "postgresql://bot:***@/articlebot" in errors[0]
        assert PASSWORD not in caplog.text and "hunter2" not in caplog.text
    finally:
        service.close()
        await bot.records.close()
    assert not any(Path(socket_folder).iterdir())


@pytest.mark.slow
async def test_a_dropped_connection_delays_no_answer_and_the_bot_reconnects(seed_settings, seed_engine, url, caplog):
    from tests.bot.test_question_log import ask

    bot, service = await _bot_storing_in(url, seed_settings, seed_engine)
    try:
        await ask(bot, "Who is the Kremlin spokesman?")  # connected
        # What a server restart or a failover does to the bot's connection.
        [(ended,)] = execute(url, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE application_name = 'articlebot'")
        assert ended == 1
        with caplog.at_level(logging.WARNING, logger="bot.records"):
            replies = [(await ask(bot, question))[1] for question in ("When was Crimea annexed?", "Who runs SpaceX?")]
            assert "2014" in replies[0].embed.description
            for _ in range(100):
                if bot.records.failure is None and len(rows(url, "SELECT id FROM questions")) == 3:
                    break
                await asyncio.sleep(0.05)
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "\n" not in errors[0] and PASSWORD not in caplog.text
        assert bot.records.failure is None and "works again" in caplog.text
        assert [question for (question,) in rows(url, "SELECT question FROM questions ORDER BY id")] == [
            "Who is the Kremlin spokesman?", "When was Crimea annexed?", "Who runs SpaceX?"]
    finally:
        service.close()
        await bot.records.close()
