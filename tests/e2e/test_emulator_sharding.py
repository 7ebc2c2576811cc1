"""The emulator speaks the gateway's sharding as Discord does: /gateway/bot as its schema says, IDENTIFY
with `shard` honoured or refused, and each server's events sent only to the session of its shard."""

import asyncio
import json
import logging

import aiohttp
import pytest
from jsonschema import Draft202012Validator

from tests.e2e.emulator import GUILD_ID, INVALID_SHARD, DiscordEmulator, guild_on_shard
from tests.e2e.openapi import SPEC_URI, _registry


class Connection:
    """A bare gateway client: IDENTIFY, then every dispatch it is sent."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse):
        self.socket = socket
        self.dispatches: list[dict] = []

    @classmethod
    async def open(cls, session: aiohttp.ClientSession, emulator: DiscordEmulator, shard: list | None):
        socket = await session.ws_connect(emulator.gateway_url)
        hello = await socket.receive_json()
        assert hello["op"] == 10
        identify = {"token": "emulated-token", "intents": 1, "properties": {}}
        await socket.send_json({"op": 2, "d": {**identify, **({"shard": shard} if shard is not None else {})}})
        return cls(socket)

    async def until(self, event: str, count: int = 1) -> list[dict]:
        """Read until `count` dispatches of `event` have come; all of them."""
        while sum(d["t"] == event for d in self.dispatches) < count:
            message = await asyncio.wait_for(self.socket.receive(), 5)
            if message.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"the socket closed ({self.socket.close_code}) before {event}")
            frame = json.loads(message.data)
            if frame["op"] == 0:
                self.dispatches.append(frame)
        return [d for d in self.dispatches if d["t"] == event]

    async def nothing_more(self) -> None:
        """No further dispatch comes within a moment."""
        with pytest.raises(TimeoutError):
            message = await asyncio.wait_for(self.socket.receive(), 0.3)
            raise AssertionError(f"unexpected: {message.data}")


async def test_gateway_bot_answers_as_its_openapi_schema_says(bare_emulator):
    bare_emulator.recommended_shards = 3
    async with aiohttp.ClientSession() as session, session.get(bare_emulator.rest_base + "/gateway/bot") as response:
        answer = await response.json()
    schema = {"$ref": f"{SPEC_URI}#/components/schemas/GatewayBotResponse"}
    Draft202012Validator(schema, registry=_registry(),
                         format_checker=Draft202012Validator.FORMAT_CHECKER).validate(answer)
    assert answer["shards"] == 3 and answer["url"] == bare_emulator.gateway_url
    assert answer["session_start_limit"]["remaining"] <= answer["session_start_limit"]["total"]


async def test_each_server_s_events_go_only_to_the_session_of_its_shard():
    guilds = [guild_on_shard(0, 2), guild_on_shard(1, 2), guild_on_shard(1, 2, after=int(guild_on_shard(1, 2)) + 1)]
    emulator = DiscordEmulator(guilds=guilds)
    await emulator.start()
    try:
        async with aiohttp.ClientSession() as session:
            zero = await Connection.open(session, emulator, [0, 2])
            one = await Connection.open(session, emulator, [1, 2])
            [ready] = await zero.until("READY")
            assert ready["d"]["shard"] == [0, 2]
            assert [g["id"] for g in ready["d"]["guilds"]] == [guilds[0]]
            assert [d["d"]["id"] for d in await zero.until("GUILD_CREATE")] == [guilds[0]]
            assert [d["d"]["id"] for d in await one.until("GUILD_CREATE", 2)] == guilds[1:]

            on_zero = await emulator.slash("ask", {"question": "Who?"}, guild_id=guilds[0])
            on_one = await emulator.slash("ask", {"question": "Who?"}, guild_id=guilds[2])
            assert [d["d"]["id"] for d in await zero.until("INTERACTION_CREATE")] == [on_zero.id]
            assert [d["d"]["id"] for d in await one.until("INTERACTION_CREATE")] == [on_one.id]
            assert (on_zero.shards, on_one.shards) == ([(0, 2)], [(1, 2)])
            await zero.nothing_more()
            await one.nothing_more()
            assert emulator.identified == [(0, 2), (1, 2)]
            assert [(d.event, d.shards) for d in emulator.delivered] == [
                ("GUILD_CREATE", [(0, 2)]), ("GUILD_CREATE", [(1, 2)]), ("GUILD_CREATE", [(1, 2)]),
                ("INTERACTION_CREATE", [(0, 2)]), ("INTERACTION_CREATE", [(1, 2)])]
    finally:
        await emulator.stop()


async def test_a_server_whose_shard_has_no_session_gets_nothing_delivered(bare_emulator):
    async with aiohttp.ClientSession() as session:
        zero = await Connection.open(session, bare_emulator, [0, 2])
        await zero.until("READY")
        lost = await bare_emulator.slash("ask", {"question": "Who?"}, guild_id=guild_on_shard(1, 2))
        assert lost.shards == []
        await zero.nothing_more()


async def test_an_unsharded_session_gets_every_server_s_events(bare_emulator):
    async with aiohttp.ClientSession() as session:
        only = await Connection.open(session, bare_emulator, None)
        [ready] = await only.until("READY")
        assert "shard" not in ready["d"]
        for shard in (0, 1, 2):
            await bare_emulator.slash("ask", {"question": "Who?"}, guild_id=guild_on_shard(shard, 3))
        assert len(await only.until("INTERACTION_CREATE", 3)) == 3


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0, 0], [0], "0,2", [True, 2]])
async def test_an_identify_with_an_impossible_shard_is_closed_with_4010(bare_emulator, shard):
    async with aiohttp.ClientSession() as session:
        connection = await Connection.open(session, bare_emulator, shard)
        message = await asyncio.wait_for(connection.socket.receive(), 5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
        assert connection.socket.close_code == INVALID_SHARD
    assert bare_emulator.identified == [] and bare_emulator.sessions == {}


async def test_auto_sharding_opens_as_many_shards_as_gateway_bot_recommends(emulator, tmp_path, caplog):
    """ARTICLEBOT_SHARDS=auto: the real client asks /gateway/bot and identifies each shard it recommends."""
    from bot.client import ShardedArticleBot
    from tests.conftest import make_settings

    emulator.recommended_shards = 2
    settings = make_settings(tmp_path, shards="auto")
    bot = ShardedArticleBot(settings, serve=False, guild_ready_timeout=0.1)
    assert bot.serving() == "every shard, as many as Discord recommends"
    with caplog.at_level(logging.INFO, logger="bot.client"):
        runner = asyncio.create_task(bot.start("emulated-token"))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            assert sorted(emulator.identified) == [(0, 2), (1, 2)]
            assert any(r.path == "/gateway/bot" for r in emulator.requests)
            assert bot.serving() == "every shard of 2"
        finally:
            await bot.close()
            await asyncio.wait_for(runner, 10)
    assert "serving every shard of 2" in caplog.text


async def test_a_bot_in_2500_servers_is_told_in_one_line_to_shard_and_then_runs_sharded(
        bare_emulator, seed_settings, monkeypatch, capsys):
    """Discord closes an unsharded session of 2,500 servers with 4011; `articlebot run` says which
    setting fixes it, and with ARTICLEBOT_SHARDS=2 the same bot connects (1,250 servers a shard)."""
    import os
    import signal

    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route
    from pydantic import SecretStr

    from bot.runner import _serve

    bare_emulator.guilds = [str(int(GUILD_ID) + (n << 22)) for n in range(2500)]
    monkeypatch.setattr(Route, "BASE", bare_emulator.rest_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(bare_emulator.gateway_url))
    settings = seed_settings.model_copy(update={"discord_token": SecretStr("emulated-token")})
    loop = asyncio.get_running_loop()
    try:
        assert await _serve(settings) == 2
        # Log lines may share stderr (a handler another test left on the root logger); the error is one line.
        err = capsys.readouterr().err
        [line] = [line for line in err.splitlines() if line.startswith("error:")]
        assert "Traceback" not in err, err
        assert line.startswith("error: Discord requires sharding") and "ARTICLEBOT_SHARDS=auto" in line
        assert bare_emulator.identified == []

        serving = asyncio.create_task(_serve(settings.model_copy(update={"shards": 2})))
        await bare_emulator.wait_for(lambda: sorted(bare_emulator.identified) == [(0, 2), (1, 2)] or serving.done(),
                                     timeout=60)
        assert not serving.done(), capsys.readouterr().err
        created = [d for d in bare_emulator.delivered if d.event == "GUILD_CREATE"]
        assert sorted(d.shards[0][0] for d in created) == [0] * 1250 + [1] * 1250
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(serving, 30) == 0
    finally:
        for installed in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(installed)
