"""Speakers named in questions: which names a question may be re-worded around."""

import pytest

from index.answering.speakers import SpeakerDirectory


def quote(speaker: str, *aliases: str) -> dict:
    return {"article": "a", "paragraph": 1, "start": 0, "end": 10, "text": "…", "kind": "direct",
            "speaker": speaker, "aliases": [speaker, *aliases]}


@pytest.fixture
def directory() -> SpeakerDirectory:
    quotes = [quote("Elon Musk", "Musk", "Tesla’s CEO"), quote("Ariel Sharon", "Sharon"),
              quote("Yasser Arafat", "Arafat"), quote("Federal Government", "Government"),
              quote("Police"), quote("Sydney Swans", "Sydney")]
    return SpeakerDirectory(quotes, common_words=frozenset({"government"}))


@pytest.mark.parametrize(("question", "embedded"), [
    ("Why does Musk think Ukraine can't win?", "Why does he think Ukraine can't win?"),
    ("What was the result of Musk's poll?", "What was the result of his poll?"),
    # Only the first person named, the question's subject: "he call he" would say nothing.
    ("What did Sharon call Arafat?", "What did he call Arafat?"),
])
def test_the_first_person_named_becomes_he(directory, question, embedded):
    assert directory.pronoun_question(question) == embedded


@pytest.mark.parametrize("question", [
    "What did the Government say about refugees?",  # an organisation, and a word used in lower case
    "How many police were hurt?",  # one-word speakers are not people
    "How many homes were lost in Sydney?",  # an organisation's first word is not a surname
    "what did musk say?",  # names are matched as written, with a capital
])
def test_other_speakers_and_ordinary_words_are_kept(directory, question):
    assert directory.pronoun_question(question) is None


def test_a_surname_many_more_articles_use_does_not_stand_for_its_person():
    """A speaker surnamed France, quoted in one article, among 40 articles that write "France"."""
    quotes = [quote("Pierre France", "France"), {**quote("Elon Musk", "Musk"), "article": "b"}]
    counts = {"france": 40, "musk": 3}
    directory = SpeakerDirectory(quotes, articles_using=lambda word: counts.get(word, 0))
    assert directory.pronoun_question("What is the capital of France?") is None
    assert directory.pronoun_question("Who did Pierre France meet?") == "Who did he meet?"  # the full name
    assert directory.pronoun_question("Why does Musk think so?") == "Why does he think so?"
    # A question naming both: the first name that stands for its person is the one re-worded.
    assert directory.pronoun_question("Did France sell to Musk's firm?") == "Did France sell to his firm?"


def test_a_highlight_is_attributed_to_its_best_sentence_or_else_to_the_quotation_it_takes_in():
    """The best sentence, narration at [0, 40), is highlighted with the next one, Tom Avery's
    indirect quotation at [41, 100): the passage quotes him. A quotation in the best sentence itself
    comes first."""
    avery = {**quote("Tom Avery", "Avery"), "start": 41, "end": 100, "kind": "indirect"}
    directory = SpeakerDirectory([avery])
    assert directory.speaker_of_highlight("a", 1, best=(0, 40), highlight=(0, 100)) == "Tom Avery"
    assert directory.speaker_of_highlight("a", 1, best=(0, 40), highlight=(0, 40)) is None
    both = SpeakerDirectory([avery, {**quote("Mike DeWine"), "start": 0, "end": 40}])
    assert both.speaker_of_highlight("a", 1, best=(0, 40), highlight=(0, 100)) == "Mike DeWine"


def test_a_longer_name_only_another_server_quotes_does_not_hide_this_server_s_person():
    """Server A quotes "President Joe Biden", server B "Joe Biden": B's question is re-worded around
    the person B quotes, whatever A's articles say."""
    quotes = [{**quote("President Joe Biden"), "article": "a"}, {**quote("Joe Biden"), "article": "b"}]
    directory = SpeakerDirectory(quotes)
    in_b = directory.pronoun_question("Why did President Joe Biden veto the bill?", sees=lambda a: a == "b")
    alone = SpeakerDirectory([quotes[1]]).pronoun_question("Why did President Joe Biden veto the bill?")
    assert in_b == alone == "Why did President he veto the bill?"
    assert directory.is_person("Joe Biden", sees=lambda a: a == "b")
    assert not directory.is_person("President Joe Biden", sees=lambda a: a == "b")
