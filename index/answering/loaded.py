"""An index opened for searching: the generation's segments joined into one set of rows.

Loading maps each segment's arrays, vectors and BM25 term counts from disk and joins them with
offsets (whole arrays at once); nothing is assembled per passage. Texts are read from the segments' passage stores when
a question needs them (a few per question): `paragraphs`, `sentences` and `units` are sequences
that read on demand. An article that was changed or removed since its segment was written is
deleted: its rows stay in the arrays but never answer (they score -inf, their vectors are
skipped, and the keyword statistics leave them out), so answers are those of a full rebuild.
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from ..embedding import REFERENCE, ModelSpec, Similarity
from ..kinds import BODY, CAPTION, CONTEXT, ENTITY
from ..store import CORRUPT, IndexUnavailable, VectorIndex, read_manifest
from ..store.manifest import segment_path
from ..store.segments import (
    BM25_FOLDERS,
    SEGMENT_PASSAGES,
    SEGMENT_VECTORS,
    UNIT_KIND_CODES,
    PassageStore,
    load_arrays,
    read_segment_manifest,
    segment_files_problem,
)
from .cues import QuestionKind, cue_matches
from .lexical import Bm25
from .scope import article_owners
from .term_counts import TermCounts

# Units that embed a sentence with more than itself: the one before it, or the person it is about.
WIDENED_UNIT_CODES = (UNIT_KIND_CODES[CONTEXT], UNIT_KIND_CODES[ENTITY])
__all__ = ["UNIT_KIND_CODES", "WIDENED_UNIT_CODES", "LoadedIndex", "SentenceRow", "load_index"]


@dataclass(frozen=True)
class SentenceRow:
    paragraph: int  # row in LoadedIndex.paragraphs
    number: int
    start: int  # into the paragraph's text
    end: int
    text: str
    who: str | None = None


@dataclass
class Segment:
    """One segment of the loaded generation, and where its rows start in the joined rows."""

    name: str
    store: PassageStore
    arrays: dict[str, np.ndarray]
    vectors: VectorIndex
    articles: list[dict[str, Any]]  # metadata, in row order
    deleted: frozenset[str]
    term_counts: tuple[TermCounts, ...]  # sentences, paragraphs, articles (segments.BM25_FOLDERS)
    article_offset: int = 0
    paragraph_offset: int = 0
    sentence_offset: int = 0
    unit_offset: int = 0

    @property
    def live_articles(self) -> set[str]:
        return {a["id"] for a in self.articles} - self.deleted


def _rows(segments: list[Segment], name: str, offset: str | None = None) -> np.ndarray:
    """One array of every segment joined, its values shifted by each segment's `offset` (rows into
    another joined table); a single segment's array is used as mapped, without a copy."""
    parts = [s.arrays[name] + getattr(s, offset) if offset and getattr(s, offset) else s.arrays[name]
             for s in segments]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _starts(segments: list[Segment], name: str, offset: str) -> np.ndarray:
    """A joined offsets array (one entry per row and one past the last)."""
    if len(segments) == 1 and not getattr(segments[0], offset):
        return segments[0].arrays[name]
    parts = [s.arrays[name][:-1] + getattr(s, offset) for s in segments]
    total = sum(int(s.arrays[name][-1]) for s in segments)
    return np.concatenate([*parts, np.asarray([total], np.int64)]).astype(np.int64)


