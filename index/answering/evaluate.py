"""Scoring the engine on a question file (format: ../shared/eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..text import fold
from .answer import ANSWER, NONE, RELATED, Answer

if TYPE_CHECKING:
    from .engine import Engine


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    answerable: bool
    gold: tuple[str, ...] = ()
    # SQuAD-style cases name the paragraph the question was written on: a passage answers only
    # if it lies inside that paragraph ("France" alone occurs in many).
    article: str | None = None
    context: str | None = None

    def answered_by(self, article: str, text: str) -> bool:
        """Whether a quoted passage (its article id and text) holds this case's answer."""
        if self.context is None:
            return contains_gold(text, self.gold)
        if self.article is not None and article != self.article:
            return False
        return fold(text) in fold(self.context)

    def highlighted_by(self, article: str, text: str, highlight: str) -> bool:
        """Whether the passage answers and its highlighted sentence holds a gold string."""
        return self.answered_by(article, text) and contains_gold(highlight, self.gold)


def read_cases(path: Path) -> list[Case]:
    """The cases of a question file (format: shared/eval/README.md), or ValueError naming the file,
    the line and what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    cases = []
    # JSON Lines end at "\n" only: splitlines() would also cut a question at U+2028 or U+0085, which
    # JSON writes inside strings unescaped.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON ({error})") from None
        problem = _case_problem(row)
        if problem:
            raise ValueError(f"{path}:{number}: not an evaluation case: {problem}")
        cases.append(Case(str(row["id"]), row["question"], row["answerable"], tuple(row.get("gold") or ()),
                          row.get("article"), row.get("context")))
    return cases


def _case_problem(row: Any) -> str | None:
    """What keeps a parsed line from being a case; None when it is one. A gold given as one string
    would be read letter by letter, and a question that is no text cannot be asked."""
    if not isinstance(row, dict):
        return "give one JSON object a line"
    missing = [name for name in ("id", "question", "answerable") if name not in row]
    if missing:
        return f"no {', '.join(missing)}"
    if not isinstance(row["question"], str):
        return "question must be text"
    if not isinstance(row["answerable"], bool):
        return "answerable must be true or false"
    gold = row.get("gold")
    if gold is not None and not (isinstance(gold, list) and all(isinstance(g, str) for g in gold)):
        return "gold must be a list of strings"
    if row["answerable"] and not gold:
        return "an answerable case needs gold strings"
    for name in ("article", "context"):
        if row.get(name) is not None and not isinstance(row[name], str):
            return f"{name} must be text"
    return None


def contains_gold(text: str, gold: tuple[str, ...]) -> bool:
    folded = fold(text)
    return any(fold(g) in folded for g in gold)


@dataclass(frozen=True)
class CurvePoint:
    """One quoted or declined question, for drawing precision against coverage."""

    probability: float | None  # the verdict's confidence; None when declined
    answerable: bool
    first_answers: bool


@dataclass
class VerdictCounts:
    """How often each verdict was given, and how well `answer` was given: precision is the share of
    `answer` verdicts whose first passage holds the answer, coverage the share of answerable
    questions given `answer`."""

    answerable: int = 0
    unanswerable: int = 0
    answer: int = 0
    related: int = 0
    none: int = 0
    right: int = 0  # `answer` verdicts whose first passage holds the answer
    covered: int = 0  # answerable questions given `answer`
    kept_from_answer: int = 0  # unanswerable questions not given `answer`
    points: list[CurvePoint] = field(default_factory=list)  # of the answers added with add_answer

    def add(self, answerable: bool, verdict: str, first_answers: bool) -> None:
        self.answerable += answerable
        self.unanswerable += not answerable
        self.answer += verdict == ANSWER
        self.related += verdict == RELATED
        self.none += verdict == NONE
        self.right += verdict == ANSWER and first_answers
        self.covered += verdict == ANSWER and answerable
        self.kept_from_answer += verdict != ANSWER and not answerable

    def add_answer(self, case: Case, answer: Answer) -> None:
        first = answer.passages[0] if answer.passages else None
        first_answers = bool(first and case.answerable and case.answered_by(first.article, first.text))
        self.add(case.answerable, str(answer.verdict), first_answers)
        self.points.append(CurvePoint(answer.confidence, case.answerable, first_answers))

    def include(self, other: VerdictCounts) -> None:
        """Add another set's counts to these."""
        for name in ("answerable", "unanswerable", "answer", "related", "none", "right", "covered",
                     "kept_from_answer"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.points.extend(other.points)

    @property
    def precision(self) -> float:
        return self.right / self.answer if self.answer else 0.0

    @property
    def coverage(self) -> float:
        return self.covered / self.answerable if self.answerable else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "related": self.related, "none": self.none,
                "precision": round(self.precision, 4), "coverage": round(self.coverage, 4),
                "unanswerable_not_answer": self.kept_from_answer}

    def summary(self) -> str:
        return (f"answer {self.answer}, related {self.related}, none {self.none}; precision {self.right}/"
                f"{self.answer} ({self.precision:.0%}), coverage {self.covered}/{self.answerable} "
                f"({self.coverage:.0%}), unanswerable not answer {self.kept_from_answer}/{self.unanswerable}")


