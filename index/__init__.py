"""articlebot's retrieval layer: corpus → passages → embeddings → FAISS index → answers.

This package never imports discord; the bot uses it only through the names exported here.
"""

from .corpus import Article, CorpusError, load_corpus
from .settings import Settings
from .store import IndexUnavailable, Status

__all__ = ["Article", "CorpusError", "IndexUnavailable", "Settings", "Status", "load_corpus"]
