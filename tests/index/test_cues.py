"""Question-type cues: which sentences hold the kind of fact a question asks for."""

import pytest

from index.cues import cue_matches, question_kind


@pytest.mark.parametrize(("question", "kind"), [
    ("How long has the war lasted?", "duration"),
    ("How many people voted?", "quantity"),
    ("What was the result of the vote?", "quantity"),
    ("When was Crimea annexed?", "time"),
    ("Why did the talks fail?", "reason"),
    ("Who is the spokesman?", "person"),
    ("What did Musk say?", None),
])
def test_question_kind(question, kind):
    assert question_kind(question) == kind


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
    ("Crimea has been recognised as Ukrainian since 2014.", True),
    ("The damage is the worst in forty years.", False),  # dates a comparison, says nothing of length
    ("The war could end if Russia withdrew.", False),
])
def test_duration_cue(sentence, holds):
    assert cue_matches("duration", sentence) is holds
