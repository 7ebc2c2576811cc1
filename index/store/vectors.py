"""The nearest-neighbour layer: a FAISS inner-product index over unit vectors, exact while it is
small, approximate past APPROXIMATE_FROM vectors, and memory-mapped when opened.

The approximate index scans 4-bit product-quantised codes of every vector (faiss's "fast scan",
PQ{d/2}x4fs: 96 bytes a vector at 384 dimensions, read from memory in SIMD registers) for
REFINE_FACTOR × k candidates, then ranks those by their exact similarity, read from the full
vectors ("RFlat"). Unlike a graph (HNSW) it visits every vector, so questions that lie away from the
passages (e5 embeds "query: …" and "passage: …" apart) or archives full of near-copies lose
nothing to unreached corners of a graph (bench/ann.py, docs/scale.md)."""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import faiss
import numpy as np

# How deep an HNSW segment written before 2026-12-05 is searched, per candidate asked for.
HNSW_SEARCH_DEPTH = 1.5
# Past this many vectors in a segment, an exact scan reads too much per question: bench/ann.py
# measures both on an index's own vectors at several sizes (docs/scale.md). On this machine the
# two cost the same near 30,000 vectors (2.8 ms); at 100,000 exact takes 9.4 ms, approximate 3.5.
APPROXIMATE_FROM = 50_000
# Candidates ranked exactly per one asked for. Recall@1000 on 303,841 real vectors: 0.981 at 8,
# 0.989 at 10 (6.8 ms against 27.8 ms exact), 0.994 at 12; recall falls slowly as a segment grows.
REFINE_FACTOR = 10
# The quantiser learns its codebooks from at most this many vectors, a fixed sample of them; it
# needs at least as many as each 4-bit code has values.
TRAINING_SAMPLE = 65_536
CODE_VALUES = 16
# Rows coded by faiss at a time while writing: a few MB of copies, never a second copy of the segment.
ADD_BATCH = 16_384

# The first bytes of the kinds of file save_vectors writes, or wrote (HNSW, before 2026-12-05:
# still read and searched).
FLAT_TAG, REFINED_TAG, HNSW_TAG = b"IxFI", b"IxRF", b"IHNf"
APPROXIMATE_TAGS = (REFINED_TAG, HNSW_TAG)


def save_vectors(vectors: np.ndarray | Sequence[np.ndarray], path: Path, approximate_from: int = APPROXIMATE_FROM,
                 dimension: int | None = None) -> None:
    """Write the vectors, given whole or as consecutive parts (one per article), in faiss's own
    format: an exact IndexFlatIP, or past `approximate_from` vectors the 4-bit codes with the full
    vectors for re-ranking (IndexRefineFlat). `dimension` is needed only when there are no parts.

    The full vectors go from the parts to the file as they are: the largest allocation of a full
    build (467 MB at 10,000 articles) is never copied into faiss nor stacked into one array. Only
    the codes are made in memory, by faiss. read_index reads the file back with faiss, and a test
    holds every byte equal to what faiss.write_index writes for the same vectors."""
    given = [vectors] if isinstance(vectors, np.ndarray) else vectors
    parts = [np.ascontiguousarray(p, dtype=np.float32) for p in given if len(p)]
    if dimension is None:
        dimension = vectors.shape[1] if isinstance(vectors, np.ndarray) else parts[0].shape[1] if parts else None
    if dimension is None:
        raise ValueError("save_vectors needs a dimension when it is given no vectors")
    if any(p.ndim != 2 or p.shape[1] != dimension for p in parts):
        raise ValueError(f"save_vectors needs rows of {dimension} numbers, got parts of shapes "
                         f"{sorted({p.shape[1:] for p in parts})}")
    count = sum(len(p) for p in parts)
    with path.open("wb") as file:
        # Two dimensions a code of 4 bits; an odd dimension (no bundled model has one) stays exact.
        if count >= max(approximate_from, CODE_VALUES) and dimension % 2 == 0:
            codes = faiss.index_factory(dimension, f"PQ{dimension // 2}x4fs", faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).choice(count, min(count, TRAINING_SAMPLE), replace=False)
            codes.train(_rows(parts, np.sort(sample)))
            for batch in _batches(parts):
                codes.add(batch)
            file.write(REFINED_TAG + _index_header(dimension, count))
            file.write(faiss.serialize_index(codes).data)
            _write_flat(file, parts, dimension, count)
            file.write(struct.pack("<f", 1.0))  # the refine factor faiss stores; search passes its own
        else:
            _write_flat(file, parts, dimension, count)


