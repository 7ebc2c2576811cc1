"""Question-type cues: what kind of text an answer to a question would contain."""

from __future__ import annotations

import re
from typing import Literal

_QUANTITY_QUESTION = re.compile(
    r"\b((result|outcome|tally|turnout|score)s? of|how (many|much|old|far|big|large|often)|"
    r"what (share|percent(age)?|proportion|number|fraction|amount|price|sum))\b",
    re.IGNORECASE,
)
_TIME_QUESTION = re.compile(r"\b(when|what (year|date|day|month|time)|since when)\b", re.IGNORECASE)
_DURATION_QUESTION = re.compile(r"\bhow long\b|\bfor how many (days|weeks|months|years)\b", re.IGNORECASE)
_REASON_QUESTION = re.compile(r"^\s*(why|how come)\b|\bwhat (caused|led to|made)\b|\bfor what reason\b",
                              re.IGNORECASE)
_PERSON_QUESTION = re.compile(r"^\s*(who|whom|whose)\b", re.IGNORECASE)
PLACE_QUESTION = re.compile(r"^\s*(where|in what (city|country|region|place|state|town))\b|\bwhere\b", re.IGNORECASE)

_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|trillion|dozen|half|percent|per cent|majority|minority"
)
# "one" counts unless it is a pronoun: "one of the accounts", "no one".
_QUANTITY = re.compile(rf"(\d|%|[$€£¥]|\b({_NUMBER_WORDS})s?\b|(?<!\bno )\bone\b(?! of\b))", re.IGNORECASE)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)
_TIME = re.compile(
    rf"\b((1[89]|20)\d\d|{_MONTHS}|yesterday|today|last (week|month|year)|earlier this (week|month|year)|"
    r"(days?|weeks?|months?|years?) ago)\b"
)
# Phrases that state how long something lasts; a bare "forty years" is left out, as it more
# often dates or compares ("the worst in forty years") than answers "how long". Kept with its
# "-year-old" part for the seed's "How long has the war lasted?" (docs/ablation.md), though that
# part reads ages as durations.
_TIME_UNIT = r"(second|minute|hour|day|week|fortnight|month|year|decade)s?"
_DURATION = re.compile(
    rf"\b\w+-{_TIME_UNIT}-(old|long)\b|\b(for|lasted|lasting|takes?|took|taking) (\w+ ){{0,3}}{_TIME_UNIT}\b|"
    rf"\bsince (19|20)\d\d\b|\b(\d+|\w+) {_TIME_UNIT} (ago|old|long)\b",
    re.IGNORECASE,
)
_REASON = re.compile(r"\b(because|since|so|due to|as a result|therefore|thus|owing to|meaning|"
                     r"after|given|which means|in order to)\b", re.IGNORECASE)


QuestionKind = Literal["duration", "time", "quantity", "reason", "person"]

# How much a matching sentence gains: the rarer the cue in running text, the more it says. Only
# the kinds whose cue pays have one (docs/ablation.md): a person question is recognised, so that
# its "when" or "how many" later on does not make it a time or quantity question, but no pattern
# marks its answer.
CUE_WEIGHTS: dict[QuestionKind, float] = {"duration": 0.5, "time": 0.15, "quantity": 0.12, "reason": 0.12}

_QUESTION_KINDS: tuple[tuple[QuestionKind, re.Pattern[str]], ...] = (
    ("duration", _DURATION_QUESTION),
    ("quantity", _QUANTITY_QUESTION),
    ("time", _TIME_QUESTION),
    ("reason", _REASON_QUESTION),
    ("person", _PERSON_QUESTION),
)


def kind_of_question(question: str) -> QuestionKind | None:
    """The kind of fact asked for, read from the question word that comes first: "Who was killed
    when …" asks for a person, not a time. On a tie the earlier kind in _QUESTION_KINDS wins."""
    found = [(match.start(), rank, question_kind) for rank, (question_kind, pattern) in enumerate(_QUESTION_KINDS)
             if (match := pattern.search(question))]
    return min(found)[2] if found else None


def cue_matches(question_kind: QuestionKind | None, sentence: str) -> bool:
    """Whether a sentence holds the kind of fact a question of `question_kind` asks for (only the
    kinds of CUE_WEIGHTS have a cue)."""
    if question_kind == "duration":
        return bool(_DURATION.search(sentence))
    if question_kind == "quantity":
        return bool(_QUANTITY.search(sentence))
    if question_kind == "reason":
        return bool(_REASON.search(sentence))
    if question_kind == "time":
        return bool(_TIME.search(sentence))
    return False


