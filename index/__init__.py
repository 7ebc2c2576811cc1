"""articlebot's retrieval layer: corpus → passages → embeddings → FAISS index → answers.

This package never imports discord; the bot uses it only through the names exported here.
"""

from .answering.answer import Answer, QuotedPassage
from .answering.engine import MAX_QUESTION_CHARS, Engine, clean_question
from .answering.grouping import SAME_MEANING, group_by_meaning
from .answering.textview import NOT_COVERED
from .corpus.articles import Article, CorpusError, load_corpus
from .settings import Settings
from .store.manifest import IndexUnavailable, Status

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
