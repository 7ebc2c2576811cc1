"""The kinds of things the passage store keeps (a segment's passages.sqlite), under "kind".

Four things have a kind, and the code names each for what it is: a paragraph's kind
(`paragraph_kind`), a unit's (`unit_kind`, what a vector was embedded from), a quotation's
(`quotation_kind`) and a question's (`question_kind`, answering/cues.py; never stored).
"""

from __future__ import annotations

from typing import Final, Literal

# A paragraph of running text, or a photo caption: one short line that does not end like a sentence.
BODY: Final = "body"
CAPTION: Final = "caption"
ParagraphKind = Literal["body", "caption"]

# A unit is a sentence, a paragraph (or a window of one), a sentence with the one before it
# (context), or a sentence with the person it is about (entity); building/units.py.
SENTENCE: Final = "sentence"
PARAGRAPH: Final = "paragraph"
CONTEXT: Final = "context"
ENTITY: Final = "entity"
UnitKind = Literal["sentence", "paragraph", "context", "entity"]

# Direct speech stands in quotation marks; indirect speech follows a reporting verb ("said that …").
DIRECT: Final = "direct"
INDIRECT: Final = "indirect"
QuotationKind = Literal["direct", "indirect"]
