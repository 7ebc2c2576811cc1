"""The bot's article library: a change is answered before the segment merges it makes due, which
follow in the library's thread; a failed merge is logged and the change stands."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from unittest import mock

import pytest

import bot.library as library_module
from bot.library import ArticleLibrary, LatestProgress
from bot.records import Records
from index import Settings
from index.building import ArticleChange, MergeReport, RebuildReport


@pytest.fixture
def library(tmp_path: Path) -> ArticleLibrary:
    settings = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    records = mock.create_autospec(Records, instance=True, spec_set=True)
    made = ArticleLibrary(settings, records)
    yield made
    made.close()


def events(monkeypatch: pytest.MonkeyPatch, merge_report: MergeReport | Exception) -> dict[str, threading.Event]:
    """Stand-ins for the index: a change that returns at once, a merge that waits to be released."""
    happened = {name: threading.Event() for name in ("merge started", "merge released", "merge done")}
    order: list[str] = []

    def change(*args: object, **kwargs: object) -> ArticleChange:
        order.append("change")
        return ArticleChange("tarrow-footbridge", RebuildReport())

    def merge(settings: Settings) -> MergeReport:
        order.append("merge")
        happened["merge started"].set()
        assert happened["merge released"].wait(10)
        happened["merge done"].set()
        if isinstance(merge_report, Exception):
            raise merge_report
        return merge_report

    monkeypatch.setattr(library_module, "add_article", change)
    monkeypatch.setattr(library_module, "remove_article", change)
    monkeypatch.setattr(library_module, "merge_due_segments", merge)
    happened["order"] = order  # type: ignore[assignment]
    return happened


async def test_an_add_is_answered_before_its_merge_which_follows_in_the_library_thread(library, monkeypatch):
    happened = events(monkeypatch, MergeReport(["seg-a", "seg-b"], ["seg-c"], "/index"))
    change = await asyncio.wait_for(library.add(1, 2, "tarrow-footbridge.md", b"x", LatestProgress()), 10)
    assert change.article == "tarrow-footbridge"
    assert await asyncio.to_thread(happened["merge started"].wait, 10)
    assert not happened["merge done"].is_set()  # the moderator was answered while the merge runs

    # A second change waits for the merge queued before it.
    second = asyncio.create_task(library.remove(1, 2, "tarrow-footbridge", LatestProgress()))
    await asyncio.sleep(0.05)
    assert happened["order"] == ["change", "merge"]
    happened["merge released"].set()
    await asyncio.wait_for(second, 10)
    await asyncio.wait_for(library.merged(), 10)
    assert happened["order"] == ["change", "merge", "change", "merge"]


async def test_a_failed_merge_is_logged_and_the_change_stands(library, monkeypatch, caplog):
    happened = events(monkeypatch, OSError("disk full"))
    happened["merge released"].set()
    with caplog.at_level(logging.WARNING, logger="bot.library"):
        change = await library.add(1, 2, "tarrow-footbridge.md", b"x", LatestProgress())
        await asyncio.wait_for(library.merged(), 10)
    assert change.article == "tarrow-footbridge"
    assert "merging the index's segments failed (OSError: disk full)" in caplog.text


@pytest.mark.parametrize(("into", "reloads"), [(["seg-c"], 1), ([], 0)])
async def test_the_engine_reloads_after_a_merge_that_published(tmp_path, monkeypatch, into, reloads):
    settings = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    reload = mock.AsyncMock(return_value=True)
    library = ArticleLibrary(settings, mock.create_autospec(Records, instance=True, spec_set=True),
                             after_merge=reload)
    happened = events(monkeypatch, MergeReport(["seg-a", "seg-b"] if into else [], into, "/index"))
    happened["merge released"].set()
    try:
        await library.remove(1, 2, "tarrow-footbridge", LatestProgress())
        await asyncio.wait_for(library.merged(), 10)
    finally:
        library.close()
    assert reload.await_count == reloads
