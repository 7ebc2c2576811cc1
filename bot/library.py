"""Adding and removing a server's articles from Discord: one rebuild at a time, in a worker thread,
its progress readable while it runs, and each change written to the log with who made it. The
index's segment merges follow in the same thread after the moderator has been answered."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from index import Settings, add_article, merge_due_segments, remove_article

from .records import Records

if TYPE_CHECKING:  # building is imported only by a process that builds
    from index.building import ArticleChange

log = logging.getLogger(__name__)

T = TypeVar("T")


# What a moderator is shown of a rebuild's steps, by the step's first word. The build's own lines
# are the operator's: they name the host's folders and the model (which may be a path).
PUBLIC_STEPS = {
    "reading": "Reading the articles …",
    "splitting": "Splitting the articles into passages and finding who said what …",
    "cutting": "Cutting the texts to the model's window …",
    "embedding": "Embedding the new passages …",
    "writing": "Writing the index …",
    "waiting": "Waiting for another rebuild of the index …",
}


class LatestProgress:
    """A rebuild's progress as one line for a moderator, written by the worker thread and read by
    the event loop. Bars show a share, not counts: the reading step counts every server's files."""

    def __init__(self, text: str = "Waiting to start …") -> None:
        self._lock = threading.Lock()
        self._stage = text
        self._bar = ""

    @property
    def text(self) -> str:
        with self._lock:
            return f"{self._stage} {self._bar}".strip()

    def say(self, text: str) -> None:
        """Show the bot's own `text` as the step under way."""
        with self._lock:
            self._stage, self._bar = text, ""

    def stage(self, text: str) -> None:
        """A step of the rebuild begins (the build's line for the operator, shown in public words)."""
        self.say(PUBLIC_STEPS.get(text.split(" ", 1)[0].casefold(), "Indexing …"))

    def bar(self, label: str, total: int) -> Callable[[int], None]:
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            with self._lock:
                self._bar = f"({label} {min(100, 100 * done // max(total, 1))}%)"

        return advance


class ArticleLibrary:
    """The server articles' one writer: adds and removes run one after another in their own thread
    (a rebuild embeds for minutes; questions keep being answered meanwhile)."""

    def __init__(self, settings: Settings, records: Records,
                 after_merge: Callable[[], Awaitable[object]] | None = None):
        self.settings = settings
        self.records = records
        # Called on the loop when a merge has published a new index (the service reloads it), so
        # the engine never falls generations behind the index directory while nobody asks.
        self._after_merge = after_merge
        self._turn = asyncio.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="articlebot-library")
        self._merging: asyncio.Future[None] | None = None

    @property
    def busy(self) -> bool:
        """Whether an add or a remove is under way, so a new one will wait its turn."""
        return self._turn.locked()

    async def _one_at_a_time(self, work: Callable[[], T]) -> T:
        async with self._turn:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def add(self, guild_id: int, user_id: int, file_name: str, data: bytes,
                  progress: LatestProgress) -> ArticleChange:
        change = await self._one_at_a_time(
            lambda: add_article(self.settings, guild_id, file_name, data, progress=progress))
        self._merge_later()
        await self._record("added", change.article, guild_id, user_id)
        return change

    async def remove(self, guild_id: int, user_id: int, article_id: str, progress: LatestProgress) -> ArticleChange:
        change = await self._one_at_a_time(
            lambda: remove_article(self.settings, guild_id, article_id, progress=progress))
        self._merge_later()
        await self._record("removed", article_id, guild_id, user_id)
        return change

    def _merge_later(self) -> None:
        """Queue the segment merges that are due behind the change just made, in the library's
        thread: the moderator's reply does not wait for them, and the next change waits its turn."""
        merging = asyncio.get_running_loop().run_in_executor(self._executor, self._merge_due)
        self._merging = asyncio.ensure_future(self._reload_after(merging))

    def _merge_due(self) -> bool:
        """Run the due merges; whether they published a new index."""
        try:
            report = merge_due_segments(self.settings)
        except Exception as error:  # the index as the change left it still answers
            log.warning("merging the index's segments failed (%s: %s); the next change tries again",
                        type(error).__name__, error)
            return False
        if report.into:
            log.info("%s", report.summary())
        return bool(report.into)

    async def _reload_after(self, merging: asyncio.Future[bool]) -> None:
        if await merging and self._after_merge is not None:
            try:
                await self._after_merge()
            except Exception as error:  # the next question tries again
                log.warning("the merged index could not be loaded yet (%s: %s)", type(error).__name__, error)

    async def merged(self) -> None:
        """Wait for the merges queued by the last change."""
        if self._merging is not None:
            await self._merging

    async def _record(self, action: str, article_id: str, guild_id: int, user_id: int) -> None:
        """Who changed a server's articles, and when: a row in the bot's store (the question log's
        salted hash of the user id, never the id itself), else only this log line, naming no one."""
        log.info("article %s %s in server %s", article_id, action, guild_id)
        try:
            await self.records.article_changed(action, article_id, guild_id, user_id)
        except Exception as error:  # the store failing must not undo a change already made
            log.warning("the change of article %s could not be recorded: %s", article_id, error)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
