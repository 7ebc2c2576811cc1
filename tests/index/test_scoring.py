"""Scoring beyond the nearest-neighbour search: a chosen passage's similarity is the model's own."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.answering import engine as engine_module
from index.answering.engine import Engine
from index.answering.loaded import load_index
from index.answering.scoring import Weights, best_first, complete_similarity, score_question
from index.building.build import rebuild
from index.store import CORRUPT, IndexUnavailable
from tests.conftest import CORPUS, make_settings

QUESTION = "When was Crimea annexed?"


def _scores(engine: Engine, question: str, candidates: int):
    vector = engine.encoder.encode_queries([question])[0]
    return score_question(engine.index, engine.speaker_directory, question, vector,
                          Weights(candidates=candidates)), vector


@pytest.mark.slow  # the real model
def test_a_paragraphs_units_are_stored_together_in_paragraph_order(seed_engine):
    # complete_similarity finds a paragraph's units by bisecting unit_paragraph.
    assert np.all(np.diff(seed_engine.index.unit_paragraph) >= 0)


@pytest.mark.slow  # the real model
def test_completed_similarities_equal_those_of_a_search_over_every_unit(seed_engine):
    everything = seed_engine.index.vectors.size
    full, _ = _scores(seed_engine, QUESTION, everything)
    narrow, vector = _scores(seed_engine, QUESTION, 3)
    rows = [int(r) for r in np.argsort(-full.paragraph)[:6]]
    sentences = [s for row in rows for s in seed_engine.index.sentence_rows_of[row]]
    assert not np.allclose(narrow.paragraph[rows], full.paragraph[rows])  # the search left some out

    assert complete_similarity(seed_engine.index, narrow, rows, vector, Weights(candidates=3))
    for part in ("dense_sentence", "sentence"):
        np.testing.assert_allclose(getattr(narrow, part)[sentences], getattr(full, part)[sentences], atol=1e-5)
    for part in ("dense_paragraph", "paragraph"):
        np.testing.assert_allclose(getattr(narrow, part)[rows], getattr(full, part)[rows], atol=1e-5)
    # Completed once, a paragraph is not read again.
    assert not complete_similarity(seed_engine.index, narrow, rows, vector, Weights(candidates=3))


@pytest.mark.slow  # the real model
def test_a_paragraph_that_may_never_be_quoted_stays_unquotable(seed_engine):
    narrow, vector = _scores(seed_engine, QUESTION, 3)
    row = int(np.argmax(narrow.paragraph))
    narrow.paragraph[row] = -np.inf  # as score_question marks another server's or a removed article's rows
    complete_similarity(seed_engine.index, narrow, [row], vector, Weights(candidates=3))
    assert narrow.paragraph[row] == -np.inf


@pytest.mark.parametrize("question", [QUESTION, "What was the result of Zelensky's poll?",
                                      "Why did the early peace talks fall apart?"])
@pytest.mark.slow  # the real model
def test_an_answer_beyond_the_searched_units_is_found_and_judged_on_its_own_similarity(seed_engine, question):
    """With only 3 of the seed's 100 units searched, the answers reach the candidates on their
    keywords; completed, they rank and are judged as with every unit searched."""
    narrow = Engine(seed_engine.index, seed_engine.encoder, seed_engine.settings, weights=Weights(candidates=3))
    full = seed_engine.answer(question)
    answer = narrow.answer(question)
    assert (answer.verdict, answer.passages[0].paragraph) == (full.verdict, full.passages[0].paragraph)


@pytest.mark.slow  # the real model
def test_without_completion_the_narrow_search_ranks_on_a_guess(seed_engine):
    """The test above fails with the rule off (checked: each of its questions changes)."""
    narrow = Engine(seed_engine.index, seed_engine.encoder, seed_engine.settings, weights=Weights(candidates=3))
    with mock.patch.object(engine_module, "COMPLETION_ROUNDS", 0):
        answer = narrow.answer(QUESTION)
    full = seed_engine.answer(QUESTION)
    assert (answer.verdict, answer.passages[0].paragraph) != (full.verdict, full.passages[0].paragraph)


@given(st.lists(st.sampled_from([-np.inf, -1.0, 0.0, 0.5, 0.5, 1.0, 2.0]), max_size=60), st.integers(1, 30))
def test_best_first_is_the_start_of_a_stable_sort(values, count):
    array = np.asarray(values, np.float32)
    assert best_first(array, count).tolist() == np.argsort(-array, kind="stable")[:count].tolist()


@pytest.mark.slow  # the real model
def test_a_caption_that_brings_in_its_body_paragraph_is_completed_too(seed_engine):
    """The seed's paragraph 3 is a caption restating paragraph 1: quoted for it, with its score, which
    must then be the caption's own similarity, not the guess for units the search left out."""
    question = "Why does Musk think Ukraine can't win?"
    narrow = Engine(seed_engine.index, seed_engine.encoder, seed_engine.settings, weights=Weights(candidates=10))
    full = seed_engine.answer(question, k=3)
    assert [p.paragraph for p in narrow.answer(question, k=3).passages] == [p.paragraph for p in full.passages]


def test_best_first_takes_the_tied_rows_at_the_cut_in_row_order():
    values = np.full(100_000, -np.inf, np.float32)
    values[[70, 5, 99_000]] = [0.5, 2.0, 0.5]
    values[1000:1400] = 0.25  # more rows tied at the cut than are taken
    expected = np.argsort(-values, kind="stable")[:200].tolist()
    assert best_first(values, 200).tolist() == expected
    assert best_first(values, 3).tolist() == [5, 70, 99_000]


@pytest.mark.slow  # the real model
def test_an_index_whose_units_are_not_stored_paragraph_by_paragraph_is_refused(tmp_path, encoder):
    settings = make_settings(tmp_path, CORPUS)
    rebuild(settings, encoder=encoder)
    segment = next((settings.index_dir.parent / f"{settings.index_dir.name}.builds" / "segments").iterdir())
    path = segment / "unit_paragraph.npy"
    rows = np.load(path)
    rows[[0, -1]] = rows[[-1, 0]]  # same size, same kind of values: only the order is wrong
    np.save(path, rows)
    with pytest.raises(IndexUnavailable) as refused:
        load_index(settings.index_dir)
    assert refused.value.state == CORRUPT


def test_a_widened_units_similarity_counts_at_its_weight_and_any_other_at_full():
    from types import SimpleNamespace

    from index.answering.loaded import UNIT_KIND_CODES
    from index.answering.scoring import _weighted_by_kind
    from index.kinds import CONTEXT, ENTITY, PARAGRAPH, SENTENCE

    kinds = [SENTENCE, PARAGRAPH, CONTEXT, ENTITY]
    index = SimpleNamespace(unit_kind=np.asarray([UNIT_KIND_CODES[kind] for kind in kinds], np.int8))
    weighted = _weighted_by_kind(index, np.arange(4), np.ones(4, np.float32), Weights(widened_sentence=0.5))
    assert weighted.tolist() == [1.0, 1.0, 0.5, 0.5]
