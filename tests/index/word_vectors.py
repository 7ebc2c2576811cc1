"""A stand-in for the embedding model in fast tests of the engine's rules: a text's vector is the
sum of one fixed random vector per content word, so texts are similar exactly as far as they share
words. A test then controls what the model would say and can show what a rule adds to it."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from unittest import mock

import numpy as np

from index.answering.engine import Engine
from index.answering.loaded import load_index
from index.building.build import rebuild
from index.embedding import ModelSpec, Similarity, encoders
from index.settings import Settings

DIMENSION = 512
# Texts without a word in common are orthogonal give or take 1/sqrt(DIMENSION): on the engine's scale
# (MiniLM's) they then lie where MiniLM puts unrelated texts, and sharing words raises them from there.
UNRELATED = Similarity(mean=0.0, spread=0.15)
# Words that carry no content for this stand-in (as a model would mostly ignore them).
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "and", "or", "but", "is", "are", "was",
    "were", "be", "been", "has", "have", "had", "do", "does", "did", "what", "who", "whom", "whose", "when",
    "why", "how", "which", "that", "this", "it", "its", "he", "she", "they", "his", "her", "their",
})


def _word_vector(word: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(word.encode("utf-8")))
    return rng.standard_normal(DIMENSION).astype(np.float32)


class WordVectors:
    """A PassageEncoder without a model (see the module's docstring)."""

    spec = ModelSpec("test-word-vectors", "sentence-transformers")
    dimension = DIMENSION
    max_tokens = 500
    encoded_count = 0

    def token_count(self, text: str) -> int:
        return len(text.split())

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                if word not in _FUNCTION_WORDS:
                    vectors[row] += _word_vector(word)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def encode_passages(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        return self._encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def export(self, directory: Path) -> None:
        return None


def engine_for(tmp_path: Path, articles: dict[str, str]) -> Engine:
    """An engine over the given articles (file name → text), built with WordVectors."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=tmp_path / "var" / "index",
                        database=str(tmp_path / "var" / "db.sqlite3"))
    encoder = WordVectors()
    with mock.patch.dict(encoders.KNOWN_SIMILARITY, {WordVectors.spec.name: UNRELATED}):
        rebuild(settings, encoder=encoder)
    return Engine(load_index(settings.index_dir), encoder, settings)
