"""The real bot, unmodified discord.py, against the emulator on 127.0.0.1."""

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import ArticleBot
from bot.service import AnswerService
from index.answering.engine import Engine
from index.building.build import rebuild
from index.settings import Settings
from tests.conftest import CORPUS, make_settings
from tests.e2e.emulator import DiscordEmulator


@pytest.fixture(scope="module")
async def emulator():
    emulator = DiscordEmulator()
    await emulator.start()
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = emulator.rest_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    yield emulator
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
    await emulator.stop()


@pytest.fixture(autouse=True)
def everything_sent_is_valid(request):
    """Whatever the bot sends in a test passes Discord's request schemas: the emulator rejected nothing."""
    if "emulator" not in request.fixturenames:
        yield
        return
    emulator = request.getfixturevalue("emulator")
    before = len(emulator.rejected)
    yield
    assert [(r.method, r.path, r.body) for r in emulator.rejected[before:]] == []


@pytest.fixture
async def bare_emulator():
    """An emulator of its own, with no bot, for sending it requests by hand."""
    emulator = DiscordEmulator()
    await emulator.start()
    yield emulator
    await emulator.stop()


def seed_index(tmp_path_factory, encoder, name: str, add: Callable[[Path], None] | None = None) -> Settings:
    """Settings for an index built in a fresh folder from a copy of the seed corpus, with whatever
    `add` writes into that corpus first."""
    folder = tmp_path_factory.mktemp(name)
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    if add is not None:
        add(corpus)
    settings = make_settings(folder / "x", corpus)
    rebuild(settings, encoder=encoder)
    return settings


@pytest.fixture(scope="module")
def e2e_settings(tmp_path_factory, encoder):
    return seed_index(tmp_path_factory, encoder, "e2e")


@pytest.fixture(scope="module")
async def live_bot(emulator, e2e_settings):
    """The bot logged in and connected to the emulator's gateway, answering through ONNX."""
    service = AnswerService(e2e_settings)
    service.engine = Engine.open(e2e_settings)
    bot = ArticleBot(e2e_settings, service=service, guild_ready_timeout=0.1)
    runner = asyncio.create_task(bot.start("emulated-token"))
    await asyncio.wait_for(bot.wait_until_ready(), 30)
    yield bot
    await bot.close()
    await asyncio.wait_for(runner, 10)
