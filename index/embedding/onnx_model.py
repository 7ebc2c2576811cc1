"""The question path without torch: an ONNX export of the index's own model, run with onnxruntime
and the `tokenizers` library.

sentence-transformers stays the tool that builds the index. At build time the same weights are
exported to ONNX into the index directory; a question then needs neither torch nor
sentence-transformers, so a process answers its first question in a fraction of the time.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .embedder import Embedder

log = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class ExportUnsupported(RuntimeError):
    """The model is not one this exporter reproduces exactly (mean pooling, BERT-style inputs)."""


def export_onnx(embedder: Embedder, directory: Path) -> dict[str, Any]:
    """Write model.onnx and tokenizer.json for `embedder`'s model; returns the manifest entry.

    Needs torch and the `onnx` package, which are present wherever the index is built."""
    import torch

    model = embedder.model
    modules = list(model)
    transformer = modules[0]
    pooling = modules[1] if len(modules) > 1 else None
    mode = _pooling_mode(pooling)
    if mode != "mean" or not hasattr(transformer, "auto_model"):
        raise ExportUnsupported(f"pooling {mode!r} is not exported; questions use sentence-transformers")
    tokenizer = model.tokenizer
    sample = tokenizer(["a sample question"], return_tensors="pt")
    if set(sample.keys()) != set(_INPUTS):
        raise ExportUnsupported(f"model inputs {tuple(sample.keys())} are not exported")

    class LastHiddenState(torch.nn.Module):
        def __init__(self, network: Any) -> None:
            super().__init__()
            self.network = network

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.network(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    # The tracer warns about branches it fixes for the sample's shape; the test suite checks the
    # export against sentence-transformers on padded batches and over-long inputs instead.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(transformer.auto_model.eval()),
            tuple(sample[name] for name in _INPUTS),
            str(directory / ONNX_FILE),
            dynamo=False,  # the TorchScript exporter needs no onnxscript
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
        )
    (directory / TOKENIZER_FILE).write_text(tokenizer.backend_tokenizer.to_str(), encoding="utf-8")
    return {"file": ONNX_FILE, "tokenizer": TOKENIZER_FILE, "max_length": int(model.max_seq_length),
            "pooling": "mean", "normalize": True}


def _pooling_mode(pooling: Any) -> str | None:
    """The pooling mode across sentence-transformers versions (the attribute was renamed)."""
    if pooling is None:
        return None
    mode = getattr(pooling, "pooling_mode", None)
    if isinstance(mode, str):
        return mode
    getter = getattr(pooling, "get_pooling_mode_str", None)
    return getter() if getter else None


class OnnxEncoder:
    """Encodes questions like sentence-transformers does (mean pooling, unit length), without torch."""

    def __init__(self, directory: Path, entry: dict, query_prefix: str = "", threads: int = 0):
        import onnxruntime
        from tokenizers import Tokenizer

        log.info("loading the question model from %s (ONNX)", directory / entry["file"])
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(directory / entry["file"]), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(directory / entry["tokenizer"]))
        self.tokenizer.enable_truncation(int(entry["max_length"]))
        self.tokenizer.enable_padding()
        self.query_prefix = query_prefix
        self.encoded_count = 0
        self._lock = threading.Lock()

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        rows = []
        for begin in range(0, len(texts), batch_size):
            encodings = self.tokenizer.encode_batch([self.query_prefix + t for t in texts[begin:begin + batch_size]])
            feed = {
                "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
            }
            hidden = self.session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            rows.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        with self._lock:
            self.encoded_count += len(texts)
        if not rows:
            return np.zeros((0, self.session.get_outputs()[0].shape[-1] or 0), np.float32)
        return np.ascontiguousarray(np.vstack(rows), dtype=np.float32)
