"""Looking up attributed quotations: by speaker, by position, and by the speakers a question names."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..kinds import DIRECT
from ..text import WORD, fold, is_possessive
from ..text.words import POSSESSIVE_ENDINGS
from .name_finder import NameFinder
from .quote_source import QuotesInMemory, QuoteSource

if TYPE_CHECKING:
    from .loaded import LoadedIndex


def _person_names(speaker: str, common_words: frozenset[str]) -> tuple[str, ...]:
    """A person's full name and surname, or nothing for a speaker that does not look like a
    person: one word, more than three, or a last word the articles also use in lower case
    ("Federal Government")."""
    words = speaker.split()
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() for w in words) or \
            words[-1].casefold() in common_words:
        return ()
    return (speaker, words[-1])


# The words of a question that asks what a person said or is, and nothing more, once the person is a
# pronoun ("What did he say?", "What does he think?", "Who is he?"). Such a question, re-worded, is
# near no sentence; with any other word ("… about football?") the name must not carry it.
_ONLY_ABOUT_THE_PERSON = frozenset({
    "what", "who", "did", "does", "do", "is", "was", "has", "have", "else", "say", "said", "says", "think",
    "thinks", "thought", "he", "his", "she", "her",
})


def asks_only_about_the_person(reworded: str) -> bool:
    """Whether a re-worded question asks what its person said or thinks, or who they are, and
    nothing else."""
    words = [word.casefold() for word in WORD.findall(reworded)]
    return bool(words) and all(word in _ONLY_ABOUT_THE_PERSON for word in words)


# A surname alone stands for its person only where at most this many articles use the word for
# each article that quotes someone of that surname: news introduces a person by full name in each
# story, so a surname written in far more articles than quote its person names something else too
# ("France" for a speaker surnamed France, "Washington", "Jordan"). See SpeakerDirectory.stands_for.
SURNAME_REACH = 10


def _speaker_covering(quotes: list[dict[str, Any]], start: int, end: int) -> str | None:
    """The speaker of the quotation covering most of the span [start, end) (article offsets)."""
    best, best_overlap = None, 0
    for quote in quotes:
        if quote["speaker"] is None:
            continue
        overlap = min(end, quote["end"]) - max(start, quote["start"])
        if overlap > best_overlap or (overlap == best_overlap and quote["kind"] == DIRECT):
            best, best_overlap = quote["speaker"], overlap
    return best if best_overlap > 0 else None


class SpeakerDirectory:
    def __init__(self, quotes: list[dict[str, Any]] | QuoteSource, common_words: frozenset[str] = frozenset(),
                 articles_using: Callable[[str], int] | None = None):
        # The index itself (read as questions need) or a list of quotations (a server's visible ones).
        self.source: QuoteSource = QuotesInMemory(quotes) if isinstance(quotes, list) else quotes
        # How many articles use a case-folded word (LoadedIndex.articles_using); None: not checked.
        self._articles_using = articles_using
        self._quotes_of: dict[str, list[dict[str, Any]]] = {}  # speaker → quotations, read as asked
        # Every alias of every speaker, matched on folded text.
        self._speaker_of_alias: dict[str, str] = {}
        for alias, speaker in self.source.alias_rows():
            self._speaker_of_alias.setdefault(alias, speaker)
        speakers = self.source.speaker_names()
        self._aliases = NameFinder(self._speaker_of_alias)
        self._people = NameFinder({name for speaker in speakers
                                   for name in _person_names(speaker, common_words)}, POSSESSIVE_ENDINGS)
        self._surname_of: dict[str, set[str]] = defaultdict(set)  # surname → the speakers who have it
        for speaker in speakers:
            names = _person_names(speaker, common_words)
            if names:
                self._surname_of[names[1]].add(speaker)

    def quotes_of(self, speaker: str) -> list[dict[str, Any]]:
        """A speaker's quotations, read from the source once."""
        if speaker not in self._quotes_of:
            self._quotes_of[speaker] = self.source.quotes_of_speaker(speaker)
        return self._quotes_of[speaker]

    def speaker_of_highlight(self, article: str, paragraph: int, best: tuple[int, int],
                             highlight: tuple[int, int]) -> str | None:
        """Who a highlight quotes (article offsets): the speaker of its best sentence, or, when that
        sentence quotes nobody, of most of the highlight. A highlight also takes in the sentence its
        best one points back to or goes on with, and that sentence may be the quotation ("Tom
        Avery, the head of highways, said …" before "He said the method cost a third as much")."""
        quotes = self.source.quotes_in_paragraph(article, paragraph)  # read once: a store query
        return _speaker_covering(quotes, *best) or _speaker_covering(quotes, *highlight)

    def speakers(self) -> list[dict[str, Any]]:
        """Each speaker with aliases and the number of quotations, most quoted first."""
        counts: Counter[tuple[str, str]] = Counter()
        aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
        for quote in self.source.all_quotes():
            if quote["speaker"] is None:
                continue
            key = (quote["article"], quote["speaker"])
            counts[key] += 1
            aliases[key].update(quote.get("aliases", []))
        merged: dict[str, dict[str, Any]] = {}
        for (article, name), count in counts.items():
            entry = merged.setdefault(name, {"speaker": name, "aliases": set(), "count": 0,
                                             "articles": set()})
            entry["aliases"] |= aliases[(article, name)]
            entry["count"] += count
            entry["articles"].add(article)
        return [
            {**e, "aliases": sorted(e["aliases"] - {e["speaker"]}), "articles": sorted(e["articles"])}
            for e in sorted(merged.values(), key=lambda e: (-e["count"], e["speaker"]))
        ]

    def quotes_by(self, name: str | None) -> list[dict[str, Any]]:
        """Quotations whose speaker or any alias matches `name`, case-folded; all if None."""
        if name is None:
            return list(self.source.all_quotes())
        wanted = fold(name)
        return [q for q in self.source.all_quotes() if q["speaker"] and wanted in self._names(q)]

    @staticmethod
    def _names(quote: dict[str, Any]) -> set[str]:
        """Every name a quotation's speaker answers to: canonical, aliases, and the surname."""
        names = {fold(a) for a in [quote["speaker"], *quote.get("aliases", [])]}
        parts = quote["speaker"].split()
        if len(parts) > 1 and parts[0][:1].isupper():
            names.add(fold(parts[-1]))
        return names

    def speakers_named_in(self, question: str) -> set[str]:
        """Speakers that the question names by any alias (whole words, case-folded)."""
        return {self._speaker_of_alias[name] for _, _, name in self._aliases.finditer(fold(question))}

    def pronoun_question(self, question: str, sees: Callable[[str], bool] | None = None) -> str | None:
        """The question with the person it names first replaced by "he", the way a story refers to
        someone it has introduced ("Why does Musk think …" → "Why does he think …").

        Only people count: a speaker named with two or three capitalised words, found in the
        question by full name or surname, capitalised as written. A question about "the
        Government" or "police", speakers too, keeps its words; "What did Sharon call Arafat?"
        becomes "What did he call Arafat?", not "What did he call he?". With `sees` (whether an
        article id is visible, for one server), only a person quoted in an article it sees counts."""
        seen = None if sees is None else (lambda name: self._quoted_where_seen(name, sees))
        match = next((m for m in self._people.finditer(question, seen) if self.stands_for(m[2])), None)
        if match is None:
            return None
        start, end, _ = match
        pronoun = "his" if is_possessive(question[start:end]) else "he"
        return question[:start] + pronoun + question[end:]

    def stands_for(self, name: str) -> bool:
        """Whether a person's name found in a question means that person: a full name always; a
        surname alone unless far more articles use the word than quote anyone of that surname
        (SURNAME_REACH)."""
        speakers = self._surname_of.get(name)
        if not speakers or self._articles_using is None or " " in name:
            return True
        quoting = {q["article"] for speaker in speakers for q in self.quotes_of(speaker)}
        return self._articles_using(fold(name)) <= SURNAME_REACH * len(quoting)

    def is_person(self, name: str, sees: Callable[[str], bool] | None = None) -> bool:
        """Whether `name` is a person the articles quote, by full name or surname ("Andrij Melnyk",
        "Melnyk"); organisations ("The Kremlin") and places are not. With `sees`, only a person
        quoted in an article it sees: another server's articles must not show through a follow-up."""
        found = self._people.fullmatch(name.strip())
        return found is not None and self._quoted_where_seen(found, sees)

    def _quoted_where_seen(self, name: str, sees: Callable[[str], bool] | None) -> bool:
        """Whether a person's full name or surname is quoted in an article that `sees` sees."""
        if sees is None:
            return True
        speakers = self._surname_of.get(name) or {name}
        return any(sees(quote["article"]) for speaker in speakers for quote in self.quotes_of(speaker))

    def boost_for(self, question: str, index: LoadedIndex) -> np.ndarray:
        """1 for sentences holding a statement (direct or indirect) by a speaker the question
        names, else 0."""
        boost = np.zeros(len(index.sentences), np.float32)
        named = self.speakers_named_in(question)
        if not named:
            return boost
        for quote in (q for speaker in named for q in self.quotes_of(speaker)):
            row = index.paragraph_row.get((quote["article"], quote["paragraph"]))
            if row is None:
                continue
            offset = int(index.paragraph_start[row])
            rows = index.sentence_rows_of[row]
            starts = index.sentence_start[rows.start:rows.stop] + offset
            ends = index.sentence_end[rows.start:rows.stop] + offset
            boost[rows.start:rows.stop][(starts < quote["end"]) & (quote["start"] < ends)] = 1.0
        return boost
