"""The bot: loads the index once in setup_hook, never syncs commands on its own; sharded or not."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord.ext import commands

from index import Settings

from .checks import QuestionAllowance
from .cogs import EXTENSIONS
from .expiry import ExpiredPageButton, LivePagers
from .followups import FollowupButton
from .library import ArticleLibrary
from .records import Records
from .service import AnswerService
from .tree import ArticleTree
from .votes import VoteButton

log = logging.getLogger(__name__)

# How long closing waits for the running pagers' buttons to be greyed out.
PAGERS_END_SECONDS = 5.0


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
        self.question_allowance = QuestionAllowance(settings.cooldown_rate, settings.cooldown_seconds) \
            if user_cooldowns else None
        # Where questions come from, as the question log records it: discord or console.
        self.origin = origin
        self.records = records or Records(settings)
        # Adds and removes of servers' articles, one rebuild at a time.
        self.library = ArticleLibrary(settings, self.records, after_merge=self.service.reload)
        # The paging views running in this process, which a press of their buttons finds by id.
        self.pagers = LivePagers()

    async def setup_hook(self) -> None:
        if self.serve and self.service.engine is None:
            await self.service.start()
        if self.serve:
            await self.records.start()
        # Vote and follow-up buttons are answered by their custom id alone: those sent before a restart
        # too. A paging button is answered by its pager, or told that it has expired.
        self.add_dynamic_items(VoteButton, FollowupButton, ExpiredPageButton)
        for extension in EXTENSIONS:
            await self.load_extension(extension)

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s)", self.user, self.user.id if self.user else "?")

    def serving(self) -> str:
        """What of Discord this process serves, for the log."""
        return "every server, on one gateway connection (unsharded)"

    async def close(self) -> None:
        # First, while Discord can still be reached: the pagers end with this process.
        await self.pagers.end_all(within_seconds=PAGERS_END_SECONDS)
        self.service.close()
        self.library.close()
        await super().close()
        await self.records.close()


class ShardedArticleBot(ArticleBot, commands.AutoShardedBot):
    """The bot on several gateway connections (shards): all of them, or those of ARTICLEBOT_SHARD_IDS.

    Discord sends each server's events to the shard (server id >> 22) % shards; discord.py opens one
    connection per shard and routes what the bot sends by the same rule."""

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s), serving %s", self.user, self.user.id if self.user else "?", self.serving())

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d of %s connected", shard_id, self.shard_count)

    def serving(self) -> str:
        if self.shard_count is None:  # known once connected: Discord's recommendation
            return "every shard, as many as Discord recommends"
        if self.shard_ids is None:
            return f"every shard of {self.shard_count}"
        return f"shard{'s' if len(self.shard_ids) > 1 else ''} {shard_list(self.shard_ids)} of {self.shard_count}"


def shard_list(ids: Sequence[int]) -> str:
    """Shard ids as ranges for people: 0-3, 6, 8-9."""
    spans: list[list[int]] = []
    for shard in sorted(ids):
        if spans and shard == spans[-1][1] + 1:
            spans[-1][1] = shard
        else:
            spans.append([shard, shard])
    return ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in spans)


def serving_bot(settings: Settings, service: AnswerService) -> ArticleBot:
    """The bot `articlebot run` serves with: sharded when ARTICLEBOT_SHARDS is set."""
    if settings.shards is None:
        return ArticleBot(settings, service=service)
    return ShardedArticleBot(
        settings, service=service,
        shard_count=None if settings.shards == "auto" else settings.shards,
        shard_ids=None if settings.shard_ids is None else list(settings.shard_ids))
