"""Strict stand-ins for Discord's interaction objects, built with spec_set from the real classes.

The local console and the tests drive the bot's real command code through them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
from discord import app_commands

_ids = itertools.count(1_000)


@dataclass
class Reply:
    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ephemeral: bool = False
    kind: str = "message"  # message, defer, edit, followup
    file: discord.File | None = None


@dataclass
class Recording:
    replies: list[Reply] = field(default_factory=list)
    done: bool = False

    @property
    def visible(self) -> list[Reply]:
        return [r for r in self.replies if r.kind != "defer"]


def _message(recording: Recording) -> MagicMock:
    message = MagicMock(spec_set=discord.WebhookMessage)
    message.id = next(_ids)

    async def edit(**kwargs: Any) -> MagicMock:
        recording.replies.append(Reply(kwargs.get("content"), kwargs.get("embed"), kwargs.get("view"),
                                       kind="edit"))
        return message

    message.edit = AsyncMock(side_effect=edit)
    return message


def make_user(user_id: int | None = None, name: str = "reader") -> MagicMock:
    user = MagicMock(spec_set=discord.Member)
    user.id = next(_ids) if user_id is None else user_id
    user.name = name
    user.display_name = name
    user.mention = f"<@{user_id}>"
    user.bot = False
    return user


def make_interaction(client: Any, user: MagicMock | None = None, manage_guild: bool = False,
                     recording: Recording | None = None, guild_id: int | None = 1, channel_id: int | None = 2
                     ) -> tuple[MagicMock, Recording]:
    """An interaction whose responses are recorded instead of sent."""
    recording = recording or Recording()
    interaction = MagicMock(spec_set=discord.Interaction)
    interaction.client = client
    interaction.user = user or make_user()
    interaction.id = next(_ids)
    interaction.guild_id = guild_id
    interaction.channel_id = channel_id
    interaction.filesize_limit = 8 * 1024 * 1024  # Discord's smallest attachment limit
    interaction.permissions = discord.Permissions(manage_guild=manage_guild)
    interaction.command = None
    interaction.extras = {}
    interaction.created_at = discord.utils.utcnow()

    response = MagicMock(spec_set=discord.InteractionResponse)

    def _responded() -> None:
        if recording.done:
            raise discord.InteractionResponded(interaction)
        recording.done = True

    async def send_message(content: str | None = None, *, embed: discord.Embed | None = None,
                           view: discord.ui.View | None = None, ephemeral: bool = False,
                           file: discord.File | None = None, **_: Any) -> None:
        _responded()
        recording.replies.append(Reply(content, embed, view, ephemeral, file=file))

    async def defer(*, ephemeral: bool = False, thinking: bool = False, **_: Any) -> None:
        _responded()
        recording.replies.append(Reply(ephemeral=ephemeral, kind="defer"))

    async def edit_message(*, content: str | None = None, embed: discord.Embed | None = None,
                           view: discord.ui.View | None = None, **_: Any) -> None:
        _responded()
        recording.replies.append(Reply(content, embed, view, kind="edit"))

    response.send_message = AsyncMock(side_effect=send_message)
    response.defer = AsyncMock(side_effect=defer)
    response.edit_message = AsyncMock(side_effect=edit_message)
    response.is_done = MagicMock(side_effect=lambda: recording.done)
    interaction.response = response

    followup = MagicMock(spec_set=discord.Webhook)

    async def followup_send(content: str | None = None, *, embed: discord.Embed | None = None,
                            view: discord.ui.View | None = None, ephemeral: bool = False,
                            file: discord.File | None = None, **_: Any) -> MagicMock:
        if not recording.done:
            raise discord.NotFound(MagicMock(status=404), "Unknown Webhook")
        recording.replies.append(Reply(content, embed, view, ephemeral, kind="followup", file=file))
        return _message(recording)

    followup.send = AsyncMock(side_effect=followup_send)
    interaction.followup = followup
    interaction.original_response = AsyncMock(side_effect=lambda: _message(recording))
    return interaction, recording


def make_message(content: str) -> MagicMock:
    message = MagicMock(spec_set=discord.Message)
    message.content = content
    message.id = next(_ids)
    return message


async def invoke(client: Any, command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
                 interaction: MagicMock, *args: Any, **kwargs: Any) -> None:
    """Run a command the way the tree does: its checks, then its callback; errors go to the
    tree's error handler."""
    interaction.command = command
    try:
        for check in command.checks:
            result = check(interaction)
            if hasattr(result, "__await__"):
                result = await result
            if not result:
                raise app_commands.CheckFailure(f"check failed for {command.name}")
        binding = getattr(command, "binding", None)
        if isinstance(command, app_commands.ContextMenu):
            await command.callback(interaction, *args)
        elif binding is not None:
            await command.callback(binding, interaction, *args, **kwargs)
        else:
            await command.callback(interaction, *args, **kwargs)
    except app_commands.AppCommandError as error:
        await client.tree.on_error(interaction, error)
    except Exception as error:
        await client.tree.on_error(interaction, app_commands.CommandInvokeError(command, error))


async def press(view: discord.ui.View, label: str, interaction: discord.Interaction) -> None:
    """Press a button of a view as `interaction.user`, through the view's interaction check."""
    button = next(item for item in view.children if isinstance(item, discord.ui.Button) and item.label == label)
    if button.disabled:
        raise AssertionError(f"button {label!r} is disabled")
    if await view.interaction_check(interaction):
        await button.callback(interaction)
