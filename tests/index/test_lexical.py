import functools
import re
from pathlib import Path

import bm25s
import numpy as np
import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from index.answering import lexical
from index.answering.lexical import Bm25, count_terms
from index.answering.term_counts import DocumentsWithTerm, StackedCounts, TermCounts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"abcXYZ éüß’'-_.,!?09\n", "the ", "running ", "Musk’s ", "don't ",
                                 "co-operation ", "2,000 ", "poll ", "It ", "AND "]), max_size=40).map("".join))
def test_query_terms_match_bm25s_tokenize(text):
    expected = bm25s.tokenize([text], stopwords="en", stemmer=Stemmer.Stemmer("english"), return_ids=False,
                              show_progress=False)[0]
    assert Bm25([]).terms(text) == expected


def test_question_words_are_not_search_terms():
    index = Bm25(["How many potholes are there in the borough?"])
    assert index.query_terms("How many potholes are there?") == ["pothol"]
    # Auxiliaries and pronouns say nothing about the topic; bm25s's short stop list keeps them.
    assert index.query_terms("How long has the war lasted?") == ["war", "last"]
    assert index.query_terms("What did Zelensky ask in his poll?") == ["zelenski", "ask", "poll"]


# Scores from raw term counts (issue #16: index segments keep counts, statistics are combined at load).

_ROOT = Path(__file__).resolve().parents[2]
_QUESTIONS = ["How many people were evacuated from Hill Top?", "What did Musk say about the peace deal?",
              "Who won the cricket test in Adelaide?", "bushfire fire fire Sydney winds",
              "What did the Kremlin say about Ukraine and Crimea?", "zzzz unknownword Qantas"]


@functools.cache
def _stories() -> tuple[str, ...]:
    files = sorted((_ROOT / "tests/fixtures/lee").glob("*.txt")) + sorted((_ROOT / "corpus").glob("*.md"))
    return tuple(f.read_text(encoding="utf-8") for f in files)


@functools.cache
def _sentences() -> tuple[str, ...]:
    return tuple(s for story in _stories() for s in re.split(r"(?<=[.!?])\s+|\n+", story) if s.strip())


def _bm25s_scores(texts, terms):
    """What bm25s's default BM25 gives: the reference the scores from counts must equal."""
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(texts), stopwords="en", stemmer=Stemmer.Stemmer("english"),
                                   show_progress=False), show_progress=False)
    known = [t for t in terms if t in retriever.vocab_dict]
    return retriever.get_scores(known) if known else np.zeros(len(texts), np.float32)


def _entries(counts: TermCounts) -> dict[tuple[int, str], int]:
    """The counts as {(document, term): count}, after checking the CSC layout is sound."""
    assert counts.indptr[0] == 0 and np.all(np.diff(counts.indptr) >= 0)
    for column in range(len(counts.terms)):
        rows = counts.rows[counts.indptr[column]:counts.indptr[column + 1]]
        assert np.all(np.diff(rows) > 0), "rows must ascend within a column"
    assert np.all(counts.counts > 0) and np.all(counts.rows < counts.n_docs)
    columns = counts.posting_columns()
    return {(int(r), counts.terms[c]): int(n) for r, c, n in zip(counts.rows, columns, counts.counts, strict=True)}


def _same_counts(a: TermCounts, b: TermCounts) -> None:
    assert _entries(a) == _entries(b)
    assert np.array_equal(a.lengths, b.lengths)
    assert np.array_equal(a.distinct_terms, b.distinct_terms)


@pytest.mark.parametrize("unit", ["sentences", "stories"])
def test_scores_from_counts_equal_bm25s(unit):
    texts = _sentences() if unit == "sentences" else _stories()
    index = Bm25.from_counts(count_terms(texts))
    for question in _QUESTIONS:
        terms = index.query_terms(question)
        assert np.array_equal(index.scores(question), _bm25s_scores(texts, terms)), question
    assert np.array_equal(Bm25(texts).scores(_QUESTIONS[0]), index.scores(_QUESTIONS[0]))


