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
