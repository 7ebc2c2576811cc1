"""An index opened for searching: the passage store, its vectors and keyword indexes in memory."""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..embedding import REFERENCE, ModelSpec, Similarity
from ..kinds import CAPTION, CONTEXT, ENTITY, PARAGRAPH, SENTENCE
from ..store import CORRUPT, PASSAGES, VECTORS, IndexUnavailable, VectorIndex, read_manifest
from ..text import NUMBER, WORD
from .cues import QuestionKind, cue_matches
from .lexical import Bm25


@dataclass(frozen=True)
class SentenceRow:
    paragraph: int  # row in LoadedIndex.paragraphs
    number: int
    start: int  # into the paragraph's text
    end: int
    text: str
    who: str | None = None


@dataclass
class LoadedIndex:
    path: Path
    manifest: dict[str, Any]
    articles: dict[str, dict[str, Any]]
    paragraphs: list[dict[str, Any]]
    sentences: list[SentenceRow]
    units: list[dict[str, Any]]
    vectors: VectorIndex
    quotes: list[dict[str, Any]]
    paragraph_row: dict[tuple[str, int], int] = field(default_factory=dict)
    sentence_rows_of: list[list[int]] = field(default_factory=list)
    unit_sentence: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    unit_paragraph: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    unit_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    article_words: dict[str, frozenset[str]] = field(default_factory=dict)
    lowercase_words: frozenset[str] = frozenset()  # words the articles write in lower case
    words_by_initial: dict[str, list[str]] = field(default_factory=dict)  # all words, case-folded
    sentence_units: list[list[int]] = field(default_factory=list)  # sentence row → its own units
    spelling_variants: dict[str, frozenset[str]] = field(default_factory=dict)  # filled as asked
    sentence_term_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    sentences_with_term: dict[str, np.ndarray] = field(default_factory=dict)
    paragraph_of_sentence: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    article_of_paragraph: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    article_ids: list[str] = field(default_factory=list)
    article_row_of_paragraph: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _cue_masks: dict[str, np.ndarray] = field(default_factory=dict)
    caption_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # Keyword indexes, set once the rows above are known (_assemble).
    sentence_bm25: Bm25 = field(init=False)
    paragraph_bm25: Bm25 = field(init=False)
    article_bm25: Bm25 = field(init=False)

    def cue_mask(self, question_kind: QuestionKind) -> np.ndarray:
        """1.0 for sentences holding the kind of fact a question of this kind asks for (cached per kind)."""
        if question_kind not in self._cue_masks:
            self._cue_masks[question_kind] = np.fromiter(
                (cue_matches(question_kind, s.text) for s in self.sentences), np.float32, len(self.sentences))
        return self._cue_masks[question_kind]

    def novelty(self, asked: set[str], saturation: int) -> np.ndarray:
        """Per sentence, how many of its terms are not among `asked`, scaled to 0..1."""
        shared = np.zeros(len(self.sentences), np.float32)
        for term in asked:
            rows = self.sentences_with_term.get(term)
            if rows is not None:
                shared[rows] += 1
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


UNIT_KIND_CODES = {SENTENCE: 0, PARAGRAPH: 1, CONTEXT: 2, ENTITY: 3}
# Units that embed a sentence with more than itself: the one before it, or the person it is about.
WIDENED_UNIT_CODES = (UNIT_KIND_CODES[CONTEXT], UNIT_KIND_CODES[ENTITY])


def load_index(index_dir: Path) -> LoadedIndex:
    """Open the current build; IndexUnavailable when it is missing or corrupt."""
    # Resolve the link once so every file comes from the same build, even if one is published now.
    build = index_dir.resolve()
    manifest = read_manifest(build)
    try:
        store = json.loads((build / PASSAGES).read_text(encoding="utf-8"))
        vectors = VectorIndex.open(build / VECTORS)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise IndexUnavailable(CORRUPT, str(error)) from None
    try:
        return _assemble(build, manifest, store, vectors)
    except (KeyError, TypeError, IndexError) as error:
        raise IndexUnavailable(CORRUPT, f"passage store is inconsistent ({error!r})") from None


