"""Question-type cues: which sentences hold the kind of fact a question asks for."""

import pytest

from index.answering.cues import cue_matches, kind_of_question


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
