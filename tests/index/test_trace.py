"""Explain: the trace is the engine's own numbers, names the rule that declines, and costs nothing unasked."""

import json

import numpy as np
import pytest

from index.answering import Trace, trace_text
from index.answering.declining import NAME_ONLY_MARGIN, NO_CANDIDATE, ONLY_THE_NAMES, TOO_FAR
from index.answering.trace import EMPTY_QUESTION, TOP_PASSAGES
from tests.index.test_cli import run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("question", ["Who told Musk to f*** off?", "Who is the Kremlin spokesman?",
                                      "How many people voted in Musk's Twitter poll?", "Was sagte Peskow?"])
def test_the_parts_add_up_to_the_scores_the_engine_quoted_with(seed_engine, question):
    answer, trace = seed_engine.explain(question)
    assert answer.answered and trace.declined_by is None
    assert len(trace.top) == TOP_PASSAGES
    for passage in trace.top:
        assert sum(passage.parts.values()) == pytest.approx(passage.score, abs=1e-5)
    # The ranking is the engine's: the passages it quoted, in its order, with the scores it quoted them with.
    quoted = [(p.article, p.paragraph, p.score) for p in answer.passages + answer.more]
    assert [(p.article, p.paragraph, p.score) for p in trace.ranking] == quoted
    assert trace.quoted == len(answer.passages)
    # Each ranked passage among the top ones carries the very score of its own paragraph, or of the
    # caption it is quoted for.
    by_place = {(p.article, p.paragraph): p for p in trace.top}
    for ranked in trace.ranking:
        scored = by_place.get((ranked.article, ranked.caption or ranked.paragraph))
        if scored is not None:
            assert scored.score == ranked.score


def test_a_caption_is_shown_with_the_body_paragraph_quoted_for_it(seed_engine):
    answer, trace = seed_engine.explain("Who told Musk to f*** off?")
    caption = trace.top[0]
    assert caption.kind == "caption" and "restates" in caption.note
    assert (trace.ranking[0].paragraph, trace.ranking[0].caption) == (21, caption.paragraph)
    assert sum(caption.parts.values()) == pytest.approx(answer.passages[0].score, abs=1e-5)
    assert caption.parts["caption"] == -seed_engine.weights.caption


def test_the_parts_are_the_engines_arrays_not_a_recomputation(seed_engine):
    """Weights changed on the engine change the trace with them: it reads what the engine summed."""
    from dataclasses import replace

    from index.answering.engine import Engine

    heavier = Engine(seed_engine.index, seed_engine.encoder, seed_engine.settings,
                     replace(seed_engine.weights, article_bm25=0.9))
    answer, trace = heavier.explain("Who is the Kremlin spokesman?")
    assert trace.weights["article_bm25"] == 0.9
    assert all(sum(p.parts.values()) == pytest.approx(p.score, abs=1e-5) for p in trace.top)
    assert trace.ranking[0].score == answer.passages[0].score


def test_an_off_topic_question_names_the_rule_that_declined_it(seed_engine):
    answer, trace = seed_engine.explain("How do I bake sourdough bread?")
    assert not answer.answered and trace.declined_by == TOO_FAR and trace.quoted == 0
    [too_far] = [rule for rule in trace.rules if rule.rule == TOO_FAR]
    assert too_far.declines and too_far.value < too_far.threshold == seed_engine.settings.min_relevance
    assert "declined by the rule “too far”" in trace_text(trace)


def test_every_rule_is_checked_also_after_the_first_that_declines(seed_engine):
    """"What is the capital of France?" is too far, and would also be declined for sharing only a name."""
    answer, trace = seed_engine.explain("What is the capital of France?")
    assert not answer.answered and trace.declined_by == TOO_FAR
    assert [rule.rule for rule in trace.rules] == [NO_CANDIDATE, TOO_FAR, ONLY_THE_NAMES]
    only_names = trace.rules[-1]
    assert only_names.declines and only_names.value > only_names.threshold == NAME_ONLY_MARGIN


def test_a_rule_that_declines_alone_is_named(seed_engine):
    """With no relevance bound, the name rule is the one that declines: the same verdict as the engine's."""
    from index.answering.engine import Engine

    lenient = Engine(seed_engine.index, seed_engine.encoder,
                     seed_engine.settings.model_copy(update={"min_relevance": -1.0}), seed_engine.weights)
    answer, trace = lenient.explain("What is the capital of France?")
    assert not answer.answered and trace.declined_by == ONLY_THE_NAMES
    assert [rule.declines for rule in trace.rules] == [False, False, True]


