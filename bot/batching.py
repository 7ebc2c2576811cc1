"""Gathering concurrent questions into one model call.

Embedding 200 questions as one batch costs a fraction of embedding them one by one, so questions
that arrive within a short window wait for each other and are answered together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from index import Answer

AnswerMany = Callable[[Sequence[str], str | None], Awaitable[list[Answer]]]
# A question waiting for its batch: the question, its article (or None), and where its answer goes.
Pending = tuple[str, str | None, "asyncio.Future[Answer]"]


class QuestionBatcher:
    def __init__(self, answer_many: AnswerMany, window_seconds: float, max_batch: int = 64):
        self._answer_many = answer_many
        self._window = window_seconds
        self._max_batch = max_batch
        self._pending: list[Pending] = []
        self._flusher: asyncio.Task | None = None

    async def ask(self, question: str, article: str | None) -> Answer:
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((question, article, future))
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
        by_article: dict[str | None, list[tuple[str, asyncio.Future[Answer]]]] = {}
        for question, article, future in batch:
            by_article.setdefault(article, []).append((question, future))
        for article, items in by_article.items():
            try:
                answers = await self._answer_many([q for q, _ in items], article)
            except Exception as error:  # every waiting question learns of the failure
                for _, future in items:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), answer in zip(items, answers, strict=True):
                if not future.done():
                    future.set_result(answer)
