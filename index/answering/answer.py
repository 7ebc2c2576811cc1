"""What the answer engine returns: plain data, easy to render and to serialise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from ..kinds import ParagraphKind

if TYPE_CHECKING:
    from .verdict import Evidence

# What an answer is (index/answering/verdict.py): the first passage states the answer; passages
# worth reading, none known to answer; nothing to quote.
ANSWER: Final = "answer"
RELATED: Final = "related"
NONE: Final = "none"
Verdict = Literal["answer", "related", "none"]


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
    # The best sentence, inside the highlight (which may add the sentences around it): the part to
    # keep in view when the passage is cut to fit.
    focus: tuple[int, int] | None = None

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
    """The passages quoted for a question, best first; none when the engine declines.

    `answered` is True whenever passages are quoted; `verdict` says whether the first one is known
    to answer ("answer") or the passages are only the closest ("related"); "none" when declined.
    Left out, it follows `answered`. `confidence` is the verdict's probability that the first
    passage answers (None when nothing is quoted)."""

    question: str
    answered: bool
    passages: tuple[QuotedPassage, ...] = field(default=())
    # The passages past the first k, for paging ("More passages").
    more: tuple[QuotedPassage, ...] = field(default=())
    verdict: Verdict | None = None
    confidence: float | None = None
    # What the verdict was read from (for bench/fit_verdict.py and tracing), not part of the answer.
    evidence: Evidence | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.verdict is None:
            object.__setattr__(self, "verdict", ANSWER if self.answered else NONE)
        elif (self.verdict == NONE) == self.answered:
            raise ValueError(f"verdict {self.verdict!r} with answered={self.answered}")

    @property
    def related_only(self) -> bool:
        """Passages are quoted, but none is known to answer."""
        return self.verdict == RELATED

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "verdict": self.verdict,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "passages": [p.as_dict() for p in self.passages],
        }