# faiss's write_index layout. Every index starts with its tag and this header: dimension, count,
# two unused fields, trained, metric. An IndexFlatIP goes on with the number of floats, then them.
_INDEX_HEADER = struct.Struct("<iqqq?i")
_FLOAT_COUNT = struct.Struct("<Q")
FLAT_HEADER_SIZE = len(FLAT_TAG) + _INDEX_HEADER.size + _FLOAT_COUNT.size


def _index_header(dimension: int, count: int) -> bytes:
    return _INDEX_HEADER.pack(dimension, count, 1 << 20, 1 << 20, True, faiss.METRIC_INNER_PRODUCT)


def flat_file_shape(header: bytes) -> tuple[int, int]:
    """(dimension, count) from the first FLAT_HEADER_SIZE bytes of an exact vector file."""
    dimension, count, *_ = _INDEX_HEADER.unpack_from(header, len(FLAT_TAG))
    return dimension, count


def _write_flat(file: BinaryIO, parts: list[np.ndarray], dimension: int, count: int) -> None:
    file.write(FLAT_TAG + _index_header(dimension, count) + _FLOAT_COUNT.pack(count * dimension))
    for part in parts:
        file.write(part.data)


def _rows(parts: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Rows of the parts stacked, by their numbers in that stacking (sorted), without stacking them."""
    chosen = np.empty((len(rows), parts[0].shape[1]), np.float32)
    start = taken = 0
    for part in parts:
        end = start + len(part)
        wanted = rows[taken:int(np.searchsorted(rows, end))]
        chosen[taken:taken + len(wanted)] = part[wanted - start]
        taken += len(wanted)
        start = end
    return chosen


def _batches(parts: list[np.ndarray]) -> Iterator[np.ndarray]:
    """The parts in order, small ones joined into batches of about ADD_BATCH rows (one faiss add per
    article would cost more in calls than in copying)."""
    pending: list[np.ndarray] = []
    pending_rows = 0
    for part in parts:
        pending.append(part)
        pending_rows += len(part)
        if pending_rows >= ADD_BATCH:
            yield np.vstack(pending)
            pending, pending_rows = [], 0
    if pending:
        yield np.vstack(pending)


def read_index(path: Path) -> faiss.Index:
    """The index with its vectors memory-mapped, not read: opening costs nothing per vector, and
    processes serving one index share its pages."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError as error:
        raise ValueError(f"{path} is not a FAISS index ({str(error).splitlines()[0]})") from None


def load_vectors(path: Path) -> np.ndarray:
    index = read_index(path)
    return index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), np.float32)


def is_approximate(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in APPROXIMATE_TAGS


class VectorIndex:
    """Inner-product search; vectors are unit length, so scores are cosine similarities."""

    def __init__(self, index: faiss.Index):
        self._index = index
        self._approximate = isinstance(index, faiss.IndexRefine | faiss.IndexHNSW)
        # One question at a time is a memory-bound scan: OpenMP workers only fight the model's
        # threads for the two cores, which costs milliseconds per question.
        faiss.omp_set_num_threads(1)

    @classmethod
    def open(cls, path: Path) -> VectorIndex:
        return cls(read_index(path))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def approximate(self) -> bool:
        return self._approximate

    def vectors_of(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of some units, one row each."""
        return self._index.reconstruct_batch(np.asarray(ids, np.int64)) if ids else \
            np.zeros((0, self.dimension), np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        # Per call, not on the index: several threads search one index at once.
        if isinstance(self._index, faiss.IndexRefine):
            refine = faiss.IndexRefineSearchParameters()
            refine.k_factor = REFINE_FACTOR
            return self._index.search(queries, k, params=refine)
        if isinstance(self._index, faiss.IndexHNSW):
            # faiss's own type stub leaves SearchParametersHNSW out; faiss has it.
            depth = faiss.SearchParametersHNSW(efSearch=max(k, int(k * HNSW_SEARCH_DEPTH)))  # type: ignore[attr-defined]
            return self._index.search(queries, k, params=depth)
        return self._index.search(queries, k)
