"""articlebot's retrieval layer: corpus → passages → embeddings → FAISS index → answers.

This package never imports discord; the bot uses it only through the names exported here.
"""

from .answer import Answer, QuotedPassage
from .corpus import Article, CorpusError, load_corpus
from .engine import MAX_QUESTION_CHARS, Engine, clean_question
from .grouping import SAME_MEANING, group_by_meaning
from .settings import Settings
from .store import IndexUnavailable, Status
from .textview import NOT_COVERED

__all__ = [
    "MAX_QUESTION_CHARS",
    "NOT_COVERED",
    "SAME_MEANING",
    "Answer",
    "Article",
    "CorpusError",
    "Engine",
    "IndexUnavailable",
    "QuotedPassage",
    "Settings",
    "Status",
    "clean_question",
    "group_by_meaning",
    "load_corpus",
]
