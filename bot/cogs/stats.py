"""/stats: how the bot is doing, for moderators (Manage Server), with a chart of questions per day."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..chart import CHART_NAME, render_chart
from ..database import NoStore, StoreUnavailable
from ..render import stats_embed
from ..stats import most_frequent_unanswered, read_stats

if TYPE_CHECKING:
    from ..client import ArticleBot

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
UNREADABLE = "The question log cannot be read right now; the bot's operator can see why in its log."
NOTHING_YET = "No questions have been logged yet."


class Stats(commands.Cog):
    def __init__(self, bot: ArticleBot):
        self.bot = bot

    @app_commands.command(name="stats")
    @app_commands.describe(days=f"How many days to look back over, today included (default {DEFAULT_DAYS})")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction,
                    days: app_commands.Range[int, 1, 365] = DEFAULT_DAYS) -> None:
        """Questions per day, answered and declined, votes, what the articles could not answer."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        today = datetime.now(UTC).date()
        # A server's moderators see their server's questions; the console (no server) sees all.
        guild_id = interaction.guild_id
        try:
            report, unanswered = await self.bot.records.read(
                lambda store: read_stats(store, days, today, guild_id))
        except NoStore:
            await interaction.followup.send(NOTHING_YET, ephemeral=True)
            return
        except StoreUnavailable:
            await interaction.followup.send(UNREADABLE, ephemeral=True)
            return
        groups = await self.bot.service.group_by_meaning(unanswered) if unanswered else []
        report.unanswered = most_frequent_unanswered(unanswered, groups)
        report.logging = self.bot.records.enabled
        embed = stats_embed(report)
        chart = await asyncio.to_thread(render_chart, report)
        if len(chart) > interaction.filesize_limit:  # never near it at 800 × 360, but Discord would refuse it
            log.warning("the /stats chart (%d bytes) is over the attachment limit; sent without it", len(chart))
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        embed.set_image(url=f"attachment://{CHART_NAME}")
        await interaction.followup.send(embed=embed, file=discord.File(io.BytesIO(chart), CHART_NAME),
                                        ephemeral=True)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Stats(bot))
