"""👍 / 👎 under every answer: buttons that keep working after the bot restarts.

A button's custom id names the logged question and the vote (`articlebot:vote:42:up`), and the class
is registered once with `bot.add_dynamic_items`, so a press is handled whenever it comes. The buttons
are drawn beside a view's own (see `views.drawn_beside`) but are never its children: discord.py drops
a dynamic item class from its registry when a view holding one stops or times out
(`ViewStore.remove_view`), and it gives every ephemeral reply's view a timeout.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord

if TYPE_CHECKING:
    from .client import ArticleBot

log = logging.getLogger(__name__)

VOTE_ID = re.compile(r"articlebot:vote:(?P<question>[0-9]{1,18}):(?P<value>up|down)")
LABELS = {"up": "👍", "down": "👎"}
THANKS = {"up": "Thanks for the 👍! Press 👎 instead to change your vote.",
          "down": "Thanks for the 👎! Press 👍 instead to change your vote."}
NOT_RECORDED = "Thanks! Votes are not being recorded right now."


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=VOTE_ID):
    def __init__(self, question_id: int, value: str):
        super().__init__(discord.ui.Button(label=LABELS[value], style=discord.ButtonStyle.secondary,
                                           custom_id=f"articlebot:vote:{question_id}:{value}"))
        self.question_id = question_id
        self.value = value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> VoteButton:
        return cls(int(match["question"]), match["value"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Anyone may vote, once per answer; the press is acknowledged first, then stored."""
        records = cast("ArticleBot", interaction.client).records  # the one client that draws these buttons
        try:
            await interaction.response.send_message(THANKS[self.value] if records.enabled else NOT_RECORDED,
                                                    ephemeral=True)
        except discord.HTTPException as error:
            log.warning("could not thank a voter: %s", error)
        await records.vote(self.question_id, interaction.user.id, self.value)


def vote_buttons(question_id: int | None) -> list[VoteButton]:
    """The 👍 and 👎 buttons of a logged question; none for an answer that was not logged."""
    return [] if question_id is None else [VoteButton(question_id, value) for value in LABELS]


def votes_drawn_in(view: discord.ui.View) -> list[VoteButton]:
    """The vote buttons a view draws, read back from its components (the console presses them)."""
    found = []
    for row in view.to_components():
        for component in row.get("components", []):
            match = VOTE_ID.fullmatch(component.get("custom_id") or "")
            if match:
                found.append(VoteButton(int(match["question"]), match["value"]))
    return found
