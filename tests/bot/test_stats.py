"""Statistics for moderators from a real store, a SQLite file and a PostgreSQL database alike: the report,
its chart, its embed, /stats and the `articlebot stats` and `forget` commands."""

import json
import struct
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.chart import render_chart
from bot.cli import main
from bot.client import ArticleBot
from bot.cogs.stats import NOTHING_YET, UNREADABLE
from bot.database import LoggedQuestion, open_store
from bot.mock import invoke, make_interaction
from bot.records import Records
from bot.render import EMBED_TOTAL_LIMIT, fits, stats_embed
from bot.service import AnswerService
from bot.stats import build_report, read_stats
from index import group_by_meaning
from tests.databases import rows

pytestmark = pytest.mark.slow

TODAY = datetime.now(UTC).date()
LONG = "Why " + "really " * 45 + "?"


def asked(store, question, verdict="none", days_ago=0, user=1, guild=1, passages=()):
    moment = datetime.combine(TODAY - timedelta(days=days_ago), time(12), tzinfo=UTC)
    return store.log_question(LoggedQuestion(moment, "discord", "ask", guild, 2, user, question, verdict, passages,
                                             3.0))


@pytest.fixture
def database(new_database):
    """Six days of questions: paraphrases the articles could not answer, answers with votes, another server;
    in a SQLite file, then in a PostgreSQL database."""
    path = new_database("stats")
    with open_store(path) as store:
        for wording, days_ago in [("How old is Elon Musk?", 0), ("elon musk age", 1), ("What is Musk's age?", 2),
                                  ("How old is Elon Musk?", 3), ("What is the capital of France?", 0),
                                  ("what's France's capital city", 5), ("Too old to count", 9)]:
            asked(store, wording, days_ago=days_ago)
        good = asked(store, "Who is the Kremlin spokesman?", "answer", passages=(("musk-peace-deal#p3", 0.8),))
        bad = asked(store, "What did Musk propose?", "answer", days_ago=1, passages=(("musk-peace-deal#p5", 0.4),))
        worse = asked(store, LONG, "answer", days_ago=1, passages=(("musk-peace-deal#p9", 0.3),))
        for voter in range(3):
            store.record_vote(good, 100 + voter, 1, datetime.now(UTC))
            store.record_vote(worse, 100 + voter, -1, datetime.now(UTC))
        store.record_vote(bad, 200, -1, datetime.now(UTC))
        store.record_vote(bad, 201, 1, datetime.now(UTC))
        asked(store, "Elsewhere: how old is Musk?", guild=9)
    return path


def test_the_report_counts_days_outcomes_votes_and_groups_by_meaning(database, seed_engine):
    with open_store(database) as store:
        report = build_report(store, 7, TODAY, lambda texts: group_by_meaning(seed_engine, texts), guild_id=1)
    assert report.first_day == TODAY - timedelta(days=6) and report.days == 7
    assert report.per_day[TODAY] == {"none": 2, "answer": 1}
    assert report.per_day[TODAY - timedelta(days=1)] == {"none": 1, "answer": 2}
    assert (report.questions, report.votes_up, report.votes_down) == (9, 4, 4)
    assert report.shares() == [("answered", 3, 33), ("declined", 6, 67)]
    [musk, france] = report.unanswered
    assert (musk.question, musk.count) == ("How old is Elon Musk?", 4)
    assert set(musk.wordings) == {"elon musk age", "What is Musk's age?"}
    assert france.count == 2
    assert [(a.question, a.up, a.down, a.passages) for a in report.worst_rated] == [
        (LONG, 0, 3, ("musk-peace-deal#p9",)), ("What did Musk propose?", 1, 1, ("musk-peace-deal#p5",))]
    assert json.loads(json.dumps(report.as_dict()))["outcomes"] == {"answer": 3, "none": 6}
    text = report.text()
    assert "4×  How old is Elon Musk?" in text and "👎 3 · 👍 0" in text and "Too old" not in text
    with open_store(database) as store:
        everywhere, _ = read_stats(store, 7, TODAY)
    assert everywhere.questions == 10


