"""Paging buttons pressed when no pager of this process runs for them: drawn before the bot
restarted, or pressed as their pager ends. The press is told that the buttons have expired and the
message's paging buttons are greyed out, instead of Discord's "This interaction failed"."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import discord

from .views import PAGE_ID, Drawn, Pager

if TYPE_CHECKING:
    from .client import ArticleBot

log = logging.getLogger(__name__)

EXPIRED = ("These buttons have expired: paging lasts a few minutes, and ends when the bot restarts. "
           "Run the command again to page through the results.")


class LivePagers:
    """The pagers a bot runs, by id. A paging button whose pager is not among them was drawn by an
    earlier process, or its pager has ended."""

    def __init__(self) -> None:
        # Weak: a pager's view store holds it while it runs; this must not keep an ended one.
        self._by_id: weakref.WeakValueDictionary[str, Pager] = weakref.WeakValueDictionary()

    def add(self, pager: Pager) -> None:
        self._by_id[pager.pager_id] = pager

    def running(self, pager_id: str) -> bool:
        pager = self._by_id.get(pager_id)
        return pager is not None and not pager.is_finished()

    async def end_all(self, within_seconds: float) -> None:
        """Grey out every running pager's buttons (as the bot closes: they would stop answering)."""
        running = [pager for pager in list(self._by_id.values()) if not pager.is_finished()]
        if not running:
            return
        try:
            ended = await asyncio.wait_for(asyncio.gather(*(pager.end() for pager in running), return_exceptions=True),
                                           within_seconds)
        except TimeoutError:
            log.warning("%d pagers' buttons were not all greyed out within %.0f s", len(running), within_seconds)
            return
        # Closing goes on whatever became of them (Discord unreachable, a message gone).
        for failure in (result for result in ended if isinstance(result, Exception)):
            log.warning("a pager's buttons could not be greyed out: %s", failure)


def with_paging_disabled(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A message's component rows with its paging buttons greyed out, the others (votes, follow-up) kept."""
    return [{**row, "components": [{**component, "disabled": True}
                                   if PAGE_ID.fullmatch(component.get("custom_id") or "") else component
                                   for component in row.get("components", [])]}
            for row in rows]


class ExpiredPageButton(discord.ui.DynamicItem[discord.ui.Button], template=PAGE_ID):
    """A press of a paging button, seen by every process that serves its server. discord.py hands a
    press to its live view as well as to the dynamic items, so this one stands aside while the
    pager runs, and otherwise says that the buttons have expired and greys them out."""

    def __init__(self, pager_id: str, button: str):
        super().__init__(discord.ui.Button(custom_id=f"articlebot:page:{pager_id}:{button}"))
        self.pager_id = pager_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ExpiredPageButton:
        return cls(match["pager"], match["button"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = cast("ArticleBot", interaction.client)  # the one client that draws these buttons
        if bot.pagers.running(self.pager_id):
            return
        message = interaction.message
        try:
            if message is None:
                await interaction.response.send_message(EXPIRED, ephemeral=True)
                return
            rows = with_paging_disabled([dict(row.to_dict()) for row in message.components
                                         if isinstance(row, discord.ActionRow)])
            await interaction.response.edit_message(view=Drawn(rows=rows))
            await interaction.followup.send(EXPIRED, ephemeral=True)
        except discord.HTTPException as error:
            log.warning("could not say that a pager expired: %s", error)