def _assemble(build: Path, manifest: dict, store: dict, vectors: VectorIndex) -> LoadedIndex:
    units = store["units"]
    if vectors.size != len(units):
        raise IndexUnavailable(CORRUPT, f"{vectors.size} vectors for {len(units)} units")
    if vectors.dimension != manifest["model"]["dimension"]:
        raise IndexUnavailable(CORRUPT, "vector dimension differs from the manifest")
    loaded = LoadedIndex(
        path=build,
        manifest=manifest,
        articles={a["id"]: a for a in store["articles"]},
        paragraphs=store["paragraphs"],
        sentences=[],
        units=units,
        vectors=vectors,
        quotes=store.get("quotes", []),
    )
    sentence_row: dict[tuple[int, int], int] = {}
    for row, paragraph in enumerate(loaded.paragraphs):
        loaded.paragraph_row[(paragraph["article"], paragraph["number"])] = row
        rows = []
        for number, (start, end) in enumerate(paragraph["sentences"], 1):
            sentence_row[(row, number)] = len(loaded.sentences)
            rows.append(len(loaded.sentences))
            who = paragraph.get("who", [None] * number)[number - 1]
            loaded.sentences.append(SentenceRow(row, number, start, end, paragraph["text"][start:end], who))
        loaded.sentence_rows_of.append(rows)
    paragraph_of_unit = [loaded.paragraph_row[(u["article"], u["paragraph"])] for u in units]
    loaded.unit_paragraph = np.asarray(paragraph_of_unit, dtype=np.int64)
    loaded.unit_sentence = np.asarray(
        [sentence_row.get((p, u["sentence"]), -1) for p, u in zip(paragraph_of_unit, units, strict=True)],
        dtype=np.int64,
    )
    words: dict[str, set[str]] = {}
    lowercase: set[str] = set()
    for paragraph in loaded.paragraphs:
        found = WORD.findall(paragraph["text"])
        # Numbers too: an article that never writes a question's year or count cannot answer it.
        found_numbers = NUMBER.findall(paragraph["text"])
        words.setdefault(paragraph["article"], set()).update(w.casefold() for w in found + found_numbers)
        lowercase.update(w for w in found if w.islower())
    loaded.lowercase_words = frozenset(lowercase)
    for article_id, article in loaded.articles.items():
        words.setdefault(article_id, set()).update(w.casefold() for w in WORD.findall(article.get("title") or ""))
    loaded.article_words = {a: frozenset(w) for a, w in words.items()}
    for word in sorted(set().union(*loaded.article_words.values())):
        loaded.words_by_initial.setdefault(word[:1], []).append(word)
    loaded.unit_kind = np.asarray([UNIT_KIND_CODES[u["kind"]] for u in units], dtype=np.int8)
    loaded.sentence_units = [[] for _ in loaded.sentences]
    for unit_id, (sentence, unit_kind) in enumerate(zip(loaded.unit_sentence, loaded.unit_kind, strict=True)):
        if sentence >= 0 and unit_kind == UNIT_KIND_CODES[SENTENCE]:
            loaded.sentence_units[sentence].append(unit_id)
    # The person a sentence is about counts as one of its words: "He said …" matches "Musk".
    loaded.sentence_bm25 = Bm25([f"{s.text} {s.who or ''}" for s in loaded.sentences])
    # A paragraph goes on from the one before it ("Both of these proposals …"), so its keywords
    # are read together with that one's. Alone it pays nothing on the large sets, but with the
    # other deleted rules gone it does (docs/ablation.md): 4 of the 102 own questions.
    loaded.paragraph_bm25 = Bm25([_with_previous(loaded.paragraphs, row) for row in range(len(loaded.paragraphs))])
    term_sets = [set(loaded.sentence_bm25.terms(s.text)) for s in loaded.sentences]
    loaded.sentence_term_counts = np.asarray([len(t) for t in term_sets], np.float32)
    rows_of: dict[str, list[int]] = {}
    for row, terms in enumerate(term_sets):
        for term in terms:
            rows_of.setdefault(term, []).append(row)
    loaded.sentences_with_term = {t: np.asarray(r, np.int64) for t, r in rows_of.items()}
    loaded.paragraph_of_sentence = np.asarray([s.paragraph for s in loaded.sentences], np.int64)
    loaded.article_of_paragraph = np.asarray([p["article"] for p in loaded.paragraphs], dtype=object)
    loaded.article_ids = list(loaded.articles)
    article_row = {a: row for row, a in enumerate(loaded.article_ids)}
    loaded.article_row_of_paragraph = np.asarray([article_row[p["article"]] for p in loaded.paragraphs], np.int64)
    texts_of: dict[str, list[str]] = {}
    for paragraph in loaded.paragraphs:
        texts_of.setdefault(paragraph["article"], []).append(paragraph["text"])
    loaded.article_bm25 = Bm25(["\n".join(texts_of.get(a, [])) for a in loaded.article_ids])
    loaded.caption_mask = np.asarray([p["kind"] == CAPTION for p in loaded.paragraphs], dtype=np.float32)
    return loaded


def _with_previous(paragraphs: list[dict[str, Any]], row: int) -> str:
    paragraph = paragraphs[row]
    previous = paragraphs[row - 1] if row else None
    if previous is None or previous["article"] != paragraph["article"]:
        return paragraph["text"]
    return f"{previous['text']}\n{paragraph['text']}"
