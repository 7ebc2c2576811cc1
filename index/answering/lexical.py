"""BM25 keyword scoring over any list of texts, tokenised as bm25s does (its stop words,
PyStemmer's English stemmer) and scored as bm25s's default BM25 does, from raw term counts."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import Stemmer

from .term_counts import StackedCounts, TermCounts


def _bm25s_stop_words() -> frozenset[str]:
    """bm25s's English stop words, read from its stopwords module without importing the package:
    `import bm25s` brings scipy (0.2 s of every start), and answering needs nothing else of it.
    Where the module cannot be found that way (a zipped or frozen install), bm25s is imported."""
    package = importlib.util.find_spec("bm25s")
    locations = package.submodule_search_locations if package is not None else None
    spec = importlib.machinery.PathFinder.find_spec("stopwords", list(locations)) if locations else None
    if spec is None or spec.loader is None:
        from bm25s.stopwords import STOPWORDS_EN

        return frozenset(STOPWORDS_EN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOPWORDS_EN)


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
_STOPWORDS = _bm25s_stop_words()
# Scores of asked terms kept (4 bytes a posting, 8 when a term's postings span segments): bm25s kept
# the scores and rows of every term (8 bytes a posting).
_SCORED_POSTINGS_KEPT = 4_000_000

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
    """BM25 scores of a list of documents, computed from their raw term counts at query time, so
    that corpus-wide statistics (document frequencies, average length) come from whichever segments
    are combined, and deleted documents leave them. The scores are exactly those of the default
    `bm25s.BM25()` (method "lucene", k1 1.5, b 0.75) indexing the same texts; a test holds them equal."""

    K1 = 1.5
    B = 0.75

    def __init__(self, texts: Iterable[str] = ()):
        self._stemmer = Stemmer.Stemmer("english")
        self._use(StackedCounts(count_terms(texts)), None)

    @classmethod
    def from_counts(cls, counts: TermCounts | Sequence[TermCounts], live: np.ndarray | None = None) -> Bm25:
        """Scores for the documents of `counts` (several: one after the other, as StackedCounts reads
        them). `live` (bool, one per document) leaves documents out: they count in no statistic and
        score 0. Costs one pass over the document lengths; nothing per term or posting."""
        index = cls()
        index._use(StackedCounts(counts), live)
        return index

    def _use(self, counts: StackedCounts, live: np.ndarray | None) -> None:
        self._counts = counts
        lengths = counts.lengths
        if live is not None:
            live = np.asarray(live, bool)
            if live.shape != (counts.n_docs,):
                raise ValueError(f"live has {live.shape} entries for {counts.n_docs} documents")
            lengths = lengths[live]
        self._live = live
        self._dead = None if live is None else np.flatnonzero(~live)
        self._n_live = len(lengths)
        # bm25s: np.array(lengths).mean(), a float64; integer sums are exact in any order. Without a
        # term in any live document no posting is scored, and any average will do.
        total = np.float64(lengths.sum())
        average = total / self._n_live if total else np.float64(1.0)
        # Per document, bm25s's length normalisation k1 · (1 − b + b · length / average), in its order
        # of float64 operations, so the scores come out bit for bit the same.
        self._norm = self.K1 * ((1 - self.B) + self.B * counts.lengths.astype(np.float64) / average)
        self._scored: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._scored_postings = 0

    @property
    def n_docs(self) -> int:
        """How many documents are scored (deleted ones included: they score 0)."""
        return self._counts.n_docs

    def terms(self, text: str) -> list[str]:
        """The stemmed terms of one text, exactly as bm25s.tokenize makes them (a test holds the two
        equal); bm25s builds a disabled progress bar per call, which costs more than the work."""
        words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOPWORDS]
        return self._stemmer.stemWords(words)

    def query_terms(self, question: str) -> list[str]:
        kept = " ".join(w for w in question.split() if w.casefold().strip("?!.,") not in QUESTION_WORDS)
        return self.terms(kept)

    def scores(self, text: str, terms: list[str] | None = None) -> np.ndarray:
        """One score per indexed text for a question (or its `terms`, already tokenised). A term
        given twice counts twice, and an unknown one not at all, as in bm25s."""
        terms = self.query_terms(text) if terms is None else terms
        scores = np.zeros(self._counts.n_docs, dtype=np.float32)
        for term in terms:
            found = self._term_scores(term)
            if found is not None:
                # In float32, term after term, as bm25s adds its stored scores up.
                np.add.at(scores, *found)
        if self._dead is not None:
            scores[self._dead] = 0
        return scores

    def _term_scores(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents holding `term` and its score in each: what bm25s computes for every term at
        indexing, computed here when a question first asks for it and kept, up to a bound."""
        found = self._scored.get(term)
        if found is not None:
            return found
        rows, counts = self._counts.postings(term)
        live_rows = len(rows) if self._live is None else int(np.count_nonzero(self._live[rows]))
        if not live_rows:
            return None
        # bm25s's "lucene" IDF, in float64 by math.log and kept as float32.
        idf = np.float32(math.log(1 + (self._n_live - live_rows + 0.5) / (live_rows + 0.5)))
        frequency = counts.astype(np.float64)
        found = rows, (idf * (frequency / (self._norm[rows] + frequency))).astype(np.float32)
        self._scored_postings += len(rows)
        if self._scored_postings > _SCORED_POSTINGS_KEPT:
            self._scored.clear()
            self._scored_postings = len(rows)
        self._scored[term] = found
        return found


# Texts tokenised at a time by count_terms.
COUNTING_CHUNK = 4096


def count_terms(texts: Iterable[str]) -> TermCounts:
    """The term counts of `texts`, tokenised as Bm25.terms does (a test holds the two equal): what an
    index segment stores at build time.

    The texts are counted COUNTING_CHUNK at a time and the chunks' counts joined as a merge joins
    segments' (TermCounts.concat): every word of a segment's paragraphs as Python strings at once
    had taken 600 MB at 10,000 articles, more than the build's vectors."""
    remaining = iter(texts)
    stemmer = Stemmer.Stemmer("english")  # one per call: a stemmer is not safe to share between threads
    chunks = []
    while chunk := list(itertools.islice(remaining, COUNTING_CHUNK)):
        chunks.append(_count_chunk(chunk, stemmer))
    counts = TermCounts.concat(chunks)
    if counts.n_docs >= 2**31:  # TermCounts keeps documents as int32
        raise ValueError(f"count_terms: {counts.n_docs} documents are more than one segment may hold")
    return counts


def _count_chunk(texts: list[str], stemmer: Stemmer.Stemmer) -> TermCounts:
    """count_terms of a few texts. Stop words and stems are looked up once per distinct word, not
    once per occurrence, and words are numbered by C loops (map, dict.fromkeys)."""
    words_of = [_TOKEN.findall(text.lower()) for text in texts]
    found = list(itertools.chain.from_iterable(words_of))
    words = list(dict.fromkeys(found))
    word_id = dict(zip(words, range(len(words)), strict=True))
    ids = np.fromiter(map(word_id.__getitem__, found), np.int64, len(found))
    term_column: dict[str, int] = {}
    # Per distinct word: its term's column, or -1 for a stop word.
    column_of_word = np.asarray([-1 if w in _STOPWORDS else term_column.setdefault(stem, len(term_column))
                                 for w, stem in zip(words, stemmer.stemWords(words), strict=True)], np.int64)
    columns = column_of_word[ids]
    documents = np.repeat(np.arange(len(words_of), dtype=np.int64), [len(w) for w in words_of])
    counted = columns >= 0
    return TermCounts.from_postings(list(term_column), columns[counted], documents[counted], len(words_of))
