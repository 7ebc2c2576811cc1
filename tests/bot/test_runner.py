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


async def test_sigterm_and_sigint_close_the_client(seed_settings):
    import asyncio
    import os
    import signal

    from bot.client import ArticleBot
    from bot.runner import _install_signal_handlers

    for sig in (signal.SIGTERM, signal.SIGINT):
        bot = ArticleBot(seed_settings, serve=False)
        _install_signal_handlers(bot)
        try:
            os.kill(os.getpid(), sig)
            for _ in range(100):
                if bot.is_closed():
                    break
                await asyncio.sleep(0.01)
            assert bot.is_closed()
        finally:
            for installed in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().remove_signal_handler(installed)
            await bot.close()
