"""The `articlebot` command as a user runs it: the README's own paths, start to finish."""

import os
import shutil
import subprocess
import sys

import pytest

from index.settings import Settings
from tests.conftest import ROOT


def articlebot(args: list[str], cwd, settings: Settings, stdin: str = "", **env: str
               ) -> subprocess.CompletedProcess:
    """`articlebot ARGS` in `cwd`, on the session's seed index, with a clean environment."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
                   "ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir),
                   "ARTICLEBOT_INDEX_DIR": str(settings.index_dir), **env}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=300)


@pytest.mark.parametrize("token", ["", "   ", "\t"])
def test_an_empty_token_means_no_token(tmp_path, monkeypatch, token):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={token}\n", encoding="utf-8")
    assert Settings().discord_token is None
    monkeypatch.setenv("DISCORD_TOKEN", token)
    assert Settings().discord_token is None


@pytest.mark.slow
def test_run_with_the_example_env_opens_the_console(tmp_path, seed_settings):
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = articlebot(["run"], tmp_path, seed_settings, stdin="/help\n")
    assert result.returncode == 0, result.stderr
    assert "DISCORD_TOKEN is not set" not in result.stderr
    assert "articlebot> /help" in result.stdout and "/quotes" in result.stdout
