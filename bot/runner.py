"""Running the bot on Discord: signals, start-up checks, and the deliberate sync. (Logging is set up
by the entry point, bot/cli.py.)"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import aiohttp
import discord

from index import IndexUnavailable, Settings

from .client import ArticleBot, serving_bot
from .service import AnswerService

log = logging.getLogger(__name__)


# Failures talking to Discord that no code change fixes: each is told in one line, never a traceback.
DISCORD_FAILURES = (discord.LoginFailure, discord.HTTPException, discord.ConnectionClosed, discord.GatewayNotFound,
                    aiohttp.ClientError, OSError)


# Gateway close codes that the shard settings fix (Discord's "Gateway Close Event Codes").
INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011


def discord_failure(error: BaseException) -> str:
    """One line saying what went wrong talking to Discord and what fixes it."""
    if isinstance(error, discord.LoginFailure):
        return "Discord refused the token; check DISCORD_TOKEN"
    if isinstance(error, discord.ConnectionClosed) and error.code == SHARDING_REQUIRED:
        return ("Discord requires sharding for a bot in this many servers: set ARTICLEBOT_SHARDS=auto, or a number "
                "of shards split among processes with ARTICLEBOT_SHARD_IDS (README: Running several processes)")
    if isinstance(error, discord.ConnectionClosed) and error.code == INVALID_SHARD:
        return (f"Discord refused shard {error.shard_id}: check that ARTICLEBOT_SHARDS is the same number in every "
                "process and that ARTICLEBOT_SHARD_IDS lies below it")
    detail = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, discord.HTTPException | discord.ConnectionClosed):
        return f"Discord refused the request ({detail}); check the bot's invitation and permissions"
    return f"cannot reach Discord ({detail}); check the network connection and try again"


def _token(settings: Settings) -> str:
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise SystemExit("DISCORD_TOKEN is not set (see .env.example)")
    return settings.discord_token.get_secret_value().strip()


def _install_signal_handlers(bot: ArticleBot) -> None:
    # Client.run handles neither signal here; SIGTERM (docker stop, systemd) must close cleanly too.
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Future[None]] = []  # held, so that the task is not collected midway

    def close(received: signal.Signals) -> None:
        log.info("received %s, closing", received.name)
        closing.append(asyncio.ensure_future(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, close, sig)


async def _serve(settings: Settings) -> int:
    service = AnswerService(settings)
    try:
        await service.start()
    except IndexUnavailable as error:
        service.close()
        print(f"error: cannot start: {error}", file=sys.stderr)
        return 2
    bot = serving_bot(settings, service)
    log.info("connecting to Discord: serving %s", bot.serving())
    _install_signal_handlers(bot)
    async with bot:
        try:
            await bot.start(_token(settings))
        except DISCORD_FAILURES as error:
            print(f"error: {discord_failure(error)}", file=sys.stderr)
            return 2
    return 0


def run_bot(settings: Settings) -> int:
    """Serve on Discord until closed; 2 when the index cannot serve or Discord refuses."""
    return asyncio.run(_serve(settings))


async def _sync(settings: Settings, guild_id: int | None) -> list[str]:
    bot = ArticleBot(settings, serve=False)
    async with bot:
        await bot.login(_token(settings))
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
        return [command.name for command in synced]


def sync_commands(settings: Settings, guild_id: int | None = None) -> int:
    try:
        names = asyncio.run(_sync(settings, guild_id))
    except DISCORD_FAILURES as error:
        print(f"error: {discord_failure(error)}", file=sys.stderr)
        return 2
    where = f"guild {guild_id}" if guild_id else "globally (may take up to an hour to appear)"
    print(f"synced {len(names)} commands {where}: {', '.join(sorted(names))}")
    return 0
