from pathlib import Path

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


def test_settings_are_not_read_at_import(monkeypatch, tmp_path):
    import importlib

    import index.settings

    monkeypatch.setenv("ARTICLEBOT_ANSWER_K", "7")
    importlib.reload(index.settings)
    monkeypatch.setenv("ARTICLEBOT_ANSWER_K", "2")
    assert index.settings.Settings().answer_k == 2


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
