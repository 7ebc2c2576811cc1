"""Gathering concurrent questions into one model call.

Embedding 200 questions as one batch costs a fraction of embedding them one by one, so questions
that arrive within a short window wait for each other and are answered together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence

from index import Answer

# What questions answered in one call must share: the article filter and the server's scope.
AnswerMany = Callable[[Sequence[str], Hashable], Awaitable[list[Answer]]]
# A question waiting for its batch: the question, what it shares with its batch, and where its answer goes.
Pending = tuple[str, Hashable, "asyncio.Future[Answer]"]


class QuestionBatcher:
    def __init__(self, answer_many: AnswerMany, window_seconds: float, max_batch: int = 64):
        self._answer_many = answer_many
        self._window = window_seconds
        self._max_batch = max_batch
        self._pending: list[Pending] = []
        self._flusher: asyncio.Task | None = None

    async def ask(self, question: str, shared: Hashable) -> Answer:
        """The answer to `question`, answered in one call with the questions of the same `shared`."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((question, shared, future))
        if len(self._pending) >= self._max_batch:
            self._start(self._take())
        elif self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_after_window())
        return await future

    def _take(self) -> list[Pending]:
        batch, self._pending = self._pending, []
        return batch

    def _start(self, batch: list[Pending]) -> None:
        task = asyncio.create_task(self._answer(batch))
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    async def _flush_after_window(self) -> None:
        try:
            await asyncio.sleep(self._window)
        finally:
            self._flusher = None
        if self._pending:
            await self._answer(self._take())

    async def _answer(self, batch: list[Pending]) -> None:
        by_shared: dict[Hashable, list[tuple[str, asyncio.Future[Answer]]]] = {}
        for question, shared, future in batch:
            by_shared.setdefault(shared, []).append((question, future))
        for shared, items in by_shared.items():
            try:
                answers = await self._answer_many([q for q, _ in items], shared)
            except Exception as error:  # every waiting question learns of the failure
                for _, future in items:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), answer in zip(items, answers, strict=True):
                if not future.done():
                    future.set_result(answer)
