"""/quotes: a speaker's quotations, paged."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import per_user_cooldown, scope_of
from ..render import quotes_embed
from ..views import Pager, page_count

if TYPE_CHECKING:
    from ..client import ArticleBot

QUOTES_PER_PAGE = 5


class Quotes(commands.Cog):
    def __init__(self, bot: ArticleBot):
        self.bot = bot

    @app_commands.command(name="quotes")
    @app_commands.describe(speaker="Whose quotations to show (any name the articles use for them)")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def quotes(self, interaction: discord.Interaction,
                     speaker: app_commands.Range[str, 1, 100]) -> None:
        """List what a person or organisation is quoted as saying, with paragraph numbers."""
        service = self.bot.service
        scope = scope_of(interaction)
        found = await service.quotes_by(speaker.strip(), scope)
        if not found:
            await interaction.response.send_message(
                "No quotations by that speaker. Start typing to see who is quoted.", ephemeral=True)
            return
        name = found[0]["speaker"]
        titles = {a: (d.get("title") or a) for a, d in service.articles_in(scope).items()}
        pages = page_count(len(found), QUOTES_PER_PAGE)

        def render(page: int) -> discord.Embed:
            return quotes_embed(name, found, titles, page, QUOTES_PER_PAGE)

        if pages > 1:
            view = Pager(interaction.user.id, pages, render, self.bot.settings.button_timeout_seconds,
                         self.bot.pagers)
            await interaction.response.send_message(embed=render(1), view=view)
            view.message = await interaction.original_response()
        else:
            await interaction.response.send_message(embed=render(1))

    @quotes.autocomplete("speaker")
    async def speaker_autocomplete(self, interaction: discord.Interaction, current: str
                                   ) -> list[app_commands.Choice[str]]:
        wanted = current.casefold()
        choices = []
        for entry in await self.bot.service.speakers(scope_of(interaction)):
            names = [entry["speaker"], *entry["aliases"]]
            if any(wanted in n.casefold() for n in names):
                label = f"{entry['speaker']} ({entry['count']})"
                choices.append(app_commands.Choice(name=label[:100], value=entry["speaker"][:100]))
        return choices[:25]


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Quotes(bot))
