"""Follow-ups: the pure rewrite, the context an answer gives, and the engine's answer to both."""

from index.answering.answer import Answer, QuotedPassage
from index.answering.followup import FollowupContext, followup_context, name_runs, rewrite_followup

MELNYK = FollowupContext(person="Andrij Melnyk", thing="Tesla")


def passage(speaker, text="Ukraine’s ambassador Andrij Melnyk slammed Musk."):
    return QuotedPassage("musk-peace-deal", None, 21, text, ((0, len(text)),), 1.0, "body", speaker)


def test_a_pronoun_becomes_the_person_or_thing_the_first_answer_is_about():
    assert rewrite_followup("What else did he say?", MELNYK, False) == "What else did Andrij Melnyk say?"
    assert rewrite_followup("What is his job?", MELNYK, False) == "What is Andrij Melnyk's job?"
    assert rewrite_followup("Who sells it?", MELNYK, False) == "Who sells Tesla?"
    assert rewrite_followup("What did Musk tell her?", MELNYK, False) == "What did Musk tell Andrij Melnyk?"
    assert rewrite_followup("What were her words?", MELNYK, False) == "What were Andrij Melnyk's words?"
    # Only the first pronoun: the rest read as the story reads once the person is introduced.
    assert rewrite_followup("Did he say it twice?", MELNYK, False) == "Did Andrij Melnyk say it twice?"


def test_a_followup_that_names_a_person_or_has_nothing_to_refer_to_is_left_as_written():
    assert rewrite_followup("What did he tell Peskov?", MELNYK, True) == "What did he tell Peskov?"
    assert rewrite_followup("What else did he say?", FollowupContext(), False) == "What else did he say?"
    assert rewrite_followup("Why did they fall apart?", MELNYK, False) == "Why did they fall apart?"
    assert rewrite_followup("Where is the helmet?", MELNYK, False) == "Where is the helmet?"  # no "he" inside words


def test_the_context_is_the_first_passage_s_speaker_else_the_named_person_else_the_one_the_answer_names():
    people = {"Andrij Melnyk", "Melnyk", "Rajesh Patel", "Elon Musk", "Musk"}.__contains__
    answer = Answer("q", True, (passage("Andrij Melnyk"), passage("Elon Musk")))
    assert followup_context("Who told Musk off?", answer, "musk-peace-deal", people) == \
        FollowupContext("musk-peace-deal", "Andrij Melnyk", None)
    # The second passage's speaker is not what the answer is about.
    unattributed = Answer("q", True, (passage(None, "The opposition leader, Rajesh Patel, said …"),
                                      passage("Andrij Melnyk")))
    assert followup_context("Who is the opposition leader?", unattributed, None, people).person == "Rajesh Patel"
    assert followup_context("What did Musk propose for Crimea?", Answer("q", False), None, people) == \
        FollowupContext(None, "Musk", "Crimea")


def test_name_runs_are_capitalised_words_together_without_a_possessive():
    assert name_runs("What did Ohio's governor Mike DeWine say?") == ["Ohio", "Mike DeWine"]
    assert name_runs("Ohio’s governor said", first_word=True) == ["Ohio"]


def test_the_engine_answers_a_followup_about_the_first_answer_s_speaker(seed_engine):
    first = seed_engine.answer("Who told Musk to f*** off?")
    context = seed_engine.followup_context("Who told Musk to f*** off?", first)
    rewritten = seed_engine.rewrite_followup("What did he say about Tesla?", context)
    assert rewritten == "What did Andrij Melnyk say about Tesla?"
    assert "Tesla crap" in seed_engine.answer(rewritten).passages[0].text
    # A follow-up naming someone the articles quote keeps its words.
    assert seed_engine.rewrite_followup("What did he tell Peskov?", context) == "What did he tell Peskov?"
