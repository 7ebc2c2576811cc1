"""Who said it: speakers for direct and indirect quotations, by rules over sentence structure.

Precision comes first: a quotation gets a speaker only when a reporting verb ties it to a
named person, a pronoun or description that resolves to one, or an organisation. Short
quotations used as scare quotes or poll options are left without a speaker.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..corpus import Article
from ..kinds import CAPTION, DIRECT, INDIRECT, QuotationKind
from ..text import Paragraph, Sentence
from .names import TITLES, Mention, NameBook, hide_parentheticals, without_title_dots
from .quotemarks import QuoteSpan, find_quotes

# Finite reporting verbs that tie a quotation to its speaker and also report indirect speech
# ("Peskov said Moscow was open to talks").
_REPORTING = (
    "said", "says", "told", "tells", "claimed", "claims", "suggested", "suggests", "indicated", "indicates",
    "warned", "warns", "insisted", "insists", "argued", "argues", "added", "adds", "stated", "states",
    "announced", "announces", "admitted", "admits", "confirmed", "confirms", "denied", "denies",
    "predicted", "predicts",
)
# Finite reporting verbs that only tie a quotation to its speaker ("… wrote: ‘…’").
_QUOTING_ONLY = (
    "say", "tell", "wrote", "writes", "asked", "asks", "responded", "responds", "replied", "replies",
    "lamented", "laments", "explained", "explains", "declared", "declares", "tweeted", "tweets", "posted",
    "noted", "notes", "urged", "urges", "acknowledged", "acknowledges", "conceded", "concedes", "continued",
    "continues", "recalled", "recalls", "described", "describes", "called", "calls", "maintained",
    "maintains", "vowed", "vows", "pledged", "pledges", "has said", "have said", "had said", "has also said",
    "has also indicated", "has indicated", "had indicated",
)
_FINITE = "|".join(_REPORTING + _QUOTING_ONLY)
_PARTICIPLE = r"saying|calling|asking|adding|writing|telling|claiming|arguing|warning|insisting|noting|declaring"
_VERB = re.compile(rf"\b(?:(?P<finite>{_FINITE})|(?P<participle>{_PARTICIPLE}))\b")
# The verbs after which indirect speech is looked for: "believes" never introduces a quotation.
_INDIRECT_VERBS = re.compile(rf"\b(saying|{'|'.join(_REPORTING)}|believes)\b")
# How reported speech opens when no "that" introduces it: a subject.
_CLAUSE_OPENING = re.compile(r"\s+(it|there|the|a|an|he|she|they|we|i|[A-Z]\w+)\b")
# Words after whom a speaker told that report no speech: "told CNN in a telephone interview".
_NOT_REPORTED = re.compile(r"[\s,]*(?:(?:in|on|at|from|during|by|over|after|before)\b|$)")
# Whom a speaker "told": a name, or nobody named.
_ADDRESSEE = re.compile(r"(?:\s+(?:the\s+)?[A-Z][\w\-’']*(?:\s+[A-Z][\w\-’']*)*)?")
_PRONOUN = re.compile(r"\b(he|she|they|it|we|i)\b", re.IGNORECASE)
# "and" before a capital joins a name ("Institute of Reproduction and Development"), not clauses.
_CLAUSE_BREAK = re.compile(r"[,;:()]|\b(that|and(?!\s+[A-Z])|but|while|after|before|because|when|which|who)\b")
# A quotation of at most this many words is a scare quote unless its verb stands close before it.
_SHORT_WORDS = 2
_SHORT_REACH_WORDS = 5
# Words between a quotation and its verb that may still name its speaker with a description.
_DESCRIBED_SPEAKER_WORDS = 8
# A relative pronoun right before a verb: its subject is the name before it (", who"), or no one's.
_RELATIVE_AT_END = re.compile(r"(?:,\s*)?\b(?P<word>who|that|which)\s*$")
_RELATIVE_REACH = 20
# Words that open a clause or join another one: a description of the speaker holds none.
_CLAUSE_WORDS = {"who", "which", "that", "when", "while", "before", "after", "but", "because"}
# The last word of a description that ties the name to someone else than the speaker ("a spokesman for …").
_TYING_WORDS = {"for", "of", "to", "from", "with", "by", "at", "in", "on", "than", "about", "against"}
# Capitalised words one after another, titles and initials included ("President George W Bush").
_CAPITALISED_RUN = re.compile(r"(?:[A-Z][\w\-’'.]*\s*)+")


@dataclass
class Quotation:
    article: str
    paragraph: int
    start: int
    end: int
    text: str
    quotation_kind: QuotationKind
    speaker: str | None = None
    aliases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The quotation as the passage store keeps it."""
        return {"article": self.article, "paragraph": self.paragraph, "start": self.start, "end": self.end,
                "text": self.text, "kind": self.quotation_kind, "speaker": self.speaker, "aliases": self.aliases}