class SegmentVectors:
    """Exact inner-product search over every segment's vectors, skipping deleted units."""

    def __init__(self, segments: list[Segment], live_unit: np.ndarray, dimension: int):
        self._segments = segments
        self._live = live_unit
        self._dimension = dimension
        self._unit_offsets = [s.unit_offset for s in segments]
        self._size = int(np.count_nonzero(live_unit))  # the live units
        self._deleted_in = [
            int(s.vectors.size - np.count_nonzero(live_unit[s.unit_offset:s.unit_offset + s.vectors.size]))
            for s in segments]

    @property
    def size(self) -> int:
        return self._size

    @property
    def dimension(self) -> int:
        return self._dimension

    def vectors_of(self, ids: list[int]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self._dimension), np.float32)
        wanted = np.asarray(ids, np.int64)
        segment_numbers = np.searchsorted(self._unit_offsets, wanted, side="right") - 1
        found = np.empty((len(wanted), self._dimension), np.float32)
        for number in np.unique(segment_numbers):
            here = segment_numbers == number
            own_rows = wanted[here] - self._unit_offsets[number]
            found[here] = self._segments[number].vectors.vectors_of(own_rows.tolist())
        return found

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best live units per query: each segment's best, deleted ones dropped, merged."""
        k = min(k, self.size)
        all_scores = np.full((len(queries), k), -np.inf, np.float32)
        all_ids = np.full((len(queries), k), -1, np.int64)
        if k == 0:
            return all_scores, all_ids
        found_scores, found_ids = [], []
        for segment, deleted in zip(self._segments, self._deleted_in, strict=True):
            wanted = min(k + deleted, segment.vectors.size)
            if wanted:
                scores, ids = segment.vectors.search(queries, wanted)
                found_scores.append(scores)
                found_ids.append(np.where(ids >= 0, ids + segment.unit_offset, -1))
        scores, ids = np.hstack(found_scores), np.hstack(found_ids)
        for query in range(len(queries)):
            keep = (ids[query] >= 0) & self._live[np.maximum(ids[query], 0)]
            kept_scores, kept_ids = scores[query][keep], ids[query][keep]
            order = np.argsort(-kept_scores, kind="stable")[:k]
            all_scores[query, :len(order)], all_ids[query, :len(order)] = kept_scores[order], kept_ids[order]
        return all_scores, all_ids


class _Paragraph(Mapping[str, Any]):
    """A paragraph row as a mapping (article, number, start, end, kind, text, restates, sentences,
    who); its text is read from the segment when asked."""

    _KEYS = ("article", "number", "start", "end", "kind", "text", "restates", "sentences", "who")

    def __init__(self, index: LoadedIndex, row: int):
        self._index = index
        self._row = row

    def __getitem__(self, key: str) -> Any:
        index, row = self._index, self._row
        if key == "article":
            return index.article_ids[int(index.article_row_of_paragraph[row])]
        if key == "number":
            return int(index.paragraph_number[row])
        if key == "start":
            return int(index.paragraph_start[row])
        if key == "end":
            return int(index.paragraph_start[row]) + len(index.paragraph_text(row))
        if key == "kind":
            return CAPTION if index.caption_mask[row] else BODY
        if key == "text":
            return index.paragraph_text(row)
        if key == "restates":
            restates = int(index.paragraph_restates[row])
            return None if restates < 0 else restates
        if key == "sentences":
            return [[int(index.sentence_start[s]), int(index.sentence_end[s])] for s in index.sentence_rows_of[row]]
        if key == "who":
            return index.paragraph_who(row)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)


class _Lazy(Sequence[Any]):
    """A sequence whose items are made when asked for."""

    def __init__(self, length: int, item: Any):
        self._length = length
        self._item = item

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, row: int) -> Any: ...

    @overload
    def __getitem__(self, row: slice) -> list[Any]: ...

    def __getitem__(self, row: int | slice) -> Any:
        if isinstance(row, slice):
            return [self._item(r) for r in range(*row.indices(self._length))]
        row = int(row)
        if row < 0:
            row += self._length
        if not 0 <= row < self._length:
            raise IndexError(row)
        return self._item(row)


