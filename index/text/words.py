"""Words as the rules read them: tokens, capitalised words, possessives, and text folded for matching.

One definition of each, shared by the attribution rules at build time and the answer rules at
question time.
"""

from __future__ import annotations

import re

# A word: a letter, then letters, digits, hyphens and apostrophes ("Musk’s", "f***" stops at "*").
WORD = re.compile(r"[^\W\d_][\w\-’']*")
# A number of two digits or more, as a year, a count or an ordinal ("2018", "1990s", "10th"): its
# digits are a word of their own in an article's vocabulary. (News writes one to nine in words.)
NUMBER = re.compile(r"\b(\d{2,})(?:st|nd|rd|th|s)?\b")
# A capitalised word as names are written ("Peskov", "Al-Assad"); a lone capital ("A") included.
CAPITALISED = r"[A-Z][\w\-]*"
# A capitalised word of two characters or more: never the "A" or "I" that open a sentence.
CAPITALISED_WORD = r"[A-Z][\w\-]+"
# The possessive ending, with a typographic or a straight apostrophe.
POSSESSIVE = r"[’']s"
POSSESSIVE_ENDINGS = ("’s", "'s")

_STRAIGHT_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def is_possessive(word: str) -> bool:
    return word.endswith(POSSESSIVE_ENDINGS)


def without_possessive(word: str) -> str:
    """"Musk’s" → "Musk"; any other word as it is."""
    return word[:-2] if is_possessive(word) else word


def without_plural_or_possessive(word: str) -> str:
    """"musk’s" → "musk", "polls" → "poll": the form an article may use for a word of a question."""
    if is_possessive(word):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def fold(text: str) -> str:
    """Text as compared by meaning-blind matching: case-folded, quotation marks and apostrophes
    straightened, runs of white space made one space."""
    return " ".join(text.casefold().translate(_STRAIGHT_QUOTES).split())
