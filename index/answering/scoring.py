"""Scoring: every sentence and paragraph of the index, for one question.

Scores from the dense model (sentences, paragraphs, and sentences with the one before them or the
person they are about) and from BM25 (sentences, paragraphs and whole articles) are fused per
sentence, then per paragraph; question-type cues and named speakers add small, bounded boosts (docs/ablation.md
measures each). Each component is kept by name in `Scores`, so that what made a passage rank can
be read back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .cues import CUE_WEIGHTS, HighlightKind, highlight_kind, kind_of_question, question_words, states_new_fact
from .loaded import WIDENED_UNIT_CODES, LoadedIndex
from .speakers import SpeakerDirectory

# Whether each unit kind's code (an int8, read as a byte) is a widened kind: looked up per unit, where
# np.isin sorted both sides per call; a code that is no kind reads as not widened, as it did there.
_WIDENED_CODE = np.isin(np.arange(256), [code % 256 for code in WIDENED_UNIT_CODES])

# Distinct terms of a sentence beyond which it counts as saying more than the question at all.
NOVELTY_SATURATION = 6


@dataclass(frozen=True)
class Weights:
    """How the signals are fused. Chosen by measurement (see bench/quality and docs/method.md)."""

    # A widened sentence (embedded with the one before it, or with the person it is about)
    # counts a little less than the sentence alone.
    widened_sentence: float = 0.9
    sentence_bm25: float = 0.25
    paragraph_dense: float = 0.3
    paragraph_bm25: float = 0.15
    cue: float = 1.5  # scales cues.CUE_WEIGHTS; 1.3 to 1.6 is one plateau over 102 questions
    speaker: float = 0.1
    novelty: float = 0.1  # sentences that say more than the question's own words
    caption: float = 0.1  # a caption restates the body; the body carries the detail
    # Paragraphs of an article whose whole text matches the question's keywords: among hundreds of
    # articles, the one about the question's subject.
    article_bm25: float = 0.2
    candidates: int = 1000


@dataclass(frozen=True)
class Scores:
    """One question's scores. Per sentence: the components, then their weighted sum; per paragraph
    likewise. A component that does not apply to the question (no cue, a question in another
    language) is 0.0 rather than an array."""

    dense_sentence: np.ndarray  # the model's similarity alone: this sets the relevance
    sentence_bm25: np.ndarray
    cue: np.ndarray | float
    speaker: np.ndarray
    novelty: np.ndarray | float
    sentence: np.ndarray  # fused
    dense_paragraph: np.ndarray
    paragraph_bm25: np.ndarray
    caption: np.ndarray
    article_bm25: np.ndarray  # the paragraph's article's
    paragraph: np.ndarray  # fused: the best sentence's score plus the paragraph's own
    question_kind: str | None = None  # the kind of fact asked for (cues.kind_of_question), if any
    # Units whose similarity is the model's own: the search's candidates, then those completed.
    exact_units: set[int] = field(default_factory=set)
    highlight_kind: HighlightKind | None = None  # what the highlight looks for (cues.highlight_kind)
    question_words: frozenset[str] = frozenset()  # cues.question_words

    def best_sentence(self, index: LoadedIndex, row: int) -> int:
        """The paragraph's highest-scoring sentence: its score is the passage's (the ranking, the
        verdict's evidence, the declining rules and the trace read it)."""
        return max(index.sentence_rows_of[row], key=lambda s: self.sentence[s])

    def highlighted_sentence(self, index: LoadedIndex, row: int) -> int:
        """The sentence shown in bold: the best one, unless it lacks the kind of fact the question
        asks for and another close to it in score states one (HIGHLIGHT_KIND_REACH)."""
        best = self.best_sentence(index, row)
        kind = self.highlight_kind
        if kind is None or HIGHLIGHT_KIND_REACH <= 0:
            return best
        text = index.paragraph_text(row)

        def states_it(sentence: int) -> bool:
            sentence_text = text[int(index.sentence_start[sentence]):int(index.sentence_end[sentence])]
            return states_new_fact(kind, self.question_words, sentence_text)

        if states_it(best):
            return best
        close = [s for s in index.sentence_rows_of[row]
                 if self.sentence[s] >= self.sentence[best] - HIGHLIGHT_KIND_REACH and s != best and states_it(s)]
        return max(close, key=lambda s: self.sentence[s]) if close else best


def score_question(index: LoadedIndex, speakers: SpeakerDirectory, question: str, vector: np.ndarray,
                   weights: Weights, article: str | None = None, lexical: bool = True,
                   visible: np.ndarray | None = None) -> Scores | None:
    """Every sentence's and paragraph's score for a question. Paragraphs outside `article`, or of
    an article whose row `visible` marks False (another server's), score -inf: they are never
    quoted. With `lexical` False (a question in another language than the articles') only the
    model's similarity and the speakers it names count: keywords and answer types are read in the
    articles' language. None for an index without sentences."""
    if not index.sentences:
        return None
    sims, ids = index.vectors.search(vector[None, :], weights.candidates)
    sims, ids = sims[0], ids[0]
    keep = ids >= 0
    # On one scale for every model, so the weights below and the relevance threshold hold.
    sims, ids = index.similarity.calibrate(sims[keep]).astype(np.float32), ids[keep]
    n_sentences, n_paragraphs = len(index.sentences), len(index.paragraphs)

    # Texts beyond the candidates count as the least similar of them, or as 0 when all of them score
    # above it (calibrated scores go below 0); complete_similarity replaces the guess where it matters.
    floor = float(min(sims.min(), 0.0)) if sims.size else 0.0
    dense_sentence = np.full(n_sentences, floor, np.float32)
    dense_paragraph = np.full(n_paragraphs, floor, np.float32)
    weighted = _weighted_by_kind(index, ids, sims, weights)
    sentence_ids = index.unit_sentence[ids]
    on_sentence = sentence_ids >= 0
    np.maximum.at(dense_sentence, sentence_ids[on_sentence], weighted[on_sentence])
    np.maximum.at(dense_paragraph, index.unit_paragraph[ids], weighted)

    terms = index.sentence_bm25.query_terms(question) if lexical else []
    sentence_bm25 = _normalised(index.sentence_bm25.scores(question, terms))
    paragraph_bm25 = _normalised(index.paragraph_bm25.scores(question, terms))
    article_bm25 = _normalised(index.article_bm25.scores(question, terms))[index.article_row_of_paragraph]

    question_kind = kind_of_question(question) if lexical else None
    cue_weight = CUE_WEIGHTS.get(question_kind) if question_kind else None
    cue = cue_weight * index.cue_mask(question_kind) if question_kind and cue_weight else 0.0
    speaker = speakers.boost_for(question, index)
    # An answer adds something to the question; a short sentence that only echoes it does not.
    novelty = index.novelty(set(index.sentence_bm25.terms(question)), NOVELTY_SATURATION) if lexical else 0.0

    sentence_score = _fused_sentences(weights, dense_sentence, sentence_bm25, cue, speaker, novelty, slice(None))
    best_sentence = np.full(n_paragraphs, -np.inf, np.float32)
    np.maximum.at(best_sentence, index.paragraph_of_sentence, sentence_score)
    paragraph_score = _fused_paragraphs(weights, best_sentence, dense_paragraph, paragraph_bm25, index.caption_mask,
                                        article_bm25, slice(None))
    # Rows of a changed or removed article stay in their segment until a merge; they never answer.
    paragraph_score[~index.live_paragraph] = -np.inf
    if article is not None:
        paragraph_score[index.article_row_of_paragraph != index.article_row[article]] = -np.inf
    if visible is not None:
        paragraph_score[~visible[index.article_row_of_paragraph]] = -np.inf
    return Scores(dense_sentence=dense_sentence, sentence_bm25=sentence_bm25, cue=cue, speaker=speaker,
                  novelty=novelty, sentence=sentence_score, dense_paragraph=dense_paragraph,
                  paragraph_bm25=paragraph_bm25, caption=index.caption_mask, article_bm25=article_bm25,
                  paragraph=paragraph_score, question_kind=question_kind, exact_units=set(ids.tolist()),
                  highlight_kind=highlight_kind(question) if lexical else None,
                  question_words=question_words(question))


def _weighted_by_kind(index: LoadedIndex, units: np.ndarray, sims: np.ndarray, weights: Weights) -> np.ndarray:
    """The units' calibrated similarities, a widened unit's (with the sentence before it, or its
    person) counted at weights.widened_sentence."""
    widened = _WIDENED_CODE[index.unit_kind[units].astype(np.uint8)]
    return np.where(widened, sims * weights.widened_sentence, sims).astype(np.float32)


def _part(component: np.ndarray | float, rows: slice | np.ndarray) -> np.ndarray | float:
    return component if isinstance(component, float) else component[rows]


def _fused_sentences(weights: Weights, dense: np.ndarray, bm25: np.ndarray, cue: np.ndarray | float,
                     speaker: np.ndarray, novelty: np.ndarray | float, rows: slice | np.ndarray) -> np.ndarray:
    return (dense[rows] + weights.sentence_bm25 * bm25[rows] + weights.cue * _part(cue, rows)
            + weights.speaker * speaker[rows] + weights.novelty * _part(novelty, rows))


def _fused_paragraphs(weights: Weights, best_sentence: np.ndarray, dense: np.ndarray, bm25: np.ndarray,
                      caption: np.ndarray, article_bm25: np.ndarray, rows: slice | np.ndarray) -> np.ndarray:
    return (best_sentence + weights.paragraph_dense * dense[rows] + weights.paragraph_bm25 * bm25[rows]
            - weights.caption * caption[rows] + weights.article_bm25 * article_bm25[rows])


def complete_similarity(index: LoadedIndex, scores: Scores, rows: list[int], vector: np.ndarray,
                        weights: Weights) -> bool:
    """Give each paragraph of `rows` the model's similarity for every one of its units, in place.

    The search scores only the `weights.candidates` nearest units; the others count as the least
    similar of those, or 0 (score_question's floor). Among thousands of articles a question's own
    answer can lie beyond them, crowded out by near-copies of another sentence, and reach the
    candidates on its keywords with that floor for a similarity: it then ranks on a guess, and the
    relevance rule reads the guess. True when a score changed (the ranking may then have too)."""
    changed = False
    for row in rows:
        units = _paragraph_units(index, row)
        if not len(units) or all(int(u) in scores.exact_units for u in units):
            continue
        scores.exact_units.update(units.tolist())
        weighted = _weighted_similarities(index, units, vector, weights)
        sentences = np.asarray(index.sentence_rows_of[row], np.int64)
        unit_sentences = index.unit_sentence[units]
        for sentence in sentences:
            own = unit_sentences == sentence
            if own.any():
                scores.dense_sentence[sentence] = weighted[own].max()
        scores.dense_paragraph[row] = weighted.max()
        scores.sentence[sentences] = _fused_sentences(weights, scores.dense_sentence, scores.sentence_bm25,
                                                      scores.cue, scores.speaker, scores.novelty, sentences)
        if scores.paragraph[row] != -np.inf:  # a paragraph that may never be quoted stays so
            best = scores.sentence[sentences].max(initial=-np.inf, keepdims=True)
            scores.paragraph[row] = _fused_paragraphs(weights, best, scores.dense_paragraph, scores.paragraph_bm25,
                                                      scores.caption, scores.article_bm25, np.asarray([row]))[0]
        changed = True
    return changed


def _paragraph_units(index: LoadedIndex, row: int) -> np.ndarray:
    # A paragraph's units are stored together, in paragraph order (building/units.py).
    first, end = (int(i) for i in np.searchsorted(index.unit_paragraph, [row, row + 1]))
    return np.arange(first, end)


def _weighted_similarities(index: LoadedIndex, units: np.ndarray, vector: np.ndarray, weights: Weights) -> np.ndarray:
    """The model's similarity of each unit to `vector`, calibrated and weighted by the unit's kind."""
    sims = index.similarity.calibrate(index.vectors.vectors_of(units.tolist()) @ vector).astype(np.float32)
    return _weighted_by_kind(index, units, sims, weights)


def sentence_similarities(index: LoadedIndex, rows: list[int], vector: np.ndarray, weights: Weights
                          ) -> dict[int, float]:
    """Each sentence of the paragraphs `rows` that has units of its own, by row: its similarity to
    `vector`, as Scores.dense_sentence measures the question's (the best of its units)."""
    found: dict[int, float] = {}
    for row in rows:
        units = _paragraph_units(index, row)
        if not len(units):
            continue
        for sentence, similarity in zip(index.unit_sentence[units].tolist(),
                                        _weighted_similarities(index, units, vector, weights).tolist(), strict=True):
            if sentence >= 0:
                found[sentence] = max(found.get(sentence, -np.inf), similarity)
    return found


def best_first(values: np.ndarray, count: int) -> np.ndarray:
    """The rows of the `count` highest values, highest first, ties in row order: the start of a
    stable sort of every row, without sorting the hundreds of thousands past it."""
    if len(values) <= count:
        return np.argsort(-values, kind="stable")
    lowest_kept = np.partition(values, len(values) - count)[len(values) - count]
    above = np.flatnonzero(values > lowest_kept)
    # Rows tied at the cut (often many: every paragraph scored -inf, or on the same floor) are
    # taken in row order, as a stable sort would, without sorting them all.
    tied = np.flatnonzero(values == lowest_kept)[:count - len(above)]
    rows = np.concatenate([above, tied])
    return rows[np.argsort(-values[rows], kind="stable")]


def _normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


# A sentence that opens by pointing back ("This hypothesis is called the Cobham–Edmonds thesis.",
# "But a storm dispersed the fleet.") goes on from the one before it, and often says what a
# question about that one asks.
_GOES_ON = re.compile(r"^\W*(it|its|this|these|that|those|they|their|he|his|she|her|but|however|so|thus|"
                      r"there|such|the latter)\b", re.IGNORECASE)
# So does one that points back a few words in ("Perhaps surprisingly, each of these models …", "Most
# influential among these was …", "Nearly all of them are …") or gives an example of it ("For
# instance P ⊆ NP …"). Measured on SQuAD: Highlight@1 397 → 405 of 473, 36 of 469 highlights
# longer; the news sets unchanged (docs/ablation.md, early-back-reference).
# "This year", "these days" and the like point at a time, not back.
_POINTS_BACK = re.compile(r"^\W*+(?:\S+\s+){1,4}?(?:(?:this|these)\b(?!\s+(?:year|week|month|morning|afternoon|"
                          r"evening|weekend|days?|time)\b)|they|them)\b|^\W*+for\s+(?:example|instance)\b",
                          re.IGNORECASE)


# How far below the best sentence of a passage, in fused score, a sentence that states the kind of
# fact the question asks for (a number, a time, an amount of time, a place) and the best one does not
# is highlighted instead ("what's South Africa's score going into day two?": not "Australia will be
# aiming to take early wickets on day two …" but "The Proteas will resume at three for 89 …").
# Measured: Highlight@1 186 → 190 of 213 on the news development files, 406 → 407 or 408 of 425 on
# SQuAD, none lost; the same from 0.25 to 0.4 (docs/ablation.md, highlight-kind). 0 switches it off.
HIGHLIGHT_KIND_REACH = 0.3


# A best sentence that opens by pointing back ("This solves the problem of sorting …") is highlighted
# with the one it points to, which names what it is about. Measured: Highlight@1 +1 on SQuAD and +7
# on the translated set, the news sets unchanged (docs/ablation.md, antecedent-highlight).
HIGHLIGHT_ANTECEDENT = True


def highlight_span(index: LoadedIndex, sentence_row: int) -> tuple[int, int]:
    """The highlighted part of a paragraph: its best sentence, the next one too when that one goes
    on from it, and the one before when the best one goes on from that: one to three sentences.
    Measured when the next sentence came first (only one opening by pointing back): Highlight@1 on
    SQuAD 383 → 398 of 473, +1 on each of the own, paraphrase and both Lee sets."""
    start, end = int(index.sentence_start[sentence_row]), int(index.sentence_end[sentence_row])
    following, previous = sentence_row + 1, sentence_row - 1
    paragraph = index.paragraph_of_sentence[sentence_row]
    if following < len(index.sentences) and index.paragraph_of_sentence[following] == paragraph \
            and _goes_on(index.sentences[following].text):
        end = int(index.sentence_end[following])
    if HIGHLIGHT_ANTECEDENT and previous >= 0 and index.paragraph_of_sentence[previous] == paragraph \
            and _GOES_ON.match(index.sentences[sentence_row].text):
        start = int(index.sentence_start[previous])
    return start, end


def _goes_on(sentence: str) -> bool:
    """Whether a sentence goes on from the one before it, so that the two are highlighted together."""
    return bool(_GOES_ON.match(sentence) or _POINTS_BACK.match(sentence))
