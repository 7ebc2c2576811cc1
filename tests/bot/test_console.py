import io
import subprocess
import sys

import pytest

from bot.console import run_console
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


def test_console_refuses_a_missing_index_with_the_fix(tmp_path):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    out = io.StringIO()
    assert run_console(settings, io.StringIO("/help\n"), out) == 2
    assert "articlebot index rebuild" in out.getvalue()


def test_console_entry_point_is_scriptable(seed_settings):
    env = {"ARTICLEBOT_CORPUS_DIR": str(seed_settings.corpus_dir),
           "ARTICLEBOT_INDEX_DIR": str(seed_settings.index_dir), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "console"], input="/ask Who is the Kremlin spokesman?\n",
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Dmitry Peskov" in result.stdout