@dataclass(frozen=True)
class _Verb:
    start: int  # article offsets
    end: int
    participle: bool


def _mask(text: str, start: int, spans: list[QuoteSpan]) -> str:
    """The sentence with quoted words (and their marks) blanked, offsets unchanged."""
    chars = list(text)
    for span in spans:
        for i in range(max(span.open_mark, start), min(span.end + 1, start + len(text))):
            chars[i - start] = " "
    return "".join(chars)


def _after_addressee(rest: str) -> str | None:
    """What a speaker "told" someone: "told ABC Radio he believes …" reports "he believes …"; "told
    Musk to …" what Musk was told to do; "told CNN in a telephone interview" nothing (None). Where
    the addressee's end is not clear ("told Hamas negotiators they had …"), all of it."""
    after = rest[_ADDRESSEE.match(rest).end():]  # type: ignore[union-attr]
    if re.match(r"\s+to\s+\w", after):
        return rest
    if _CLAUSE_OPENING.match(after):
        return after
    return None if _NOT_REPORTED.match(after) else rest


def _may_go_on(quotation: Quotation) -> bool:
    """Whether a quotation without a verb of its own may go on with the speaker before it: a direct
    one longer than a scare quote."""
    return quotation.quotation_kind == DIRECT and len(quotation.text.split()) > _SHORT_WORDS


def _only_quotation(text: str, start: int, spans: list[QuoteSpan]) -> bool:
    """Whether a sentence or paragraph holds nothing but its quotations."""
    return not re.search(r"\w", _mask(text, start, spans))


def _opens_with_its_quotation(paragraph: Paragraph, own: list[QuoteSpan]) -> bool:
    """Whether a paragraph opens with a quotation, and either continues one or holds nothing else."""
    first = own[0]
    return first.open_mark == paragraph.start and (
        first.continues or _only_quotation(paragraph.text, paragraph.start, own))


@dataclass
class Attribution:
    quotations: list[Quotation]
    # (paragraph, sentence) → the person a sentence is about or quotes, resolved through pronouns.
    who: dict[tuple[int, int], str]


