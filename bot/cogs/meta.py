"""/help and /reload."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import scope_of

if TYPE_CHECKING:
    from ..client import ArticleBot

log = logging.getLogger(__name__)

HELP = (
    "I answer questions about the news articles by quoting them, word for word.\n\n"
    "**/ask** `question` — the passages that answer it, the answering sentence in bold, with the "
    "article, paragraph and speaker. If the articles don't cover it, I say so. (Manage Server) "
    "`explain:true` also shows why.\n"
    "**/quotes** `speaker` — everything a person is quoted as saying.\n"
    "**/article show** — title, publisher, date, link and lead paragraph of an article.\n"
    "**/article add** `file` · **/article remove** `article` — (Manage Server) this server's own articles: "
    "a .txt or .md file, or a short one typed in a form.\n"
    "**Find in article** — right-click a message → Apps: look up its text.\n"
    "**/reload** — (Manage Server) pick up a rebuilt index.\n"
    "**/stats** `days` — (Manage Server) questions per day, what I could not answer, the worst-rated "
    "answers. Press 👍 or 👎 under an answer to rate it, or **Ask a follow-up** to ask more about it."
)


class Meta(commands.Cog):
    def __init__(self, bot: ArticleBot):
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What this bot does and its commands."""
        embed = discord.Embed(title="articlebot", description=HELP, colour=discord.Colour.blurple())
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="reload")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reload(self, interaction: discord.Interaction) -> None:
        """Re-open the article index after a rebuild, without restarting the bot."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        changed = await self.bot.service.reload()
        # The articles this server sees: the index's whole count would tell of other servers' own.
        articles = len(self.bot.service.articles_in(scope_of(interaction)))
        log.info("reload requested in server %s: changed=%s", interaction.guild_id, changed)
        count = f"{articles} article{'s' if articles != 1 else ''}"
        message = f"Loaded the new index ({count})." if changed else f"The index was already current ({count})."
        await interaction.followup.send(message, ephemeral=True)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Meta(bot))
