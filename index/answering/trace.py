"""Why the engine answered or declined: a record it fills while answering, when asked for one.

The engine fills a `Trace` from its own arrays (scoring.Scores), its own candidates and its own
rule checks (declining.RuleCheck) as it answers; nothing is computed again beside it. Without a
trace the engine does no extra work. `ask --explain`, `/ask … explain:true` and the console show it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .declining import Candidate, RuleCheck
from .loaded import LoadedIndex
from .scoring import Scores, Weights, best_first

# The passages shown with every part of their score, best first.
TOP_PASSAGES = 5
EMPTY_QUESTION = "empty question"  # no letter or digit: nothing to look up

# Each part of a paragraph's score: the Scores field and the weight it is summed with (scoring.py's
# sums, in their order). A test holds these parts equal to the engine's score: a part added there
# and not here makes it fail.
_SENTENCE_PARTS = (("dense_sentence", None), ("sentence_bm25", "sentence_bm25"), ("cue", "cue"),
                   ("speaker", "speaker"), ("novelty", "novelty"))
_PARAGRAPH_PARTS = (("dense_paragraph", "paragraph_dense"), ("paragraph_bm25", "paragraph_bm25"),
                    ("caption", "caption"), ("article_bm25", "article_bm25"))
_SUBTRACTED = {"caption"}  # a caption restates the body: its weight is taken off
# Short names for text, in the order summed.
LABELS = {
    "dense_sentence": "dense", "sentence_bm25": "bm25", "cue": "cue", "speaker": "speaker", "novelty": "novelty",
    "dense_paragraph": "¶ dense", "paragraph_bm25": "¶ bm25", "caption": "caption",
    "article_bm25": "article",
}


@dataclass(frozen=True)
class PassageTrace:
    """One of the best-scoring paragraphs: what each part added to its score."""

    article: str
    paragraph: int
    kind: str
    sentence: str  # its best sentence, the one the highlight is built around
    parts: dict[str, float]  # weighted, keyed by Scores field, in the order summed
    score: float  # the engine's fused score for the paragraph
    note: str | None = None  # why it is not quoted as it stands, if it is not

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "parts": {k: round(v, 4) for k, v in self.parts.items()},
                "score": round(self.score, 4)}


@dataclass(frozen=True)
class RankedPassage:
    """A passage in the order the engine quotes them, with the score it is quoted with."""

    article: str
    paragraph: int
    score: float
    caption: int | None = None  # the caption whose higher score it is quoted with, if one is

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 4)}


@dataclass
class Trace:
    """What the engine saw and decided for one question; filled by Engine while it answers."""

    question: str = ""
    embedded_as: str = ""  # the wording the model embedded (a named speaker becomes "he" or "she")
    lexical: bool = True  # False for a question in another language: keywords, cues and names off
    question_kind: str | None = None  # the kind of fact asked for, which the cue rewards
    names: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    top: list[PassageTrace] = field(default_factory=list)
    ranking: list[RankedPassage] = field(default_factory=list)
    quoted: int = 0  # how many of `ranking` are quoted at once; the rest are "More passages"
    rules: list[RuleCheck] = field(default_factory=list)
    declined_by: str | None = None
    verdict: str | None = None  # answer or related, for a question that is quoted
    confidence: float | None = None
    verdict_threshold: float | None = None
    evidence: dict[str, float] = field(default_factory=dict)
    _skipped: dict[int, str] = field(default_factory=dict, repr=False)  # paragraph row → why

    # ---- filled by the engine --------------------------------------------------------------
    def asked(self, question: str, embedded_as: str, lexical: bool, names: list[str]) -> None:
        self.question, self.embedded_as, self.lexical, self.names = question, embedded_as, lexical, list(names)

    def skip(self, row: int, why: str) -> None:
        """A paragraph scored high enough but is not quoted as it stands (declining.candidates)."""
        self._skipped.setdefault(row, why)

    def judged(self, verdict: str, confidence: float, threshold: float | None, evidence: dict[str, float]) -> None:
        """The verdict on the quoted passages, with the evidence it was read from."""
        self.verdict, self.confidence, self.verdict_threshold, self.evidence = verdict, confidence, threshold, evidence

    def check(self, rule: RuleCheck) -> None:
        self.rules.append(rule)

    def decided(self, index: LoadedIndex, scores: Scores, weights: Weights, chosen: list[Candidate],
                quoted: int, declined_by: str | None) -> None:
        """Read the engine's scores of its best paragraphs, its ranking and its verdict."""
        self.question_kind = scores.question_kind
        self.weights = {name: _signed_weight(weights, name, weight)
                        for name, weight in (*_SENTENCE_PARTS, *_PARAGRAPH_PARTS)}
        order = best_first(scores.paragraph, TOP_PASSAGES)
        self.top = [_passage(index, scores, self.weights, int(row), self._why_not(scores, int(row)))
                    for row in order if np.isfinite(scores.paragraph[row])]
        self.ranking = [RankedPassage(index.paragraphs[c.row]["article"], index.paragraphs[c.row]["number"], c.score,
                                      self._caption_scored(index, scores, c))
                        for c in chosen]
        self.quoted = 0 if declined_by else min(quoted, len(chosen))
        self.declined_by = declined_by

    def _caption_scored(self, index: LoadedIndex, scores: Scores, chosen: Candidate) -> int | None:
        """The paragraph number of the caption whose score a body paragraph is quoted with, if any."""
        if chosen.caption is None or chosen.score == float(scores.paragraph[chosen.row]):
            return None
        return int(index.paragraphs[chosen.caption]["number"])

    def _why_not(self, scores: Scores, row: int) -> str | None:
        if row in self._skipped:
            return self._skipped[row]
        return "scores 0 or less, which is never quoted" if scores.paragraph[row] <= 0 else None

    # ---- read back -------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "embedded_as": self.embedded_as,
            "lexical": self.lexical,
            "question_kind": self.question_kind,
            "names": self.names,
            "weights": self.weights,
            "top": [p.as_dict() for p in self.top],
            "ranking": [p.as_dict() for p in self.ranking],
            "quoted": self.quoted,
            "rules": [rule.as_dict() for rule in self.rules],
            "declined_by": self.declined_by,
            "verdict": self.verdict,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "verdict_threshold": self.verdict_threshold,
            "evidence": self.evidence,
        }