class _Attributor:
    def __init__(self, article: Article, paragraphs: list[Paragraph]):
        self.article = article
        self.body = article.body
        self.paragraphs = paragraphs
        self.names = NameBook(article.body, paragraphs)
        self.who: dict[tuple[int, int], str] = {}

    def run(self) -> Attribution:
        spans = find_quotes(self.body, self.paragraphs)
        by_paragraph: dict[int, list[QuoteSpan]] = {}
        for span in spans:
            by_paragraph.setdefault(span.paragraph, []).append(span)
        quotations: list[Quotation] = []
        previous_speaker: Mention | None = None  # the last body paragraph's
        previous_had_quote = False
        last_who: str | None = None
        for paragraph in self.paragraphs:
            own = by_paragraph.get(paragraph.number, [])
            first = len(quotations)
            paragraph_speaker, last_who = self._paragraph(paragraph, own, quotations, last_who)
            paragraph_quotations = quotations[first:]  # reading all of the article's made it n²
            if own and previous_speaker is not None and previous_had_quote:
                if paragraph_speaker is None and _opens_with_its_quotation(paragraph, own):
                    self._continue_speaker(paragraph, paragraph.sentences, paragraph_quotations, previous_speaker)
                    paragraph_speaker = previous_speaker
                elif own[0].open_mark == paragraph.start and \
                        self._continue_opening(paragraph, own, paragraph_quotations, previous_speaker):
                    paragraph_speaker = paragraph_speaker or previous_speaker
            if paragraph.paragraph_kind != CAPTION:
                previous_speaker = paragraph_speaker
                previous_had_quote = bool(own) or paragraph_speaker is not None
        # Aliases are complete only once the whole article has been read.
        for quotation in quotations:
            if quotation.speaker is not None:
                quotation.aliases = sorted(self.names.aliases_of(quotation.speaker))
        return Attribution(quotations, self.who)

    def _paragraph(self, paragraph: Paragraph, own: list[QuoteSpan], quotations: list[Quotation],
                   last_who: str | None) -> tuple[Mention | None, str | None]:
        """Attribute the quotations of one paragraph's sentences (appended to `quotations`) and note
        who each sentence is about. Returns the paragraph's speaker, the last one found, and the
        person the next sentence may go on about (`last_who`, passed on from the one before)."""
        paragraph_speaker: Mention | None = None
        quoted_last: Mention | None = None  # the speaker of the previous sentence's quotation
        for sentence in paragraph.sentences:
            inside = [s for s in own if sentence.start <= s.open_mark < sentence.end]
            found = self._sentence(sentence, inside, paragraph)
            if quoted_last is not None and inside and all(speaker is None for _, speaker in found) \
                    and _only_quotation(sentence.text, sentence.start, inside):
                found = self._go_on_quoting(found, quoted_last)
            # "Doctor Harris says any change must involve all Australians. "I think …"": a quotation
            # goes on with the speaker of the sentence before it, quoted directly or reported.
            quoted_last = next((speaker for _, speaker in found if speaker), None)
            for quotation, speaker in found:
                quotations.append(quotation)
                if speaker is not None:
                    paragraph_speaker = speaker
                    self.who.setdefault((paragraph.number, sentence.number), speaker.canonical)
            last_who = self._note_who(paragraph, sentence, last_who, next((s for _, s in found if s), None))
        return paragraph_speaker, last_who

    def _go_on_quoting(self, found: list[tuple[Quotation, Mention | None]], speaker: Mention
                       ) -> list[tuple[Quotation, Mention | None]]:
        """'"…," Mr Dewar said. "The verdict leaves …"': a sentence that is only a quotation goes on
        with the one before it, as news copy writes. Its direct quotations but short ones get `speaker`."""
        found = [(q, speaker) if _may_go_on(q) else (q, None) for q, _ in found]
        for quotation, given in found:
            if given is not None:
                self._assign(quotation, given)
        return found

    def _note_who(self, paragraph: Paragraph, sentence: Sentence, last_who: str | None,
                  speaker: Mention | None) -> str | None:
        """Note the person a sentence is about; returns the one the next sentence may go on about."""
        subject = self.names.note_sentence(sentence, paragraph.paragraph_kind == CAPTION, speaker)
        if subject is not None and subject.canonical in self.names.people:
            self.who.setdefault((paragraph.number, sentence.number), subject.canonical)
        own_who = self.who.get((paragraph.number, sentence.number))
        if own_who is None and subject is None and last_who is not None \
                and paragraph.paragraph_kind != CAPTION and not _PRONOUN.search(sentence.text):
            # "Zelensky created his own poll. As with Musk's poll, 2 million people
            # responded …": a sentence with no person or pronoun as its subject goes on
            # about the person before it. One step only, and never over a pronoun, which
            # the name book resolves or deliberately leaves open.
            self.who[(paragraph.number, sentence.number)] = last_who
        # A caption interrupts the story: the sentence after it goes on from the one before it.
        return last_who if paragraph.paragraph_kind == CAPTION else own_who

    def _continue_speaker(self, paragraph: Paragraph, sentences: Sequence[Sentence], quotations: list[Quotation],
                          speaker: Mention) -> bool:
        """Give the previous paragraph's speaker to the quotations of `sentences` (a paragraph that is
        only a quotation, or the sentences opening it with one) that have none and are not short.
        Returns whether any got it."""
        end = sentences[-1].end
        given = False
        for quotation in quotations:
            if quotation.start < end and quotation.speaker is None and _may_go_on(quotation):
                self._assign(quotation, speaker)
                given = True
        for sentence in sentences:
            self.who[(paragraph.number, sentence.number)] = speaker.canonical
        return given

    def _continue_opening(self, paragraph: Paragraph, own: list[QuoteSpan], quotations: list[Quotation],
                          speaker: Mention) -> bool:
        """'…," Mr Robertson said. ¶ "We're looking at south-west winds …" Between 4,000 …': the
        sentences that open a paragraph with nothing but a quotation go on with the previous
        paragraph's speaker, unless the sentence after them is about someone else, who may be the
        one quoted ('"This is a great budget." Treasurer Peter Costello was upbeat …'; but '"…" Mr
        Walker said he had spoken to Peter Jones' goes on)."""
        opening = list(itertools.takewhile(lambda s: _only_quotation(s.text, s.start, own), paragraph.sentences))
        if not opening:
            return False
        after = paragraph.sentences[len(opening):len(opening) + 1]
        subject = self.names.first_subject(after[0].text) if after else None
        if subject is not None and subject.canonical in self.names.people and subject.canonical != speaker.canonical:
            return False
        return self._continue_speaker(paragraph, opening, quotations, speaker)

    def _assign(self, quotation: Quotation, speaker: Mention) -> None:
        quotation.speaker = speaker.canonical
        quotation.aliases = sorted(self.names.aliases_of(speaker.canonical))

    def _sentence(self, sentence: Sentence, spans: list[QuoteSpan], paragraph: Paragraph
                  ) -> list[tuple[Quotation, Mention | None]]:
        masked = _mask(sentence.text, sentence.start, spans)
        verbs = [
            _Verb(sentence.start + m.start(), sentence.start + m.end(), m.group("participle") is not None)
            for m in _VERB.finditer(masked)
        ]
        results: list[tuple[Quotation, Mention | None]] = []
        for span in spans:
            quotation = Quotation(self.article.id, paragraph.number, span.start, span.end,
                                  self.body[span.start:span.end], DIRECT)
            speaker = self._speaker_for(span, sentence, masked, verbs, spans)
            if speaker is not None:
                self._assign(quotation, speaker)
            results.append((quotation, speaker))
        indirect = self._indirect(sentence, masked, paragraph)
        if indirect is not None:
            # 'Mr Singh said the attempts to "dupe" India would fail': words quoted inside reported
            # speech are the reporting speaker's.
            reported, reporter = indirect
            for number, (quotation, speaker) in enumerate(results):
                if speaker is None and reported.start <= quotation.start < reported.end:
                    self._assign(quotation, reporter)
                    results[number] = (quotation, reporter)
            results.append(indirect)
        return results

    def _speaker_for(self, span: QuoteSpan, sentence: Sentence, masked: str, verbs: list[_Verb],
                     spans: list[QuoteSpan]) -> Mention | None:
        words = len(self.body[span.start:span.end].split())
        before = [v for v in verbs if v.end <= span.open_mark]
        after = [v for v in verbs if v.start >= span.end]
        if before:
            verb = before[-1]
            between = self.body[verb.end:span.open_mark]
            if words <= _SHORT_WORDS:
                crossed = any(verb.end <= s.open_mark < span.open_mark for s in spans if s != span)
                if crossed or len(between.split()) > _SHORT_REACH_WORDS:
                    return None
            return self._subject(verb, sentence, masked)
        if after and words > _SHORT_WORDS:
            verb = after[0]
            gap = masked[span.end + 1 - sentence.start:verb.start - sentence.start]
            # Only a few words are read: a gap as long as the sentence made every quotation n².
            gap_words = len(gap.split(None, _DESCRIBED_SPEAKER_WORDS))
            if gap_words > _DESCRIBED_SPEAKER_WORDS or re.search(r"[.;!?]", without_title_dots(gap)):
                return None
            # "…,” said Peskov  /  "…,” Peskov says: the verb follows the quotation closely.
            if gap_words <= 4:
                inverted = self.names.mention_in(self.body[verb.end:sentence.end][:60], at_start=True)
                if inverted is not None:
                    return inverted
                return self.names.mention_in(gap)
            return self._described_speaker(gap)
        return None

    def _described_speaker(self, gap: str) -> Mention | None:
        """'"…," UN Middle East envoy Terje Roed-Larsen warned': the words between a quotation and
        its verb describe the speaker and end with their name. Not when they hold a clause, or tie
        the name to someone else: '"…," a spokesman for Prime Minister John Howard said', '… the
        lawyer representing David Hicks said', '… protesters chanted before John Howard said'."""
        named = self.names.mention_in(gap)
        if named is None or named.canonical not in self.names.people:
            return None
        # The words before the name as written: its mention may lack a middle initial or title
        # ("George Bush" for "President George W Bush"), then the gap's last capitalised run is it
        # (words such as "later" may follow it).
        if named.surface in gap:
            at = gap.rfind(named.surface)
        else:
            runs = list(_CAPITALISED_RUN.finditer(gap))
            if not runs:
                return None
            at = runs[-1].start()
        before = gap[:at].split()
        titled = False
        while before and before[-1].lower().rstrip(".") in TITLES:
            before.pop()  # "for Prime Minister John Howard": the preposition governs the name
            titled = True
        last = before[-1].lower() if before else ""
        # "the lawyer representing David Hicks", but "the embattled Prime Minister John Howard".
        verb_like = not titled and last.endswith(("ing", "ed"))
        if any(w in _CLAUSE_WORDS for w in before) or last in _TYING_WORDS or verb_like:
            return None
        return named

    def _subject(self, verb: _Verb, sentence: Sentence, masked: str) -> Mention | None:
        head = hide_parentheticals(masked[:verb.start - sentence.start])
        if verb.participle:
            # "Musk lamented the result, calling it …": the subject of the main clause speaks.
            return self.names.first_subject(head)
        pieces = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
        clause = head[pieces[-1]:] if pieces else head
        subject = self.names.mention_in(clause)
        # Only the end of the head is read: the whole of it, for every quotation, made a sentence n².
        tail_start = max(0, len(head) - _RELATIVE_REACH)
        relative = _RELATIVE_AT_END.search(head, tail_start)
        if subject is None and relative is not None:
            # "… met President Megawati Sukarnoputri, who says …": the one "who" stands for, the
            # last person named before it ("Dr Tomas Reiner, a paediatrician at Arlow District
            # Hospital, who said …"), else the sentence's subject ("Tim Costello, a critic who
            # says"). "A report that says …" is no one's.
            if relative["word"] == "who":
                before_who = head[:relative.start()]
                subject = self.names.last_person_in(before_who) or self.names.first_subject(before_who)
        elif subject is None and not clause.strip():
            # "Another parent, Goran Ilic, said …": the name set off by commas just before the verb;
            # "Arthurs, who has not played since October, says he …", "Mr Downer inspected the
            # camps and says …": the sentence's subject, not the pronoun after the verb, which is
            # the reported clause's.
            subject = self.names.apposition_ending(head) or self.names.first_subject(head)
        if subject is not None and not clause.strip() and self.names.names_a_place(subject):
            # A person or organisation only: "Senior forecaster …, Ian Robertson, says" has a
            # title as its first word.
            subject = None
        if subject is None and not clause.strip() and re.match(r"(said|says|added|adds|wrote|writes|asked|asks)$",
                                                               self.body[verb.start:verb.end]):
            # "…,” said Peskov: the speaker follows the verb.
            subject = self.names.mention_in(self.body[verb.end:sentence.end][:60], at_start=True)
        return subject

    def _indirect(self, sentence: Sentence, masked: str, paragraph: Paragraph
                  ) -> tuple[Quotation, Mention] | None:
        match = _INDIRECT_VERBS.search(masked)
        if match is None:
            return None
        verb = _Verb(sentence.start + match.start(), sentence.start + match.end(),
                     match.group(1) == "saying")
        if re.match(r"[\s,:]*[“‘\"'«]", self.body[verb.end:]):
            return None  # the verb introduces a direct quotation, handled above
        if not masked[:match.start()].strip(" ,") and re.search(r"\w", sentence.text[:match.start()]):
            return None  # '"…," said Priya Raman, an analyst': the verb ends a direct quotation
        rest = masked[match.end():]
        that = re.match(r"(\s+[\w\-’']+){0,8}?\s+that\b", rest)
        if that:
            rest = masked[match.end() + that.end():]
        else:
            said = _after_addressee(rest) if match.group(1) in ("told", "tells") else rest
            if said is None or not _CLAUSE_OPENING.match(said):
                return None
            rest = said
        reported = rest.strip()
        if len(reported.split()) < 4 or not re.search(r"\w", reported):
            return None
        speaker = self._subject(verb, sentence, masked)
        if speaker is None:
            return None
        start = sentence.start + len(masked) - len(rest) + (len(rest) - len(rest.lstrip()))
        text = self.body[start:sentence.end]
        quotation = Quotation(self.article.id, paragraph.number, start, sentence.end, text, INDIRECT)
        self._assign(quotation, speaker)
        return quotation, speaker


def attribute_article(article: Article, paragraphs: list[Paragraph]) -> Attribution:
    """Every direct and indirect quotation of an article with its speaker where the rules find one,
    and the person each sentence is about."""
    return _Attributor(article, paragraphs).run()