def test_a_question_in_another_language_shows_the_discount(seed_engine):
    answer, trace = seed_engine.explain("Was sagte Peskow?")
    assert answer.answered and not trace.lexical
    [too_far] = [rule for rule in trace.rules if rule.rule == TOO_FAR]
    assert too_far.threshold == pytest.approx(seed_engine.settings.min_relevance - 0.12)
    assert "another language" in too_far.note
    assert all(p.parts["sentence_bm25"] == 0 and p.parts["cue"] == 0 for p in trace.top)


def test_an_article_outside_the_names_is_skipped_with_the_reason(seed_engine):
    """Paragraphs are scored but not quoted when their article never mentions the question's names."""
    answer, trace = seed_engine.explain("What did Macron say about the poll?")
    assert not answer.answered and trace.declined_by == NO_CANDIDATE
    assert trace.top and all("does not mention macron" in (p.note or "") for p in trace.top)
    assert trace.ranking == []


def test_an_empty_question_is_declined_as_empty(seed_engine):
    answer, trace = seed_engine.explain(" . ")
    assert not answer.answered and trace.declined_by == EMPTY_QUESTION and trace.top == []
    assert "empty question" in trace_text(trace)


def test_answers_are_the_same_with_and_without_a_trace(seed_engine):
    questions = ["Who told Musk to f*** off?", "What is the capital of France?", "Who is the Kremlin spokesman?"]
    plain = seed_engine.answer_many(questions)
    traced = seed_engine.answer_many(questions, traces=[Trace() for _ in questions])
    assert plain == traced
    with pytest.raises(ValueError, match="2 traces for 3 questions"):
        seed_engine.answer_many(questions, traces=[Trace(), Trace()])


def test_no_trace_no_work(seed_engine, monkeypatch):
    """Unasked, the engine stops at the first rule that declines and builds no trace."""
    from index.answering import trace as trace_module

    def refuse(*args, **kwargs):
        raise AssertionError("a trace was built without being asked for")

    monkeypatch.setattr(trace_module.Trace, "decided", refuse)
    monkeypatch.setattr(trace_module.Trace, "check", refuse)
    assert not seed_engine.answer("What is the capital of France?").answered
    assert np.isfinite(seed_engine.answer("Who is the Kremlin spokesman?").passages[0].score)


def test_ask_explain_json_and_text(seed_settings):
    result = run(seed_settings, "ask", "--explain", "--json", "Who is the Kremlin spokesman?",
                 "How do I bake sourdough bread?")
    assert result.returncode == 0, result.stderr
    answered, declined = (json.loads(line) for line in result.stdout.splitlines())
    assert answered["answered"] and answered["trace"]["declined_by"] is None
    top = answered["trace"]["top"][0]
    assert sum(top["parts"].values()) == pytest.approx(top["score"], abs=1e-3)
    assert set(top["parts"]) == {"dense_sentence", "sentence_bm25", "cue", "speaker", "novelty", "dense_paragraph",
                                 "paragraph_bm25", "caption", "article_bm25"}
    assert declined["trace"]["declined_by"] == TOO_FAR
    assert [r["rule"] for r in declined["trace"]["rules"]] == [NO_CANDIDATE, TOO_FAR, ONLY_THE_NAMES]

    text = run(seed_settings, "ask", "--explain", "How do I bake sourdough bread?").stdout
    assert "verdict: declined by the rule “too far”" in text
    assert "too far: relevance " in text and "DECLINES" in text
    assert " dense + " in text  # the parts, as a sum

    without = run(seed_settings, "ask", "--json", "Who is the Kremlin spokesman?").stdout
    assert "trace" not in json.loads(without)


def test_the_ranking_heading_says_how_many_are_quoted():
    from index.answering import RankedPassage, ranking_heading

    ranked = [RankedPassage("a", n, 1.0) for n in range(3)]
    assert ranking_heading(Trace(ranking=ranked, quoted=1)) == \
        "ranking (the first passage quoted, the rest under “More passages”)"
    assert ranking_heading(Trace(ranking=ranked, quoted=2)).startswith("ranking (the first 2 quoted")
    assert ranking_heading(Trace(ranking=ranked, quoted=3)) == "ranking (all quoted)"
    assert ranking_heading(Trace(ranking=ranked, quoted=0, declined_by=TOO_FAR)) == "ranking (none quoted)"


def test_the_trace_carries_the_engines_verdict_and_its_evidence(seed_engine):
    answer, trace = seed_engine.explain("Who told Musk to f*** off?")
    assert trace.verdict == answer.verdict and trace.confidence == answer.confidence
    assert trace.evidence == answer.evidence.as_dict()
    assert f"verdict {answer.verdict} (confidence {answer.confidence:.2f}" in trace_text(trace)
    declined, declined_trace = seed_engine.explain("What is the capital of France?")
    assert declined.verdict == "none" and declined_trace.verdict is None and not declined_trace.evidence
