"""People and organisations named in one article: mentions, canonical names, aliases, and what a
pronoun or a description ("Tesla’s CEO", "the Kremlin spokesman") stands for.

General rules only: capitalisation, titles, appositions and co-occurrence in the article.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..text import (
    CAPITALISED,
    CAPITALISED_WORD,
    POSSESSIVE,
    Paragraph,
    Sentence,
    fold,
    is_possessive,
    without_possessive,
)

# Words for what a person does, which describe them ("Kremlin spokesman Dmitry Peskov").
_TITLE_ROLES = {
    "ambassador", "billionaire", "captain", "ceo", "chairman", "chairwoman", "chancellor", "chief", "coach",
    "commissioner", "founder", "governor", "judge", "king", "leader", "mayor", "minister", "premier",
    "president", "professor", "queen", "secretary", "senator", "spokesman", "spokesperson", "spokeswoman",
    "treasurer",
}
# Words that stand before a name as a title; those that are roles also describe the person.
TITLES = _TITLE_ROLES | {
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "vice", "prime", "sen", "rep",
    "representative", "gov", "justice", "general", "gen", "colonel", "col", "capt", "prince", "princess",
    "pope", "prof", "foreign", "defence", "defense", "deputy", "detective", "inspector", "sergeant", "officer",
    "superintendent", "opposition", "former", "acting", "state", "health",
}
ROLES = _TITLE_ROLES | {
    "boss", "head", "official", "director", "executive", "owner", "envoy", "diplomat", "commander", "lawyer",
    "attorney", "adviser", "advisor", "aide", "analyst", "economist", "author", "actor", "singer", "star",
    "manager", "prosecutor", "entrepreneur", "tycoon", "mogul",
}
ORGANISATION_HEADS = {
    "administration", "government", "ministry", "office", "campaign", "company", "department",
    "agency", "police", "army", "military", "council", "committee", "court", "party", "union",
    "spokesperson", "team", "embassy", "foundation", "institute", "commission", "board", "service",
    "college", "school", "university", "hospital", "bureau", "authority", "association", "alliance",
    "corporation", "bank", "group", "centre", "center", "club", "church", "organisation",
    "organization", "federation", "network", "tribunal", "parliament", "senate", "cabinet",
    "studies", "sciences", "affairs", "relations", "services", "resources", "industries", "systems",
    "technologies", "holdings", "partners", "workers",
}
# Last words of two-word names that are places or events, never people ("Gaza Strip"); words
# that are also common surnames (Hill, Park, West) are left out.
_NOT_PERSON_HEADS = {
    "strip", "river", "island", "islands", "valley", "mountains", "mountain", "coast", "highway",
    "road", "square", "city", "county", "state", "states", "province", "region", "territory",
    "peninsula", "sea", "ocean", "airport", "station", "harbour", "port", "house", "heights", "cup",
    "open", "games", "league", "series", "war", "eve", "east", "wales", "zealand", "africa",
    "america", "kingdom",
}
PRONOUNS = {"he", "she", "they"}
# Words that are capitalised only because a sentence starts with them.
_FUNCTION = {
    "the", "a", "an", "in", "on", "at", "after", "before", "but", "and", "as", "last", "this", "that",
    "these", "those", "it", "its", "his", "her", "their", "both", "however", "while", "when", "if",
    "for", "with", "by", "from", "of", "to", "later", "earlier", "responding", "meanwhile", "also",
    "so", "yet", "then", "there", "here", "one", "some", "many", "most", "all", "no", "not", "what",
}
_CONJUNCTIONS = {"but", "and", "yet", "so", "however", "while"}
_CALENDAR = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
}
_TRAILING = {
    "also", "later", "again", "then", "previously", "has", "had", "have", "once", "recently", "today",
    "yesterday", "on", "now", "already", "reportedly", "further", "separately", "similarly",
    "publicly", "repeatedly", "earlier", "himself", "herself",
}
# A word of a name: capitalised, with an apostrophe inside or a possessive ending ("O'Neill", "Musk’s").
_NAME_WORD = rf"{CAPITALISED}(?:[’'][A-Za-z]+)?"
# Lower-case words inside a name: "Bureau of Meteorology", "Osama bin Laden".
_CONNECTORS = ("of", "de", "da", "van", "von", "bin", "al", "la", "le", "du", "del")
_RUN = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|(?:{'|'.join(_CONNECTORS)})(?=\s+[A-Z])))*"
                  rf"(?:\s+{_NAME_WORD})?")
_WORD = re.compile(r"[\w\-’']+")
# "The Reverend Tim Costello, who …, says": an article and a name is the subject, not an opening adverbial.
# A name between commas at the end of a clause: "Another parent, Goran Ilic, ".
_APPOSITION_END = re.compile(rf",\s*(?P<name>{_RUN.pattern})\s*,\s*$")
_NAMED_SUBJECT = re.compile(rf"(?:The|A|An)\s+{_RUN.pattern}")
# A lower-case word for what someone is ("paceman", "forecaster", "negotiator", "meteorologist"), not
# what someone did ("Labor attacked Peter Costello", "Israel told Yasser Arafat").
_AGENT_NOUN = re.compile(r"[a-z\-]+(?:m[ae]n|wom[ae]n|er|or|ist|ian)")
# Words of those endings that are no one ("Australia over John Smith", "Labor however").
_NOT_AGENTS = {"for", "after", "over", "under", "never", "however", "other", "whether", "later", "major",
               "either", "neither", "rather", "ever", "together", "further", "earlier", "per", "nor"}
_PARENTHETICAL = re.compile(r",\s*[a-z]+(?:\s+[a-z]+){0,2}\s*,")

# The period of an abbreviated title ("Ms. Lindqvist said"), which ends no sentence. American house
# style writes them: the gap between a quotation and its verb read as crossing a sentence, and a
# name after the verb ("said Ms. Lindqvist") as the title alone.
_TITLE_DOT = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Capt|Col|Lt|Sgt|Det|Rev|Supt|Jr|Sr)\.")


def without_title_dots(text: str) -> str:
    """`text` with the periods of abbreviated titles left out ("Ms. Lindqvist" → "Ms Lindqvist")."""
    return _TITLE_DOT.sub(r"\1", text)


@dataclass(frozen=True)
class Mention:
    surface: str
    canonical: str


def _tokens(text: str) -> list[str]:
    return text.split()


def _without_initials(words: list[str]) -> list[str]:
    """A name's words without middle initials, which it is found by ("George W Bush": George Bush)."""
    inner = range(1, len(words) - 1)
    return [w for i, w in enumerate(words) if not (i in inner and len(w.rstrip(".")) == 1 and w[0].isupper())]


