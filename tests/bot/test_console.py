import io
import os
import select
import signal
import subprocess
import sys
import time
import unicodedata

import pytest

from bot.console import PROMPT, run_console
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_console_reads_commands_line_by_line(seed_settings):
    out = io.StringIO()
    lines = io.StringIO("/ask Who told Musk to f*** off?\n/ask What is the capital of France?\n/help\n/bogus\n")
    assert run_console(seed_settings, lines, out) == 0
    text = out.getvalue()
    assert "quoting **Andrij Melnyk**" in text
    assert "don't cover" in text
    assert "/quotes" in text and "unknown command /bogus" in text


def test_console_followup_asks_about_the_last_answer(seed_settings):
    out = io.StringIO()
    lines = io.StringIO("/followup What did he say?\n/ask Who told Musk to f*** off?\n"
                        "/followup What did he say about Tesla?\n/followup\n")
    assert run_console(seed_settings, lines, out) == 0
    text = out.getvalue()
    assert "no answer to follow up: ask a question first" in text
    assert "[Ask a follow-up]" in text and "/followup QUESTION" in text
    assert "## Q: What did Andrij Melnyk say about Tesla?" in text
    assert "type /followup QUESTION, for example" in text


def test_console_refuses_a_missing_index_with_the_fix(tmp_path):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    out = io.StringIO()
    assert run_console(settings, io.StringIO("/help\n"), out) == 2
    assert "articlebot index rebuild" in out.getvalue()


def test_console_entry_point_is_scriptable(seed_settings):
    env = {"ARTICLEBOT_CORPUS_DIR": str(seed_settings.corpus_dir),
           "ARTICLEBOT_INDEX_DIR": str(seed_settings.index_dir), "ARTICLEBOT_DATABASE": seed_settings.database,
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "console"], input="/ask Who is the Kremlin spokesman?\n",
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Dmitry Peskov" in result.stdout


def console_process(settings, **streams) -> subprocess.Popen:
    env = {"ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir), "ARTICLEBOT_INDEX_DIR": str(settings.index_dir),
           "ARTICLEBOT_DATABASE": settings.database, "PATH": "/usr/bin:/bin"}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "console"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, **streams)


def read_until(fd: int, marker: bytes, timeout: float = 120) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            raise AssertionError(f"no {marker!r} in {seen[-500:]!r}")
        seen += chunk
    return seen


def assert_ends_cleanly_on_ctrl_c(process: subprocess.Popen) -> None:
    time.sleep(0.5)  # the console is back to waiting for its next line, which is where Ctrl-C was lost
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("Ctrl-C did not end the console") from None
    stderr = process.stderr.read().decode()
    assert code in (0, 130), stderr
    assert "Traceback" not in stderr


def test_ctrl_c_at_the_interactive_prompt_ends_the_console(seed_settings):
    terminal, console_side = os.openpty()
    process = console_process(seed_settings, stdin=console_side, stdout=console_side)
    os.close(console_side)
    try:
        read_until(terminal, PROMPT.encode())
        assert_ends_cleanly_on_ctrl_c(process)
    finally:
        os.close(terminal)


def test_ctrl_c_ends_a_console_reading_a_pipe(seed_settings):
    process = console_process(seed_settings, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        process.stdin.write(b"/help\n")
        process.stdin.flush()
        read_until(process.stdout.fileno(), b"rebuilt index")  # the last line of /help: it waits again
        assert_ends_cleanly_on_ctrl_c(process)
    finally:
        process.stdin.close()
        process.stdout.close()


def test_the_console_is_not_rate_limited(seed_settings):
    settings = seed_settings.model_copy(update={"cooldown_rate": 1, "cooldown_seconds": 600.0})
    out = io.StringIO()
    assert run_console(settings, io.StringIO("/ask Who is the Kremlin spokesman?\n" * 4), out) == 0
    assert "asking quickly" not in out.getvalue()
    assert out.getvalue().count("quoting **Dmitry Peskov**") >= 4


def test_control_characters_reach_the_terminal_inert(seed_settings):
    out = io.StringIO()
    lines = io.StringIO("/ask \x1b[2JWho is the Kremlin spokesman?\x07\n/bogus\x1b]0;pwned\x07\n/quotes \x9b31m\n")
    assert run_console(seed_settings, lines, out) == 0
    text = out.getvalue()
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text), repr(text)
    assert "\\x1b[2JWho is the Kremlin spokesman?\\x07" in text and "unknown command /bogus\\x1b]0;pwned" in text


def test_console_shows_related_passages_under_their_heading_without_bold(seed_settings, monkeypatch):
    import numpy as np

    from index import RELATED_HEADING
    from index.answering.verdict import VerdictModel, VerdictModels

    only_related = VerdictModel(("relevance",), np.zeros(1), np.ones(1), np.zeros(1), 0.0, 0.9)
    monkeypatch.setattr("index.answering.engine.shipped_models", lambda: VerdictModels(only_related, only_related))
    out = io.StringIO()
    assert run_console(seed_settings, io.StringIO("/ask How many people voted in Musk's poll?\n"), out) == 0
    text = out.getvalue()
    assert RELATED_HEADING in text
    quoted = [line for line in text.splitlines() if line.startswith(">")]
    assert quoted and not any("**" in line for line in quoted)


def test_console_reads_yes_and_no_options_and_names_a_typo(seed_settings):
    """`private:ye` was read as no, and the answer shown to everyone; yes/True/on were read as no
    before that."""
    out = io.StringIO()
    lines = io.StringIO("/ask private:ye Who is the Kremlin spokesman?\n"
                        "/ask explain:True Who is the Kremlin spokesman?\n"
                        "/ask private:no Who is the Kremlin spokesman?\n"
                        "/ask private:ye Who is the Kremlin spokesman?\n/vote up\n")
    assert run_console(seed_settings, lines, out) == 0
    text = out.getvalue()
    assert "private:ye: type private:true or private:false" in text
    assert "## Why: Who is the Kremlin spokesman?" in text  # explain:True read as yes
    # The typo answers nothing; explain:True and private:no answer once each.
    assert text.count("## Q: Who is the Kremlin spokesman?") == 2 and "private:no:" not in text
    assert "no answer to vote on" not in text  # a refused line keeps the last answer's buttons
