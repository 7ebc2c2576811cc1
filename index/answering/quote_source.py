"""Where the speaker directory reads quotations from: a list in memory (QuotesInMemory), or the
index's segments, asked only for what a question needs (LoadedIndex, index/answering/loaded.py).

An archive of thousands of stories holds tens of thousands of quotations; reading every one when
an engine opens took longer than anything else that grew with the corpus at start-up. A segment
keeps who said each quotation and its speakers' aliases in tables of their own
(index/store/segments.py write_speakers), so the directory starts from the aliases alone and reads
a quotation when a question needs it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Protocol

from ..store.segments import alias_rows_of

if TYPE_CHECKING:
    from .loaded import LoadedIndex


class QuoteSource(Protocol):
    def alias_rows(self) -> list[tuple[str, str]]:
        """(alias case-folded, speaker) of every live quotation with a speaker, in row order, each
        alias at least once per article where it is first used; aliases of two characters or fewer
        left out."""
        ...

    def speaker_names(self) -> set[str]:
        """Every speaker of a live quotation."""
        ...

    def quotes_of_speaker(self, speaker: str) -> list[dict[str, Any]]:
        """The live quotations of `speaker`, in row order."""
        ...

    def quotes_in_paragraph(self, article: str, paragraph: int) -> list[dict[str, Any]]:
        """The quotations of a live article's paragraph, in row order."""
        ...

    def all_quotes(self) -> list[dict[str, Any]]:
        """Every live quotation, in row order."""
        ...


class QuotesInMemory:
    """A QuoteSource over a list of quotations (a server's visible ones, a test's)."""

    def __init__(self, quotes: list[dict[str, Any]]):
        self._quotes = quotes
        self._by_paragraph: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        self._by_speaker: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for quote in quotes:
            self._by_paragraph[(quote["article"], quote["paragraph"])].append(quote)
            if quote["speaker"] is not None:
                self._by_speaker[quote["speaker"]].append(quote)

    def alias_rows(self) -> list[tuple[str, str]]:
        return alias_rows_of(self._quotes)

    def speaker_names(self) -> set[str]:
        return set(self._by_speaker)

    def quotes_of_speaker(self, speaker: str) -> list[dict[str, Any]]:
        return self._by_speaker.get(speaker, [])

    def quotes_in_paragraph(self, article: str, paragraph: int) -> list[dict[str, Any]]:
        return self._by_paragraph.get((article, paragraph), [])

    def all_quotes(self) -> list[dict[str, Any]]:
        return self._quotes


class IndexQuotes:
    """A QuoteSource over a loaded index's segments: aliases and speakers from each segment's
    tables, a quotation read when asked. A segment written before those tables is read whole, once,
    when first asked (as every segment was before)."""

    def __init__(self, index: LoadedIndex):
        self._index = index
        self._live = [segment.live_articles for segment in index.segments]
        self._whole: dict[int, QuotesInMemory] = {}  # older segments, by position

    def _older(self, number: int) -> QuotesInMemory | None:
        segment = self._index.segments[number]
        if segment.store.has_speakers:
            return None
        if number not in self._whole:
            self._whole[number] = QuotesInMemory(segment.store.quotes(self._live[number]))
        return self._whole[number]

    def alias_rows(self) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        for number, segment in enumerate(self._index.segments):
            older = self._older(number)
            rows += older.alias_rows() if older else segment.store.alias_rows(self._live[number])
        return rows

    def speaker_names(self) -> set[str]:
        names: set[str] = set()
        for number, segment in enumerate(self._index.segments):
            older = self._older(number)
            names |= older.speaker_names() if older else segment.store.speaker_names(self._live[number])
        return names

    def quotes_of_speaker(self, speaker: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for number, segment in enumerate(self._index.segments):
            older = self._older(number)
            found += older.quotes_of_speaker(speaker) if older else \
                segment.store.quotes_of_speaker(speaker, self._live[number])
        return found

    def quotes_in_paragraph(self, article: str, paragraph: int) -> list[dict[str, Any]]:
        row = self._index.article_row.get(article)
        if row is None:
            return []
        segment, _ = self._index.segment_of_article(row)
        number = next(n for n, s in enumerate(self._index.segments) if s is segment)
        older = self._older(number)
        return older.quotes_in_paragraph(article, paragraph) if older else \
            segment.store.quotes_in_paragraph(article, paragraph)

    def all_quotes(self) -> list[dict[str, Any]]:
        return self._index.quotes
