"""The bot's door to the retrieval layer: every model and FAISS call runs in worker threads."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from index import (
    Answer,
    Engine,
    FollowupContext,
    IndexUnavailable,
    Scope,
    Settings,
    Trace,
    group_by_meaning,
    visible_articles,
)

from .batching import QuestionBatcher

log = logging.getLogger(__name__)

T = TypeVar("T")


class AnswerService:
    """Answers, articles and quotations for the cogs, from an engine opened in `start`."""

    def __init__(self, settings: Settings, workers: int = 2):
        self.settings = settings
        self.engine: Engine | None = None
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="articlebot-answer")
        self._lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="articlebot-lookup")
        self._batcher = QuestionBatcher(self._answer_many, settings.batch_window_ms / 1000)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def start(self) -> None:
        """Open the index and load the model; raises IndexUnavailable with the command that fixes it."""
        self.engine = await self._run(Engine.open, self.settings)
        # Load the model now, not on the first question, which must be answered in time.
        await self._run(self.engine.warm_up)
        log.info("index loaded from %s", self.engine.index_path)

    def _require(self) -> Engine:
        if self.engine is None:
            raise IndexUnavailable("missing", "the index is not loaded yet")
        return self.engine

    async def ask(self, question: str, article: str | None = None, scope: Scope | None = None) -> Answer:
        """The answer from `article` (any when None) among the articles `scope` sees (all when None)."""
        self._require()
        return await self._batcher.ask(question, (article, scope))

    async def _answer_many(self, questions: Sequence[str], shared: Hashable) -> list[Answer]:
        article, scope = cast(tuple[str | None, Scope | None], shared)  # what `ask` gave the batcher
        return await self._run(self._answer_batch, self._require(), list(questions), article, scope)

    def _answer_batch(self, engine: Engine, questions: list[str], article: str | None,
                      scope: Scope | None) -> list[Answer]:
        self._pick_up_new_index(engine)
        return engine.answer_many(questions, k=self.settings.answer_k, article=article, scope=scope)

    async def explain(self, question: str, article: str | None = None,
                      scope: Scope | None = None) -> tuple[Answer, Trace]:
        """The answer and why (Engine.explain); alone, not batched: a moderator's rare check."""
        return await self._run(self._explain, self._require(), question, article, scope)

    def _explain(self, engine: Engine, question: str, article: str | None,
                 scope: Scope | None) -> tuple[Answer, Trace]:
        self._pick_up_new_index(engine)
        return engine.explain(question, k=self.settings.answer_k, article=article, scope=scope)

    @staticmethod
    def _pick_up_new_index(engine: Engine) -> None:
        try:
            engine.reload_if_changed()
        except IndexUnavailable as error:
            log.warning("a new index could not be loaded, keeping the current one: %s", error)

    async def group_by_meaning(self, texts: list[str]) -> list[list[int]]:
        """`texts` grouped by meaning (index.group_by_meaning), embedded in a worker thread."""
        return await self._run(group_by_meaning, self._require(), texts)

    async def reload(self) -> bool:
        return await self._run(self._require().reload_if_changed)

    @property
    def articles(self) -> dict[str, dict[str, Any]]:
        """Every article of the index, whichever server owns it."""
        return self._require().articles

    def articles_in(self, scope: Scope | None) -> dict[str, dict[str, Any]]:
        """The articles a server sees: its own and the shared ones."""
        return visible_articles(self.articles, scope)

    # Quotation lookups read the index's store (SQLite) and a server's first speaker list counts
    # every quotation it sees: off the event loop, on a thread of their own, so that a model batch
    # on the answer threads cannot hold them past Discord's 3 seconds.
    async def _look_up(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._lookups, function, *args)

    async def speakers(self, scope: Scope | None = None) -> list[dict[str, Any]]:
        return await self._look_up(self._require().speakers, scope)

    async def quotes_by(self, speaker: str, scope: Scope | None = None) -> list[dict[str, Any]]:
        return await self._look_up(self._require().quotes_by, speaker, scope)

    async def followup_context(self, question: str, answer: Answer, article: str | None,
                               scope: Scope | None = None) -> FollowupContext:
        """What a follow-up to this answer refers back to (no model work: names, and which
        articles quote them)."""
        return await self._look_up(self._require().followup_context, question, answer, article, scope)

    async def rewrite_followup(self, followup: str, context: FollowupContext, scope: Scope | None = None) -> str:
        return await self._look_up(self._require().rewrite_followup, followup, context, scope)

    async def lead_paragraph(self, article_id: str) -> str:
        return await self._look_up(self._require().lead_paragraph, article_id)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._lookups.shutdown(wait=False, cancel_futures=True)
