"""Finding any of many names in a question, as whole words, without one regex of them all.

A regex alternation of every speaker alias in an archive (tens of thousands) takes seconds to
compile at start-up and tries every alternative at every position of every question. NameFinder
gives the same matches (tests/index/test_name_finder.py holds them equal to that regex) by looking
names up by their first word: a question costs a few dictionary lookups per word, whatever the
number of names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

_WORD = re.compile(r"\w+")
_WORD_CHARACTER = re.compile(r"\w")


class NameFinder:
    """Matches of `names` in a text as `(?<!\\w)name(?:ending)?(?!\\w)` would find them, one
    alternation of all names longest first: leftmost, then longest, never overlapping. `endings`
    may follow a name ("’s"); the match then includes it. Names without a word character (the
    regex would find "..." anywhere) are never found: no speaker is named by punctuation."""

    def __init__(self, names: Iterable[str], endings: tuple[str, ...] = ()):
        if any(_WORD_CHARACTER.match(ending) for ending in endings):
            # The regex could then end a name inside a word ("a" + "s" in "as"): not a name's ending.
            raise ValueError(f"an ending must start with a mark, not a letter or digit: {endings}")
        self.endings = endings
        # A name is tried where its first word starts, `lead` characters into the name.
        self._by_first_word: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for name in sorted(set(names), key=len, reverse=True):
            first = _WORD.search(name)
            if first is not None:
                self._by_first_word[first.group(0)].append((name, first.start()))

    def __bool__(self) -> bool:
        return bool(self._by_first_word)

    def finditer(self, text: str, keep: Callable[[str], bool] | None = None) -> Iterator[tuple[int, int, str]]:
        """(start, end, name) of each match, left to right; with `keep`, only names it keeps compete
        (a longer name it drops does not hide a shorter one inside it)."""
        after = 0
        # At one start the alternation tries the longest name first.
        for start, end, name in sorted(self._candidates(text), key=lambda m: (m[0], -len(m[2]))):
            if keep is not None and not keep(name):
                continue
            if start >= after:
                yield start, end, name
                after = end

    def search(self, text: str) -> tuple[int, int, str] | None:
        return next(self.finditer(text), None)

    def fullmatch(self, text: str) -> str | None:
        """The name that `text` is, with or without an ending, else None."""
        return next((name for start, end, name in self._candidates(text) if start == 0 and end == len(text)), None)

    def _candidates(self, text: str) -> Iterator[tuple[int, int, str]]:
        for word in _WORD.finditer(text):
            for name, lead in self._by_first_word.get(word.group(0), ()):
                start = word.start() - lead
                if start < 0 or (start and _is_word(text[start - 1])) or not text.startswith(name, start):
                    continue
                end = start + len(name)
                # The regex tries the ending first and backs off to the bare name.
                for length in sorted({len(e) for e in self.endings if text.startswith(e, end)}, reverse=True):
                    if not _word_follows(text, end + length):
                        yield start, end + length, name
                        break
                else:
                    if not _word_follows(text, end):
                        yield start, end, name


def _is_word(char: str) -> bool:
    return _WORD_CHARACTER.match(char) is not None


def _word_follows(text: str, position: int) -> bool:
    return position < len(text) and _is_word(text[position])