class _ParagraphRows(Mapping[tuple[str, int], int]):
    """(article id, paragraph number) → paragraph row, for the live articles, computed not stored."""

    def __init__(self, index: LoadedIndex):
        self._index = index

    def __getitem__(self, key: tuple[str, int]) -> int:
        article, number = key
        row = self._index.article_row.get(article)
        if row is None:
            raise KeyError(key)
        first, end = int(self._index.article_first_paragraph[row]), int(self._index.article_first_paragraph[row + 1])
        if not 1 <= number <= end - first:
            raise KeyError(key)
        return first + number - 1

    def __iter__(self) -> Iterator[tuple[str, int]]:
        for article, row in self._index.article_row.items():
            count = int(self._index.article_first_paragraph[row + 1] - self._index.article_first_paragraph[row])
            yield from ((article, number) for number in range(1, count + 1))

    def __len__(self) -> int:
        return int(np.count_nonzero(self._index.live_paragraph))


class _ArticleWords(Mapping[str, frozenset[str]]):
    """Each live article's words, case-folded, read from its segment when first asked."""

    def __init__(self, index: LoadedIndex, cache: dict[str, frozenset[str]]):
        self._index = index
        self._cache = cache  # the index's own: views come and go

    def __getitem__(self, article: str) -> frozenset[str]:
        if article not in self._cache:
            row = self._index.article_row[article]  # KeyError for an article not in the index
            segment, local = self._index.segment_of_article(row)
            self._cache[article] = segment.store.article_words(local)
        return self._cache[article]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.article_row)

    def __len__(self) -> int:
        return len(self._index.article_row)


