"""What the answer engine returns: plain data, easy to render and to serialise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..kinds import ParagraphKind


@dataclass(frozen=True)
class QuotedPassage:
    """A paragraph quoted verbatim, with the spans of `text` that answer the question."""

    article: str
    title: str | None
    paragraph: int
    text: str
    highlights: tuple[tuple[int, int], ...]
    score: float
    paragraph_kind: ParagraphKind
    speaker: str | None = None
    url: str | None = None

    @property
    def highlight(self) -> str:
        return " … ".join(self.text[start:end] for start, end in self.highlights)

    def as_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "paragraph": self.paragraph,
            "text": self.text,
            "highlight": self.highlight,
            "speaker": self.speaker,
            "score": round(self.score, 4),
            "kind": self.paragraph_kind,
        }


@dataclass(frozen=True)
class Answer:
    """The passages that answer a question, best first; none when the engine declines."""

    question: str
    answered: bool
    passages: tuple[QuotedPassage, ...] = field(default=())
    # The passages past the first k, for paging ("More passages").
    more: tuple[QuotedPassage, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [p.as_dict() for p in self.passages],
        }
