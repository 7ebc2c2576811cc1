"""Checks shared by the cogs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from index import Scope

if TYPE_CHECKING:
    from .client import ArticleBot


def per_user_cooldown(interaction: discord.Interaction[ArticleBot]) -> app_commands.Cooldown | None:
    """The cooldown from the settings, read when a command runs, not at import; none for a client
    without user cooldowns (the local console)."""
    if not interaction.client.user_cooldowns:
        return None
    settings = interaction.client.settings
    return app_commands.Cooldown(settings.cooldown_rate, settings.cooldown_seconds)


def scope_of(interaction: discord.Interaction) -> Scope | None:
    """The articles an interaction may see: its server's and the shared ones (a direct message: the
    shared ones). The local console is the operator's, like the command line: it sees them all."""
    if cast("ArticleBot", interaction.client).origin == "console":
        return None
    return Scope(interaction.guild_id)


def no_blank(option: str | None) -> str | None:
    """An optional text option sent empty (Discord allows `article:` with nothing after it) is no option."""
    return (option or "").strip() or None


def article_choices(articles: dict[str, dict[str, Any]], current: str) -> list[app_commands.Choice[str]]:
    """At most 25 articles whose id or title contains what the user typed."""
    wanted = current.casefold()
    matches = [
        (article_id, article.get("title") or article_id)
        for article_id, article in sorted(articles.items())
        if wanted in article_id.casefold() or wanted in (article.get("title") or "").casefold()
    ]
    return [app_commands.Choice(name=name[:100], value=article_id[:100]) for article_id, name in matches[:25]]