class LoadedIndex:
    """The rows of every segment joined: articles, paragraphs, sentences and units, numbered from 0
    across the segments in the generation's order, with the arrays the engine scores over."""

    def __init__(self, path: Path, manifest: dict[str, Any], segments: list[Segment]):
        self.path = path
        self.manifest = manifest
        self.segments = segments
        counts = {"articles": 0, "paragraphs": 0, "sentences": 0, "units": 0}
        for segment in segments:
            segment.article_offset, segment.paragraph_offset = counts["articles"], counts["paragraphs"]
            segment.sentence_offset, segment.unit_offset = counts["sentences"], counts["units"]
            counts["articles"] += len(segment.articles)
            counts["paragraphs"] += len(segment.arrays["paragraph_number"])
            counts["sentences"] += len(segment.arrays["sentence_number"])
            counts["units"] += len(segment.arrays["unit_kind"])
        self.article_rows: list[dict[str, Any]] = [a for s in segments for a in s.articles]  # metadata per row
        self.article_ids: list[str] = [a["id"] for a in self.article_rows]
        self.article_owner = article_owners(self.article_rows)
        live_article = np.asarray([a["id"] not in s.deleted for s in segments for a in s.articles], np.bool_)
        self.live_article = live_article
        self.article_row: dict[str, int] = {self.article_ids[row]: int(row) for row in np.flatnonzero(live_article)}
        self.articles: dict[str, dict[str, Any]] = {a: self.article_rows[row] for a, row in self.article_row.items()}
        self.article_first_paragraph = _starts(segments, "article_first_paragraph", "paragraph_offset")
        self.article_row_of_paragraph = _rows(segments, "paragraph_article", "article_offset").astype(np.int64)
        self.paragraph_number = _rows(segments, "paragraph_number")
        self.paragraph_start = _rows(segments, "paragraph_start")
        self.paragraph_restates = _rows(segments, "paragraph_restates")
        self.caption_mask = _rows(segments, "paragraph_caption").astype(np.float32)
        self.live_paragraph = live_article[self.article_row_of_paragraph] if len(live_article) else \
            np.zeros(0, np.bool_)
        self.paragraph_first_sentence = _starts(segments, "paragraph_first_sentence", "sentence_offset")
        self.paragraph_of_sentence = _rows(segments, "sentence_paragraph", "paragraph_offset")
        self.sentence_number = _rows(segments, "sentence_number")
        self.sentence_start = _rows(segments, "sentence_start")
        self.sentence_end = _rows(segments, "sentence_end")
        self.sentence_term_counts = _rows(segments, "sentence_term_count")
        self.unit_paragraph = _rows(segments, "unit_paragraph", "paragraph_offset")
        if np.any(self.unit_paragraph[1:] < self.unit_paragraph[:-1]):
            # scoring.complete_similarity finds a paragraph's units by bisecting this array.
            raise IndexUnavailable(CORRUPT, f"the units of {path} are not stored paragraph by paragraph")
        unit_sentence = [np.where(s.arrays["unit_sentence"] >= 0, s.arrays["unit_sentence"] + s.sentence_offset, -1)
                         if s.sentence_offset else s.arrays["unit_sentence"] for s in segments]
        self.unit_sentence = unit_sentence[0] if len(unit_sentence) == 1 else \
            np.concatenate(unit_sentence) if unit_sentence else np.zeros(0, np.int64)
        self.unit_kind = _rows(segments, "unit_kind")
        own_unit_offsets = np.cumsum([0] + [len(s.arrays["sentence_unit_ids"]) for s in segments])
        self._sentence_first_unit = np.concatenate(
            [s.arrays["sentence_first_unit"][:-1] + own_unit_offsets[n] for n, s in enumerate(segments)]
            + [np.asarray([own_unit_offsets[-1]], np.int64)]).astype(np.int64) if len(segments) != 1 else \
            segments[0].arrays["sentence_first_unit"]
        self._sentence_unit_ids = _rows(segments, "sentence_unit_ids", "unit_offset")
        live_unit = self.live_paragraph[self.unit_paragraph] if len(self.unit_paragraph) else np.zeros(0, np.bool_)
        self.vectors = SegmentVectors(segments, live_unit, int(manifest["model"]["dimension"]))
        self._counts = counts
        self._article_words: dict[str, frozenset[str]] = {}  # filled as asked
        self.spelling_variants: dict[str, frozenset[str]] = {}  # filled as asked
        self.speakers_by_scope: dict[Any, list[dict[str, Any]]] = {}  # Engine.speakers, by scope, as asked
        self._articles_using: dict[str, int] = {}  # filled as asked
        self._cue_masks: dict[str, np.ndarray] = {}
        self.cues_from_text = False  # bench/ablation: match cues anew, as a variant's patterns say

    # ---- where a row lives -----------------------------------------------------------------
    def _segment_at(self, offsets: str, row: int) -> Segment:
        if len(self.segments) == 1:
            return self.segments[0]
        return self.segments[bisect.bisect_right([getattr(s, offsets) for s in self.segments], row) - 1]

    def segment_of_article(self, row: int) -> tuple[Segment, int]:
        segment = self._segment_at("article_offset", row)
        return segment, row - segment.article_offset

    def _segment_of_paragraph(self, row: int) -> tuple[Segment, int]:
        segment = self._segment_at("paragraph_offset", row)
        return segment, row - segment.paragraph_offset

    def paragraph_text(self, row: int) -> str:
        segment, local = self._segment_of_paragraph(row)
        return segment.store.paragraph(local)[0]

    def paragraph_who(self, row: int) -> list[str | None]:
        segment, local = self._segment_of_paragraph(row)
        return list(segment.store.paragraph(local)[1])

    # ---- views by row: made when asked for, never kept on the index -----------------------------
    # A view keeps its index; the index keeping its views would make a cycle, and a replaced index
    # (with its mapped files) would then live on until Python's rare full garbage collection, not go
    # when the last question using it ends.
    @property
    def paragraphs(self) -> Sequence[Mapping[str, Any]]:
        return _Lazy(self._counts["paragraphs"], functools.partial(_Paragraph, self))

    @property
    def sentences(self) -> Sequence[SentenceRow]:
        return _Lazy(self._counts["sentences"], self._sentence)

    @property
    def units(self) -> Sequence[dict[str, Any]]:
        return _Lazy(self._counts["units"], self._unit)

    @property
    def sentence_rows_of(self) -> Sequence[range]:
        """Per paragraph row, the rows of its sentences."""
        return _Lazy(self._counts["paragraphs"], self._sentence_rows)

    @property
    def sentence_units(self) -> Sequence[list[int]]:
        """Per sentence row, the units embedded for it."""
        return _Lazy(self._counts["sentences"], self._units_of_sentence)

    @property
    def paragraph_row(self) -> Mapping[tuple[str, int], int]:
        return _ParagraphRows(self)

    @property
    def article_words(self) -> Mapping[str, frozenset[str]]:
        return _ArticleWords(self, self._article_words)

    def _sentence_rows(self, row: int) -> range:
        return range(int(self.paragraph_first_sentence[row]), int(self.paragraph_first_sentence[row + 1]))

    def _units_of_sentence(self, row: int) -> list[int]:
        first, end = self._sentence_first_unit[row], self._sentence_first_unit[row + 1]
        return [int(u) for u in self._sentence_unit_ids[first:end]]

    def _sentence(self, row: int) -> SentenceRow:
        paragraph = int(self.paragraph_of_sentence[row])
        number = int(self.sentence_number[row])
        start, end = int(self.sentence_start[row]), int(self.sentence_end[row])
        segment, local = self._segment_of_paragraph(paragraph)
        text, who = segment.store.paragraph(local)
        return SentenceRow(paragraph, number, start, end, text[start:end], who[number - 1] if who else None)

    def _unit(self, row: int) -> dict[str, Any]:
        segment = self._segment_at("unit_offset", row)
        return segment.store.unit(row - segment.unit_offset)

    def lead_paragraph(self, article: str) -> str:
        """The first paragraph of running text of an article (no caption), or "" for none."""
        row = self.article_row.get(article)
        if row is None:
            return ""
        first, end = int(self.article_first_paragraph[row]), int(self.article_first_paragraph[row + 1])
        body = np.flatnonzero(self.caption_mask[first:end] == 0)
        return self.paragraph_text(first + int(body[0])) if len(body) else ""

    # ---- read from the segments when first needed --------------------------------------------
    @functools.cached_property
    def quotes(self) -> list[dict[str, Any]]:
        """The quotations of the live articles, in row order."""
        return [q for s in self.segments for q in s.store.quotes(s.live_articles)]

    @functools.cached_property
    def lowercase_words(self) -> frozenset[str]:
        """Words the articles write in lower case."""
        return frozenset().union(*(s.store.lowercase_words(s.deleted) for s in self.segments))

    def articles_using(self, word: str) -> int:
        """How many live articles use `word` (case-folded), from the segments' vocabularies."""
        if word not in self._articles_using:
            self._articles_using[word] = sum(s.store.articles_using(word, s.deleted) for s in self.segments)
        return self._articles_using[word]

    @functools.cached_property
    def words_by_initial(self) -> dict[str, list[str]]:
        """All words of the live articles, case-folded, by their first letter."""
        words = set().union(*(s.store.all_words(s.deleted) for s in self.segments))
        by_initial: dict[str, list[str]] = {}
        for word in sorted(words):
            by_initial.setdefault(word[:1], []).append(word)
        return by_initial

    # ---- keyword indexes, from the segments' term counts ---------------------------------------
    # Deleted rows count in no statistic and score 0, so the scores are those of a full rebuild.
    @functools.cached_property
    def sentence_bm25(self) -> Bm25:
        return self._bm25(0, self.live_paragraph[self.paragraph_of_sentence] if len(self.paragraph_of_sentence)
                          else np.zeros(0, np.bool_))

    @functools.cached_property
    def paragraph_bm25(self) -> Bm25:
        return self._bm25(1, self.live_paragraph)

    @functools.cached_property
    def article_bm25(self) -> Bm25:
        return self._bm25(2, self.live_article)

    def _bm25(self, which: int, live: np.ndarray) -> Bm25:
        counts = [s.term_counts[which] for s in self.segments]
        if sum(c.n_docs for c in counts) != len(live):
            raise IndexUnavailable(CORRUPT, f"{self.path}: the term counts do not match the rows")
        return Bm25.from_counts(counts, None if live.all() else live)

    # ---- per question ----------------------------------------------------------------------
    def cue_mask(self, question_kind: QuestionKind) -> np.ndarray:
        """1.0 for sentences holding the kind of fact a question of this kind asks for (cached per kind)."""
        if question_kind not in self._cue_masks:
            if self.cues_from_text:
                mask = np.fromiter((cue_matches(question_kind, s.text) for s in self.sentences), np.float32,
                                   len(self.sentences))
            elif f"cue_{question_kind}" in self.segments[0].arrays if self.segments else False:
                mask = _rows(self.segments, f"cue_{question_kind}").astype(np.float32)
            else:  # a kind without a cue (cues.CUE_WEIGHTS)
                mask = np.zeros(len(self.sentences), np.float32)
            self._cue_masks[question_kind] = mask
        return self._cue_masks[question_kind]

    def rows_with_term(self, term: str) -> np.ndarray:
        """The sentences whose own text holds `term` (a BM25 term)."""
        found = []
        for segment in self.segments:
            vocabulary = segment.arrays["term_vocabulary"]
            at = int(np.searchsorted(vocabulary, term))
            if at < len(vocabulary) and vocabulary[at] == term:
                first = segment.arrays["term_first_row"]
                found.append(segment.arrays["term_rows"][first[at]:first[at + 1]] + segment.sentence_offset)
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def novelty(self, asked: set[str], saturation: int) -> np.ndarray:
        """Per sentence, how many of its terms are not among `asked`, scaled to 0..1."""
        shared = np.zeros(len(self.sentence_term_counts), np.float32)
        for term in asked:
            shared[self.rows_with_term(term)] += 1
        return np.minimum(self.sentence_term_counts - shared, saturation) / saturation

    @functools.cached_property
    def language(self) -> str:
        """The language most of the articles are written in (English for an index from before
        languages were recorded)."""
        found = Counter(a.get("text_language") or "en" for a in self.articles.values())
        return found.most_common(1)[0][0] if found else "en"

    @property
    def model_spec(self) -> ModelSpec:
        """How this index embedded its texts, and so how questions must be embedded."""
        return ModelSpec.from_manifest(self.manifest["model"])

    @property
    def similarity(self) -> Similarity:
        """Where the model's cosines lie between unrelated texts; an index from before this was
        recorded was built with the reference model."""
        entry = self.manifest["model"].get("similarity")
        return Similarity(entry["mean"], entry["spread"]) if entry else REFERENCE


