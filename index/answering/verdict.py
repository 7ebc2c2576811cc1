"""Whether the first quoted passage answers the question, or the passages are only related.

Declining (declining.py) settles `none`: nothing close enough to quote. Of the questions it does
quote, many are on an article's subject without the article answering them ("Is it going to rain
this weekend?" against a storm story). For those the engine still quotes the closest passages,
but under the verdict `related`, not `answer`.

The verdict is a logistic regression over a handful of evidence features read from the question,
the first passage's highlighted sentence and the scores (below), fitted by
`bench/fit_verdict.py`, which writes its coefficients to verdict_model.json beside this module.
The method, the data split and the measured precision and coverage are in docs/verdicts.md.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..text import WORD
from .answer import ANSWER, RELATED, Verdict
from .cues import PLACE_QUESTION, QuestionKind, cue_matches, kind_of_question
from .declining import Candidate
from .loaded import LoadedIndex
from .scoring import Scores, highlight_span

MODEL_FILE = Path(__file__).with_name("verdict_model.json")

_NUMBER = re.compile(r"\d")
# A person's full name (two or more capitalised words, not at a sentence's start): what a "who"
# question asks for. The engine's scoring has no person cue (it did not pay, docs/ablation.md),
# but the verdict was fitted with this reading of "the answer type is there".
_FULL_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")


@dataclasses.dataclass(frozen=True)
class Evidence:
    """What the verdict is read from, for one quoted question (all on the first passage)."""

    relevance: float  # the model's similarity of the highlighted sentence to the question
    margin: float  # how far the first passage's score leads the second's
    dense_lead: float  # how far the best paragraph by the model alone leads the next one
    keyword_score: float  # BM25 of the highlighted sentence, 1 = the best sentence of the index
    names_missing: float  # share of the question's names that the highlight never mentions
    type_asked: float  # 1 when the question asks for a kind of fact (a person, a time, a number …)
    type_found: float  # 1 when it does and the highlight holds that kind of fact
    adds_facts: float  # 1 when the highlight names a number or a name the question does not

    def vector(self, names: tuple[str, ...]) -> np.ndarray:
        return np.asarray([getattr(self, name) for name in names], dtype=np.float64)

    def as_dict(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in self.__dict__.items()}


@dataclasses.dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    confidence: float  # the fitted probability that the first passage answers (0..1)
    evidence: Evidence | None
    threshold: float | None = None  # the confidence an `answer` needs


def evidence_of(index: LoadedIndex, scores: Scores, question: str, chosen: list[Candidate],
                names: list[str]) -> Evidence:
    """The evidence for a question quoted from `chosen` (best first, at least one)."""
    first = chosen[0].row
    best = scores.best_sentence(index, first)
    start, end = highlight_span(index, best)
    highlight = index.paragraphs[first]["text"][start:end]
    question_kind = kind_of_question(question)
    place = bool(PLACE_QUESTION.search(question))
    question_words = {w.casefold() for w in WORD.findall(question)}
    # A highlight of several sentences: the capital that opens each one names nothing.
    sentences = [index.sentences[row].text for row in index.sentence_rows_of[first]
                 if start <= index.sentence_start[row] < end]
    new_names = any(w[0].isupper() and w.casefold() not in question_words
                    for sentence in sentences for w in WORD.findall(sentence)[1:])
    new_numbers = any(_NUMBER.search(w) and w.casefold() not in question_words for w in WORD.findall(highlight))
    folded_highlight = highlight.casefold()
    return Evidence(
        relevance=float(scores.dense_sentence[best]),
        margin=chosen[0].score - chosen[1].score if len(chosen) > 1 else 1.0,
        dense_lead=_lead(scores.dense_paragraph),
        keyword_score=float(scores.sentence_bm25[best]),
        names_missing=sum(n not in folded_highlight for n in names) / len(names) if names else 0.0,
        type_asked=float(question_kind is not None or place),
        type_found=float(_holds_kind(question_kind, highlight) if question_kind else place and new_names),
        adds_facts=float(new_names or new_numbers),
    )


def _holds_kind(question_kind: QuestionKind, highlight: str) -> bool:
    """Whether the highlighted sentence holds the kind of fact the question asks for."""
    if question_kind == "person":
        return bool(_FULL_NAME.search(highlight))
    return cue_matches(question_kind, highlight)


def _lead(values: np.ndarray) -> float:
    """How far the highest value leads the next (a tie leads by 0), in two passes over the values
    rather than a partition of them all."""
    if len(values) < 2:
        return 1.0
    best = int(np.argmax(values))
    runner_up = max(values[:best].max(initial=-np.inf), values[best + 1:].max(initial=-np.inf))
    return float(values[best] - runner_up)


@dataclasses.dataclass(frozen=True)
class VerdictModel:
    """A fitted logistic regression: standardised features, weights, and the threshold on its
    probability at or above which the verdict is `answer`."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float

    def probability(self, evidence: Evidence) -> float:
        z = (evidence.vector(self.features) - self.mean) / self.scale
        logit = float(z @ self.weights) + self.intercept
        # The logistic function in the form that cannot overflow, whatever the evidence.
        return 1.0 / (1.0 + math.exp(-logit)) if logit >= 0 else math.exp(logit) / (1.0 + math.exp(logit))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictModel:
        return cls(tuple(data["features"]), np.asarray(data["mean"], np.float64),
                   np.asarray(data["scale"], np.float64), np.asarray(data["weights"], np.float64),
                   float(data["intercept"]), float(data["threshold"]))


@dataclasses.dataclass(frozen=True)
class VerdictModels:
    english: VerdictModel  # for questions in the articles' language
    foreign: VerdictModel  # for questions in another one: the model's similarity only

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictModels:
        return cls(VerdictModel.from_dict(data["english"]), VerdictModel.from_dict(data["foreign"]))


@functools.cache
def shipped_models() -> VerdictModels:
    """The coefficients bench/fit_verdict.py wrote (read once). They ship with the package; a
    missing or damaged file is a broken installation, named with its fix."""
    try:
        return VerdictModels.from_dict(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RuntimeError(f"{MODEL_FILE}: unreadable verdict coefficients ({error}); reinstall articlebot "
                           "or re-fit them with `python bench/fit_verdict.py`") from None


def judge(index: LoadedIndex, scores: Scores, question: str, chosen: list[Candidate], names: list[str],
          lexical: bool, models: VerdictModels, relevance_as_typed: float | None = None) -> Judgement:
    """`answer` or `related` for a question the engine quotes from `chosen` (best first).

    A question in another language than the articles' is judged on the model's similarity alone
    (its own, smaller fit): its keywords, names and answer type cannot be read against the text."""
    evidence = evidence_of(index, scores, question, chosen, names)
    if relevance_as_typed is not None and relevance_as_typed > evidence.relevance:
        evidence = dataclasses.replace(evidence, relevance=relevance_as_typed)
    fitted = models.english if lexical else models.foreign
    probability = fitted.probability(evidence)
    return Judgement(ANSWER if probability >= fitted.threshold else RELATED, probability, evidence, fitted.threshold)