def test_a_related_verdict_is_shown_once_it_occurs(database):
    with open_store(database) as store:
        asked(store, "Is the war over?", "related")
        report, unanswered = read_stats(store, 7, TODAY)
    assert report.outcomes == ["answer", "related", "none"] and "Is the war over?" in unanswered


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("days", [1, 7, 365])
def test_the_chart_is_a_small_png_for_any_span(database, days):
    with open_store(database) as store:
        report, _ = read_stats(store, days, TODAY)
    png = render_chart(report)
    assert png_size(png) == (800, 360) and len(png) < 200_000


def test_the_embed_keeps_discords_limits(database, seed_engine):
    with open_store(database) as store:
        for number in range(12):
            asked(store, f"{number} {LONG}")
        report = build_report(store, 365, TODAY, lambda texts: group_by_meaning(seed_engine, texts))
    embed = stats_embed(report)
    assert fits(embed) and len(embed) <= EMBED_TOTAL_LIMIT
    assert "**5×** How old is Elon Musk?" in embed.fields[0].value  # all servers, "Elsewhere: …" too


@pytest.fixture
async def stats_bot(seed_settings, seed_engine, database):
    settings = seed_settings.model_copy(update={"database": str(database)})
    service = AnswerService(settings)
    service.engine = seed_engine
    bot = ArticleBot(settings, service=service, records=Records(settings, busy_seconds=0.1))
    await bot.setup_hook()
    yield bot
    service.close()
    await bot.records.close()


async def test_stats_needs_manage_server_and_answers_privately_with_the_chart(stats_bot):
    command = stats_bot.tree.get_command("stats")
    refused, refusal = make_interaction(stats_bot)
    await invoke(stats_bot, command, refused)
    assert "Manage Server" in refusal.replies[-1].content and refusal.replies[-1].ephemeral

    interaction, recording = make_interaction(stats_bot, manage_guild=True)
    await invoke(stats_bot, command, interaction, days=7)
    assert [r.kind for r in recording.replies] == ["defer", "followup"]
    reply = recording.replies[-1]
    assert reply.ephemeral and reply.embed.image.url == "attachment://stats.png"
    assert "**9** questions" in reply.embed.description  # this server's only
    assert reply.file.filename == "stats.png" and png_size(reply.file.fp.getvalue()) == (800, 360)


@pytest.mark.parametrize("case", ["no file, logging off", "damaged file"])
async def test_stats_says_so_when_the_log_cannot_be_read(stats_bot, tmp_path, case):
    path = tmp_path / "other.sqlite3"
    if case == "damaged file":
        path.write_bytes(b"not sqlite" * 100)
    settings = stats_bot.settings.model_copy(update={"database": str(path), "log_questions": case == "damaged file"})
    stats_bot.records, records = Records(settings, busy_seconds=0.1), stats_bot.records
    try:
        interaction, recording = make_interaction(stats_bot, manage_guild=True)
        await invoke(stats_bot, stats_bot.tree.get_command("stats"), interaction)
    finally:
        await stats_bot.records.close()
        stats_bot.records = records
    assert recording.replies[-1].ephemeral
    if case == "damaged file":
        assert recording.replies[-1].content == UNREADABLE
        assert path.read_bytes() == b"not sqlite" * 100
    else:
        assert recording.replies[-1].content == NOTHING_YET and not path.exists()


@pytest.fixture
def cli_env(monkeypatch, tmp_path, seed_settings, database):
    monkeypatch.chdir(tmp_path)
    for name, value in (("CORPUS_DIR", seed_settings.corpus_dir), ("INDEX_DIR", seed_settings.index_dir),
                        ("DATABASE", database)):
        monkeypatch.setenv(f"ARTICLEBOT_{name}", str(value))