# What the highlight looks for (scoring.Scores.highlighted_sentence): the kinds of fact whose presence
# in a sentence can be read, each only where the question does not already state it. "How long did
# the yacht take?" is answered by "two days and 21 hours", which the duration cue above (phrases
# that state how long something lasts) does not read: a number and a unit of time is enough here, as
# the sentence is already among the best of a passage. A person ("who") is left out: measured, it
# moved as many highlights away from the answer as towards it (docs/ablation.md). Every repetition
# is bounded: a sentence of nothing but numbers must cost no more than one of words.
HighlightKind = Literal["quantity", "time", "duration", "place"]
_DIGITS = r"(?<![\w$,.])\d[\d,.]{0,20}"  # a number whole: not the "20" of "G20"
_NUMBER_OF = (rf"(?:{_DIGITS}|\b(?:a few|several|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
              r"twenty|thirty|forty|fifty|hundred|thousand))")
_AMOUNT_OF_TIME = re.compile(
    rf"{_NUMBER_OF}(?:[\s-]{{1,3}}(?:and[\s-]+)?{_NUMBER_OF}){{0,4}}[\s-]{{1,3}}{_TIME_UNIT}\b", re.IGNORECASE)
# A capitalised name after in, at or near, which may open the sentence: "in Memphis", "At the MCG". A
# month or a weekday is a time ("in March"), not a place; "to" and "from" were measured as well and
# add nothing ("told Reuters", "from Monday").
_PLACE = re.compile(rf"\b(?i:in|at|near|outside|inside)\s+(?!(?:{_MONTHS})\b)"
                    r"((?:the\s+)?[A-Z][\w'-]{0,40}(?:\s+[A-Z][\w'-]{0,40}){0,5})")
_FACT_WORDS = re.compile(r"[\w$]+")
# A number whole ("$5", "10,000", "40%") or in words, "one" unless a pronoun, as the quantity cue reads
# it: compared with the question's words as written.
_AMOUNT = re.compile(rf"(?<![\w$,.])[$€£¥]?\d[\d,.]{{0,20}}%?|\b(?:{_NUMBER_WORDS})s?\b|(?<!\bno )\bone\b(?! of\b)",
                     re.IGNORECASE)
# A time as the time cue reads one (years, months, days of the week), or a word for one past, to come
# or under way at any place in a sentence: "Yesterday …", "next week", "this morning".
_WHEN = re.compile(rf"\b(?:(?:1[89]|20)\d\d|{_MONTHS})\b|\b(?i:yesterday|today|tomorrow|tonight|"
                   r"(?:days?|weeks?|months?|years?) ago|(?:last|next|this|later this|earlier this)\s+"
                   rf"(?:week|month|year|weekend|morning|afternoon|evening|{_MONTHS}))\b")
_FACTS: dict[HighlightKind, tuple[re.Pattern[str], int]] = {
    "quantity": (_AMOUNT, 0), "time": (_WHEN, 0), "duration": (_AMOUNT_OF_TIME, 0), "place": (_PLACE, 1)}
# A time question for the highlight opens with its question word: "What did Howard say when asked …?"
# asks for what was said, though the time cue's reading ("when" anywhere) calls it a time question.
_TIME_ASKED = re.compile(r"^\W*(?:when|since when|what (?:year|date|day|month|time)|in what (?:year|month))\b",
                         re.IGNORECASE)


def highlight_kind(question: str) -> HighlightKind | None:
    """The kind of fact the highlight looks for: the question's kind (kind_of_question) when it is
    one of those (a time only when the question opens by asking it), or a place for a "where"
    question of no other kind."""
    question_kind = kind_of_question(question)
    if question_kind in ("quantity", "duration") or (question_kind == "time" and _TIME_ASKED.search(question)):
        return question_kind
    return "place" if question_kind is None and PLACE_QUESTION.search(question) else None


def question_words(question: str) -> frozenset[str]:
    """The question's words as states_new_fact compares them (folded)."""
    return frozenset(word.casefold() for word in _FACT_WORDS.findall(question))


def states_new_fact(kind: HighlightKind, words: frozenset[str], sentence: str) -> bool:
    """Whether `sentence` states a fact of `kind` that a question of `words` does not already state:
    "five major cities" answers no "how many" question about "$5 flights to five cities"."""
    pattern, group = _FACTS[kind]
    return any(not all(word.casefold() in words for word in _FACT_WORDS.findall(match.group(group)))
               for match in pattern.finditer(sentence))

