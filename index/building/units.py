"""The texts that get embedded for each article (units): sentences, paragraphs, sentences with the
one before them (context) and sentences with the person they are about (entity).

Scoring sentences and paragraphs together lets a question match one precise sentence or
the gist of a paragraph; a context unit (a sentence with the one before it) carries what a
pronoun like "He also said …" refers to. Alone a context unit pays little on the large sets; once
the rules that docs/ablation.md deleted were gone, it paid 4 questions there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..kinds import CAPTION, CONTEXT, ENTITY, PARAGRAPH, SENTENCE, UnitKind
from ..text import Paragraph


@dataclass(frozen=True)
class Unit:
    article: str
    paragraph: int
    sentence: int  # 0 for a unit that covers the whole paragraph
    unit_kind: UnitKind
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The unit as the passage store keeps it."""
        return {"article": self.article, "paragraph": self.paragraph, "sentence": self.sentence,
                "kind": self.unit_kind, "text": self.text}


Fit = Callable[[Sequence[str]], list[str]]

_INNER_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[‘“'\"]?[A-Z])")
_INNER_MIN_CHARS = 160


def inner_sentences(text: str) -> list[str]:
    """Sentences inside a long sentence, as in a quotation that the splitter kept whole."""
    if len(text) < _INNER_MIN_CHARS:
        return [text]
    return [piece for piece in _INNER_BOUNDARY.split(text) if piece.strip()]


def make_units(paragraphs: Sequence[Paragraph], fit: Fit,
               who: Mapping[tuple[int, int], str] | None = None) -> list[Unit]:
    """All units of one article; `fit` cuts texts to what the model reads whole.

    `who` names the person a sentence is about where the sentence itself may not ("He said: …"),
    giving an extra unit "Person: sentence".
    """
    who = who or {}
    units: list[Unit] = []
    previous_body_sentence: str | None = None
    for paragraph in paragraphs:
        article, number = paragraph.article_id, paragraph.number
        if len(paragraph.sentences) > 1:
            for window in fit([s.text for s in paragraph.sentences]):
                units.append(Unit(article, number, 0, PARAGRAPH, window))
        for sentence in paragraph.sentences:
            for piece in fit([sentence.text]):
                units.append(Unit(article, number, sentence.number, SENTENCE, piece))
            clauses = inner_sentences(sentence.text)
            if len(clauses) > 1:
                # A quotation of several sentences stays one sentence for the reader, but each of
                # its sentences gets a vector of its own, so one claim is not drowned by the rest.
                for clause in clauses:
                    units.append(Unit(article, number, sentence.number, SENTENCE, clause))
            person = who.get((number, sentence.number))
            if person and person.split()[-1] not in sentence.text:
                entity = fit([f"{person}:", sentence.text])
                if len(entity) == 1:
                    units.append(Unit(article, number, sentence.number, ENTITY, entity[0]))
            if paragraph.paragraph_kind == CAPTION:
                continue
            if previous_body_sentence is not None:
                context = fit([previous_body_sentence, sentence.text])
                if len(context) == 1:
                    units.append(Unit(article, number, sentence.number, CONTEXT, context[0]))
            previous_body_sentence = sentence.text
    return units
