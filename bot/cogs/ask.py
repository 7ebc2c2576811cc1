"""/ask and the "Find in article" message command."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands

from index import FollowupContext, clean_question

from ..checks import article_choices, no_blank, scope_of, within_question_allowance
from ..followups import followup_buttons
from ..render import answer_embed
from ..trace_embed import EXPLAIN_REFUSED, trace_embed
from ..tree import cooldown_message
from ..views import Drawn, Pager, page_count, page_of
from ..votes import vote_buttons

if TYPE_CHECKING:
    from ..client import ArticleBot

log = logging.getLogger(__name__)

MAX_QUESTION = 300
EMPTY_QUESTION = "Please type a question, for example `/ask Who told Musk to f*** off?`"
EMPTY_MESSAGE = "That message has no text to look up."


class Ask(commands.Cog):
    def __init__(self, bot: ArticleBot):
        self.bot = bot
        self.find_menu = app_commands.ContextMenu(name="Find in article", callback=self.find_in_article)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.find_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.find_menu.name, type=self.find_menu.type)

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know about the news articles",
        article="Only search this article",
        private="Show the answer only to you",
        explain="Moderators: also show why these passages, or why none (Manage Server; only you see it)",
    )
    @app_commands.check(within_question_allowance)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION],
        article: str | None = None,
        private: bool = False,
        explain: bool = False,
    ) -> None:
        """Answer a question by quoting the passages of the articles that answer it."""
        if explain:
            await self.explain(interaction, question, no_blank(article))
            return
        await self.answer(interaction, question, no_blank(article), private, command="ask")

    @ask.autocomplete("article")
    async def article_autocomplete(self, interaction: discord.Interaction, current: str
                                   ) -> list[app_commands.Choice[str]]:
        return article_choices(self.bot.service.articles_in(scope_of(interaction)), current)

    @app_commands.check(within_question_allowance)
    async def find_in_article(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Look up the selected message's text in the articles."""
        text = message.content or ""
        if not clean_question(text):
            await interaction.response.send_message(EMPTY_MESSAGE, ephemeral=True)
            return
        await self.answer(interaction, text[:MAX_QUESTION], None, private=True, command="find")

    async def answer_followup(self, interaction: discord.Interaction, question: str, context: FollowupContext,
                              private: bool) -> None:
        """A follow-up from the form under an answer: its pronoun read as what that answer is about,
        within the first question's article filter. It spends the user's question allowance, as /ask
        does: each form sent costs a model query, and the form is not a command that the tree's
        checks guard."""
        try:
            within_question_allowance(cast("discord.Interaction[ArticleBot]", interaction))
        except app_commands.CommandOnCooldown as waiting:
            await interaction.response.send_message(cooldown_message(waiting.retry_after), ephemeral=True)
            return
        rewritten = await self.bot.service.rewrite_followup(clean_question(question), context, scope_of(interaction))
        await self.answer(interaction, rewritten, context.article, private, command="followup")

    async def explain(self, interaction: discord.Interaction, question: str, article: str | None) -> None:
        """The answer as readers would get it, then why, both only to the moderator who asked. Not
        logged: a moderator's check is not a reader's question, and would skew /stats."""
        if not interaction.permissions.manage_guild:
            await interaction.response.send_message(EXPLAIN_REFUSED, ephemeral=True)
            return
        cleaned = await self._checked(interaction, question, article)
        if cleaned is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer, trace = await self.bot.service.explain(cleaned, article, scope_of(interaction))
        await interaction.followup.send(embed=answer_embed(answer), ephemeral=True)
        await interaction.followup.send(embed=trace_embed(trace), ephemeral=True)

    async def _checked(self, interaction: discord.Interaction, question: str, article: str | None) -> str | None:
        """The question cleaned, or None after telling the user why it cannot be answered."""
        cleaned = clean_question(question)
        if not cleaned:
            await interaction.response.send_message(EMPTY_QUESTION, ephemeral=True)
            return None
        if article and article not in self.bot.service.articles_in(scope_of(interaction)):
            await interaction.response.send_message(
                "I don't know that article; pick one from the list as you type.", ephemeral=True)
            return None
        return cleaned

    async def answer(self, interaction: discord.Interaction, question: str, article: str | None,
                     private: bool, command: str) -> None:
        started = time.perf_counter()
        service = self.bot.service
        scope = scope_of(interaction)
        cleaned = await self._checked(interaction, question, article)
        if cleaned is None:
            return
        # The model may take longer than Discord's 3 seconds: acknowledge first.
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await service.ask(cleaned, article, scope)
        # Logged before it is sent: the vote buttons carry the logged question's id.
        question_id = await self.bot.records.log_question(
            origin=self.bot.origin, command=command, guild_id=interaction.guild_id,
            channel_id=interaction.channel_id, user_id=interaction.user.id, question=cleaned, answer=answer,
            latency_ms=(time.perf_counter() - started) * 1000)
        # No user id here: the question log keeps only a salted hash, and `forget` cannot reach this log.
        log.info("verdict=%s passages=%d question=%s", answer.verdict, len(answer.passages), question_id)
        # Drawn beside the pager's buttons, answered by their custom ids (after a restart too).
        beside = [*vote_buttons(question_id),
                  *followup_buttons(await service.followup_context(cleaned, answer, article, scope))]
        # The first page holds the answer's passages; the further ones, as many of `more` each.
        page_size = max(1, len(answer.passages))
        pages = 1 + page_count(len(answer.more), page_size)

        def render(page: int) -> discord.Embed:
            if page == 1:
                return answer_embed(answer)
            return answer_embed(answer, tuple(page_of(answer.more, page - 1, page_size)), page)

        if pages > 1:
            view = Pager(interaction.user.id, pages, render, self.bot.settings.button_timeout_seconds,
                         self.bot.pagers, next_label="More passages", beside=beside)
            view.message = await interaction.followup.send(embed=render(1), view=view, ephemeral=private,
                                                           wait=True)
        elif beside:
            await interaction.followup.send(embed=render(1), view=Drawn(beside), ephemeral=private)
        else:
            await interaction.followup.send(embed=render(1), ephemeral=private)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Ask(bot))
