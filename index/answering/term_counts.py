"""Raw per-document term counts: what BM25 needs to score a list of texts, kept before any
corpus-wide statistic is applied, so that the counts of index segments can be stored once, loaded
memory-mapped and combined (issue #16). lexical.py tokenises (count_terms) and scores (Bm25.from_counts).

A TermCounts is a document × term count matrix in compressed sparse columns (CSC): the documents
holding a term, its posting list, are one slice of `rows`, so a query reads only its own terms.

    count_terms(texts).save(segment / "sentence_bm25")                  # building a segment
    parts = [TermCounts.load(s / "sentence_bm25") for s in segments]    # loading: memory maps
    sentence_bm25 = Bm25.from_counts(parts, live=live_sentences)        # scores as one bm25s index
    TermCounts.concat(parts).select(live_sentences)                     # merging segments
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

_ARRAYS = ("indptr", "rows", "counts", "lengths", "distinct_terms")
_TERMS_FILE = "terms.json"


class TermCounts:
    """Term counts of documents 0..n_docs-1. Immutable; the arrays may be read-only memory maps.

    terms:   column → term (its stem, as Bm25.terms makes it)
    indptr:  int64, len(terms) + 1: term column c's postings are [indptr[c], indptr[c + 1])
    rows:    int32, per posting: the document, ascending within a column
    counts:  int32, per posting: how often the term occurs in that document (≥ 1)
    lengths: int32, per document: its number of terms, stop words left out (bm25s's document length)
    distinct_terms: int32, per document: how many different terms it holds (kept, not recounted
             from `rows` at every load: novelty reads it for every sentence)
    """

    def __init__(self, terms: list[str], indptr: np.ndarray, rows: np.ndarray, counts: np.ndarray,
                 lengths: np.ndarray, distinct_terms: np.ndarray):
        if (len(indptr) != len(terms) + 1 or len(rows) != len(counts) or int(indptr[-1]) != len(rows)
                or len(lengths) != len(distinct_terms)):
            raise ValueError(f"term counts do not fit together: {len(terms)} terms, {len(indptr)} column "
                             f"pointers, {len(rows)} rows, {len(counts)} counts, {len(lengths)} lengths, "
                             f"{len(distinct_terms)} distinct term counts")
        self.terms = terms
        self.indptr = indptr
        self.rows = rows
        self.counts = counts
        self.lengths = lengths
        self.distinct_terms = distinct_terms
        self.column_of = dict(zip(terms, range(len(terms)), strict=True))

    @property
    def n_docs(self) -> int:
        return len(self.lengths)

    def __repr__(self) -> str:
        return f"TermCounts({self.n_docs} documents, {len(self.terms)} terms, {len(self.rows)} postings)"

    @classmethod
    def empty(cls) -> TermCounts:
        return cls.from_terms([])

    @classmethod
    def from_terms(cls, docs: Iterable[Sequence[str]]) -> TermCounts:
        """Counts of documents already tokenised (lexical.count_terms tokenises texts faster)."""
        column_of: dict[str, int] = {}
        flat: list[int] = []
        lengths: list[int] = []
        for terms in docs:
            lengths.append(len(terms))
            flat.extend([column_of.setdefault(term, len(column_of)) for term in terms])
        rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        return cls.from_postings(list(column_of), np.asarray(flat, np.int64), rows, len(lengths))

    @classmethod
    def from_postings(cls, terms: list[str], columns: np.ndarray, rows: np.ndarray, n_docs: int) -> TermCounts:
        """Counts of term occurrences given as (column of its term, document) in any order, repeats
        counting; every document's length is its number of occurrences."""
        # One sort of (column, row) keys gives the CSC order and, by run length, the counts.
        stride = max(n_docs, 1)
        keys, counts = np.unique(np.asarray(columns, np.int64) * stride + rows, return_counts=True)
        return cls.from_sorted_postings(terms, keys // stride, keys % stride, counts,
                                        np.bincount(rows, minlength=n_docs))

    @classmethod
    def from_sorted_postings(cls, terms: list[str], columns: np.ndarray, rows: np.ndarray, counts: np.ndarray,
                             lengths: np.ndarray) -> TermCounts:
        """From postings already in (column, row) order."""
        indptr = np.zeros(len(terms) + 1, np.int64)
        np.cumsum(np.bincount(columns, minlength=len(terms)), out=indptr[1:])
        distinct_terms = np.bincount(rows, minlength=len(lengths)).astype(np.int32)
        return cls(terms, indptr, rows.astype(np.int32), counts.astype(np.int32), lengths.astype(np.int32),
                   distinct_terms)

    def posting_columns(self) -> np.ndarray:
        """Per posting, its term column (the CSC column pointers expanded)."""
        return np.repeat(np.arange(len(self.terms), dtype=np.int64), np.diff(self.indptr))

    @classmethod
    def concat(cls, parts: Sequence[TermCounts]) -> TermCounts:
        """The documents of all parts in order, as one (a merge of segments). Vectorised: only the
        vocabularies are merged term by term."""
        if not parts:
            return cls.empty()
        terms = list(parts[0].terms)
        column_of = dict(parts[0].column_of)
        for part in parts[1:]:
            for term in part.terms:
                if term not in column_of:
                    column_of[term] = len(terms)
                    terms.append(term)
        columns, rows = [], []
        offset = 0
        for part in parts:
            merged_column = np.fromiter((column_of[t] for t in part.terms), np.int64, len(part.terms))
            columns.append(merged_column[part.posting_columns()])
            rows.append(np.asarray(part.rows, np.int64) + offset)
            offset += part.n_docs
        all_columns = np.concatenate(columns)
        # Stable: within a merged column, earlier parts (lower rows) stay first, each already ascending.
        order = np.argsort(all_columns, kind="stable")
        return cls.from_sorted_postings(terms, all_columns[order], np.concatenate(rows)[order],
                                        np.concatenate([p.counts for p in parts])[order],
                                        np.concatenate([p.lengths for p in parts]))

    def select(self, keep: np.ndarray) -> TermCounts:
        """Only the documents where `keep` (bool, one per document) is true, renumbered in order;
        terms no kept document holds are dropped (a merge leaving deleted articles out)."""
        keep = np.asarray(keep, bool)
        if keep.shape != (self.n_docs,):
            raise ValueError(f"keep has {keep.shape} entries for {self.n_docs} documents")
        new_row = np.cumsum(keep) - 1
        kept = keep[self.rows]
        columns = self.posting_columns()[kept]
        used = np.bincount(columns, minlength=len(self.terms)) > 0
        new_column = np.cumsum(used) - 1
        terms = [term for term, is_used in zip(self.terms, used, strict=True) if is_used]
        return self.from_sorted_postings(terms, new_column[columns], new_row[self.rows[kept]],
                                         self.counts[kept], self.lengths[keep])

    def save(self, directory: Path) -> None:
        """Writes the counts as .npy files plus terms.json into `directory` (made if missing)."""
        directory.mkdir(parents=True, exist_ok=True)
        for name in _ARRAYS:
            np.save(directory / f"{name}.npy", np.ascontiguousarray(getattr(self, name)))
        (directory / _TERMS_FILE).write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> TermCounts:
        """What save wrote; memory-mapped read-only by default, so loading reads only the terms."""
        try:
            terms = json.loads((directory / _TERMS_FILE).read_text(encoding="utf-8"))
            arrays = [np.load(directory / f"{name}.npy", mmap_mode="r" if mmap else None) for name in _ARRAYS]
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read term counts in {directory}: {error}") from error
        return cls(terms, *arrays)


class StackedCounts:
    """Several TermCounts read as one, without copying them: part i's documents follow part i-1's.
    A term's postings are gathered from every part holding it when asked for."""

    def __init__(self, parts: TermCounts | Sequence[TermCounts]):
        self.parts = [parts] if isinstance(parts, TermCounts) else list(parts)
        self.offsets = np.cumsum([0] + [p.n_docs for p in self.parts])
        self.n_docs = int(self.offsets[-1])
        if self.n_docs >= 2**31:
            raise ValueError(f"{self.n_docs} documents are more than 32-bit document numbers can hold")

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        return np.concatenate([np.asarray(p.lengths, np.int64) for p in self.parts] or [np.zeros(0, np.int64)])

    @functools.cached_property
    def distinct_terms(self) -> np.ndarray:
        return np.concatenate([p.distinct_terms for p in self.parts] or [np.zeros(0, np.int32)])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding `term` (int32, ascending) and how often each holds it: slices of
        the stored arrays, not copies, where one part alone holds the term at offset 0."""
        rows, counts = [], []
        for part, offset in zip(self.parts, self.offsets, strict=False):
            column = part.column_of.get(term)
            if column is not None:
                start, end = part.indptr[column], part.indptr[column + 1]
                rows.append(part.rows[start:end] + np.int32(offset) if offset else part.rows[start:end])
                counts.append(part.counts[start:end])
        if len(rows) == 1:
            return rows[0], counts[0]
        if not rows:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        return np.concatenate(rows), np.concatenate(counts)

    def has(self, term: str) -> bool:
        return any(term in part.column_of for part in self.parts)


class DocumentsWithTerm(Mapping[str, np.ndarray]):
    """term → the documents holding it (int32, ascending), read from the counts' posting lists:
    what LoadedIndex.sentences_with_term held as a dict built by re-tokenising every sentence."""

    def __init__(self, counts: TermCounts | Sequence[TermCounts] | StackedCounts):
        self._counts = counts if isinstance(counts, StackedCounts) else StackedCounts(counts)

    def __getitem__(self, term: str) -> np.ndarray:
        if not self._counts.has(term):
            raise KeyError(term)
        return self._counts.postings(term)[0]

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._counts.has(term)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(t for part in self._counts.parts for t in part.terms))

    def __len__(self) -> int:
        return sum(1 for _ in self)
