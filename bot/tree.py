"""The command tree with the bot's one error handler."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from index import IndexUnavailable

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Sorry, something went wrong while answering. The error was logged."
INDEX_UNAVAILABLE = "The article index is not available right now; a moderator has to rebuild it."


async def reply_privately(interaction: discord.Interaction, message: str) -> None:
    """An ephemeral reply, through the followup when the response is already done."""
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True)
    else:
        await interaction.response.send_message(message, ephemeral=True)


def cooldown_message(retry_after: float) -> str:
    return f"You're asking quickly! Try again in {retry_after:.0f} seconds."


class ArticleTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CommandOnCooldown):
            message = cooldown_message(error.retry_after)
        elif isinstance(error, app_commands.MissingPermissions):
            message = "You need the Manage Server permission for that."
        elif isinstance(error, app_commands.CommandInvokeError) and \
                isinstance(error.original, IndexUnavailable):
            log.error("index unavailable: %s", error.original)
            message = INDEX_UNAVAILABLE
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command %s failed", command, exc_info=error)
            message = SOMETHING_WENT_WRONG
        try:
            await reply_privately(interaction, message)
        except discord.HTTPException:
            log.warning("could not tell the user about an error", exc_info=True)
