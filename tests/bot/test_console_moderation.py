"""The console's side of issue #14: its questions are logged as the console's, /vote presses the last
answer's 👍 or 👎, /stats prints the statistics and where the chart was saved."""

import io
import os
import re
import sqlite3

import pytest

from bot.console import run_console

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(seed_settings, tmp_path):
    return seed_settings.model_copy(update={"database": str(tmp_path / "console.sqlite3")})


def console(settings, *lines: str) -> str:
    out = io.StringIO()
    assert run_console(settings, io.StringIO("".join(f"{line}\n" for line in lines)), out) == 0
    return out.getvalue()


def test_the_console_logs_its_questions_and_votes_on_the_last_answer(settings):
    text = console(settings, "/vote up", "/ask Who told Musk to f*** off?", "/vote up", "/vote down",
                   "/ask How do I bake sourdough bread?", "/vote down", "/vote sideways")
    assert "no answer to vote on: ask a question first" in text
    assert "[👍] [👎] [Ask a follow-up]  (type /vote up or /vote down; /followup QUESTION)" in text  # declined
    assert "Thanks for the 👍!" in text and "Thanks for the 👎!" in text
    assert "type /vote up or /vote down\n" in text
    with sqlite3.connect(settings.database) as raw:
        asked = raw.execute("SELECT id, origin, guild_id, channel_id, verdict FROM questions ORDER BY id").fetchall()
        voted = raw.execute("SELECT question_id, value FROM votes ORDER BY question_id").fetchall()
    raw.close()
    assert [row[1:] for row in asked] == [("console", None, None, "answer"), ("console", None, None, "none")]
    assert voted == [(asked[0][0], -1), (asked[1][0], -1)]  # the 👍 was changed to 👎


def test_votes_are_refused_in_the_console_when_logging_is_off(settings):
    off = settings.model_copy(update={"log_questions": False})
    text = console(off, "/ask Who is the Kremlin spokesman?", "/vote up")
    assert "votes are not recorded: ARTICLEBOT_LOG_QUESTIONS is false" in text


def test_stats_in_the_console_prints_the_numbers_and_where_the_chart_is(settings):
    text = console(settings, "/ask What is the capital of France?", "/ask what's France's capital city",
                   "/ask Who is the Kremlin spokesman?", "/vote down", "/stats", "/stats 400", "/stats \u00b2")
    assert "## Questions in the last 7 days" in text and "**3** questions" in text
    assert "answered 1 (33%) · declined 2 (67%)" in text and "Votes: 👍 0 · 👎 1" in text
    assert re.search(r"1\. \*\*2×\*\* (What is the capital of France\?|what's France's capital city)\n", text)
    assert "1. 👎 1 · 👍 0 — Who is the Kremlin spokesman? (musk-peace-deal#p" in text
    [path] = re.findall(r"\[stats\.png saved as (\S+)\]", text)
    with open(path, "rb") as chart:
        assert chart.read(8) == b"\x89PNG\r\n\x1a\n"
    os.unlink(path)
    assert text.count("type /stats, or /stats DAYS with DAYS from 1 to 365") == 2  # 400, and a superscript two
