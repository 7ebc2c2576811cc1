"""The vector files: exact below APPROXIMATE_FROM, quantised codes with an exact re-ranking above it,
both memory-mapped and checked; HNSW files of older builds are still read."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index.store import IndexUnavailable, VectorIndex, load_vectors, save_vectors, vector_file_shape
from index.store.vectors import is_approximate


def _unit_vectors(count: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_small_sets_are_searched_exactly_and_large_ones_approximately(tmp_path: Path) -> None:
    vectors = _unit_vectors(500)
    save_vectors(vectors, tmp_path / "exact.faiss", approximate_from=501)
    save_vectors(vectors, tmp_path / "approximate.faiss", approximate_from=500)
    assert not is_approximate(tmp_path / "exact.faiss")
    assert is_approximate(tmp_path / "approximate.faiss")
    assert not VectorIndex.open(tmp_path / "exact.faiss").approximate
    assert VectorIndex.open(tmp_path / "approximate.faiss").approximate


def test_approximate_search_finds_what_exact_search_finds(tmp_path: Path) -> None:
    vectors, queries = _unit_vectors(3000), _unit_vectors(50, seed=1)
    save_vectors(vectors, tmp_path / "exact.faiss", approximate_from=10**9)
    save_vectors(vectors, tmp_path / "approximate.faiss", approximate_from=1)
    exact_scores, exact_ids = VectorIndex.open(tmp_path / "exact.faiss").search(queries, 100)
    found_scores, found_ids = VectorIndex.open(tmp_path / "approximate.faiss").search(queries, 100)
    recall = np.mean([len(set(e) & set(f)) / 100 for e, f in zip(exact_ids, found_ids, strict=True)])
    assert recall >= 0.98
    # The best is found, with the same cosine, whichever search found it.
    assert np.mean(exact_ids[:, 0] == found_ids[:, 0]) >= 0.98
    same = exact_ids[:, 0] == found_ids[:, 0]
    assert np.allclose(exact_scores[same, 0], found_scores[same, 0], atol=1e-5)
    assert found_ids.shape == (50, 100)


def test_both_kinds_of_file_give_back_their_vectors_and_shape(tmp_path: Path) -> None:
    vectors = _unit_vectors(200)
    for name, approximate_from in (("exact.faiss", 10**9), ("approximate.faiss", 1)):
        save_vectors(vectors, tmp_path / name, approximate_from=approximate_from)
        assert vector_file_shape(tmp_path / name) == (32, 200)
        assert np.allclose(load_vectors(tmp_path / name), vectors)
        assert np.allclose(VectorIndex.open(tmp_path / name).vectors_of([3, 7]), vectors[[3, 7]])


@pytest.mark.parametrize("approximate", [False, True])
def test_the_file_is_what_faiss_writes_for_the_vectors_whole_or_in_parts(
        tmp_path: Path, approximate: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = _unit_vectors(40_000)
    sample_size = 5_000  # fewer than the vectors, so the codes are learnt from a sample of them
    monkeypatch.setattr("index.store.vectors.TRAINING_SAMPLE", sample_size)
    # What faiss itself writes for these vectors: the same kind of index, trained on the same sample.
    if approximate:
        index = faiss.index_factory(32, "PQ16x4fs,RFlat", faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(len(vectors), sample_size, replace=False)
        index.train(vectors[np.sort(sample)])
    else:
        index = faiss.IndexFlatIP(32)
    index.add(vectors)
    faiss.write_index(index, str(tmp_path / "faiss.faiss"))
    # Articles of every size, some empty, some across a coding batch's end; one given as float64,
    # one as a strided view.
    cuts = np.sort(np.random.default_rng(2).choice(len(vectors), 3000, replace=False))
    parts = [*np.split(vectors, cuts), vectors[:0]]
    parts[5] = parts[5].astype(np.float64)
    parts[9] = np.repeat(parts[9], 2, axis=0)[::2]
    approximate_from = 1 if approximate else 10**9
    save_vectors(vectors, tmp_path / "whole.faiss", approximate_from=approximate_from)
    save_vectors(parts, tmp_path / "parts.faiss", approximate_from=approximate_from)
    assert (tmp_path / "whole.faiss").read_bytes() == (tmp_path / "faiss.faiss").read_bytes()
    assert (tmp_path / "parts.faiss").read_bytes() == (tmp_path / "faiss.faiss").read_bytes()


def test_rows_of_another_width_are_refused_and_a_full_disk_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows of 32 numbers"):
        save_vectors([_unit_vectors(5), _unit_vectors(5, dimension=16)], tmp_path / "vectors.faiss")
    with pytest.raises(ValueError, match="rows of 16 numbers"):
        save_vectors([_unit_vectors(5)], tmp_path / "vectors.faiss", dimension=16)
    if Path("/dev/full").exists():
        with pytest.raises(OSError) as raised:
            save_vectors(_unit_vectors(2000), Path("/dev/full"))
        assert raised.value.errno == 28


def test_no_vectors_make_an_empty_exact_file_of_the_given_dimension(tmp_path: Path) -> None:
    save_vectors([], tmp_path / "vectors.faiss", dimension=32)
    assert vector_file_shape(tmp_path / "vectors.faiss") == (32, 0)
    with pytest.raises(ValueError, match="dimension"):
        save_vectors([], tmp_path / "other.faiss")


@pytest.mark.parametrize("approximate_from", [10**9, 1])
def test_a_damaged_vector_file_is_corrupt(tmp_path: Path, approximate_from: int) -> None:
    path = tmp_path / "vectors.faiss"
    save_vectors(_unit_vectors(200), path, approximate_from=approximate_from)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexUnavailable) as raised:
        vector_file_shape(path)
    assert raised.value.state == "corrupt"


def test_an_hnsw_file_of_an_older_build_is_still_searched(tmp_path: Path) -> None:
    vectors, queries = _unit_vectors(1000), _unit_vectors(20, seed=1)
    older = faiss.IndexHNSWFlat(32, 16, faiss.METRIC_INNER_PRODUCT)
    older.add(vectors)
    faiss.write_index(older, str(tmp_path / "vectors.faiss"))
    assert is_approximate(tmp_path / "vectors.faiss")
    assert vector_file_shape(tmp_path / "vectors.faiss") == (32, 1000)
    index = VectorIndex.open(tmp_path / "vectors.faiss")
    scores, ids = index.search(queries, 10)
    assert index.approximate and np.mean(ids[:, 0] == np.argmax(queries @ vectors.T, axis=1)) >= 0.95
    assert np.allclose(index.vectors_of([int(ids[0, 0])]) @ queries[0], scores[0, 0], atol=1e-5)


def test_too_few_vectors_to_learn_codes_from_stay_exact(tmp_path: Path) -> None:
    save_vectors(_unit_vectors(10), tmp_path / "vectors.faiss", approximate_from=0)
    assert not is_approximate(tmp_path / "vectors.faiss")
    save_vectors(np.zeros((0, 32), np.float32), tmp_path / "empty.faiss", approximate_from=0)
    assert vector_file_shape(tmp_path / "empty.faiss") == (32, 0)
