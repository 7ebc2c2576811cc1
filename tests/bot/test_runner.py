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


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("where", ["refused", "no such host"])
def test_unreachable_discord_is_one_line_for_run_and_sync(seed_settings, capsys, monkeypatch, where):
    from discord.http import Route

    from bot.runner import run_bot, sync_commands

    host = f"127.0.0.1:{closed_port()}" if where == "refused" else "discord.invalid"
    monkeypatch.setattr(Route, "BASE", f"http://{host}/api/v10")
    settings = seed_settings.model_copy(update={"discord_token": SecretStr(TOKEN)})
    for attempt in (lambda: run_bot(settings), lambda: sync_commands(settings, guild_id=1)):
        assert attempt() == 2
        err = capsys.readouterr().err
        [line] = [line for line in err.splitlines() if line.strip()]
        assert line.startswith("error: cannot reach Discord") and "network" in line, err
        assert TOKEN not in err


@pytest.fixture
def discord_refusing_tokens(monkeypatch):
    """An HTTP server that answers every request as Discord answers a bad token."""
    import http.server
    import threading

    from discord.http import Route

    class Unauthorized(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"message": "401: Unauthorized", "code": 0}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{server.server_port}/api/v10")
    yield
    server.shutdown()
    server.server_close()


def test_sync_names_the_fix_for_a_refused_token(discord_refusing_tokens, seed_settings, capsys):
    from bot.runner import sync_commands

    settings = seed_settings.model_copy(update={"discord_token": SecretStr(TOKEN)})
    assert sync_commands(settings) == 2
    assert capsys.readouterr().err == "error: Discord refused the token; check DISCORD_TOKEN\n"


@pytest.mark.parametrize(("sharding", "kind", "count", "ids", "serving"), [
    ({}, "ArticleBot", None, None, "every server, on one gateway connection (unsharded)"),
    ({"shards": "auto"}, "ShardedArticleBot", None, None, "every shard, as many as Discord recommends"),
    ({"shards": 4}, "ShardedArticleBot", 4, None, "every shard of 4"),
    ({"shards": 4, "shard_ids": "0-1"}, "ShardedArticleBot", 4, [0, 1], "shards 0-1 of 4"),
    ({"shards": 10, "shard_ids": "9,0-2,5"}, "ShardedArticleBot", 10, [0, 1, 2, 5, 9], "shards 0-2, 5, 9 of 10"),
    ({"shards": 4, "shard_ids": "3"}, "ShardedArticleBot", 4, [3], "shard 3 of 4"),
])
async def test_the_bot_is_sharded_as_the_settings_say(tmp_path, sharding, kind, count, ids, serving):
    from bot.client import serving_bot
    from bot.service import AnswerService

    settings = make_settings(tmp_path, **sharding)
    async with serving_bot(settings, AnswerService(settings)) as bot:  # closed as `articlebot run` closes it
        assert type(bot).__name__ == kind
        assert (bot.shard_count, getattr(bot, "shard_ids", None)) == (count, ids)
        assert bot.serving() == serving