def test_a_term_asked_twice_counts_twice_as_in_bm25s():
    texts = _sentences()
    terms = ["fire", "fire", "sydney"]
    assert np.array_equal(Bm25(texts).scores("", terms), _bm25s_scores(texts, terms))
    assert not np.array_equal(Bm25(texts).scores("", terms), Bm25(texts).scores("", ["fire", "sydney"]))


def test_counting_in_chunks_gives_the_counts_of_one_pass(monkeypatch):
    texts = [*_stories(), *_sentences(), ""]
    whole = count_terms(texts)
    monkeypatch.setattr(lexical, "COUNTING_CHUNK", 3)
    chunked = count_terms(iter(texts))
    assert chunked.terms == whole.terms
    for name in ("indptr", "rows", "counts", "lengths", "distinct_terms"):
        assert np.array_equal(getattr(chunked, name), getattr(whole, name)), name


def test_counts_of_two_halves_concatenated_equal_counts_of_the_whole():
    texts = _sentences()
    half = len(texts) // 2
    first, second = count_terms(texts[:half]), count_terms(texts[half:])
    whole = TermCounts.concat([first, second])
    _same_counts(whole, count_terms(texts))
    assert len(whole.terms) == len(set(whole.terms))
    for question in _QUESTIONS:
        expected = _bm25s_scores(texts, Bm25().query_terms(question))
        assert np.array_equal(Bm25.from_counts(whole).scores(question), expected)
        # Read as segments, without concatenating: the same statistics, the same scores.
        assert np.array_equal(Bm25.from_counts([first, second]).scores(question), expected)


def test_deleted_documents_count_in_no_statistic():
    texts = _sentences()
    live = np.random.default_rng(16).random(len(texts)) < 0.7
    kept = [t for t, alive in zip(texts, live, strict=True) if alive]
    selected = count_terms(texts).select(live)
    _same_counts(selected, count_terms(kept))
    assert sorted(selected.terms) == sorted(count_terms(kept).terms)  # no term of deleted documents only
    half = len(texts) // 2
    segments = [count_terms(texts[:half]), count_terms(texts[half:])]
    for question in _QUESTIONS:
        expected = _bm25s_scores(kept, Bm25().query_terms(question))
        for counts in (count_terms(texts), segments):
            scores = Bm25.from_counts(counts, live=live).scores(question)
            assert np.array_equal(scores[live], expected), question
            assert not scores[~live].any()


def test_counts_saved_and_loaded_memory_mapped(tmp_path):
    texts = _sentences()
    counts = count_terms(texts)
    counts.save(tmp_path / "sentences")
    loaded = TermCounts.load(tmp_path / "sentences")
    assert isinstance(loaded.rows, np.memmap) and not loaded.rows.flags.writeable
    _same_counts(loaded, counts)
    assert loaded.terms == counts.terms
    for question in _QUESTIONS:
        assert np.array_equal(Bm25.from_counts(loaded).scores(question), Bm25(texts).scores(question))
    _same_counts(TermCounts.load(tmp_path / "sentences", mmap=False), counts)


def test_unreadable_counts_are_refused_in_one_line(tmp_path):
    count_terms(["Hill Top was evacuated."]).save(tmp_path)
    (tmp_path / "rows.npy").unlink()
    with pytest.raises(ValueError, match="cannot read term counts"):
        TermCounts.load(tmp_path)


def test_an_empty_segment_changes_nothing(tmp_path):
    texts = _sentences()[:50]
    counts = count_terms(texts)
    empty = count_terms([])
    empty.save(tmp_path / "empty")
    empty = TermCounts.load(tmp_path / "empty")
    assert empty.n_docs == 0 and not empty.terms
    _same_counts(TermCounts.concat([empty, counts, empty]), counts)
    question = "How many people were evacuated from Hill Top?"
    assert np.array_equal(Bm25.from_counts([empty, counts, empty]).scores(question), Bm25(texts).scores(question))
    assert Bm25.from_counts([empty, counts, empty]).n_docs == len(texts)
    assert Bm25.from_counts(empty).scores(question).shape == (0,)
    assert Bm25([]).scores(question).shape == (0,)
    assert not Bm25.from_counts(counts, live=np.zeros(len(texts), bool)).scores(question).any()


