"""What the answer engine returns: plain data, easy to render and to serialise."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuotedPassage:
    article: str
    title: str | None
    paragraph: int
    text: str
    highlights: tuple[tuple[int, int], ...]
    score: float
    kind: str
    speaker: str | None = None
    url: str | None = None

    @property
    def highlight(self) -> str:
        return " … ".join(self.text[start:end] for start, end in self.highlights)

    def as_dict(self) -> dict:
        return {
            "article": self.article,
            "paragraph": self.paragraph,
            "text": self.text,
            "highlight": self.highlight,
            "speaker": self.speaker,
            "score": round(self.score, 4),
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: tuple[QuotedPassage, ...] = field(default=())
    # The passages past the first k, for paging ("More passages").
    more: tuple[QuotedPassage, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [p.as_dict() for p in self.passages],
        }
