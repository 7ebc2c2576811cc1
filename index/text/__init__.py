"""Reading text: paragraphs and sentences as exact slices of an article, the words the rules read,
and which language a text is in. Used both to build an index and to answer from it."""

from .language import is_foreign, language_of
from .passages import Paragraph, Sentence, split_article
from .words import (
    CAPITALISED,
    CAPITALISED_WORD,
    NUMBER,
    POSSESSIVE,
    WORD,
    fold,
    is_possessive,
    without_plural_or_possessive,
    without_possessive,
)

__all__ = [
    "CAPITALISED",
    "CAPITALISED_WORD",
    "NUMBER",
    "POSSESSIVE",
    "WORD",
    "Paragraph",
    "Sentence",
    "fold",
    "is_foreign",
    "is_possessive",
    "language_of",
    "split_article",
    "without_plural_or_possessive",
    "without_possessive",
]
