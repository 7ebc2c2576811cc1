"""NameFinder finds what one regex alternation of all the names would (the speaker directory used
that regex until it took seconds to compile and milliseconds a question at 10,000 articles): the
same matches, on the speakers and aliases of real stories and every question we have, and on
made-up names and texts built to hit the edges (names inside words, endings, overlaps, punctuation)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.answering.name_finder import NameFinder
from index.answering.speakers import SpeakerDirectory, _person_names
from index.attribution.quotations import attribute_article
from index.corpus import load_corpus
from index.text import POSSESSIVE, fold, split_article
from tests.conftest import CORPUS, EVAL, FIXTURES

LEE = FIXTURES / "lee"


def regex_of(names: set[str], ending: str = "") -> re.Pattern[str] | None:
    """The alternation the directory compiled before NameFinder."""
    ordered = sorted(names, key=len, reverse=True)
    suffix = f"(?:{ending})?" if ending else ""
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}{suffix}(?!\w)" for n in ordered)) if ordered else None


def regex_matches(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


def found(finder: NameFinder, text: str) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in finder.finditer(text)]


@pytest.fixture(scope="module")
def stories() -> tuple[list[dict], list[str]]:
    """The quotations of the seed and the Lee stories, and texts to search: questions and paragraphs."""
    quotes: list[dict] = []
    texts = [json.loads(line)["question"] for path in (EVAL, *FIXTURES.glob("*qa*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for folder in (CORPUS, LEE):
        for article in load_corpus(folder):
            paragraphs = split_article(article.id, article.body)
            quotes += [q.as_dict() for q in attribute_article(article, paragraphs).quotations]
            texts += [p.text for p in paragraphs]
    return quotes, texts


def test_speaker_aliases_and_people_are_found_as_the_regex_found_them(stories):
    quotes, texts = stories
    directory = SpeakerDirectory(quotes)
    aliases = set(directory._speaker_of_alias)
    people = {name for speaker in {q["speaker"] for q in quotes if q["speaker"]}
              for name in _person_names(speaker, frozenset())}
    assert len(aliases) > 100 and len(people) > 50 and len(texts) > 800  # real stories, not a toy
    alias_regex, people_regex = regex_of(aliases), regex_of(people, POSSESSIVE)
    alias_finder, people_finder = NameFinder(aliases), NameFinder(people, ("’s", "'s"))
    matched = 0
    for text in texts:
        expected = regex_matches(alias_regex, fold(text))
        assert found(alias_finder, fold(text)) == expected, text
        assert found(people_finder, text) == regex_matches(people_regex, text), text
        matched += bool(expected)
    assert matched > 200
    for name in people:
        assert people_finder.fullmatch(name) == name and people_finder.fullmatch(f"{name}’s") == name
        assert people_finder.fullmatch(f"{name}x") is None


# Short names from a tiny alphabet meet often, overlap, sit inside words and next to endings.
NAME = st.text(alphabet="ab ’s.-_", min_size=1, max_size=5)
TEXT = st.text(alphabet="ab ’s.-_xé", max_size=40)


@settings(max_examples=400, deadline=None)
@given(names=st.sets(NAME, max_size=8), text=TEXT)
@example(names={"-a"}, text="x-a b -a")  # a name opening with a mark, after a word: no match
@example(names={"a", "a b"}, text="a b’s a’sb a’s")  # longest first; an ending backs off
@example(names={"a’", "a"}, text="a’s")
def test_any_names_in_any_text_match_as_the_regex_does(names, text):
    finder = NameFinder(names, ("’s",))
    expected = regex_matches(regex_of({n for n in names if re.search(r"\w", n)}, "’s"), text)
    assert found(finder, text) == expected
    full = regex_of({n for n in names if re.search(r"\w", n)}, "’s")
    assert (finder.fullmatch(text) is not None) == bool(full and full.fullmatch(text))


def test_a_question_costs_lookups_by_word_not_a_pass_per_name():
    """Ten thousand names: the finder is built and searched without compiling or trying each one."""
    names = {f"person{number} surname{number}" for number in range(10_000)}
    finder = NameFinder(names)
    calls = 0
    original = str.startswith

    class Counting(str):
        def startswith(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            nonlocal calls
            calls += 1
            return original(self, *args, **kwargs)

    assert found(finder, Counting("did person42 surname42 say so?")) == [(4, 22)]
    assert calls <= 3


def test_the_directory_finds_speakers_people_and_possessives_through_it():
    directory = SpeakerDirectory([{"article": "a", "paragraph": 0, "start": 0, "end": 5, "text": "x",
                                   "kind": "direct", "speaker": "Andrij Melnyk", "aliases": ["Melnyk"]}])
    assert directory.pronoun_question("Why did Melnyk’s team say no?") == "Why did his team say no?"
    assert directory.is_person("Melnyk") and not directory.is_person("Melnykov")
    assert directory.speakers_named_in("what did andrij melnyk say?") == {"Andrij Melnyk"}


def test_an_ending_that_starts_with_a_letter_is_refused():
    with pytest.raises(ValueError, match="ending must start with a mark"):
        NameFinder(["a"], ("s",))