def test_texts_of_stop_words_only_score_zero():
    # bm25s itself cannot index these (an empty vocabulary); the counts can.
    assert not Bm25(["The", "and it was"]).scores("", ["the", "wa"]).any()


def test_unknown_query_terms_add_nothing():
    index = Bm25(_sentences())
    assert not index.scores("", ["zzzz", "qwertyuiop"]).any()
    assert np.array_equal(index.scores("", ["zzzz", "fire", "qwertyuiop"]), index.scores("", ["fire"]))


def test_novelty_statistics_come_from_the_counts_without_tokenising_again():
    texts = _sentences()
    half = len(texts) // 2
    segments = [count_terms(texts[:half]), count_terms(texts[half:])]
    term_sets = [set(Bm25().terms(t)) for t in texts]
    # What loaded.py computes by tokenising every sentence again.
    rows_of: dict[str, list[int]] = {}
    for row, terms in enumerate(term_sets):
        for term in terms:
            rows_of.setdefault(term, []).append(row)
    assert np.array_equal(StackedCounts(segments).distinct_terms, [len(t) for t in term_sets])
    with_term = DocumentsWithTerm(segments)
    assert set(with_term) == set(rows_of) and len(with_term) == len(rows_of)
    for term, rows in rows_of.items():
        assert np.array_equal(with_term[term], rows), term
    assert with_term.get("zzzz") is None and "zzzz" not in with_term


_WORDS = ["fire", "fires", "Sydney", "the", "Hill", "Top", "evacuated", "residents", "winds", "it", "a1", "x"]


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join), min_size=1, max_size=12),
       data=st.data())
def test_any_split_and_deletion_score_as_bm25s_over_the_live_texts(texts, data):
    cut = data.draw(st.integers(0, len(texts)))
    live = np.asarray(data.draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts))))
    kept = [t for t, alive in zip(texts, live, strict=True) if alive]
    terms = data.draw(st.lists(st.sampled_from(["fire", "sydney", "hill", "evacu", "zzz", "a1"]), max_size=4))
    if not any(Bm25().terms(t) for t in kept):
        return  # bm25s cannot index texts without a term
    scores = Bm25.from_counts([count_terms(texts[:cut]), count_terms(texts[cut:])], live=live).scores("", terms)
    assert np.array_equal(scores[live], _bm25s_scores(kept, terms))
    assert not scores[~live].any()


def test_scores_stay_the_same_when_the_kept_term_scores_are_dropped(monkeypatch):
    monkeypatch.setattr(lexical, "_SCORED_POSTINGS_KEPT", 50)
    texts = _sentences()
    index = Bm25(texts)
    for question in _QUESTIONS * 2:
        assert np.array_equal(index.scores(question), _bm25s_scores(texts, index.query_terms(question))), question
    kept = sum(len(rows) for rows, _ in index._scored.values())
    assert kept <= 50 or len(index._scored) == 1, "the kept scores must stay within their bound"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*"abcXYZ éüß’'-_.,!?09\n\0ΣΟΔ", "ΟΔΟΣ ", "the ", "running ", "Musk’s ",
                                          "don't ", "2,000 ", "İstanbul ", "It ", "AND "]), max_size=30).map("".join),
                max_size=6))
def test_counting_all_texts_at_once_tokenises_each_as_bm25_terms_does(texts):
    _same_counts(count_terms(texts), TermCounts.from_terms(Bm25().terms(t) for t in texts))


def test_counting_real_texts_at_once_tokenises_each_as_bm25_terms_does():
    texts = _sentences()
    _same_counts(count_terms(texts), TermCounts.from_terms(Bm25().terms(t) for t in texts))
    _same_counts(count_terms(iter(_stories())), TermCounts.from_terms(Bm25().terms(t) for t in _stories()))


def test_the_stop_words_are_bm25s_own_and_answering_does_not_import_bm25s_or_scipy():
    import subprocess
    import sys

    from bm25s.stopwords import STOPWORDS_EN

    from index.answering import lexical

    assert frozenset(STOPWORDS_EN) == lexical._STOPWORDS
    # A fresh process: this one has imported bm25s already (the tests compare with it).
    loaded = subprocess.run([sys.executable, "-c", "import sys, index.answering.engine; "
                             "print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))"],
                            capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
