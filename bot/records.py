"""What the bot records for moderators, questions and votes, kept out of the way of answers.

Every database call runs on one worker thread of its own, so none blocks the event loop, a slow
database never takes a model thread, and writes never contend with each other. When the database
fails (locked, read-only, a full disk, a damaged file) the answer is sent all the same: the failure
is logged once with its fix, what could not be written waits in memory, and the store is tried
again every `retry_seconds` until it works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from index import Answer, Settings
from index.settings import shown_database

from .database import LoggedQuestion, NoStore, Store, StoreUnavailable, open_store

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[Store], Any]

# An answer waits at most this long for its question to be logged; later, it goes without votes.
LOG_WAIT_SECONDS = 1.0
PRUNE_EVERY = timedelta(hours=1)
VOTE_VALUES = {"up": 1, "down": -1}


def passage_scores(answer: Answer) -> tuple[tuple[str, float], ...]:
    return tuple((f"{p.article}#p{p.paragraph}", p.score) for p in answer.passages)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Records:
    def __init__(self, settings: Settings, retry_seconds: float = 30.0, max_pending: int = 10_000,
                 busy_seconds: float = 2.0, clock: Callable[[], datetime] = utc_now):
        self.settings = settings
        self.retry_seconds = retry_seconds
        self.busy_seconds = busy_seconds  # how long a write waits for another program's lock
        self.clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="articlebot-records")
        self._store: Store | None = None  # used on the worker thread only
        self._pending: deque[Work] = deque(maxlen=max_pending)
        self._failure: str | None = None
        self._retrying: asyncio.Task | None = None
        self._pruned_at: datetime | None = None
        self._closing = self._closed = False

    @property
    def enabled(self) -> bool:
        """Whether questions and votes are recorded (ARTICLEBOT_LOG_QUESTIONS)."""
        return self.settings.log_questions

    @property
    def failure(self) -> str | None:
        """What is wrong with the database while it fails, else None."""
        return self._failure

    @property
    def database(self) -> str:
        """ARTICLEBOT_DATABASE as the log shows it (a URL's password masked)."""
        return shown_database(self.settings.database)

    async def start(self) -> None:
        """Open the store and delete what is past retention; a failure is logged, never raised."""
        try:
            await self._on_thread(self._prune_if_due)
        except NoStore:
            pass  # logging is off and nothing was ever recorded: nothing to prune, nothing made
        except StoreUnavailable as error:
            self._failed(error)

    # ---- on the worker thread ----------------------------------------------------------------
    def _with_store(self, work: Callable[[Store], T]) -> T:
        if self._store is None:
            # With logging off the file is only read, never made (NoStore when there is none).
            self._store = open_store(self.settings.database, create=self.enabled, busy_seconds=self.busy_seconds)
        try:
            return work(self._store)
        except StoreUnavailable:
            # Start afresh on the next try: the file may have been replaced or repaired meanwhile.
            store, self._store = self._store, None
            with contextlib.suppress(StoreUnavailable):
                store.close()
            raise

    def _prune_if_due(self, store: Store) -> None:
        now = self.clock()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            deleted = store.prune(now - timedelta(days=self.settings.retention_days))
            self._pruned_at = now
            if deleted:
                log.info("deleted %d logged questions older than %d days", deleted, self.settings.retention_days)

    def _write_pending(self, store: Store) -> int:
        written = 0
        while self._pending:
            work = self._pending.popleft()
            try:
                work(store)
            except StoreUnavailable:
                self._pending.appendleft(work)
                raise
            written += 1
        return written

    # ---- on the event loop -------------------------------------------------------------------
    def _on_thread(self, work: Callable[[Store], T]) -> asyncio.Future[T]:
        if self._closed:  # a question still in flight while the bot shuts down
            raise StoreUnavailable(f"the question database {self.database} is closed: the bot is stopping")
        return asyncio.get_running_loop().run_in_executor(self._executor, self._with_store, work)

    async def _use(self, work: Callable[[Store], T], keep: bool) -> T | None:
        """Run `work` with the store; None when the store fails. A write (`keep`) that cannot be done now
        waits for the retry."""
        if self._closed:
            return None
        if self._failure is not None:
            if keep:
                self._keep(work)
            return None
        try:
            return await self._on_thread(work)
        except StoreUnavailable as error:
            if keep:
                self._keep(work)
            self._failed(error)
            return None

    def _keep(self, work: Work) -> None:
        if len(self._pending) == self._pending.maxlen:
            log.warning("the question log keeps at most %d unwritten records; the oldest is dropped",
                        self._pending.maxlen)
        self._pending.append(work)

    def _failed(self, error: StoreUnavailable) -> None:
        message = str(error)
        if message != self._failure:  # once per problem, not once per question
            log.error("%s; the bot answers all the same and tries again every %g s", message, self.retry_seconds)
        self._failure = message
        if self._retrying is None or self._retrying.done():
            self._retrying = asyncio.create_task(self._retry())

    async def _retry(self) -> None:
        while self._failure is not None:
            await asyncio.sleep(self.retry_seconds)
            written = 0
            try:
                written += await self._on_thread(self._write_pending)
                # Writes that arrived while the last batch was written (the loop appends, the worker
                # thread pops): the failure is cleared only once nothing is left.
                while self._pending:
                    written += await self._on_thread(self._write_pending)
            except StoreUnavailable as error:
                self._failed(error)
                continue
            self._failure = None
            log.warning("the question database %s works again; %d delayed records written",
                        self.database, written)

    async def log_question(self, *, origin: str, command: str, guild_id: int | None, channel_id: int | None,
                           user_id: int, question: str, answer: Answer, latency_ms: float) -> int | None:
        """Log an asked question; its id for the vote buttons, or None when logging is off or failing."""
        if not self.enabled:
            return None
        entry = LoggedQuestion(asked_at=self.clock(), origin=origin, command=command, guild_id=guild_id,
                               channel_id=channel_id, user_id=user_id, question=question,
                               verdict=str(answer.verdict), passages=passage_scores(answer), latency_ms=latency_ms)

        def write(store: Store) -> int:
            question_id = store.log_question(entry)
            self._prune_if_due(store)
            return question_id

        try:
            return await asyncio.wait_for(asyncio.shield(self._use(write, keep=True)), LOG_WAIT_SECONDS)
        except TimeoutError:
            log.debug("logging a question took over %.1f s; the answer goes without votes", LOG_WAIT_SECONDS)
            return None

    async def vote(self, question_id: int, user_id: int, value: str) -> None:
        """Record a 👍 or 👎; a second vote by the same person on the same answer replaces the first."""
        if not self.enabled:
            return
        at = self.clock()

        def write(store: Store) -> None:
            if not store.record_vote(question_id, user_id, VOTE_VALUES[value], at):
                log.info("a vote on question %d was not kept: that question is no longer logged", question_id)

        await self._use(write, keep=True)

    async def article_changed(self, action: str, article: str, guild_id: int, user_id: int) -> None:
        """Record who added or removed a server's article; kept for the retry if the store fails."""
        if not self.enabled:
            return
        at = self.clock()
        await self._use(lambda store: store.record_article_change(action, article, guild_id, user_id, at), keep=True)

    async def read(self, work: Callable[[Store], T]) -> T:
        """Run a query on the worker thread; StoreUnavailable (with the fix) when the store fails."""
        try:
            return await self._on_thread(work)
        except NoStore:
            raise
        except StoreUnavailable as error:
            if not self._closed:
                self._failed(error)
            raise

    async def close(self) -> None:
        """Finish the writes under way, try once more to write what waits, then close the store. Once."""
        if self._closing:
            return
        self._closing = True
        if self._retrying is not None:
            self._retrying.cancel()
        if self._pending:
            try:
                await self._on_thread(self._write_pending)
            except StoreUnavailable:
                log.warning("%d record(s) could not be written before closing and are lost", len(self._pending))
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_store)
        self._executor.shutdown(wait=True)

    def _close_store(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except StoreUnavailable as error:
                log.warning("%s", error)
            self._store = None