def load_index(index_dir: Path) -> LoadedIndex:
    """Open the current generation; IndexUnavailable when it is missing or corrupt."""
    # Resolve the link once so every file comes from the same generation, even if one is published now.
    build = index_dir.resolve()
    manifest = read_manifest(build)
    segments = []
    try:
        for entry in manifest["segments"]:
            path = segment_path(build, entry["name"])
            segment_manifest = read_segment_manifest(path)
            # Sizes only, no hashing (status and run read the checksums): a file swapped for a pipe
            # would hang the opening below, a truncated one fail deep in faiss or numpy.
            if problem := segment_files_problem(path, segment_manifest):
                raise IndexUnavailable(CORRUPT, problem)
            segment = Segment(entry["name"], PassageStore(path / SEGMENT_PASSAGES), load_arrays(path),
                              VectorIndex.open(path / SEGMENT_VECTORS), segment_manifest["articles"],
                              frozenset(entry["deleted"]),
                              tuple(TermCounts.load(path / folder) for folder in BM25_FOLDERS))
            segments.append(segment)
            if segment.vectors.size != len(segment.arrays["unit_kind"]):
                raise IndexUnavailable(CORRUPT, f"{segment.vectors.size} vectors for "
                                                f"{len(segment.arrays['unit_kind'])} units in {path}")
            if segment.vectors.dimension != manifest["model"]["dimension"]:
                raise IndexUnavailable(CORRUPT, f"vector dimension of {path} differs from the manifest")
        return LoadedIndex(build, manifest, segments)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise IndexUnavailable(CORRUPT, str(error)) from None
    except (KeyError, TypeError, IndexError) as error:
        raise IndexUnavailable(CORRUPT, f"passage store is inconsistent ({error!r})") from None
