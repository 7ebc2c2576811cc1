"""Which passages may answer a question, and whether any does: every rule that makes the engine
decline, in one place.

A paragraph is a candidate when it scores above nothing, its article mentions the names the
question uses, and it writes the numbers the question names itself; a caption stands for the body
paragraph it restates. Then the engine declines when
there is no candidate, when the best sentence of any candidate is too far from the question, or
when the first one shares only a name with the question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..kinds import CAPTION
from ..text import NUMBER
from .loaded import LoadedIndex
from .question_names import absent_names
from .scoring import Scores, best_first

if TYPE_CHECKING:
    from .trace import Trace

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

# A number the question names (a year, a count, an ordinal) must be written in the quoted paragraph
# itself, not only somewhere in its article: "Who won the 2018 World Cup?" is not answered by a
# swimming result in an article that writes 2018 elsewhere. Measured (bench/ablation.py
# number-in-paragraph): 5 more of SQuAD's unanswerable questions declined, no answerable question of
# any development set lost; among 10,000 articles the seed's World Cup question is declined.
NUMBERS_IN_PARAGRAPH = True

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
    caption: int | None = None  # the caption row whose score it is quoted with, if one was

    @property
    def scored_rows(self) -> list[int]:
        """The rows its score comes from."""
        return [self.row] if self.caption is None else [self.row, self.caption]


@dataclass(frozen=True)
class RuleCheck:
    """One rule checked against a question: the measured value, the bound, whether it declines."""

    rule: str  # NO_CANDIDATE, TOO_FAR or ONLY_THE_NAMES
    measured: str  # what `value` is
    value: float | None  # None: the rule did not apply
    threshold: float | None
    declines: bool
    note: str = ""

    def describe(self) -> str:
        """"too far: relevance 0.612, declines below 0.240: passes"."""
        if self.value is None:
            return f"{self.rule}: not checked ({self.note})"
        bound = f", declines {'above' if self.rule == ONLY_THE_NAMES else 'below'} {self.threshold:.3f}" \
            if self.threshold is not None else ""
        note = f" ({self.note})" if self.note else ""
        value = f"{self.value:.3f}" if self.rule != NO_CANDIDATE else f"{self.value:.0f}"
        return f"{self.rule}: {self.measured} {value}{bound}{note}: {'DECLINES' if self.declines else 'passes'}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def candidates(index: LoadedIndex, scores: Scores, names: list[str], trace: Trace | None = None,
               numbers: list[str] | None = None, names_ok: dict[str, bool] | None = None) -> list[Candidate]:
    """The best paragraphs, best first: at most MAX_CANDIDATES, none from an article that never
    names what the question names ("What did Musk say about Mars?"), a caption replaced by the
    body paragraph that it restates."""
    order = best_first(scores.paragraph, MAX_CONSIDERED)
    # Whether each article mentions the names: the caller may keep it across calls for one question.
    names_ok = {} if names_ok is None else names_ok
    chosen: dict[int, Candidate] = {}  # by row, in the order chosen
    for row in order:
        if scores.paragraph[row] <= 0 or len(chosen) >= MAX_CANDIDATES:
            break
        paragraph = index.paragraphs[row]
        article = paragraph["article"]
        if names and article not in names_ok:
            names_ok[article] = not absent_names(index, names, {article})
        if names and not names_ok[article]:
            if trace is not None:
                trace.skip(int(row), "its article does not mention " + " or ".join(names))
            continue
        if NUMBERS_IN_PARAGRAPH and numbers and not set(numbers) <= set(NUMBER.findall(paragraph["text"])):
            if trace is not None:
                trace.skip(int(row), "it does not write " + " or ".join(numbers))
            continue
        candidate = Candidate(int(row), float(scores.paragraph[row]))
        if paragraph["kind"] == CAPTION and paragraph.get("restates") is not None:
            # Quote the body paragraph that the caption restates instead of the caption.
            body = index.paragraph_row[(article, paragraph["restates"])]
            if trace is not None:
                trace.skip(int(row), f"a caption: paragraph {paragraph['restates']}, which it restates, is quoted")
            candidate = Candidate(int(body), max(float(scores.paragraph[body]), candidate.score), caption=int(row))
        chosen.setdefault(candidate.row, candidate)
    return list(chosen.values())


def decline_reason(index: LoadedIndex, scores: Scores, chosen: list[Candidate], question_vector: np.ndarray,
                   name_vectors: np.ndarray | None, min_relevance: float, lexical: bool,
                   trace: Trace | None = None, relevance_as_typed: float | None = None) -> str | None:
    """Why the engine quotes nothing for a question (NO_CANDIDATE, TOO_FAR or ONLY_THE_NAMES), or
    None when it quotes `chosen`. `name_vectors` are the question's names embedded alone, or None
    when it names nothing to check; `lexical` is False for a question in another language;
    `relevance_as_typed`, for a question embedded re-worded, is the relevance of the question as
    typed (see Engine._answer_one). With a `trace`, every rule is checked and recorded, also those
    after the first that declines."""
    reason = None
    for check in _rule_checks(index, scores, chosen, question_vector, name_vectors, min_relevance, lexical,
                              relevance_as_typed):
        if trace is not None:
            trace.check(check)
        if check.declines and reason is None:
            reason = check.rule
            if trace is None:
                break
    return reason


def _rule_checks(index: LoadedIndex, scores: Scores, chosen: list[Candidate], question_vector: np.ndarray,
                 name_vectors: np.ndarray | None, min_relevance: float, lexical: bool,
                 relevance_as_typed: float | None) -> Iterator[RuleCheck]:
    """Each rule in turn, computed only when asked for (the engine stops at the first that declines)."""
    yield RuleCheck(NO_CANDIDATE, "candidates", float(len(chosen)), None, not chosen)
    if not chosen:
        return
    relevance = max(scores.dense_sentence[s] for candidate in chosen for s in index.sentence_rows_of[candidate.row])
    threshold = min_relevance - (0.0 if lexical else CROSS_LINGUAL_DISCOUNT)
    note = "" if lexical else f"another language: {CROSS_LINGUAL_DISCOUNT} lower"
    if relevance_as_typed is not None and relevance_as_typed > relevance:
        relevance, note = relevance_as_typed, "the question as typed, with the name it re-words"
    yield RuleCheck(TOO_FAR, "relevance", float(relevance), threshold, bool(relevance < threshold), note)
    margin = None if name_vectors is None else _name_margin(index, scores, chosen[0].row, question_vector,
                                                            name_vectors)
    if margin is None:
        why = "it names nothing but a speaker, if anything" if name_vectors is None else \
            "the first passage has no sentence vector"
        yield RuleCheck(ONLY_THE_NAMES, "margin", None, NAME_ONLY_MARGIN, False, why)
    else:
        yield RuleCheck(ONLY_THE_NAMES, "closer to a name than to the question by", margin, NAME_ONLY_MARGIN,
                        margin > NAME_ONLY_MARGIN)


def _name_margin(index: LoadedIndex, scores: Scores, row: int, question_vector: np.ndarray,
                 name_vectors: np.ndarray) -> float | None:
    """How much closer the first passage's best sentence is to one of the question's names alone
    than to the question (above NAME_ONLY_MARGIN: it shares a name with the question and nothing of
    what is asked about it); None when the sentence has no vector of its own."""
    units = index.sentence_units[scores.best_sentence(index, row)]
    if not units:
        return None
    vectors = index.vectors.vectors_of(units)
    closer_to_a_name = float(np.max(vectors @ name_vectors.T)) - float(np.max(vectors @ question_vector))
    return float(index.similarity.scale(closer_to_a_name))
