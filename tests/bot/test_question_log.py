"""The question log through the real command code, on a real SQLite file: what is stored, turning it
off, retention, and a database that fails without stopping any answer."""

import asyncio
import json
import logging
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import discord
import numpy as np
import pytest

from bot.client import ArticleBot
from bot.database import LoggedQuestion, open_store
from bot.mock import invoke, make_interaction, make_message, make_user
from bot.records import Records
from bot.service import AnswerService
from bot.views import Drawn
from bot.votes import votes_drawn_in
from index import RELATED_HEADING
from index.answering.verdict import VerdictModel, VerdictModels

pytestmark = pytest.mark.slow
# Every quoted question `related`: a probability of 0.5 against a threshold of 0.9.
ONLY_RELATED = VerdictModel(("relevance",), np.zeros(1), np.ones(1), np.zeros(1), 0.0, 0.9)


@pytest.fixture
async def make_bot(seed_settings, seed_engine, tmp_path):
    """A bot of its own on the session's engine, logging to a file in this test's folder."""
    made = []

    async def make(clock=None, **overrides) -> ArticleBot:
        settings = seed_settings.model_copy(update={"database": str(tmp_path / "var" / "log.sqlite3"), **overrides})
        service = AnswerService(settings)
        service.engine = seed_engine
        records = Records(settings, retry_seconds=0.1, busy_seconds=0.1, **({"clock": clock} if clock else {}))
        bot = ArticleBot(settings, service=service, records=records)
        await bot.setup_hook()
        made.append(bot)
        return bot

    yield make
    for bot in made:
        bot.service.close()
        await bot.records.close()


async def ask(bot: ArticleBot, question: str, user=None):
    interaction, recording = make_interaction(bot, user=user or make_user())
    await invoke(bot, bot.tree.get_command("ask"), interaction, question=question)
    return interaction, recording.replies[-1]


def rows(bot: ArticleBot) -> list[dict]:
    with sqlite3.connect(bot.settings.database) as raw:
        raw.row_factory = sqlite3.Row
        found = [dict(row) for row in raw.execute("SELECT * FROM questions ORDER BY id")]
    raw.close()
    return found


async def test_each_question_is_logged_with_what_the_readme_lists(make_bot):
    bot = await make_bot()
    asker = make_user(4242, "Someone Identifiable")
    _, answered = await ask(bot, "  Who told Musk   to f*** off? ", user=asker)
    _, declined = await ask(bot, "How do I bake sourdough bread?")
    find, _ = make_interaction(bot)
    await invoke(bot, bot.tree.get_command("Find in article", type=discord.AppCommandType.message), find,
                 make_message("What did Peskov tell reporters?"))

    first, second, third = rows(bot)
    assert first["question"] == "Who told Musk to f*** off?" and first["verdict"] == "answer"
    assert (first["origin"], first["command"], first["guild_id"], first["channel_id"]) == ("discord", "ask", 1, 2)
    passages = json.loads(first["passages"])
    assert passages[0]["id"] == "musk-peace-deal#p21" and passages[0]["score"] > 0
    assert len(passages) == len(answered.embed.description.split("\n\n"))
    assert first["latency_ms"] > 0 and abs(first["asked_at"] / 1000 - datetime.now(UTC).timestamp()) < 60
    assert "4242" not in first["user_hash"] and len(first["user_hash"]) == 64
    with open_store(bot.settings.database) as store:
        assert store.user_hash(4242) == first["user_hash"]
    assert (second["verdict"], json.loads(second["passages"])) == ("none", [])
    assert third["command"] == "find"
    for file in (bot.settings.database, bot.settings.database + "-wal"):
        with open(file, "rb") as stored:
            content = stored.read()
        assert b"4242" not in content and b"Identifiable" not in content
    # Every answer carries the 👍 / 👎 of its logged question.
    assert [(b.question_id, b.value) for b in votes_drawn_in(answered.view)] == [(first["id"], "up"),
                                                                                (first["id"], "down")]
    assert {b.question_id for b in votes_drawn_in(declined.view)} == {second["id"]}


async def test_logging_turned_off_stores_nothing_and_shows_no_votes(make_bot):
    bot = await make_bot(log_questions=False)
    _, reply = await ask(bot, "Who is the Kremlin spokesman?")
    assert "Dmitry Peskov" in reply.embed.description
    assert reply.view is None or not votes_drawn_in(reply.view)
    _, declined = await ask(bot, "How do I bake sourdough bread?")
    assert declined.view is None or not votes_drawn_in(declined.view)  # the follow-up button only
    assert not os.path.exists(bot.settings.database)


async def test_questions_past_retention_are_deleted_at_start_and_then_hourly(make_bot, tmp_path):
    now = datetime.now(UTC)
    clock = [now]
    path = tmp_path / "var" / "log.sqlite3"
    with open_store(path) as store:
        for age in (31, 29):
            store.log_question(LoggedQuestion(now - timedelta(days=age), "discord", "ask", 1, 2, 5, f"{age} days old",
                                              "answer", (), 1.0))
    bot = await make_bot(clock=lambda: clock[0], retention_days=30)
    assert [row["question"] for row in rows(bot)] == ["29 days old"]
    clock[0] = now + timedelta(days=1, minutes=30)  # the 29-day-old question is now past 30 days
    await ask(bot, "Who is the Kremlin spokesman?")
    assert [row["question"] for row in rows(bot)] == ["Who is the Kremlin spokesman?"]


