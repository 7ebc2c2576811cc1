""""Ask a follow-up" under every answer: a button that opens a form for the next question.

The button's custom id carries what the follow-up refers back to (the first question's article
filter, the person and the thing its answer is about: `articlebot:followup:ARTICLE:PERSON:THING`),
so, like the vote buttons, it keeps working after the pager ends and after the bot restarts. The
rewriting itself ("What else did he say?" → "… did Andrij Melnyk say?") is index's.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord

from index import FollowupContext, IndexUnavailable

from .tree import INDEX_UNAVAILABLE, SOMETHING_WENT_WRONG, reply_privately

if TYPE_CHECKING:
    from .client import ArticleBot

log = logging.getLogger(__name__)

# Article ids are letters, digits, '.', '_' and '-'; names are anything but ':'.
FOLLOWUP_ID = re.compile(r"articlebot:followup:(?P<article>[A-Za-z0-9._-]*):(?P<person>[^:]*):(?P<thing>[^:]*)")
CUSTOM_ID_LIMIT = 100  # Discord's limit on a component's custom id
LABEL = "Ask a follow-up"
QUESTION_LIMIT = 300  # as /ask's question option
PLACEHOLDER = "What else did he say?"


def custom_id(context: FollowupContext) -> str | None:
    """The button's custom id for `context`; the thing, then the person is left out when the whole
    would not fit, and None when not even the article filter fits (no button then: a follow-up
    must keep the filter)."""
    def named(name: str | None) -> str:
        return name if name and ":" not in name else ""

    article = context.article or ""
    for person, thing in ((named(context.person), named(context.thing)), (named(context.person), ""), ("", "")):
        candidate = f"articlebot:followup:{article}:{person}:{thing}"
        if len(candidate) <= CUSTOM_ID_LIMIT:
            return candidate
    return None


class FollowupButton(discord.ui.DynamicItem[discord.ui.Button], template=FOLLOWUP_ID):
    def __init__(self, context: FollowupContext, identifier: str):
        super().__init__(discord.ui.Button(label=LABEL, style=discord.ButtonStyle.secondary, custom_id=identifier))
        self.context = context

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> FollowupButton:
        context = FollowupContext(article=match["article"] or None, person=match["person"] or None,
                                  thing=match["thing"] or None)
        return cls(context, match.group(0))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Anyone may follow up; the answer is private when the first one was."""
        private = bool(interaction.message is not None and interaction.message.flags.ephemeral)
        await interaction.response.send_modal(FollowupModal(self.context, private))


def followup_buttons(context: FollowupContext) -> list[FollowupButton]:
    """The "Ask a follow-up" button for an answer; none when its context cannot be carried."""
    identifier = custom_id(context)
    return [] if identifier is None else [FollowupButton(context, identifier)]


def followup_drawn_in(view: discord.ui.View) -> FollowupButton | None:
    """The follow-up button a view draws, read back from its components (the console presses it)."""
    for row in view.to_components():
        for component in row.get("components", []):
            match = FOLLOWUP_ID.fullmatch(component.get("custom_id") or "")
            if match:
                return FollowupButton(FollowupContext(match["article"] or None, match["person"] or None,
                                                      match["thing"] or None), match.group(0))
    return None


class FollowupModal(discord.ui.Modal, title=LABEL):
    question: discord.ui.TextInput[FollowupModal] = discord.ui.TextInput(
        label="Your question", placeholder=PLACEHOLDER, min_length=1, max_length=QUESTION_LIMIT)

    def __init__(self, context: FollowupContext, private: bool):
        super().__init__()
        self.context = context
        self.private = private

    async def on_submit(self, interaction: discord.Interaction) -> None:
        from .cogs.ask import Ask

        bot = cast("ArticleBot", interaction.client)  # the one client that draws these buttons
        ask = bot.get_cog("Ask")
        if not isinstance(ask, Ask):
            raise RuntimeError("the Ask cog is not loaded")
        await ask.answer_followup(interaction, self.question.value, self.context, self.private)

    # discord.py's Modal narrows View.on_error to these two arguments; mypy sees only View's.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """What the command tree says when a command fails, for the form."""
        if isinstance(error, IndexUnavailable):
            log.error("index unavailable: %s", error)
            message = INDEX_UNAVAILABLE
        else:
            log.error("a follow-up failed", exc_info=error)
            message = SOMETHING_WENT_WRONG
        try:
            await reply_privately(interaction, message)
        except discord.HTTPException:
            log.warning("could not tell the user about an error", exc_info=True)
