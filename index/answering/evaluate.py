"""Scoring the engine on a question file (format: ../shared/eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..text import fold
from .answer import Answer

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
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(Case(str(row["id"]), row["question"], bool(row["answerable"]),
                              tuple(row.get("gold") or ()), row.get("article"), row.get("context")))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not an evaluation case ({error})") from None
    return cases


def contains_gold(text: str, gold: tuple[str, ...]) -> bool:
    folded = fold(text)
    return any(fold(g) in folded for g in gold)


@dataclass
class EvalReport:
    answerable: int = 0
    unanswerable: int = 0
    hit_at_1: int = 0
    hit_at_3: int = 0
    highlight_hits: int = 0
    declined: int = 0
    wrongly_declined: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, case: Case, answer: Answer) -> None:
        if not case.answerable:
            self.unanswerable += 1
            if not answer.answered:
                self.declined += 1
            else:
                self.misses.append({"id": case.id, "question": case.question, "problem": "answered",
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
        if not (hits and hits[0]):
            first = answer.passages[0]
            self.misses.append({"id": case.id, "question": case.question, "problem": "not first",
                                "first": f"[{first.article} ¶{first.paragraph}] {first.highlight}",
                                "hit_at_3": any(hits)})

    def as_dict(self) -> dict[str, Any]:
        return {
            "hit_at_1": self.hit_at_1, "hit_at_3": self.hit_at_3, "answerable": self.answerable,
            "highlight_hits": self.highlight_hits, "declined": self.declined,
            "unanswerable": self.unanswerable, "wrongly_declined": self.wrongly_declined,
            "misses": self.misses,
        }

    def summary(self) -> str:
        lines = [
            f"Hit@1 {self.hit_at_1}/{self.answerable}   Hit@3 {self.hit_at_3}/{self.answerable}   "
            f"highlight {self.highlight_hits}/{self.answerable}",
            f"declined {self.declined}/{self.unanswerable}   wrongly declined {self.wrongly_declined}",
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
