"""articlebot's retrieval layer: corpus → passages → embeddings → FAISS index → answers.

The sub-packages, lowest first: corpus (reading articles), text (passages and words), attribution
(who said what), embedding (the models), store (the saved index), building (making the index),
answering (the engine). This package never imports discord; the bot uses it only through the
names exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .answering import (
    MAX_QUESTION_CHARS,
    NOT_COVERED,
    RELATED_HEADING,
    SAME_MEANING,
    Answer,
    Engine,
    FollowupContext,
    QuotedPassage,
    Scope,
    Trace,
    attribution_line,
    bold_by_line,
    clean_question,
    group_by_meaning,
    parts_sum,
    question_line,
    ranking_heading,
    ranking_line,
    terminal_safe,
    verdict_line,
    visible_articles,
)
from .cli import build_parser, ensure_fresh_index, run_command
from .corpus import Article, ArticleRefused, CorpusError, article_from_form, form_file_name, load_corpus
from .kinds import DIRECT
from .settings import Settings, SettingsError, is_plain_number, load_settings
from .store import IndexUnavailable, Status

if TYPE_CHECKING:
    from .building import ArticleChange, MergeReport, Progress


def add_article(settings: Settings, guild_id: int, file_name: str, data: bytes,
                progress: Progress | None = None) -> ArticleChange:
    """Add a server's article and rebuild the index (index/building/library.py), leaving the
    segments' merges to merge_due_segments; building is imported only when it is done, so a
    process that only answers never loads it. The passage model is loaded once for the process."""
    from .building import add_article as add
    from .embedding import kept_passage_encoder

    return add(settings, guild_id, file_name, data, progress=progress, merge=False,
               encoder=kept_passage_encoder(settings))


def remove_article(settings: Settings, guild_id: int, article_id: str,
                   progress: Progress | None = None) -> ArticleChange:
    """Remove a server's article added from Discord and rebuild the index (index/building/library.py),
    leaving the segments' merges to merge_due_segments."""
    from .building import remove_article as remove
    from .embedding import kept_passage_encoder

    return remove(settings, guild_id, article_id, progress=progress, merge=False,
                  encoder=kept_passage_encoder(settings))


def merge_due_segments(settings: Settings) -> MergeReport:
    """The index's segment merges that are due (index/building/build.py), run after an add or a
    remove so that neither waits for them."""
    from .building import merge

    return merge(settings, when_due=True)


__all__ = [
    "DIRECT",
    "MAX_QUESTION_CHARS",
    "NOT_COVERED",
    "RELATED_HEADING",
    "SAME_MEANING",
    "Answer",
    "Article",
    "ArticleRefused",
    "CorpusError",
    "Engine",
    "FollowupContext",
    "IndexUnavailable",
    "QuotedPassage",
    "Scope",
    "Settings",
    "SettingsError",
    "Status",
    "Trace",
    "add_article",
    "article_from_form",
    "attribution_line",
    "bold_by_line",
    "build_parser",
    "clean_question",
    "ensure_fresh_index",
    "form_file_name",
    "group_by_meaning",
    "is_plain_number",
    "load_corpus",
    "load_settings",
    "merge_due_segments",
    "parts_sum",
    "question_line",
    "ranking_heading",
    "ranking_line",
    "remove_article",
    "run_command",
    "terminal_safe",
    "verdict_line",
    "visible_articles",
]
