"""Question-type cues: which sentences hold the kind of fact a question asks for."""

import pytest

from index.answering.cues import cue_matches, highlight_kind, kind_of_question, question_words, states_new_fact


@pytest.mark.parametrize(("question", "kind"), [
    ("How long has the war lasted?", "duration"),
    ("How many people voted?", "quantity"),
    ("What was the result of the vote?", "quantity"),
    ("When was Crimea annexed?", "time"),
    ("Why did the talks fail?", "reason"),
    ("Who is the spokesman?", "person"),
    ("What did Musk say?", None),
    ("Who was killed when the tanks came in?", "person"),  # the first question word decides
    ("How many people voted when the poll closed?", "quantity"),
    ("How long is the war expected to last?", "duration"),
])
def test_kind_of_question(question, kind):
    assert kind_of_question(question) == kind


@pytest.mark.parametrize(("sentence", "holds"), [
    ("One person died and 40 were hurt.", True),
    ("The overwhelming majority (almost 80 percent) voted yes.", True),
    ("It cost $44 billion.", True),
    ("Responding to one of the accounts, he lamented the result.", False),  # a pronoun, not a count
    ("No one has seen seas like that.", False),
    ("He provided no evidence.", False),
])
def test_quantity_cue(sentence, holds):
    assert cue_matches("quantity", sentence) is holds


@pytest.mark.parametrize(("sentence", "holds"), [
    ("Russia's seven-month-old conflict with Ukraine.", True),
    ("The harbour is closed for at least a week.", True),
    ("After a three-hour-long debate, they voted.", True),
    ("He says the operation could take several months.", True),
    ("Crimea has been recognised as Ukrainian since 2014.", True),
    ("The damage is the worst in forty years.", False),  # dates a comparison, says nothing of length
    ("The war could end if Russia withdrew.", False),
])
def test_duration_cue(sentence, holds):
    assert cue_matches("duration", sentence) is holds


@pytest.mark.parametrize(("sentence", "holds"), [
    ("The ferries stopped because the wind rose.", True),
    ("The ferries stopped at noon.", False),
])
def test_reason_cue(sentence, holds):
    assert cue_matches("reason", sentence) is holds


@pytest.mark.parametrize(("question", "kind"), [
    ("How long did Assa Abloy take to reach Hobart?", "duration"),
    ("how many of the $5 tickets is virgin putting up?", "quantity"),
    ("when do you have to fly to get the cheap fares?", "time"),
    ("where did they finally catch the guy with a gun?", "place"),
    ("Who stopped him where he boarded?", None),  # a person question: the highlight looks for no fact
    ("Why did the ferries stop?", None),
])
def test_what_the_highlight_looks_for(question, kind):
    assert highlight_kind(question) == kind


@pytest.mark.parametrize(("kind", "question", "sentence", "states"), [
    ("duration", "How long did it take?", "It crossed the line two days and 21 hours after the start.", True),
    ("quantity", "How many $5 flights?", "Virgin Blue is offering $5 flights to five cities.", True),  # five
    ("quantity", "How many $5 flights to five cities?", "Virgin Blue is offering $5 flights to five cities.", False),
    ("quantity", "How many $5 flights to five cities?", "The airline put up 10,000 seats.", True),
    ("time", "When did it leave Sydney in December?", "It left Sydney in December.", False),
    ("time", "when is that regional summit in nepal happening", "He will go to a summit in Nepal next week.", True),
    ("time", "When will the pier open?", "The pier opens tomorrow.", True),
    ("place", "Where did police stop him?", "He was stopped at Memphis airport.", True),
    ("place", "Where in Memphis did police stop him?", "He was stopped in Memphis.", False),
])
def test_a_fact_the_question_already_states_is_no_answer(kind, question, sentence, states):
    assert states_new_fact(kind, question_words(question), sentence) is states


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", ["1 " * 20_000, "1," * 50_000, "two " * 20_000 + "days", "1 and " * 10_000 + "days",
                                  "In " * 20_000 + "Memphis", "In Memphis " * 10_000, "this " * 20_000 + "week"])
@pytest.mark.parametrize("kind", ["quantity", "time", "duration", "place"])
def test_what_the_highlight_looks_for_is_read_in_linear_time(kind, text):
    """A sentence of nothing but numbers took 14 s ("1 " × 8,000) and 147 s ("1," × 50,000) to read
    for an amount of time, with the repetitions unbounded; now well under a second."""
    states_new_fact(kind, question_words("How long did it take?"), text)


@pytest.mark.parametrize(("kind", "sentence", "states"), [
    ("quantity", "The G20 met in Osaka.", False),  # "20" is no number of its own
    ("quantity", "One person died.", True),
    ("duration", "One day he hopes to sail.", False),
    ("time", "Tomorrow the summit will start.", True),  # at a sentence's opening too
    ("place", "In Memphis, police held him.", True),
    ("place", "The fares start in March.", False),  # a month is a time
    ("place", "He told Reuters so.", False),
])
def test_the_facts_as_sentences_open_and_as_names_are_written(kind, sentence, states):
    assert states_new_fact(kind, question_words("how many, when, how long, where?"), sentence) is states


def test_a_when_inside_a_question_asks_for_no_time():
    assert highlight_kind("What did Howard say when asked about the election?") is None
    assert highlight_kind("In what year did the bridge open?") == "time"
