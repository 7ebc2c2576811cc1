"""Which passages may answer a question, and whether any does: every rule that makes the engine
decline, in one place.

A paragraph is a candidate when it scores above nothing and its article mentions the names the
question uses; a caption stands for the body paragraph it restates. Then the engine declines when
there is no candidate, when the best sentence of any candidate is too far from the question, or
when the first one shares only a name with the question.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kinds import CAPTION
from .loaded import LoadedIndex
from .question_names import absent_names
from .scoring import Scores

# At most this many passages are quoted, first page and "More passages" together.
MAX_CANDIDATES = 12
# Paragraphs looked at, best first, when skipping those of articles that lack a question's names.
MAX_CONSIDERED = 200
# A question in another language than the articles' is less similar to its answer: the relevance
# it needs is this much lower. Measured on tests/fixtures/translated_dev_qa.jsonl (the seed and own
# questions in six languages): at 0.24 - 0.12 the answerable ones are declined 7 to 15 of 312 times
# and the off-topic ones 48 to 71 of 84 times (4 and 72 articles); at 0.24 it would be 109 to 121.
CROSS_LINGUAL_DISCOUNT = 0.12
# How much closer the question as a whole must be to the answer sentence than to the closest of
# its names alone. Over the development questions that name something other than a speaker, on
# 4, 62 and 357 articles, 14 fell below -0.05: 10 unanswerable ("What is the capital of France?"
# → "Today, the United States will play France.", -0.123), 3 about stories not in that index, and
# one answered from the wrong story first ("How was Kallis dismissed?", -0.056). Every first
# passage that answered scored above -0.05.
NAME_ONLY_MARGIN = 0.05

# Why a question was declined.
NO_CANDIDATE = "no candidate"  # nothing scores, or no article mentions the question's names
TOO_FAR = "too far"  # below the relevance threshold
ONLY_THE_NAMES = "only the names"  # the first passage shares a name with the question and nothing else


@dataclass(frozen=True)
class Candidate:
    """A paragraph that may be quoted, and the score it is quoted with: a caption's score goes to
    the body paragraph it restates when that is higher than the body paragraph's own."""

    row: int  # in LoadedIndex.paragraphs
    score: float


def candidates(index: LoadedIndex, scores: Scores, names: list[str]) -> list[Candidate]:
    """The best paragraphs, best first: at most MAX_CANDIDATES, none from an article that never
    names what the question names ("What did Musk say about Mars?"), a caption replaced by the
    body paragraph that it restates."""
    order = np.argsort(-scores.paragraph, kind="stable")
    names_ok: dict[str, bool] = {}
    chosen: dict[int, float] = {}  # row → score, in the order chosen
    for row in order[:MAX_CONSIDERED]:
        if scores.paragraph[row] <= 0 or len(chosen) >= MAX_CANDIDATES:
            break
        paragraph = index.paragraphs[row]
        article = paragraph["article"]
        if names and article not in names_ok:
            names_ok[article] = not absent_names(index, names, {article})
        if names and not names_ok[article]:
            continue
        score = float(scores.paragraph[row])
        if paragraph["kind"] == CAPTION and paragraph.get("restates") is not None:
            # Quote the body paragraph that the caption restates instead of the caption.
            row = index.paragraph_row[(article, paragraph["restates"])]
            score = max(float(scores.paragraph[row]), score)
        chosen.setdefault(int(row), score)
    return [Candidate(row, score) for row, score in chosen.items()]


def decline_reason(index: LoadedIndex, scores: Scores, chosen: list[Candidate], question_vector: np.ndarray,
                   name_vectors: np.ndarray | None, min_relevance: float, lexical: bool) -> str | None:
    """Why the engine quotes nothing for a question (NO_CANDIDATE, TOO_FAR or ONLY_THE_NAMES), or
    None when it quotes `chosen`. `name_vectors` are the question's names embedded alone, or None
    when it names nothing to check; `lexical` is False for a question in another language."""
    if not chosen:
        return NO_CANDIDATE
    relevance = max(scores.dense_sentence[s] for candidate in chosen for s in index.sentence_rows_of[candidate.row])
    if relevance < min_relevance - (0.0 if lexical else CROSS_LINGUAL_DISCOUNT):
        return TOO_FAR
    if name_vectors is not None and _matches_only_the_names(index, scores, chosen[0].row, question_vector,
                                                            name_vectors):
        return ONLY_THE_NAMES
    return None


def _matches_only_the_names(index: LoadedIndex, scores: Scores, row: int, question_vector: np.ndarray,
                            name_vectors: np.ndarray) -> bool:
    """Whether the first passage's best sentence is as close to one of the question's names alone
    as to the question: it shares a name with the question and nothing of what is asked about it."""
    units = index.sentence_units[scores.best_sentence(index, row)]
    if not units:
        return False
    vectors = index.vectors.vectors_of(units)
    closer_to_a_name = float(np.max(vectors @ name_vectors.T)) - float(np.max(vectors @ question_vector))
    return index.similarity.scale(closer_to_a_name) > NAME_ONLY_MARGIN