def hide_parentheticals(text: str) -> str:
    """Blank out ', pictured,' and the like, keeping offsets."""
    return _PARENTHETICAL.sub(lambda m: " " * len(m.group(0)), text)


class NameBook:
    def __init__(self, body: str, paragraphs: list[Paragraph]):
        self.body = body
        self.lowercase_words = {w for w in re.findall(r"\b[a-z][\w\-]*\b", body)}
        self.people: set[str] = set()
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.role_bindings: dict[str, set[str]] = defaultdict(set)
        self.description_bindings: dict[str, set[str]] = defaultdict(set)
        self.inner_capitalised: set[str] = set()  # capitalised words seen after a sentence's start
        self.recent_subjects: list[Mention | None] = []
        self._collect(paragraphs)

    # ---- reading the whole article first -------------------------------------------------
    def _collect(self, paragraphs: list[Paragraph]) -> None:
        for paragraph in paragraphs:
            for sentence in paragraph.sentences:
                for match in _RUN.finditer(sentence.text):
                    name, roles = self._person_name(match.group(0))
                    if name is None:
                        continue
                    self.people.add(name)
                    for role in roles:
                        self.role_bindings[role].add(name)
                    end = match.start() + match.group(0).rfind(name.split()[0])
                    self._bind_description(_tail(sentence.text[max(0, end - 2 * _TAIL_CHARS):end]), name)
                self.inner_capitalised.update(re.findall(rf"(?<=[\w,;:] ){CAPITALISED_WORD}", sentence.text))

    def _person_name(self, run: str) -> tuple[str | None, list[str]]:
        """A person's name in a capitalised run, after titles: 'Ukrainian President Volodymyr
        Zelensky' → 'Volodymyr Zelensky'; the role words stripped on the way are returned too."""
        words = _without_initials([without_possessive(w) for w in _tokens(run)])
        if any(w.endswith(("’", "'")) for w in _tokens(run)[:-1]):
            return None, []
        if words[2:3] == ["of"] and words[0].lower() not in TITLES | _FUNCTION:
            words = words[:2]  # "Bill Peel of Mackay": the person, not the place
        roles = []
        while words and (words[0].lower() in TITLES or words[0].lower() in _FUNCTION
                         or words[0].lower() in _CALENDAR):
            if words[0].lower() in ROLES:
                roles.append(words[0].lower())
            words = words[1:]
        if len(words) > 2:
            roles += [w.lower() for w in words[:-2] if w.lower() in ROLES]
            words = words[-2:]
        if len(words) != 2 or any(w.lower() in _CALENDAR or w.isupper() for w in words):
            return None, []
        if words[0] == "of" or words[-1].lower() in ORGANISATION_HEADS | _NOT_PERSON_HEADS:
            return None, []  # "Bureau of Meteorology", "Christian College": not people
        initial = re.search(rf"\b{re.escape(words[0])}\s+([A-Z])\.?\s+{re.escape(words[1])}\b", run)
        return " ".join(words[:1] + ([initial[1]] if initial else []) + words[1:]), roles

    def _bind_description(self, before: str, name: str) -> None:
        """'Kremlin spokesman Dmitry Peskov': the words before a name describe that person."""
        match = re.search(rf"((?:the\s+)?(?:{CAPITALISED}{POSSESSIVE}\s+)?(?:[\w\-]+\s+){{0,3}}?([a-z]+)"
                          rf"(?:\s+(?:to|of|for)\s+{CAPITALISED})?)\s*,?\s*$", before)
        if match and match.group(2) in ROLES:
            self.description_bindings[_fold_description(match.group(1))].add(name)
            self.aliases[name].add(match.group(1).strip())
            self.role_bindings[match.group(2)].add(name)

    # ---- resolving ------------------------------------------------------------------------
    def canonical(self, name: str) -> str | None:
        """The full name a mention stands for, or None when it is ambiguous."""
        if name in self.people:
            return name
        parts = name.split()
        matches = {p for p in self.people if p.split()[-1] == parts[-1] or (len(parts) == 1 and
                                                                           p.split()[0] == parts[0])}
        if len(matches) == 1:
            return matches.pop()
        if matches:
            return None
        return name

    def aliases_of(self, canonical: str) -> set[str]:
        return self.aliases.get(canonical, set()) | {canonical}

    def _resolve_run(self, run: str) -> Mention | None:
        raw = run.strip()
        words = _without_initials(_tokens(raw))
        if words:
            words[-1] = without_possessive(words[-1])
        if words and words[-1].lower() in ORGANISATION_HEADS:
            # "The Foreign Ministry": an organisation keeps every word of its name.
            name = " ".join(words[1:] if words[0].lower() == "the" else words)
            return Mention(name, name) if name else None
        while words and (words[0].lower() in _FUNCTION or words[0].lower() in TITLES):
            words = words[1:]
        if not words:
            return None
        if len(words) > 2 and " ".join(words[-2:]) in self.people:
            words = words[-2:]
        if any(is_possessive(w) for w in words[:-1]) or words[-1].lower() in ROLES:
            return self._description(raw)
        name = " ".join(words)
        if len(words) == 1 and not self._could_be_name(words[0]):
            return None
        canonical = self.canonical(name)
        if canonical is None:
            return None
        return Mention(name, canonical)

    def _could_be_name(self, word: str) -> bool:
        if word.lower() in _CALENDAR or word.lower() in PRONOUNS:
            return False
        if any(p.split()[-1] == word for p in self.people):
            return True
        if word.endswith("ly") and word not in self.inner_capitalised:
            return False  # "Shortly after the strikes, …": an adverb that opens a sentence
        # A capitalised word that the article also writes in lower case is an ordinary word.
        return word.lower() not in self.lowercase_words

    def _description(self, phrase: str) -> Mention | None:
        """'Tesla’s CEO', 'the Kremlin spokesman', 'the billionaire' → the person meant, if sure."""
        folded = _fold_description(phrase)
        head = folded.split()[-1] if folded else ""
        bound = self.description_bindings.get(folded)
        if bound and len(bound) == 1:
            return Mention(phrase.strip(), next(iter(bound)))
        modifiers = [m for m in re.findall(CAPITALISED_WORD, phrase)
                     if m.lower() not in _FUNCTION and m.lower() not in ROLES]
        if modifiers:
            person = self._by_modifier(modifiers)
            return Mention(phrase.strip(), person) if person else None
        roles = self.role_bindings.get(head, set())
        if len(roles) == 1:
            return Mention(phrase.strip(), next(iter(roles)))
        return None

    def _by_modifier(self, modifiers: list[str]) -> str | None:
        """'Tesla’s CEO': other descriptions with the same modifier ('the Tesla billionaire')
        whose role the article ties to one person name that person. Whoever is named beside the
        modifier most often does not: "A senior Taliban official" was Hamid Karzai, "the Israel
        official" Israeli Defence (on 307 articles 9 of the 10 speakers it gave were wrong)."""
        pattern = re.compile(rf"\b{re.escape(modifiers[0])}(?:{POSSESSIVE})?\s+([a-z\-]+)(?:\s+([a-z]+))?")
        candidates = set()
        for match in pattern.finditer(self.body):
            role = next((w for w in match.groups() if w in ROLES), None)
            bound = self.role_bindings.get(role, set()) if role else set()
            if len(bound) == 1:
                candidates |= bound
        if len(candidates) == 1:
            return candidates.pop()
        return None

    def _pronoun(self, word: str) -> Mention | None:
        if word.lower() == "they":
            return None  # a group rarely resolves to one speaker
        for subject in reversed(self.recent_subjects[-4:]):
            if subject is not None and subject.canonical in self.people:
                return Mention(word, subject.canonical)
        return None

    def _mentions(self, text: str) -> list[Mention]:
        return [m for m in (self._resolve_run(r.group(0)) for r in _RUN.finditer(text)) if m]

    def mention_in(self, text: str, at_start: bool = False, clause_subject: bool = True) -> Mention | None:
        """The speaker phrase ending (or starting) the text: a name, pronoun, description or body.

        A place or title after a preposition ends the phrase ("A statement from the Minister"):
        then the clause's subject speaks, found by first_subject unless `clause_subject` is off.
        first_subject turns it off when it calls here, as the two would otherwise call each other
        on the same words without end."""
        text = hide_parentheticals(text)
        if at_start:
            return self._mention_opening(text)
        words = re.findall(r"[\w\-’']+|[^\w\s]", text)
        while words and (words[-1].lower() in _TRAILING or words[-1].lower() in _CALENDAR):
            words.pop()
        if not words or not re.match(r"\w", words[-1]):
            return None
        last = words[-1]
        if last.lower() in PRONOUNS:
            return self._note_alias(self._pronoun(last), pronoun=True)
        phrase = " ".join(words[-7:])
        if last[0].isupper() and not is_possessive(last):
            return self._name_ending(phrase, text, clause_subject)
        return self._description_ending(phrase, last)

    def _mention_opening(self, text: str) -> Mention | None:
        """The speaker that opens `text` ("…,” said police chief Tom Reyes")."""
        text = without_title_dots(text)
        words = re.findall(r"[\w\-’']+|[^\w\s]", text)[:6]
        if words and words[0].lower() in PRONOUNS:
            return self._note_alias(self._pronoun(words[0]), pronoun=True)
        # "says police chief Tom Reyes": lower-case descriptor words may stand before the name.
        lead = re.match(r"\s*(?:(?:the|a|an|[a-z][\w\-]*)\s+){0,4}?(?=[A-Z])", text)
        run = _RUN.match(text[lead.end():] if lead else text.strip())
        return self._note_alias(self._resolve_run(run.group(0))) if run else None

    def _name_ending(self, phrase: str, text: str, clause_subject: bool) -> Mention | None:
        """The name that ends `phrase` (the last words of `text`), unless it is a place."""
        runs = list(_RUN.finditer(phrase))
        if not runs or runs[-1].end() != len(phrase):
            return None
        mention = self._resolve_run(runs[-1].group(0))
        is_person = mention is not None and mention.canonical in self.people
        if _after_preposition(phrase[:runs[-1].start()]) and not is_person:
            # "A defector who lives in Australia claims …", "the director of the Institute
            # says …": the clause's subject speaks if it is a person the article names in
            # full; else an organisation speaks through its statement or spokesman.
            subject = self.first_subject(text) if clause_subject else None
            if subject is not None and subject.canonical in self.people:
                return subject
            return self._note_alias(mention) if mention is not None and _is_organisation(mention) else None
        return self._note_alias(mention)

    def _description_ending(self, phrase: str, last: str) -> Mention | None:
        """The person a description ending `phrase` names ("Tesla’s CEO"), or the organisation
        whose name ends it ("the Foreign Ministry")."""
        if last.lower() in ROLES:
            description = re.search(rf"((?:the\s+)?(?:{CAPITALISED}(?:{POSSESSIVE})?\s+)?(?:[a-z\-]+\s+){{0,2}}"
                                    rf"{re.escape(last)})$", phrase)
            if description:
                return self._note_alias(self._description(description.group(1)))
        if last.lower() in ORGANISATION_HEADS:
            organisation = re.search(rf"((?:{CAPITALISED}(?:{POSSESSIVE})?\s+)+{re.escape(last)})$", phrase)
            if organisation:
                name = organisation.group(1)
                return Mention(name, name)
        return None

    def names_a_place(self, mention: Mention | None) -> bool:
        """Neither a person the article names ("ambassador to Germany Andrij Melnyk") nor an
        organisation, which speaks through others ("a statement from the St George Hospital")."""
        return mention is None or (mention.canonical not in self.people and not _is_organisation(mention))

    def _is_article_and_speaker(self, chunk: str) -> bool:
        """Whether a chunk is only "The" and a person's or an organisation's name ("The Reverend Tim
        Costello", "The Cornish Lights Authority")."""
        named = _NAMED_SUBJECT.fullmatch(chunk)
        mention = self._resolve_run(named.group(0)) if named else None
        return mention is not None and (mention.canonical in self.people or _is_organisation(mention))

    def last_person_in(self, text: str) -> Mention | None:
        """The last of the article's people named in the end of `text` (its last _TAIL_CHARS)."""
        people = [m for m in self._mentions(text[-_TAIL_CHARS:]) if m.canonical in self.people]
        return people[-1] if people else None

    def apposition_ending(self, head: str) -> Mention | None:
        """The person whose name, set off by commas, ends `head` ("Another parent, Goran Ilic, ")."""
        named = _APPOSITION_END.search(head[-_TAIL_CHARS:])
        mention = self._resolve_run(named["name"]) if named else None
        return mention if mention is not None and mention.canonical in self.people else None

    def first_subject(self, head: str) -> Mention | None:
        """The subject of a sentence's main clause: the first name, pronoun or description that
        is not in an opening adverbial ('Responding to …,') and is not a possessive."""
        head = hide_parentheticals(head)
        chunks = head.split(",")
        for i, chunk in enumerate(chunks):
            stripped = chunk.strip()
            first = stripped.split()[0] if stripped else ""
            opener = first.lower() in _FUNCTION - _CONJUNCTIONS or first.endswith("ing") or \
                (first.endswith("ly") and not self._could_be_name(first))
            if i < len(chunks) - 1 and opener and not self._is_article_and_speaker(stripped):
                continue
            # The first of a pronoun and a name is the subject: "Seles said she …" is Seles's.
            pronoun = next((m for m in _WORD.finditer(stripped) if m.group(0).lower() in PRONOUNS), None)
            for run in _RUN.finditer(stripped):
                if pronoun is not None and run.start() > pronoun.start():
                    break
                if is_possessive(run.group(0)):
                    continue
                mention = self._resolve_run(run.group(0))
                if _after_preposition(stripped[:run.start()]) and self.names_a_place(mention):
                    continue  # "A defector who lives in Australia": the place is not the subject
                following = _WORD_AFTER.match(stripped, run.end())  # not split(): that is n² in names
                if following and following[1].lower() in ROLES and following[1].islower():
                    continue  # "Union leader Sam Cole": 'Union' describes the person who follows
                if following and _AGENT_NOUN.fullmatch(following[1]) and following[1] not in _NOT_AGENTS \
                        and mention is not None and mention.canonical not in self.people:
                    after = _RUN.match(stripped, following.end() + 1)
                    named = self._resolve_run(after.group(0)) if after else None
                    if named is not None and named.canonical in self.people:
                        continue  # "Australian paceman Glenn McGrath": the words before describe him
                if mention is not None:
                    return self._note_alias(mention)
            if pronoun is not None:
                return self._note_alias(self._pronoun(pronoun.group(0)), pronoun=True)
            verb = re.search(r"\b[a-z]+ed\b", stripped)
            subject_part = stripped[:verb.start()] if verb else stripped
            if subject_part.split() and subject_part.split()[-1].lower() in ROLES:
                return self._note_alias(self.mention_in(subject_part, clause_subject=False))
            return None
        return None

    def _note_alias(self, mention: Mention | None, pronoun: bool = False) -> Mention | None:
        if mention is not None and not pronoun:
            self.aliases[mention.canonical].add(mention.surface)
        return mention

    def note_sentence(self, sentence: Sentence, caption: bool, speaker: Mention | None = None) -> Mention | None:
        """The subject of a sentence; a body sentence's subject is what the next pronoun may mean,
        unless a person speaks in it: then the speaker is.

        Captions interrupt the story, so they do not move the focus."""
        subject = self.first_subject(sentence.text)
        if not caption:
            self.recent_subjects.append(speaker if speaker is not None and speaker.canonical in self.people
                                        else subject)
        return subject