async def test_a_locked_database_delays_no_answer_is_logged_once_and_is_written_later(make_bot, caplog):
    bot = await make_bot()
    await ask(bot, "Who is the Kremlin spokesman?")  # the file exists and is open
    holder = sqlite3.connect(bot.settings.database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with caplog.at_level(logging.WARNING, logger="bot.records"):
        replies = [(await ask(bot, question))[1] for question in
                   ("When was Crimea annexed?", "Who is Ukraine's ambassador to Germany?", "Who runs SpaceX?")]
        assert "2014" in replies[0].embed.description and "Andrij Melnyk" in replies[1].embed.description
        assert all(not votes_drawn_in(r.view) for r in replies if r.view is not None)
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "is locked by another program" in errors[0].getMessage()
        assert "\n" not in errors[0].getMessage() and errors[0].exc_info is None
        holder.execute("ROLLBACK")
        holder.close()
        for _ in range(100):
            if bot.records.failure is None:
                break
            await asyncio.sleep(0.05)
    assert bot.records.failure is None and "works again; 3 delayed records written" in caplog.text
    assert [row["question"] for row in rows(bot)][1:] == [
        "When was Crimea annexed?", "Who is Ukraine's ambassador to Germany?", "Who runs SpaceX?"]
    _, after = await ask(bot, "When was Crimea annexed?")
    assert votes_drawn_in(after.view)  # logged at once again, with votes


async def test_a_damaged_file_is_left_alone_and_answers_go_on(make_bot, tmp_path, caplog):
    path = tmp_path / "var" / "log.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage" * 1000)
    with caplog.at_level(logging.ERROR, logger="bot.records"):
        bot = await make_bot()
        replies = [(await ask(bot, "Who is the Kremlin spokesman?"))[1] for _ in range(3)]
    assert all("Dmitry Peskov" in r.embed.description for r in replies)
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "is not a SQLite database; move it aside" in error
    assert path.read_bytes() == b"\x00garbage" * 1000
    path.unlink()  # what the log line says to do (moving it aside): the next try starts a new file
    for _ in range(100):
        if bot.records.failure is None:
            break
        await asyncio.sleep(0.05)
    assert len(rows(bot)) == 3


@pytest.mark.parametrize("fault, message", [
    ("PRAGMA max_page_count = 1", "the disk is full; free some space"),  # SQLite's own SQLITE_FULL
    ("PRAGMA query_only = 1", "cannot be written; check the permissions"),  # SQLite's own SQLITE_READONLY
])
async def test_a_full_disk_or_read_only_file_never_stops_an_answer(make_bot, caplog, fault, message):
    bot = await make_bot()
    await ask(bot, "Who is the Kremlin spokesman?")
    bot.records._store._execute(fault)  # on the open connection, until the retry opens the file afresh
    asked = 1
    with caplog.at_level(logging.ERROR, logger="bot.records"):
        while (asked < 30 and bot.records.failure is None) or asked < 4:  # the last pages fill up first
            _, reply = await ask(bot, "What did Musk say about nuclear war? " + "x" * 250)
            assert "Musk" in reply.embed.description
            asked += 1
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert message in error
    for _ in range(100):
        if bot.records.failure is None:
            break
        await asyncio.sleep(0.05)
    assert len(rows(bot)) == asked


async def test_closing_twice_is_harmless_and_a_question_after_closing_still_gets_its_answer(make_bot):
    bot = await make_bot()
    await bot.records.close()
    await bot.records.close()  # SIGTERM closes the bot, then the runner closes it again
    _, reply = await ask(bot, "Who is the Kremlin spokesman?")
    assert "Dmitry Peskov" in reply.embed.description and not votes_drawn_in(reply.view or Drawn([]))


async def test_the_bots_own_log_names_the_question_not_the_asker(make_bot, caplog):
    bot = await make_bot()
    with caplog.at_level(logging.INFO):
        await ask(bot, "Who is the Kremlin spokesman?", user=make_user(987654321987654321, "Findable Name"))
    [logged] = rows(bot)
    assert f"question={logged['id']}" in caplog.text
    assert "987654321987654321" not in caplog.text and "Findable" not in caplog.text


async def test_a_related_answer_is_logged_as_related(make_bot, seed_engine, monkeypatch):
    monkeypatch.setattr(seed_engine, "verdicts", VerdictModels(english=ONLY_RELATED, foreign=ONLY_RELATED))
    bot = await make_bot()
    _, reply = await ask(bot, "How many people voted in Musk's poll?")
    [logged] = rows(bot)
    assert logged["verdict"] == "related" and json.loads(logged["passages"])
    assert reply.embed.description.startswith(RELATED_HEADING)
