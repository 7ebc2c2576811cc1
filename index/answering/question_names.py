"""The names a question uses, and which articles mention them.

A question's names are its capitalised words after the first ("What did Dmitry Peskov say?" →
dmitry, peskov). An article that never mentions one cannot answer the question. (The speakers a question names are
another matter: SpeakerDirectory.speakers_named_in looks them up by every alias.)
"""

from __future__ import annotations

import difflib
import itertools

from ..text import NUMBER, WORD, without_plural_or_possessive
from .loaded import LoadedIndex

# Spelling variants kept per index, and name vectors per engine: a bound for a bot that runs for months.
MAX_CACHED_NAMES = 10_000


def question_names(question: str) -> list[str]:
    """Capitalised words after the first, case-folded: the names a question uses. A question in
    capitals or title case carries no such signal and gives none."""
    words = WORD.findall(question)[1:]
    capitalised = [w for w in words if len(w) > 1 and w[0].isupper()]
    if not capitalised or len(capitalised) * 2 > len(words) or question.isupper():
        return []
    return [w.casefold() for w in capitalised]


def question_numbers(question: str) -> list[str]:
    """The numbers of two digits or more that a question names, years and ordinals included ("Who
    won the 2018 World Cup?" → 2018, "the 10th century" → 10). Like a name, a number that an article
    never writes says that the article cannot answer: it is about another time, count or place in a
    list. Switched off (bench/ablation.py number-routing), 28 of SQuAD's unanswerable questions and
    the seed's World Cup question on 72 articles are quoted instead of declined; no answerable
    question of any development set is declined for it (years alone: 17 of the 28)."""
    return NUMBER.findall(question)


def _mentions(vocabulary: frozenset[str] | set[str], name: str) -> bool:
    return name in vocabulary or without_plural_or_possessive(name) in vocabulary


def absent_names(index: LoadedIndex, names: list[str], articles: set[str]) -> list[str]:
    """Those of a question's `names` that none of `articles` mention.

    An article cannot answer a question about something it never names ("What did Musk say
    about Mars?"). Spelling variants pass through a fuzzy match."""
    if not names:
        return []
    vocabularies = [index.article_words.get(a, frozenset()) for a in articles]
    vocabulary = vocabularies[0] if len(vocabularies) == 1 else frozenset().union(*vocabularies)
    # Scraped text runs names together ("BedeHarris"): a pair written as one word is mentioned.
    joined = {name for first, second in itertools.pairwise(names)
              if _mentions(vocabulary, first + second) for name in (first, second)}
    return [
        name for name in names
        if name not in joined and not _mentions(vocabulary, name)
        and vocabulary.isdisjoint(spelling_variants(index, name))
    ]


def spelling_variants(index: LoadedIndex, name: str) -> frozenset[str]:
    """Words of the whole index spelt like `name` (difflib ratio ≥ 0.8, same first letter):
    "Zelenskyy" for "Zelensky". Found once per name and index, not once per article: among
    hundreds of articles that cost up to 40 ms a question."""
    variants = index.spelling_variants.get(name)
    if variants is None:
        candidates = index.words_by_initial.get(name[:1], [])
        variants = frozenset(difflib.get_close_matches(name, candidates, n=len(candidates) or 1, cutoff=0.8))
        if len(index.spelling_variants) >= MAX_CACHED_NAMES:
            index.spelling_variants.clear()
        index.spelling_variants[name] = variants
    return variants