_PREPOSITIONS = {"in", "at", "from", "of", "near", "for", "with", "to", "on", "by", "into", "outside", "inside"}


def _is_organisation(mention: Mention) -> bool:
    return mention.canonical.split()[-1].lower() in ORGANISATION_HEADS


# The word that follows a position, past spaces.
_WORD_AFTER = re.compile(r"\s*(\S+)")
# What is read of the text before a name: the words that describe it or govern it are the last few.
# The whole sentence up to each name made a sentence of n names cost n², one of 100 KB minutes.
_TAIL_CHARS = 300


def _tail(before: str) -> str:
    """The end of `before`: its last _TAIL_CHARS characters, from a word's start."""
    if len(before) <= _TAIL_CHARS:
        return before
    tail = before[-_TAIL_CHARS:]
    space = tail.find(" ")
    return tail[space + 1:] if space >= 0 else tail


def _after_preposition(before: str) -> bool:
    """Whether a name that follows `before` is the object of a preposition: "in Australia",
    "of the Monash Institute of Reproduction and Development"."""
    words = _tail(before).split()
    while words and (words[-1][:1].isupper() or words[-1] in ("and", "&", "the")):
        words.pop()
    if len(words) > 1 and words[-1] == "for" and words[-2].lower() in ROLES:
        return False  # "a spokesman for the Department of Immigration" speaks for it
    return bool(words) and words[-1].lower() in _PREPOSITIONS


def _fold_description(phrase: str) -> str:
    """A description as compared with others: folded, without a leading article."""
    return fold(re.sub(r"^(the|a|an)\s+", "", phrase.strip(), flags=re.IGNORECASE))
