import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.settings import E5_MODEL, Settings
from tests.conftest import ROOT


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "ARTICLEBOT_MODEL", "ARTICLEBOT_INDEX_DIR", "ARTICLEBOT_CORPUS_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.model == E5_MODEL
    assert settings.corpus_dir == Path("corpus")
    assert settings.discord_token is None


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", "/srv/index")
    monkeypatch.setenv("ARTICLEBOT_ANSWER_K", "5")
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    settings = Settings()
    assert settings.index_dir == Path("/srv/index")
    assert settings.answer_k == 5
    assert settings.discord_token.get_secret_value() == "secret-token-value"
    assert "secret-token-value" not in repr(settings)
    assert "secret-token-value" not in str(settings.model_dump())


def test_dotenv_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARTICLEBOT_MODEL", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    (tmp_path / ".env").write_text("ARTICLEBOT_MODEL=/models/mini\nDISCORD_TOKEN=abc.def\n", encoding="utf-8")
    settings = Settings()
    assert settings.model == "/models/mini"
    assert settings.discord_token.get_secret_value() == "abc.def"


def test_settings_are_not_read_at_import(tmp_path):
    # In a process of its own: reloading index.settings here would leave this process's other
    # modules holding the old SettingsError class (the CLI would stop catching the new one).
    script = (
        "import os; os.environ['ARTICLEBOT_ANSWER_K'] = '7'\n"
        "import index.settings\n"
        "os.environ['ARTICLEBOT_ANSWER_K'] = '2'\n"
        "print(index.settings.Settings().answer_k)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.stdout.strip() == "2", result.stderr


def test_env_example_lists_every_setting():
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    for name, _field in Settings.model_fields.items():
        env_name = "DISCORD_TOKEN" if name == "discord_token" else f"ARTICLEBOT_{name.upper()}"
        assert env_name in example, env_name


def test_the_example_env_gives_a_working_model(tmp_path, monkeypatch):
    from index.embedding.encoders import model_spec

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("ARTICLEBOT_MODEL", "ARTICLEBOT_BACKEND", "ARTICLEBOT_QUERY_PREFIX", "ARTICLEBOT_PASSAGE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    spec = model_spec(Settings())
    assert (spec.name, spec.backend, spec.query_prefix) == ("multilingual-e5-small", "onnx", "query: ")


@pytest.mark.parametrize(("shards", "shard_ids", "expected"), [
    ("", "", (None, None)),
    ("4", "", (4, None)),
    ("auto", "", ("auto", None)),
    (" AUTO ", "", ("auto", None)),
    ("4", "0-1", (4, (0, 1))),
    ("4", "2,3", (4, (2, 3))),
    ("8", " 6 , 0 - 2 ", (8, (0, 1, 2, 6))),
    ("1", "0", (1, (0,))),
])
def test_shards_and_the_shard_ids_of_a_process(monkeypatch, tmp_path, shards, shard_ids, expected):
    from index.settings import load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEBOT_SHARDS", shards)
    monkeypatch.setenv("ARTICLEBOT_SHARD_IDS", shard_ids)
    settings = load_settings()
    assert (settings.shards, settings.shard_ids) == expected


@pytest.mark.parametrize(("shards", "shard_ids", "message"), [
    ("0", "", "ARTICLEBOT_SHARDS=0: a number of shards (1 or more), or auto for as many as Discord recommends"),
    ("many", "0", "ARTICLEBOT_SHARDS=many: a number of shards (1 or more), or auto for as many as Discord "
                  "recommends"),
    ("-2", "", "ARTICLEBOT_SHARDS=-2: a number of shards"),
    ("\u00b2", "", "ARTICLEBOT_SHARDS=\u00b2: a number of shards"),  # a digit to str.isdigit, not to int
    ("", "0-1", "ARTICLEBOT_SHARD_IDS=0-1: set ARTICLEBOT_SHARDS too, the number of shards in all processes "
                "together"),
    ("auto", "0", "ARTICLEBOT_SHARD_IDS=0: needs ARTICLEBOT_SHARDS to be a number, not auto"),
    ("4", "0-4", "ARTICLEBOT_SHARD_IDS=0-4: shard 4 is not one of the 4 shards (0 to 3)"),
    ("4", "1,9", "ARTICLEBOT_SHARD_IDS=1,9: shard 9 is not one of the 4 shards (0 to 3)"),
    ("1", "1", "ARTICLEBOT_SHARD_IDS=1: shard 1 does not exist: with ARTICLEBOT_SHARDS=1 there is only shard 0"),
    ("4", "3-1", "ARTICLEBOT_SHARD_IDS=3-1: the range 3-1 runs backwards: write 1-3"),
    ("4", "0-2,1", "ARTICLEBOT_SHARD_IDS=0-2,1: shard 1 is named twice"),
    ("4", "-1", "ARTICLEBOT_SHARD_IDS=-1: give shard ids as a range (0-3), a list (0,2) or both (0-1,4)"),
    ("4", "0;1", "ARTICLEBOT_SHARD_IDS=0;1: give shard ids as a range (0-3), a list (0,2) or both (0-1,4)"),
    ("4", "[0, 1]", "ARTICLEBOT_SHARD_IDS=[0, 1]: give shard ids as a range"),
    ("4", "0,", "ARTICLEBOT_SHARD_IDS=0,: give shard ids as a range"),
])
def test_a_bad_shard_setting_is_one_line_naming_it(monkeypatch, tmp_path, shards, shard_ids, message):
    from index.settings import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEBOT_SHARDS", shards)
    monkeypatch.setenv("ARTICLEBOT_SHARD_IDS", shard_ids)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
    assert ";" not in str(raised.value).removeprefix(message.split(":")[0])  # one problem, not one per union member


@pytest.mark.parametrize("name", ["ARTICLEBOT_INDEX_DIR", "ARTICLEBOT_CORPUS_DIR"])
def test_an_empty_folder_setting_is_refused_naming_it(monkeypatch, tmp_path, name):
    """Empty, the path was the current folder: "PosixPath('.') has an empty name", or a corrupt index."""
    from index.settings import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, " ")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"{name}=") and "give a folder" in str(raised.value)


def test_a_tilde_in_a_path_is_the_home_folder(monkeypatch, tmp_path):
    """No shell reads .env: "~/articles" there must not make a folder called "~"."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", "~/articles")
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", "~/var/index")
    monkeypatch.setenv("ARTICLEBOT_DATABASE", "~/var/articlebot.sqlite3")
    settings = Settings(_env_file=None)
    assert (settings.corpus_dir, settings.index_dir) == (tmp_path / "articles", tmp_path / "var" / "index")
    assert settings.database == str(tmp_path / "var" / "articlebot.sqlite3")


@pytest.mark.parametrize("variable", ["ARTICLEBOT_CORPUS_DIR", "ARTICLEBOT_INDEX_DIR", "ARTICLEBOT_DATABASE"])
def test_the_home_folder_of_no_such_user_is_one_line(monkeypatch, variable):
    from index.settings import SettingsError, load_settings

    monkeypatch.setenv(variable, "~nosuchuser/articles")
    with pytest.raises(SettingsError) as refused:  # Path.expanduser raised RuntimeError: a traceback
        load_settings()
    assert str(refused.value) == f"{variable}=~nosuchuser/articles: ~nosuchuser is no home folder on this machine; " \
                                 "give the folder itself"
