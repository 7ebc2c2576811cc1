"""The question path's ONNX model against sentence-transformers."""

import json

import numpy as np
import pytest

from index.build import rebuild
from index.engine import Engine
from index.evaluate import evaluate, read_cases
from index.onnx_model import OnnxEncoder
from tests.conftest import CORPUS, EVAL, make_settings

pytestmark = pytest.mark.slow

TEXTS = [
    "Hi",
    "Who told Musk to f*** off?",
    "Ukraine’s ambassador to Germany Andrij Melnyk slammed Musk and responded to his proposal online, "
    "saying “F*** off is my very diplomatic answer to you.”",
    "Zalgo t̷e̶x̸t̵ and مرحبا and 🙂",
    "word " * 400,  # longer than the model reads: truncated the same way
]


def test_onnx_vectors_match_sentence_transformers(seed_settings, embedder):
    build = seed_settings.index_dir.resolve()
    entry = json.loads((build / "manifest.json").read_text())["query_model"]
    assert entry and (build / entry["file"]).is_file()
    onnx = OnnxEncoder(build, entry, seed_settings.model)
    expected = embedder.encode(TEXTS)
    assert np.abs(onnx.encode(TEXTS) - expected).max() < 1e-4  # one padded batch
    singles = np.vstack([onnx.encode([text]) for text in TEXTS])
    assert np.abs(singles - expected).max() < 1e-4


def test_engine_answers_with_onnx_by_default_and_scores_the_same(seed_settings, seed_engine):
    engine = Engine.open(seed_settings)
    assert isinstance(engine.embedder, OnnxEncoder)
    cases = read_cases(EVAL)
    onnx_report, torch_report = evaluate(engine, cases), evaluate(seed_engine, cases)
    assert onnx_report.as_dict() == torch_report.as_dict()


def test_sentence_transformers_can_be_chosen(seed_settings):
    settings = seed_settings.model_copy(update={"query_encoder": "sentence-transformers"})
    assert not isinstance(Engine.open(settings).embedder, OnnxEncoder)


def test_incremental_rebuild_reuses_the_export(tmp_path, embedder):
    settings = make_settings(tmp_path, CORPUS)
    first = rebuild(settings, embedder=embedder)
    exported = (settings.index_dir.resolve() / "model.onnx").read_bytes()
    (settings.corpus_dir / "extra.txt").write_text("A short extra article about harbours.", encoding="utf-8")
    second = rebuild(settings, embedder=embedder)
    assert second.path != first.path
    assert (settings.index_dir.resolve() / "model.onnx").read_bytes() == exported
