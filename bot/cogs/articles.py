"""/article: what the bot knows about an article."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import article_choices, no_blank, scope_of
from ..render import article_embed, article_list_embed

if TYPE_CHECKING:
    from ..client import ArticleBot


class Articles(commands.Cog):
    def __init__(self, bot: ArticleBot):
        self.bot = bot

    @app_commands.command(name="article")
    @app_commands.describe(article="Which article (leave empty to list them)")
    async def article(self, interaction: discord.Interaction, article: str | None = None) -> None:
        """Show an article's title, publisher, date, link, length and lead paragraph."""
        service = self.bot.service
        articles = service.articles_in(scope_of(interaction))
        article = no_blank(article)
        if article is None and len(articles) == 1:
            article = next(iter(articles))
        if article is None:
            await interaction.response.send_message(embed=article_list_embed(articles), ephemeral=True)
            return
        if article not in articles:
            await interaction.response.send_message("I don't know that article.", ephemeral=True)
            return
        entry = articles[article]
        embed = article_embed(entry, entry.get("paragraphs", 0), service.lead_paragraph(article))
        await interaction.response.send_message(embed=embed)

    @article.autocomplete("article")
    async def article_autocomplete(self, interaction: discord.Interaction, current: str
                                   ) -> list[app_commands.Choice[str]]:
        return article_choices(self.bot.service.articles_in(scope_of(interaction)), current)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Articles(bot))
