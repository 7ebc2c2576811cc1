"""The approximate-nearest-neighbour layer: a FAISS inner-product index over unit vectors."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


def save_vectors(vectors: np.ndarray, path: Path) -> None:
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(path))


def read_index(path: Path) -> faiss.Index:
    try:
        return faiss.read_index(str(path))
    except RuntimeError as error:
        raise ValueError(f"{path} is not a FAISS index ({str(error).splitlines()[0]})") from None


def load_vectors(path: Path) -> np.ndarray:
    index = read_index(path)
    return index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), np.float32)


class VectorIndex:
    """Exact inner-product search; vectors are unit length, so scores are cosine similarities."""

    def __init__(self, index: faiss.Index):
        self._index = index
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

    def vectors_of(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of some units, one row each."""
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]) if ids else \
            np.zeros((0, self.dimension), np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, ids
