"""articlebot's retrieval layer: corpus → passages → embeddings → FAISS index → answers.

The sub-packages, lowest first: corpus (reading articles), text (passages and words), attribution
(who said what), embedding (the models), store (the saved index), building (making the index),
answering (the engine). This package never imports discord; the bot uses it only through the
names exported here.
"""

from .answering import (
    MAX_QUESTION_CHARS,
    NOT_COVERED,
    SAME_MEANING,
    Answer,
    Engine,
    FollowupContext,
    QuotedPassage,
    Scope,
    attribution_line,
    clean_question,
    group_by_meaning,
    terminal_safe,
    visible_articles,
)
from .cli import build_parser, ensure_fresh_index, run_command
from .corpus import Article, CorpusError, load_corpus
from .kinds import DIRECT
from .settings import Settings, SettingsError, load_settings
from .store import IndexUnavailable, Status

__all__ = [
    "DIRECT",
    "MAX_QUESTION_CHARS",
    "NOT_COVERED",
    "SAME_MEANING",
    "Answer",
    "Article",
    "CorpusError",
    "Engine",
    "FollowupContext",
    "IndexUnavailable",
    "QuotedPassage",
    "Scope",
    "Settings",
    "SettingsError",
    "Status",
    "attribution_line",
    "build_parser",
    "clean_question",
    "ensure_fresh_index",
    "group_by_meaning",
    "load_corpus",
    "load_settings",
    "run_command",
    "terminal_safe",
    "visible_articles",
]
