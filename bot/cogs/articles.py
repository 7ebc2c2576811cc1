"""/article show, add and remove: what the bot knows about an article, and a server's own articles
added and removed by its moderators."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from index import ArticleRefused, CorpusError, article_from_form, form_file_name

from ..checks import article_choices, no_blank, scope_of
from ..library import LatestProgress
from ..render import article_embed, article_list_embed

if TYPE_CHECKING:
    from index.building import ArticleChange

    from ..client import ArticleBot

    Change = Callable[[LatestProgress], Awaitable[ArticleChange]]

log = logging.getLogger(__name__)

# How often the reply to an add or a remove shows the rebuild's progress.
PROGRESS_SECONDS = 3.0
WAITS = "Another article is being indexed; yours waits its turn and starts as soon as that one is done."
ONLY_IN_A_SERVER = "Articles are added and removed in a server: use this command there."
TOO_LARGE = "That file is {size:,} bytes, over the limit of {limit:,}: split the article into smaller files."
NOT_YOURS = "Only the moderator who asked can confirm this."
CONFIRM_SECONDS = 120.0


class ArticleForm(discord.ui.Modal, title="Add an article"):
    """A short article typed in, for a story with no file at hand."""

    article_title: discord.ui.TextInput[ArticleForm] = discord.ui.TextInput(label="Title", max_length=256)
    url: discord.ui.TextInput[ArticleForm] = discord.ui.TextInput(
        label="Link (optional)", placeholder="https://…", required=False, max_length=2000)
    publisher: discord.ui.TextInput[ArticleForm] = discord.ui.TextInput(
        label="Publisher (optional)", required=False, max_length=200)
    published: discord.ui.TextInput[ArticleForm] = discord.ui.TextInput(
        label="Date (optional)", placeholder="YYYY-MM-DD", required=False, max_length=10)
    text: discord.ui.TextInput[ArticleForm] = discord.ui.TextInput(
        label="Text, copied verbatim", style=discord.TextStyle.paragraph, max_length=4000)

    def __init__(self, cog: Articles):
        super().__init__()
        self.cog = cog

    async def on_submit(self, interaction: discord.Interaction) -> None:
        try:
            data = article_from_form(self.article_title.value, self.text.value, url=self.url.value,
                                     publisher=self.publisher.value, published=self.published.value)
        except ArticleRefused as error:
            await interaction.response.send_message(f"Not added: {error}", ephemeral=True)
            return
        await self.cog.add(interaction, form_file_name(self.article_title.value), data)


class ConfirmRemoval(discord.ui.View):
    """"Remove" or "Keep", for the moderator who asked only."""

    def __init__(self, cog: Articles, owner_id: int, article_id: str):
        super().__init__(timeout=CONFIRM_SECONDS)
        self.cog, self.owner_id, self.article_id = cog, owner_id, article_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger)
    async def remove(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content=f"Removing `{self.article_id}` …", view=None)
        await self.cog.run_change(interaction, lambda progress: self.cog.bot.library.remove(
            _guild(interaction), interaction.user.id, self.article_id, progress), "Removed")

    @discord.ui.button(label="Keep", style=discord.ButtonStyle.secondary)
    async def keep(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content=f"`{self.article_id}` was kept.", view=None)


def _guild(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:  # the commands are guild_only: Discord never sends this
        raise app_commands.NoPrivateMessage(ONLY_IN_A_SERVER)
    return interaction.guild_id


class Articles(commands.Cog):
    article = app_commands.Group(name="article", description="The news articles: show one, add or remove them")

    def __init__(self, bot: ArticleBot):
        self.bot = bot

    @article.command(name="show")
    @app_commands.describe(article="Which article (leave empty to list them)")
    async def show(self, interaction: discord.Interaction, article: str | None = None) -> None:
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
        # The lead is read from the index's store, behind other lookups: acknowledged first.
        await interaction.response.defer(thinking=True)
        embed = article_embed(entry, entry.get("paragraphs", 0), await service.lead_paragraph(article))
        await interaction.followup.send(embed=embed)

    @show.autocomplete("article")
    async def article_autocomplete(self, interaction: discord.Interaction, current: str
                                   ) -> list[app_commands.Choice[str]]:
        return article_choices(self.bot.service.articles_in(scope_of(interaction)), current)

    @article.command(name="add")
    @app_commands.describe(file="A .txt or .md article file (leave empty to type a short one in a form)")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def add_command(self, interaction: discord.Interaction, file: discord.Attachment | None = None) -> None:
        """(Manage Server) Add an article to this server's articles."""
        if file is None:
            await interaction.response.send_modal(ArticleForm(self))
            return
        limit = self.bot.settings.max_article_bytes
        if file.size > limit:  # refused before a byte is downloaded
            await interaction.response.send_message(TOO_LARGE.format(size=file.size, limit=limit), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.add(interaction, file.filename, await file.read())

    async def add(self, interaction: discord.Interaction, file_name: str, data: bytes) -> None:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        await self.run_change(interaction, lambda progress: self.bot.library.add(
            _guild(interaction), interaction.user.id, file_name, data, progress), "Added")

    @article.command(name="remove")
    @app_commands.describe(article="Which of this server's articles to remove")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def remove_command(self, interaction: discord.Interaction, article: str) -> None:
        """(Manage Server) Remove an article this server added; asks first."""
        article = article.strip()
        if article not in self._own_articles(interaction):
            await interaction.response.send_message(
                f"This server has no article `{discord.utils.escape_markdown(article[:100])}` of its own: "
                "pick one from the list as you type.", ephemeral=True)
            return
        view = ConfirmRemoval(self, interaction.user.id, article)
        await interaction.response.send_message(f"Remove `{article}` from this server's articles?", view=view,
                                                ephemeral=True)

    @remove_command.autocomplete("article")
    async def own_article_autocomplete(self, interaction: discord.Interaction, current: str
                                       ) -> list[app_commands.Choice[str]]:
        return article_choices(self._own_articles(interaction), current)

    def _own_articles(self, interaction: discord.Interaction) -> dict[str, dict]:
        guild = str(interaction.guild_id)
        return {a: e for a, e in self.bot.service.articles.items() if e.get("guild") == guild}

    async def run_change(self, interaction: discord.Interaction, change: Change, done: str) -> None:
        """Run an add or a remove, showing its progress in the reply every few seconds, then what was
        done. The change runs to its end whatever becomes of the reply: Discord lets a reply be
        edited for 15 minutes, and a long wait for another rebuild can outlast that."""
        progress = LatestProgress()
        if self.bot.library.busy:
            progress.say(WAITS)
        message = await interaction.followup.send(progress.text, ephemeral=True, wait=True)
        task = asyncio.ensure_future(change(progress))
        shown = progress.text
        while not task.done():
            await asyncio.wait({task}, timeout=PROGRESS_SECONDS)
            if not task.done() and progress.text != shown:
                shown = progress.text
                await _edit(message, content=shown)
        content, embed = await self._outcome(interaction, task, done)
        if not await _edit(message, content=content, embed=embed):
            log.info("a moderator could not be shown the outcome of an article change: %s", content)

    async def _outcome(self, interaction: discord.Interaction, task: asyncio.Future[ArticleChange],
                       done: str) -> tuple[str, discord.Embed | None]:
        """What the moderator is told of a finished change: the reply's text, and the added article."""
        try:
            result = task.result()
        except ArticleRefused as error:
            return f"Nothing was changed: {error}"[:2000], None
        except CorpusError as error:
            log.warning("an article change was refused: article files cannot be read:\n%s", error)
            told = error.for_server(self.bot.settings.corpus_dir, interaction.guild_id or 0)
            return f"Nothing was changed: {told}"[:2000], None
        except Exception:
            log.exception("changing the articles failed")
            return "Nothing was changed: the index could not be rebuilt. The error was logged.", None
        await self.bot.service.reload()
        articles = self.bot.service.articles
        if done == "Removed":
            return f"{done} `{result.article}`. Questions are answered from the new index.", None
        if result.article not in articles:  # the new index could not be loaded (logged by the service)
            log.warning("article %s was added but the index this bot serves does not hold it yet", result.article)
            return (f"{done} `{result.article}`. It is indexed, but the bot has not loaded the new index yet: "
                    "/reload loads it."), None
        entry = articles[result.article]
        embed = article_embed(entry, entry.get("paragraphs", 0), await self.bot.service.lead_paragraph(result.article))
        return (f"{done} `{result.article}`: {entry.get('paragraphs', 0)} paragraphs. "
                "Questions are answered from it now."), embed


async def _edit(message: discord.WebhookMessage, **changes: Any) -> bool:
    """Edit a reply; False (logged) when Discord refuses: the message may be gone or its token expired."""
    try:
        await message.edit(**changes)
    except discord.HTTPException as error:
        log.warning("could not update a moderator's reply: %s", error)
        return False
    return True


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Articles(bot))
