"""The bot: loads the index once in setup_hook, never syncs commands on its own."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from index import Settings

from .cogs import EXTENSIONS
from .followups import FollowupButton
from .library import ArticleLibrary
from .records import Records
from .service import AnswerService
from .tree import ArticleTree
from .votes import VoteButton

log = logging.getLogger(__name__)


class ArticleBot(commands.Bot):
    """The Discord client with the bot's settings, its answer service and its question log."""

    def __init__(self, settings: Settings, service: AnswerService | None = None, serve: bool = True,
                 user_cooldowns: bool = True, origin: str = "discord", records: Records | None = None,
                 **options: Any):
        # The bot never joins voice: discord.py would warn, as a client starts, that the voice
        # libraries are missing. Said here, when a bot is made, not when this module is imported.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.none() | discord.Intents(guilds=True),
            # Nothing the bot sends may ping anyone: questions, articles and quotations included.
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ArticleTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.service = service or AnswerService(settings)
        # False for `articlebot sync`, which needs the commands but not the index or the model.
        self.serve = serve
        # Discord users are rate-limited per user; the local console (one trusted user) is not.
        self.user_cooldowns = user_cooldowns
        # Where questions come from, as the question log records it: discord or console.
        self.origin = origin
        self.records = records or Records(settings)
        # Adds and removes of servers' articles, one rebuild at a time.
        self.library = ArticleLibrary(settings, self.records)

    async def setup_hook(self) -> None:
        if self.serve and self.service.engine is None:
            await self.service.start()
        if self.serve:
            await self.records.start()
        # Vote and follow-up buttons are answered by their custom id alone: those sent before a restart too.
        self.add_dynamic_items(VoteButton, FollowupButton)
        for extension in EXTENSIONS:
            await self.load_extension(extension)

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s)", self.user, self.user.id if self.user else "?")

    async def close(self) -> None:
        self.service.close()
        self.library.close()
        await super().close()
        await self.records.close()