def _signed_weight(weights: Weights, part: str, weight_name: str | None) -> float:
    weight = 1.0 if weight_name is None else float(getattr(weights, weight_name))
    return -weight if part in _SUBTRACTED else weight


def _value(component: np.ndarray | float, row: int) -> float:
    """A component at a row; a component that does not apply to the question is one number, 0.0."""
    return float(component[row]) if isinstance(component, np.ndarray) else float(component)


def _passage(index: LoadedIndex, scores: Scores, weights: dict[str, float], row: int, note: str | None
             ) -> PassageTrace:
    sentence = scores.best_sentence(index, row)
    parts = {name: weights[name] * _value(getattr(scores, name), sentence) for name, _ in _SENTENCE_PARTS}
    parts |= {name: weights[name] * _value(getattr(scores, name), row) for name, _ in _PARAGRAPH_PARTS}
    paragraph = index.paragraphs[row]
    return PassageTrace(paragraph["article"], paragraph["number"], paragraph["kind"], index.sentences[sentence].text,
                        parts, float(scores.paragraph[row]), note)


def parts_sum(passage: PassageTrace, digits: int = 3) -> str:
    """"0.612 dense + 0.250 bm25 − 0.100 caption …": the parts that add something, as a sum."""
    shown = [(LABELS[name], value) for name, value in passage.parts.items() if round(value, digits)]
    if not shown:
        return "0"
    text = f"{shown[0][1]:.{digits}f} {shown[0][0]}"
    for label, value in shown[1:]:
        text += f" {'+' if value >= 0 else '−'} {abs(value):.{digits}f} {label}"
    return text


def verdict_line(trace: Trace) -> str:
    if trace.declined_by:
        return f"declined by the rule “{trace.declined_by}”"
    more = len(trace.ranking) - trace.quoted
    line = f"answered with {trace.quoted} passage{'s' if trace.quoted != 1 else ''}" + \
        (f" ({more} more under “More passages”)" if more else "")
    if trace.verdict and trace.confidence is not None:
        bound = "" if trace.verdict_threshold is None else \
            f" {'≥' if trace.confidence >= trace.verdict_threshold else '<'} {trace.verdict_threshold:.2f}"
        line += f"; verdict {trace.verdict} (confidence {trace.confidence:.2f}{bound})"
    return line


def question_line(trace: Trace) -> str:
    """How the engine read the question."""
    parts = [f"embedded as “{trace.embedded_as}”" if trace.embedded_as != trace.question else "embedded as asked"]
    if not trace.lexical:
        parts.append("in another language than the articles': keywords, cues and names off")
    parts.append(f"asks for: {trace.question_kind}" if trace.question_kind else "no answer-type cue")
    if trace.names:
        parts.append("names: " + ", ".join(trace.names))
    return "; ".join(parts)


def ranking_heading(trace: Trace) -> str:
    if trace.declined_by:
        return "ranking (none quoted)"
    if trace.quoted >= len(trace.ranking):
        return "ranking (all quoted)"
    first = "the first passage" if trace.quoted == 1 else f"the first {trace.quoted}"
    return f"ranking ({first} quoted, the rest under “More passages”)"


def ranking_line(trace: Trace) -> str:
    return ", ".join(f"{p.article} ¶{p.paragraph} {p.score:.3f}" + (f" (caption ¶{p.caption}'s)" if p.caption else "")
                     for p in trace.ranking)


def trace_text(trace: Trace) -> str:
    """The trace as plain text (`ask --explain`)."""
    lines = [f"Why: {trace.question or '(empty)'}", f"question: {question_line(trace)}",
             f"verdict: {verdict_line(trace)}"]
    if trace.evidence:
        lines.append("verdict evidence: " + ", ".join(f"{name} {value:g}" for name, value in trace.evidence.items()))
    if trace.top:
        lines.append(f"best {len(trace.top)} paragraphs (score = the sum of its parts):")
        for rank, passage in enumerate(trace.top, 1):
            lines.append(f" {rank}. {passage.article} ¶{passage.paragraph} ({passage.kind}) {passage.score:.3f}"
                         f" = {parts_sum(passage)}")
            if passage.note:
                lines.append(f"    not quoted as it stands: {passage.note}")
            lines.append(f"    best sentence: {passage.sentence}")
    if trace.ranking:
        lines.append(f"{ranking_heading(trace)}: {ranking_line(trace)}")
    if trace.rules:
        lines.append("rules:")
        lines += [f" {rule.describe()}" for rule in trace.rules]
    return "\n".join(lines)
