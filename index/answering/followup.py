"""Follow-up questions: "What else did he say?" after an answer quoting Andrij Melnyk asks about
Melnyk. A follow-up keeps the first question's article filter, and its first pronoun is replaced
by whom or what the first answer is about, unless it names a person of its own.

Pure functions over plain data: the engine supplies which names are people (its speakers).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..text import WORD, without_possessive
from .answer import Answer

# A person's pronouns, and a thing's. "They" and "them" stay: they as often mean a group the first
# question never named ("Why did they fall apart?" of peace talks) as its subject.
_PERSON = {"he": "", "him": "", "she": "", "his": "'s", "her": "'s?"}
_THING = {"it": "", "its": "'s"}
_PRONOUN = re.compile(r"\b(" + "|".join([*_PERSON, *_THING]) + r")\b", re.IGNORECASE)
# "her" is possessive before a word that is not one of these ("Who did she tell her plans to?" →
# "… Lindqvist's plans"; "What did Musk tell her?" → "… tell Lindqvist?").
_NOT_AFTER_POSSESSIVE = {"to", "about", "for", "of", "in", "on", "at", "by", "with", "from", "that", "and",
                         "or", "again", "after", "before", "when", "if", "so", "then", "say", "said"}


@dataclass(frozen=True)
class FollowupContext:
    """What a follow-up to an answer refers back to: the article the first question was limited
    to, the person the answer is about (its speaker, else the person the question names) and the
    thing the question names, when it names something other than a person."""

    article: str | None = None
    person: str | None = None
    thing: str | None = None


def name_runs(text: str, first_word: bool = False) -> list[str]:
    """Runs of capitalised words, as written, without a possessive ending: "What did Musk propose
    for Crimea?" → ["Musk", "Crimea"]; "Who is Anthony Zinni?" → ["Anthony Zinni"]. A question's
    first word is capitalised as any sentence's, so it counts only with `first_word`."""
    question = text
    words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(question)][0 if first_word else 1:]
    runs: list[list[tuple[str, int, int]]] = []
    for word, start, end in words:
        if len(word) > 1 and word[0].isupper():
            if runs and runs[-1] and question[runs[-1][-1][2]:start].strip() == "":
                runs[-1].append((word, start, end))
            else:
                runs.append([(word, start, end)])
        elif runs and runs[-1]:
            runs.append([])
    return [without_possessive(question[run[0][1]:run[-1][2]]) for run in runs if run]


def followup_context(question: str, answer: Answer, article: str | None,
                     is_person: Callable[[str], bool]) -> FollowupContext:
    """The context a follow-up to `answer` (to `question`, limited to `article`) refers back to.
    `is_person` tells a person's name from anything else's. The person is the first passage's
    speaker, else the person the question names, else the first the answering sentence names
    ("Who is the opposition leader?" → "The opposition leader, Rajesh Patel, said …")."""
    named = name_runs(question)
    first = answer.passages[0] if answer.passages else None
    in_answer = name_runs(first.highlight, first_word=True) if first else []
    speaker = first.speaker if first and first.speaker and is_person(first.speaker) else None
    person = speaker or next((name for name in [*named, *in_answer] if is_person(name)), None)
    thing = next((name for name in reversed(named) if not is_person(name)), None)
    return FollowupContext(article=article, person=person, thing=thing)


def rewrite_followup(followup: str, context: FollowupContext, names_a_person: bool) -> str:
    """The follow-up with its first pronoun replaced by what it refers to: he, him, she, his and
    her by the context's person, it and its by its thing. A follow-up that names a person of its
    own (`names_a_person`), or whose pronoun has nothing to refer to, is left as written."""
    if names_a_person:
        return followup
    for match in _PRONOUN.finditer(followup):
        pronoun = match.group(0).casefold()
        referent = context.person if pronoun in _PERSON else context.thing
        if not referent:
            continue
        ending = _PERSON.get(pronoun, _THING.get(pronoun, ""))
        if ending == "'s?":  # "her": possessive only before a word that can be owned
            following = WORD.match(followup, match.end() + 1)
            ending = "'s" if following and following.group(0).casefold() not in _NOT_AFTER_POSSESSIVE \
                and followup[match.end():match.end() + 1] == " " else ""
        return followup[:match.start()] + referent + ending + followup[match.end():]
    return followup
