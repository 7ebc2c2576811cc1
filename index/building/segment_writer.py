"""Writing one segment (store/segments.py) from article records: the passage store, the vectors,
and the per-row arrays the engine memory-maps at load, derived here once instead of at every start.

A new segment's records come from splitting, attributing and embedding articles (build.py); a
merged segment's from the segments it replaces (PassageStore.records), without the corpus.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..answering.cues import CUE_WEIGHTS, cue_matches
from ..answering.lexical import Bm25, count_terms
from ..attribution import Attribution
from ..corpus import Article
from ..embedding import Similarity
from ..kinds import BODY, CAPTION, PARAGRAPH, SENTENCE
from ..store.segments import (
    BM25_FOLDERS,
    SEGMENT_PASSAGES,
    SEGMENT_VECTORS,
    UNIT_KIND_CODES,
    ArticleRecord,
    finish_segment,
    new_segment_dir,
    write_arrays,
    write_passages,
    write_segment_manifest,
)
from ..store.vectors import save_vectors
from ..text import NUMBER, WORD, Paragraph, language_of
from .units import Unit

# A caption whose vector is this close to a body paragraph restates it (measured on the seed:
# restating captions score 0.62-0.87 with their paragraph, unrelated pairs stay below 0.5).
RESTATES_MIN_SIMILARITY = 0.6


def article_record(article: Article, paragraphs: list[Paragraph], attribution: Attribution, units: list[Unit],
                   vectors: np.ndarray, similarity: Similarity) -> ArticleRecord:
    """What a segment keeps of one split, attributed and embedded article."""
    vector_of: dict[tuple[int, int], np.ndarray] = {}
    for unit, vector in zip(units, vectors, strict=True):
        if unit.unit_kind in (PARAGRAPH, SENTENCE):
            vector_of.setdefault((unit.paragraph, unit.sentence), vector)
    stored = []
    words: set[str] = {w.casefold() for w in WORD.findall(article.title or "")}
    lowercase: set[str] = set()
    for paragraph in paragraphs:
        restates = None
        if paragraph.paragraph_kind == CAPTION:
            restates = _restated_paragraph(paragraph, paragraphs, vector_of, similarity)
        stored.append({
            "number": paragraph.number,
            "start": paragraph.start,
            "end": paragraph.end,
            "kind": paragraph.paragraph_kind,
            "text": paragraph.text,
            "sentences": [[s.start - paragraph.start, s.end - paragraph.start] for s in paragraph.sentences],
            "restates": restates,
            "who": [attribution.who.get((paragraph.number, s.number)) for s in paragraph.sentences],
        })
        found = WORD.findall(paragraph.text)
        # Numbers too: an article that never writes a question's year or count cannot answer it.
        words.update(w.casefold() for w in found + NUMBER.findall(paragraph.text))
        lowercase.update(w for w in found if w.islower())
    meta = {**article.metadata(), "path": article.path, "hash": article.content_hash, "paragraphs": len(paragraphs),
            "guild": article.guild, "text_language": language_of(article.body)[0]}
    unit_dicts = [{"paragraph": u.paragraph, "sentence": u.sentence, "kind": u.unit_kind, "text": u.text}
                  for u in units]
    return ArticleRecord(meta, stored, unit_dicts, np.asarray(vectors, np.float32).reshape(len(units), -1),
                         [q.as_dict() for q in attribution.quotations], sorted(words), sorted(lowercase))


def _restated_paragraph(caption: Paragraph, paragraphs: list[Paragraph],
                        vector_of: dict[tuple[int, int], np.ndarray], similarity: Similarity) -> int | None:
    """The body paragraph that a caption restates, if one is close enough."""
    caption_vector = vector_of.get((caption.number, 1))
    if caption_vector is None:
        return None
    best, best_score = None, RESTATES_MIN_SIMILARITY
    for paragraph in paragraphs:
        if paragraph.paragraph_kind != BODY:
            continue
        for key in [(paragraph.number, 0)] + [(paragraph.number, s.number) for s in paragraph.sentences]:
            vector = vector_of.get(key)
            score = float(similarity.calibrate(float(vector @ caption_vector))) if vector is not None else -1.0
            if score >= best_score:
                best, best_score = paragraph.number, score
    return best


def _offsets(lengths: Sequence[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.asarray(lengths, np.int64))]).astype(np.int64)


def segment_arrays(records: list[ArticleRecord]) -> dict[str, np.ndarray]:
    """The per-row arrays of a segment of `records`, in local row numbers."""
    paragraphs = [(a, p) for a, r in enumerate(records) for p in r.paragraphs]
    first_paragraph = _offsets([len(r.paragraphs) for r in records])
    first_sentence = _offsets([len(p["sentences"]) for _, p in paragraphs])
    sentences = [(row, number, span) for row, (_, p) in enumerate(paragraphs)
                 for number, span in enumerate(p["sentences"], 1)]
    texts = [paragraphs[row][1]["text"][span[0]:span[1]] for row, _, span in sentences]
    terms = Bm25([])  # only its tokenizer: the scores come from the loaded index
    term_sets = [set(terms.terms(text)) for text in texts]
    arrays: dict[str, Any] = {
        "article_first_paragraph": first_paragraph,
        "paragraph_article": np.asarray([a for a, _ in paragraphs], np.int32),
        "paragraph_number": np.asarray([p["number"] for _, p in paragraphs], np.int32),
        "paragraph_start": np.asarray([p["start"] for _, p in paragraphs], np.int64),
        "paragraph_caption": np.asarray([p["kind"] == CAPTION for _, p in paragraphs], np.bool_),
        "paragraph_restates": np.asarray([-1 if p["restates"] is None else p["restates"] for _, p in paragraphs],
                                         np.int32),
        "paragraph_first_sentence": first_sentence,
        "sentence_paragraph": np.asarray([row for row, _, _ in sentences], np.int64),
        "sentence_number": np.asarray([number for _, number, _ in sentences], np.int32),
        "sentence_start": np.asarray([span[0] for _, _, span in sentences], np.int32),
        "sentence_end": np.asarray([span[1] for _, _, span in sentences], np.int32),
        "sentence_term_count": np.asarray([len(t) for t in term_sets], np.float32),
    }
    for question_kind in CUE_WEIGHTS:
        arrays[f"cue_{question_kind}"] = np.asarray([cue_matches(question_kind, t) for t in texts], np.bool_)
    unit_paragraph, unit_sentence, unit_kind = [], [], []
    for article_row, record in enumerate(records):
        for unit in record.units:
            paragraph_row = int(first_paragraph[article_row]) + unit["paragraph"] - 1
            unit_paragraph.append(paragraph_row)
            unit_sentence.append(int(first_sentence[paragraph_row]) + unit["sentence"] - 1 if unit["sentence"] else -1)
            unit_kind.append(UNIT_KIND_CODES[unit["kind"]])
    arrays["unit_paragraph"] = np.asarray(unit_paragraph, np.int64)
    arrays["unit_sentence"] = np.asarray(unit_sentence, np.int64)
    arrays["unit_kind"] = np.asarray(unit_kind, np.int8)
    own_units: list[list[int]] = [[] for _ in sentences]
    for unit_id, (sentence, kind) in enumerate(zip(unit_sentence, unit_kind, strict=True)):
        if sentence >= 0 and kind == UNIT_KIND_CODES[SENTENCE]:
            own_units[sentence].append(unit_id)
    arrays["sentence_first_unit"] = _offsets([len(u) for u in own_units])
    arrays["sentence_unit_ids"] = np.asarray([u for units in own_units for u in units], np.int64)
    rows_of: dict[str, list[int]] = {}
    for row, found in enumerate(term_sets):
        for term in found:
            rows_of.setdefault(term, []).append(row)
    vocabulary = sorted(rows_of)
    arrays["term_vocabulary"] = np.asarray(vocabulary, dtype=f"U{max(map(len, vocabulary), default=1)}")
    arrays["term_first_row"] = _offsets([len(rows_of[t]) for t in vocabulary])
    arrays["term_rows"] = np.asarray([r for t in vocabulary for r in rows_of[t]], np.int64)
    return arrays


def keyword_texts(records: list[ArticleRecord]) -> tuple[Iterator[str], Iterator[str], Iterator[str]]:
    """The texts of the three keyword indexes, in row order, each made as it is counted (all of a
    segment's at once would be some hundreds of MB): each sentence with the person it is about, each
    paragraph with the one before it, each article whole. All within one article, so a segment's
    term counts are those a full index would hold for its rows."""
    return _sentence_texts(records), _paragraph_texts(records), _article_texts(records)


def _sentence_texts(records: list[ArticleRecord]) -> Iterator[str]:
    for record in records:
        for paragraph in record.paragraphs:
            text = paragraph["text"]
            # The person a sentence is about counts as one of its words: "He said …" matches "Musk".
            for (start, end), who in zip(paragraph["sentences"], paragraph["who"], strict=True):
                yield f"{text[start:end]} {who or ''}"


def _paragraph_texts(records: list[ArticleRecord]) -> Iterator[str]:
    for record in records:
        previous = None
        for paragraph in record.paragraphs:
            # A paragraph goes on from the one before it ("Both of these proposals …"), so its
            # keywords are read together with that one's (docs/ablation.md: 4 of the 102 own questions).
            yield paragraph["text"] if previous is None else f"{previous}\n{paragraph['text']}"
            previous = paragraph["text"]


def _article_texts(records: list[ArticleRecord]) -> Iterator[str]:
    for record in records:
        yield "\n".join(p["text"] for p in record.paragraphs)


def write_segment(builds: Path, records: list[ArticleRecord], dimension: int) -> tuple[str, dict[str, Any]]:
    """Write `records` as a new segment under `builds`; returns its name and segment.json. Nothing
    is left behind when a write fails."""
    path = new_segment_dir(builds)
    try:
        save_vectors([r.vectors for r in records], path / SEGMENT_VECTORS, dimension=dimension)
        write_passages(path / SEGMENT_PASSAGES, records)
        write_arrays(path, segment_arrays(records))
        for folder, texts in zip(BM25_FOLDERS, keyword_texts(records), strict=True):
            count_terms(texts).save(path / folder)
        counts = {
            "articles": len(records),
            "paragraphs": sum(len(r.paragraphs) for r in records),
            "sentences": sum(len(p["sentences"]) for r in records for p in r.paragraphs),
            "units": sum(len(r.units) for r in records),
            "quotes": sum(len(r.quotes) for r in records),
        }
        manifest = write_segment_manifest(path, records, counts)
        return finish_segment(path), manifest
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the segments folder, when this was to be its first segment
        raise
