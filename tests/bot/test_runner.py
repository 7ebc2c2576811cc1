import logging

import pytest
from pydantic import SecretStr

from bot.runner import _serve
from tests.conftest import make_settings

TOKEN = "MTIz.secret-token-never-shown"


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
async def test_bot_refuses_to_start_on_a_bad_index_and_says_which_command_fixes_it(
        tmp_path, capsys, caplog, damage, seed_settings):
    settings = make_settings(tmp_path, discord_token=SecretStr(TOKEN))
    if damage == "corrupt":
        settings.index_dir.mkdir(parents=True)
        (settings.index_dir / "manifest.json").write_text("{", encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        assert await _serve(settings) == 2
    err = capsys.readouterr().err
    assert "articlebot index rebuild" in err
    assert TOKEN not in err and TOKEN not in caplog.text


async def test_bot_refuses_an_index_built_with_another_model(seed_settings, capsys):
    settings = seed_settings.model_copy(update={"model": "other/model", "discord_token": SecretStr(TOKEN)})
    assert await _serve(settings) == 2
    err = capsys.readouterr().err
    assert "model mismatch" in err and "--full" in err
