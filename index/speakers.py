"""Looking up attributed quotations: by speaker, by position, and by names in a question."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .loaded import LoadedIndex


def fold(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())


class SpeakerDirectory:
    def __init__(self, quotes: list[dict[str, Any]]):
        self.quotes = quotes
        self._by_paragraph: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        for quote in quotes:
            self._by_paragraph[(quote["article"], quote["paragraph"])].append(quote)
        # One pattern for every alias of every speaker, longest first, matched on folded text.
        self._speaker_of_alias: dict[str, str] = {}
        for quote in quotes:
            if quote["speaker"] is None:
                continue
            for alias in [quote["speaker"], *quote.get("aliases", [])]:
                if len(alias) > 2:
                    self._speaker_of_alias.setdefault(fold(alias), quote["speaker"])
        aliases = sorted(self._speaker_of_alias, key=len, reverse=True)
        self._alias_pattern = re.compile(
            "|".join(rf"(?<!\w){re.escape(a)}(?!\w)" for a in aliases)) if aliases else None

    def speaker_at(self, article: str, paragraph: int, start: int, end: int) -> str | None:
        """The speaker of the quotation covering most of the span [start, end) (article offsets)."""
        best, best_overlap = None, 0
        for quote in self._by_paragraph.get((article, paragraph), []):
            if quote["speaker"] is None:
                continue
            overlap = min(end, quote["end"]) - max(start, quote["start"])
            if overlap > best_overlap or (overlap == best_overlap and quote["kind"] == "direct"):
                best, best_overlap = quote["speaker"], overlap
        return best if best_overlap > 0 else None

    def speakers(self) -> list[dict[str, Any]]:
        """Each speaker with aliases and the number of quotations, most quoted first."""
        counts: Counter[tuple[str, str]] = Counter()
        aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
        for quote in self.quotes:
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
            return list(self.quotes)
        wanted = fold(name)
        return [q for q in self.quotes if q["speaker"] and wanted in self._names(q)]

    @staticmethod
    def _names(quote: dict[str, Any]) -> set[str]:
        """Every name a quotation's speaker answers to: canonical, aliases, and the surname."""
        names = {fold(a) for a in [quote["speaker"], *quote.get("aliases", [])]}
        parts = quote["speaker"].split()
        if len(parts) > 1 and parts[0][:1].isupper():
            names.add(fold(parts[-1]))
        return names

    def named_in(self, question: str) -> set[str]:
        """Speakers that the question names by any alias (whole words, case-folded)."""
        if self._alias_pattern is None:
            return set()
        return {self._speaker_of_alias[m.group(0)] for m in self._alias_pattern.finditer(fold(question))}

    def pronoun_question(self, question: str) -> str | None:
        """The question with the speakers it names replaced by "he", the way a story refers to
        someone it has introduced ("Why does Musk think …" → "Why does he think …")."""
        named = self.named_in(question)
        aliases = sorted((a for a, speaker in self._speaker_of_alias.items() if speaker in named),
                         key=len, reverse=True)
        if not aliases:
            return None
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(a)}(?:['’]s)?(?!\w)" for a in aliases),
                             re.IGNORECASE)
        replaced = pattern.sub(lambda m: "his" if m.group(0).lower().endswith(("'s", "’s")) else "he", question)
        return replaced if replaced != question else None

    def boost_for(self, question: str, index: LoadedIndex) -> np.ndarray:
        """1 for sentences holding a statement (direct or indirect) by a speaker the question
        names, else 0."""
        boost = np.zeros(len(index.sentences), np.float32)
        named = self.named_in(question)
        if not named:
            return boost
        for quote in self.quotes:
            if quote["speaker"] not in named:
                continue
            row = index.paragraph_row.get((quote["article"], quote["paragraph"]))
            if row is None:
                continue
            offset = index.paragraphs[row]["start"]
            for sentence_row in index.sentence_rows_of[row]:
                sentence = index.sentences[sentence_row]
                if sentence.start + offset < quote["end"] and quote["start"] < sentence.end + offset:
                    boost[sentence_row] = 1.0
        return boost
