"""BM25 keyword scoring (bm25s) over any list of texts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)

# Words that shape a question rather than say what it is about.
QUESTION_WORDS = frozenset({
    "how", "many", "much", "long", "often", "far", "what", "when", "where", "why", "who", "whom",
    "whose", "which", "whether", "did", "does", "do", "is", "are", "was", "were", "there", "tell",
    "me", "please", "anyone", "know",
    # Auxiliaries and pronouns: the stop list of bm25s is Lucene's short one, which keeps them.
    "has", "have", "had", "been", "being", "can", "could", "would", "should", "may", "might", "must",
    "he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "i", "you", "your",
    "we", "our", "us",
})


class Bm25:
    def __init__(self, texts: Sequence[str]):
        self._stemmer = Stemmer.Stemmer("english")
        self._size = len(texts)
        self._retriever = bm25s.BM25()
        if texts:
            self._retriever.index(self._tokenize(texts, ids=True), show_progress=False)

    def _tokenize(self, texts: Sequence[str], ids: bool) -> Any:
        return bm25s.tokenize(
            list(texts), stopwords="en", stemmer=self._stemmer, return_ids=ids, show_progress=False
        )

    def terms(self, text: str) -> list[str]:
        """The stemmed terms of one text, exactly as bm25s.tokenize makes them (a test holds the two
        equal); bm25s builds a disabled progress bar per call, which costs more than the work."""
        words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOPWORDS]
        return self._stemmer.stemWords(words)

    def query_terms(self, question: str) -> list[str]:
        kept = " ".join(w for w in question.split() if w.casefold().strip("?!.,") not in QUESTION_WORDS)
        return self.terms(kept)

    def scores(self, text: str, terms: list[str] | None = None) -> np.ndarray:
        """One score per indexed text for a question (or its `terms`, already tokenised)."""
        terms = self.query_terms(text) if terms is None else terms
        if not terms or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)