@dataclass
class EvalReport:
    answerable: int = 0
    unanswerable: int = 0
    hit_at_1: int = 0
    hit_at_3: int = 0
    highlight_hits: int = 0
    # Characters highlighted in the first passage, over the answerable questions quoted: a longer
    # highlight holds the answer more often, so Highlight@1 is read beside it.
    highlight_chars: int = 0
    declined: int = 0
    wrongly_declined: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    verdicts: VerdictCounts = field(default_factory=VerdictCounts)

    def include(self, other: EvalReport) -> None:
        """Add another question file's report to this one."""
        for name in ("answerable", "unanswerable", "hit_at_1", "hit_at_3", "highlight_hits", "highlight_chars",
                     "declined", "wrongly_declined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)
        self.verdicts.include(other.verdicts)

    def add(self, case: Case, answer: Answer) -> None:
        self.verdicts.add_answer(case, answer)
        if not case.answerable:
            self.unanswerable += 1
            if not answer.answered:
                self.declined += 1
            else:  # quoted: as the answer, or only as related passages
                self.misses.append({"id": case.id, "question": case.question,
                                    "problem": "answered" if answer.verdict == ANSWER else "related",
                                    "first": answer.passages[0].highlight if answer.passages else ""})
            return
        self.answerable += 1
        if not answer.answered:
            self.wrongly_declined += 1
            self.misses.append({"id": case.id, "question": case.question, "problem": "declined"})
            return
        hits = [case.answered_by(p.article, p.text) for p in answer.passages[:3]]
        self.hit_at_1 += bool(hits and hits[0])
        self.hit_at_3 += any(hits)
        first = answer.passages[0] if answer.passages else None
        self.highlight_hits += bool(first and case.highlighted_by(first.article, first.text, first.highlight))
        self.highlight_chars += sum(end - start for start, end in first.highlights) if first else 0
        if not (hits and hits[0]):
            first = answer.passages[0]
            self.misses.append({"id": case.id, "question": case.question, "problem": "not first",
                                "first": f"[{first.article} ¶{first.paragraph}] {first.highlight}",
                                "hit_at_3": any(hits)})

    @property
    def mean_highlight_chars(self) -> float:
        """The first passage's highlight, in characters, averaged over the answerable questions quoted."""
        quoted = self.answerable - self.wrongly_declined
        return self.highlight_chars / quoted if quoted else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "hit_at_1": self.hit_at_1, "hit_at_3": self.hit_at_3, "answerable": self.answerable,
            "highlight_hits": self.highlight_hits, "mean_highlight_chars": round(self.mean_highlight_chars, 1),
            "declined": self.declined,
            "unanswerable": self.unanswerable, "wrongly_declined": self.wrongly_declined,
            "verdicts": self.verdicts.as_dict(), "misses": self.misses,
        }

    def summary(self) -> str:
        lines = [
            f"Hit@1 {self.hit_at_1}/{self.answerable}   Hit@3 {self.hit_at_3}/{self.answerable}   "
            f"highlight {self.highlight_hits}/{self.answerable} "
            f"({self.mean_highlight_chars:.0f} characters on average)",
            f"declined {self.declined}/{self.unanswerable}   wrongly declined {self.wrongly_declined}",
            f"verdicts: {self.verdicts.summary()}",
        ]
        for miss in self.misses:
            lines.append(f"  miss {miss['id']} ({miss['problem']}): {miss['question']}"
                         + (f" → {miss['first'][:100]}" if miss.get("first") else ""))
        return "\n".join(lines)


def evaluate(engine: Engine, cases: list[Case]) -> EvalReport:
    report = EvalReport()
    for case, answer in zip(cases, engine.answer_many([c.question for c in cases]), strict=True):
        report.add(case, answer)
    return report
