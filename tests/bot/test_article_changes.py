"""What a moderator sees while an article is added or removed: the rebuild's steps in public words
(never the host's folders, the model's path or other servers' counts), and the outcome even when
Discord refuses an edit of the reply on the way."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from unittest.mock import MagicMock

import discord
import pytest

from bot.library import PUBLIC_STEPS, LatestProgress
from bot.mock import make_interaction
from index import ArticleRefused
from index.building import ArticleChange, RebuildReport
from index.building.build import rebuild
from tests.conftest import CORPUS, make_settings

GUILD = 4242


class RecordedProgress(LatestProgress):
    """Every line a moderator would have been shown, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def say(self, text: str) -> None:
        super().say(text)
        self.shown.append(self.text)


def test_a_moderator_sees_the_rebuild_steps_in_public_words():
    progress = LatestProgress()
    progress.stage("reading the articles in /srv/articlebot/corpus …")
    advance = progress.bar("reading", 40)
    advance(10)
    assert progress.text == "Reading the articles … (reading 25%)"  # a share: the count is every server's files
    progress.stage("cutting the texts to the window of /home/operator/models/e5 …")
    assert progress.text == "Cutting the texts to the model's window …"
    progress.stage("a step the bot does not know yet")
    assert progress.text == "Indexing …"


@pytest.mark.slow
def test_every_step_of_a_real_rebuild_has_its_public_words(tmp_path, encoder):
    settings = make_settings(tmp_path, CORPUS)
    progress = RecordedProgress()
    rebuild(settings, encoder=encoder, progress=progress)
    assert progress.shown and set(progress.shown) <= set(PUBLIC_STEPS.values())
    assert not any(str(tmp_path) in line for line in progress.shown)


def edits_refused(interaction: discord.Interaction, refuse: int) -> list[str]:
    """Make the reply's first `refuse` edits fail as an expired token does; returns every edit tried."""
    tried: list[str] = []
    send = interaction.followup.send.side_effect

    async def send_then_expire(*args, **kwargs):
        message = await send(*args, **kwargs)
        recorded = message.edit.side_effect

        async def edit(**changes):
            tried.append(changes.get("content"))
            if len(tried) <= refuse:
                raise discord.HTTPException(MagicMock(status=401, reason="Unauthorized"),
                                            {"code": 50027, "message": "Invalid Webhook Token"})
            return await recorded(**changes)

        message.edit.side_effect = edit
        return message

    interaction.followup.send.side_effect = send_then_expire
    return tried


async def test_a_refused_progress_edit_does_not_end_the_change_and_its_outcome_is_shown(bot, monkeypatch, caplog):
    cog = bot.get_cog("Articles")
    # The module the bot loaded the cog from (discord.py loads an extension afresh).
    monkeypatch.setattr(sys.modules[type(cog).__module__], "PROGRESS_SECONDS", 0.01)
    interaction, recording = make_interaction(bot, manage_guild=True, guild_id=GUILD)
    await interaction.response.defer(ephemeral=True, thinking=True)
    tried = edits_refused(interaction, refuse=1)
    finished = asyncio.Event()

    async def change(progress: LatestProgress) -> ArticleChange:
        progress.stage("reading the articles in /srv/corpus …")
        await asyncio.sleep(0.1)  # long enough for a progress edit, which Discord refuses
        finished.set()
        return ArticleChange("musk-peace-deal", RebuildReport())

    with caplog.at_level(logging.WARNING, logger="bot.cogs.articles"):
        await cog.run_change(interaction, change, "Removed")
    assert finished.is_set() and tried[0] == "Reading the articles …"
    outcome = recording.replies[-1]
    assert outcome.kind == "edit" and outcome.content.startswith("Removed `musk-peace-deal`")
    assert "could not update a moderator's reply" in caplog.text


async def test_an_outcome_that_cannot_be_shown_is_logged(bot, caplog):
    interaction, _ = make_interaction(bot, manage_guild=True, guild_id=GUILD)
    await interaction.response.defer(ephemeral=True, thinking=True)
    edits_refused(interaction, refuse=10)

    async def change(progress: LatestProgress) -> ArticleChange:
        raise ArticleRefused("an article with the id 'x' exists already")

    with caplog.at_level(logging.INFO, logger="bot.cogs.articles"):
        await bot.get_cog("Articles").run_change(interaction, change, "Added")
    assert "could not be shown the outcome of an article change: Nothing was changed: an article with the id" \
        in caplog.text


async def test_an_article_s_lead_paragraph_is_read_off_the_event_loop(bot, monkeypatch):
    """/article show and an add's reply read it from the index's store (SQLite), whose lock the
    answer threads hold too: on the loop, a long read there stalled every command."""
    engine = bot.service.engine
    read_on: list[threading.Thread] = []
    original = engine.lead_paragraph

    def lead_paragraph(article: str) -> str:
        read_on.append(threading.current_thread())
        return original(article)

    monkeypatch.setattr(engine, "lead_paragraph", lead_paragraph)
    assert "Musk" in await bot.service.lead_paragraph("musk-peace-deal")
    assert read_on and read_on[0] is not threading.main_thread()