def test_the_stats_command_prints_text_json_and_writes_the_chart(cli_env, capsys, tmp_path):
    assert main(["stats", "--days", "7", "--guild", "1", "--chart", str(tmp_path / "chart.png")]) == 0
    out = capsys.readouterr().out
    assert "Questions from" in out and "4×  How old is Elon Musk?" in out
    assert png_size((tmp_path / "chart.png").read_bytes()) == (800, 360)
    assert main(["stats", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 10 and report["votes"] == {"up": 4, "down": 4}
    assert report["unanswered"][0]["question"] == "How old is Elon Musk?"


def test_an_escape_sequence_in_a_question_reaches_the_operators_terminal_inert(cli_env, capsys, database):
    with open_store(database) as store:
        asked(store, "Who\x1b[2J clears the screen?")
        asked(store, "Who\x1b[2J clears the screen?")
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Who\\x1b[2J clears the screen?" in out and "\x1b" not in out


@pytest.mark.parametrize("arguments", [["stats", "--days", "0"], ["stats", "--days", "many"],
                                       ["stats", "--days", "\u00b2"],  # a digit to str.isdigit, not to int
                                       ["forget"], ["forget", "--user", "@someone"],
                                       ["sync", "--guild", "-1"], ["sync", "--guild", "0"]])
def test_bad_arguments_are_one_line_naming_the_fix(cli_env, capsys, arguments):
    with pytest.raises(SystemExit) as ended:
        main(arguments)
    assert ended.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("articlebot") and ("give" in error or "required" in error)


def test_forget_deletes_a_persons_rows_and_says_how_many(cli_env, capsys, database):
    assert main(["forget", "--user", "1"]) == 0
    assert "deleted 11 questions, 8 votes and 0 article changes of user 1" in capsys.readouterr().out
    assert rows(database, "SELECT COUNT(*) FROM questions") == [(0,)]


def test_stats_and_forget_without_a_database_make_none(cli_env, capsys, monkeypatch, backend, new_database):
    never = new_database("never")  # no file; on PostgreSQL, a database without articlebot's tables
    monkeypatch.setenv("ARTICLEBOT_DATABASE", never)
    assert main(["stats"]) == 0
    captured = capsys.readouterr()
    assert "Questions from" in captured.out
    assert ("does not exist" if backend == "sqlite" else "has no articlebot tables") in captured.err
    assert main(["forget", "--user", "5"]) == 0
    assert "nothing to forget" in capsys.readouterr().out
    if backend == "sqlite":
        assert not Path(never).exists()
    else:
        assert rows(never, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_damaged_database_is_one_line_for_stats(cli_env, capsys, monkeypatch, tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not sqlite" * 100)
    monkeypatch.setenv("ARTICLEBOT_DATABASE", str(damaged))
    assert main(["stats"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ") and "move it aside" in line


def test_day_boundaries_are_utc(database):
    with open_store(database) as store:
        report, _ = read_stats(store, 1, date(2000, 1, 1))
    assert report.questions == 0 and list(report.per_day) == [date(2000, 1, 1)]


@pytest.mark.parametrize("name, value, says", [
    ("ARTICLEBOT_DATABASE", "mysql://bot:hunter2@db/articlebot", "mysql:// is not a database articlebot knows"),
    ("ARTICLEBOT_DATABASE", "postgresql://bot:hunter2@db:port/articlebot", "the port 'port' is not a number"),
    ("ARTICLEBOT_DATABASE", "  ", "give the path of a SQLite file"),
    ("ARTICLEBOT_RETENTION_DAYS", "0", "greater than or equal to 1"),
    ("ARTICLEBOT_LOG_QUESTIONS", "maybe", "valid boolean"),
])
def test_bad_moderator_settings_are_one_line_naming_the_variable(cli_env, capsys, monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    assert main(["stats"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {name}=") and says in line and "hunter2" not in line
