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

    def scores(self, text: str, terms: list[str] | None = None) -> np.ndarray:
        """One score per indexed text for a question (or its `terms`, already tokenised). Question
        words count like any other (bm25s's stop list aside): dropping "how", "many", auxiliaries and
        pronouns from questions cost 7 questions on the large sets (docs/ablation.md)."""
        terms = self.terms(text) if terms is None else terms
        if not terms or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)
