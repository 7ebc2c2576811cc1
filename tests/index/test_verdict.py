"""The three verdicts: answer, related (passages worth reading, none known to answer), none."""

import dataclasses

import numpy as np
import pytest

from index.answering import Answer
from index.answering.engine import Engine
from index.answering.evaluate import Case, VerdictCounts
from index.answering.verdict import Evidence, VerdictModel, VerdictModels, shipped_models


def always(threshold: float, features: tuple[str, ...] = ("relevance",)) -> VerdictModel:
    """A model whose probability is 0.5 for any evidence: threshold 0 gives `answer`, above 0.5 `related`."""
    zeros = np.zeros(len(features))
    return VerdictModel(features, zeros, np.ones(len(features)), zeros, 0.0, threshold)


def test_verdict_follows_answered_unless_given_and_must_agree_with_it():
    assert Answer("q", False).verdict == "none"
    assert Answer("q", True).verdict == "answer"
    assert Answer("q", True, verdict="related").related_only
    with pytest.raises(ValueError):
        Answer("q", True, verdict="none")
    with pytest.raises(ValueError):
        Answer("q", False, verdict="related")


def test_as_dict_adds_verdict_and_confidence_and_keeps_every_other_key():
    row = Answer("q", True, verdict="related", confidence=0.123456).as_dict()
    assert row == {"question": "q", "answered": True, "verdict": "related", "confidence": 0.1235, "passages": []}
    assert Answer("q", False).as_dict()["confidence"] is None


def test_counts_give_precision_over_answer_verdicts_and_coverage_over_answerable_questions():
    counts = VerdictCounts()
    counts.add(True, "answer", True)
    counts.add(True, "answer", False)  # answerable, but the first passage is not the answer
    counts.add(True, "related", False)
    counts.add(False, "answer", False)
    counts.add(False, "related", False)
    counts.add(False, "none", False)
    assert (counts.answer, counts.related, counts.none) == (3, 2, 1)
    assert counts.precision == pytest.approx(1 / 3) and counts.coverage == pytest.approx(2 / 3)
    assert counts.kept_from_answer == 2


def test_shipped_coefficients_read_the_evidence_the_engine_gathers():
    models = shipped_models()
    fields = {f.name for f in dataclasses.fields(Evidence)}
    for model in (models.english, models.foreign):
        assert set(model.features) <= fields
        assert len(model.weights) == len(model.mean) == len(model.scale) == len(model.features)
        assert 0.0 < model.threshold < 1.0 and np.all(model.scale > 0)


@pytest.mark.slow
def test_a_question_in_another_language_is_judged_by_the_model_for_foreign_questions(seed_engine, seed_settings):
    engine = Engine(seed_engine.index, seed_engine.encoder, seed_settings,
                    verdicts=VerdictModels(english=always(0.0), foreign=always(0.9)))
    english, german, off_topic = engine.answer_many(["How did the Kremlin react to Musk's plan?",
                                                     "Wie hat der Kreml auf Musks Plan reagiert?",
                                                     "Wie backe ich ein Sauerteigbrot?"])
    assert english.verdict == "answer" and german.verdict == "related"
    assert german.passages and german.confidence == pytest.approx(0.5)
    assert off_topic.verdict == "none"  # too far for either: declined before any verdict


@pytest.mark.slow
def test_seed_questions_keep_their_verdicts(seed_engine):
    """The four unanswerable seed questions stay `none`; of the answerable ones only "How long has the
    war lasted?" (its highlighted sentence far from it, no keyword shared) drops to `related`."""
    from index.answering.evaluate import read_cases
    from tests.conftest import EVAL

    cases: list[Case] = read_cases(EVAL)
    answers = seed_engine.answer_many([c.question for c in cases])
    assert [a.verdict for c, a in zip(cases, answers, strict=True) if not c.answerable] == ["none"] * 4
    answerable = [a.verdict for c, a in zip(cases, answers, strict=True) if c.answerable]
    assert answerable.count("answer") >= len(answerable) - 1


def test_damaged_coefficients_are_named_with_the_fix(tmp_path, monkeypatch):
    damaged = tmp_path / "verdict_model.json"
    damaged.write_text('{"english": {"features": [', encoding="utf-8")
    monkeypatch.setattr("index.answering.verdict.MODEL_FILE", damaged)
    shipped_models.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"verdict_model\.json: unreadable verdict coefficients .*fit_verdict"):
            shipped_models()
    finally:
        monkeypatch.undo()
        shipped_models.cache_clear()
    assert shipped_models().english.threshold > 0


def test_probability_stays_in_range_for_any_evidence():
    model = VerdictModel(("margin",), np.zeros(1), np.full(1, 1e-3), np.ones(1), 0.0, 0.5)
    values = dict.fromkeys((f.name for f in dataclasses.fields(Evidence)), 0.0)
    assert model.probability(Evidence(**{**values, "margin": -1e6})) == 0.0
    assert model.probability(Evidence(**{**values, "margin": 1e6})) == 1.0


def test_a_who_question_finds_its_answer_type_in_a_full_name():
    # The verdict reads a person's name as the answer to "who", though scoring has no person cue:
    # the flagship question stays `answer` with it (and drops to `related` without).
    from index.answering.verdict import _holds_kind

    assert _holds_kind("person", "Ukraine’s ambassador to Germany Andrij Melnyk slammed Musk.")
    assert not _holds_kind("person", "The ambassador slammed him online.")
    assert not _holds_kind("person", "Officials met on Tuesday.")


@pytest.mark.parametrize(("values", "lead"), [
    ([0.5, 0.9, 0.2], 0.4),  # the best in the middle, the next before it
    ([0.9, 0.2, 0.5], 0.4),  # first
    ([0.2, 0.5, 0.9], 0.4),  # last
    ([0.7, 0.3, 0.7], 0.0),  # a tie leads by nothing
    ([0.4], 1.0),  # nothing to lead
])
def test_the_dense_lead_is_how_far_the_best_paragraph_leads_the_next(values, lead):
    from index.answering.verdict import _lead
    assert _lead(np.asarray(values, np.float32)) == pytest.approx(lead, abs=1e-6)
