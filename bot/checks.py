"""Checks shared by the cogs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from index import Scope

if TYPE_CHECKING:
    from .client import ArticleBot


# Users whose question allowance is kept at once.
MAX_COOLDOWN_USERS = 10_000


class QuestionAllowance:
    """Each user's questions per window (COOLDOWN_RATE per COOLDOWN_SECONDS), counted together for
    /ask, "Find in article" and follow-ups: each costs a model query, and a cooldown per command
    would let a user who alternates them ask two or three times as fast."""

    def __init__(self, rate: int, seconds: float):
        self.rate, self.seconds = rate, seconds
        self._buckets: dict[int, app_commands.Cooldown] = {}

    def spend(self, user_id: int) -> float | None:
        """Count one question of the user's: None when it is within their allowance, else how many
        seconds they must wait."""
        if len(self._buckets) >= MAX_COOLDOWN_USERS and user_id not in self._buckets:
            # A bound for a bot that runs for months: the users whose window has passed first, and
            # only if all are still counting, everyone (at worst some get a fresh allowance).
            self._buckets = {user: bucket for user, bucket in self._buckets.items()
                             if bucket.get_tokens() < bucket.rate}
            # Room for a tenth more users before the next scan, so that it is not one per new user.
            if len(self._buckets) >= MAX_COOLDOWN_USERS * 0.9:
                self._buckets.clear()
        return self._buckets.setdefault(user_id, self.cooldown()).update_rate_limit()

    def cooldown(self) -> app_commands.Cooldown:
        return app_commands.Cooldown(self.rate, self.seconds)


def within_question_allowance(interaction: discord.Interaction[ArticleBot]) -> bool:
    """The check of the commands that ask the model: CommandOnCooldown (answered by the tree's
    error handler) past the user's allowance; the local console has none."""
    allowance = interaction.client.question_allowance
    if allowance is not None and (retry_after := allowance.spend(interaction.user.id)):
        raise app_commands.CommandOnCooldown(allowance.cooldown(), retry_after)
    return True


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
