"""Where the speaker directory reads quotations from: a list in memory (QuotesInMemory), or the
index's segments, asked only for what a question needs (IndexQuotes).

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
    from ..store.segments import PassageStore
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


class SegmentQuotes:
    """A QuoteSource over one segment's speaker tables, its live articles only."""

    def __init__(self, store: PassageStore, live: set[str]):
        self._store = store
        self._live = live

    def alias_rows(self) -> list[tuple[str, str]]:
        return self._store.alias_rows(self._live)

    def speaker_names(self) -> set[str]:
        return self._store.speaker_names(self._live)

    def quotes_of_speaker(self, speaker: str) -> list[dict[str, Any]]:
        return self._store.quotes_of_speaker(speaker, self._live)

    def quotes_in_paragraph(self, article: str, paragraph: int) -> list[dict[str, Any]]:
        return self._store.quotes_in_paragraph(article, paragraph)

    def all_quotes(self) -> list[dict[str, Any]]:
        return self._store.quotes(self._live)


class IndexQuotes:
    """A QuoteSource over a loaded index's segments, each read through its own: its tables
    (SegmentQuotes), or, for a segment written before them, all its quotations in memory, read
    when first asked (as every segment was before)."""

    def __init__(self, index: LoadedIndex):
        self._index = index
        self._sources: dict[int, QuoteSource] = {}  # by the segment's position

    def _source(self, number: int) -> QuoteSource:
        if number not in self._sources:
            segment = self._index.segments[number]
            live = segment.live_articles
            self._sources[number] = SegmentQuotes(segment.store, live) if segment.store.has_speakers \
                else QuotesInMemory(segment.store.quotes(live))
        return self._sources[number]

    def _each(self) -> list[QuoteSource]:
        return [self._source(number) for number in range(len(self._index.segments))]

    def alias_rows(self) -> list[tuple[str, str]]:
        return [row for source in self._each() for row in source.alias_rows()]

    def speaker_names(self) -> set[str]:
        return set().union(*(source.speaker_names() for source in self._each()))

    def quotes_of_speaker(self, speaker: str) -> list[dict[str, Any]]:
        return [quote for source in self._each() for quote in source.quotes_of_speaker(speaker)]

    def quotes_in_paragraph(self, article: str, paragraph: int) -> list[dict[str, Any]]:
        row = self._index.article_row.get(article)
        if row is None:
            return []
        segment, _ = self._index.segment_of_article(row)
        number = next(n for n, s in enumerate(self._index.segments) if s is segment)
        return self._source(number).quotes_in_paragraph(article, paragraph)

    def all_quotes(self) -> list[dict[str, Any]]:
        return self._index.quotes
