"""Paging buttons that only the person who asked may press, and that expire; and views that only
draw buttons handled elsewhere (the votes).

A pager lives in its process's memory; its buttons' custom ids name it (`articlebot:page:PAGER:next`),
so that a press no running pager takes is answered all the same (bot/expiry.py).
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import discord

if TYPE_CHECKING:
    from .expiry import LivePagers

NOT_YOURS = "Only the person who asked can page through these results. Ask your own with /ask!"
BUTTONS_PER_ROW = 5
PAGE_ID = re.compile(r"articlebot:page:(?P<pager>[0-9a-f]{32}):(?P<button>previous|next)")

T = TypeVar("T")


def page_count(items: int, per_page: int) -> int:
    """Pages that `items` things fill, `per_page` to a page (0 for none)."""
    return -(-items // per_page)


def page_of(items: Sequence[T], page: int, per_page: int) -> Sequence[T]:
    """The things on `page` (counted from 1), `per_page` to a page."""
    start = (page - 1) * per_page
    return items[start:start + per_page]


def drawn_beside(components: list[dict[str, Any]], items: Sequence[discord.ui.Item]) -> list[dict[str, Any]]:
    """`items` drawn after the buttons of the first row, or in a row of their own when it is full.
    They are not the view's children, so its timeout neither disables nor unregisters them."""
    if not items:
        return components
    drawn = [item.to_component_dict() for item in items]
    if components and len(components[0]["components"]) + len(drawn) <= BUTTONS_PER_ROW:
        return [{**components[0], "components": [*components[0]["components"], *drawn]}, *components[1:]]
    return [*components, {"type": 1, "components": drawn}]


class Drawn(discord.ui.View):
    """A view that only draws buttons dispatched on their own (dynamic items), or `rows` of
    components as they are: it holds none, so nothing of it times out or is stored."""

    def __init__(self, items: Sequence[discord.ui.Item] = (), rows: Sequence[dict[str, Any]] = ()):
        super().__init__(timeout=None)
        self.drawn = list(items)
        self.rows = list(rows)

    def to_components(self) -> list[dict[str, Any]]:
        return drawn_beside(self.rows, self.drawn)


class Pager(discord.ui.View):
    """Pages 1..page_count rendered by `render(page)`; page 1 is what was first shown."""

    def __init__(self, owner_id: int, page_count: int, render: Callable[[int], discord.Embed],
                 timeout: float, live: LivePagers, next_label: str = "Next", beside: Sequence[discord.ui.Item] = ()):
        super().__init__(timeout=timeout)
        self.beside = list(beside)  # drawn after the paging buttons, not owned (see drawn_beside)
        self.owner_id = owner_id
        self.page_count = page_count
        self.render = render
        self.page = 1
        self.message: discord.Message | discord.WebhookMessage | None = None
        self.next_page.label = next_label
        self.pager_id = secrets.token_hex(16)
        self.previous_page.custom_id = f"articlebot:page:{self.pager_id}:previous"
        self.next_page.custom_id = f"articlebot:page:{self.pager_id}:next"
        self._update_buttons()
        live.add(self)  # so that a press of its buttons is not also answered as expired

    def to_components(self) -> list[dict[str, Any]]:
        return drawn_beside(super().to_components(), self.beside)

    # Not `_refresh`: discord.py's View has one of its own, called with the message's components.
    def _update_buttons(self) -> None:
        self.previous_page.disabled = self.page <= 1
        self.next_page.disabled = self.page >= self.page_count

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return False
        return True

    async def _show(self, interaction: discord.Interaction) -> None:
        if self.is_finished():  # pressed as the time ran out: expiry answers it
            return
        self._update_buttons()
        await interaction.response.edit_message(embed=self.render(self.page), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page = max(1, self.page - 1)
        await self._show(interaction)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page = min(self.page_count, self.page + 1)
        await self._show(interaction)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            # The message may be gone; an expired button needs no cleanup then.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)

    async def end(self) -> None:
        """Stop paging now, as when the time is up: the buttons are greyed out."""
        self.stop()
        await self.on_timeout()
