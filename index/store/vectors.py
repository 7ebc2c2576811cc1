"""The nearest-neighbour layer: a FAISS inner-product index over unit vectors, exact while it is
small, approximate (HNSW) past APPROXIMATE_FROM vectors, and memory-mapped when opened."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# Past this many vectors, exact search reads too much per question: bench/ann.py measures both on
# an index's own vectors (docs/scale.md). Below it, exact search is faster than HNSW at the
# engine's 1,000 candidates.
APPROXIMATE_FROM = 150_000
# HNSW's links per vector and build-time search depth; its query-time depth is a multiple of the
# candidates asked for (recall against exact search in docs/scale.md).
HNSW_NEIGHBOURS = 32
HNSW_BUILD_DEPTH = 80
HNSW_SEARCH_DEPTH = 1.5

# The first bytes of the two kinds of file save_vectors writes (faiss's own tags).
FLAT_TAG, HNSW_TAG = b"IxFI", b"IHNf"


def save_vectors(vectors: np.ndarray, path: Path, approximate_from: int = APPROXIMATE_FROM) -> None:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index: faiss.Index
    if len(vectors) >= approximate_from:
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_BUILD_DEPTH
    else:
        index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(vectors)
    faiss.write_index(index, str(path))


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
        return handle.read(4) == HNSW_TAG


class VectorIndex:
    """Inner-product search; vectors are unit length, so scores are cosine similarities."""

    def __init__(self, index: faiss.Index):
        self._index = index
        self._approximate = isinstance(index, faiss.IndexHNSW)
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
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]) if ids else \
            np.zeros((0, self.dimension), np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self._approximate:
            # Per call, not on the index: several threads search one index at once.
            # faiss's own type stub leaves SearchParametersHNSW out; faiss has it.
            depth = faiss.SearchParametersHNSW(efSearch=max(k, int(k * HNSW_SEARCH_DEPTH)))  # type: ignore[attr-defined]
            return self._index.search(queries, k, params=depth)
        return self._index.search(queries, k)
