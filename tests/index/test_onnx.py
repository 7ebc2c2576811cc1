"""A sentence-transformers model (the bundled all-MiniLM-L6-v2): its ONNX question path against
sentence-transformers itself, and the choice between them."""

import json

import numpy as np
import pytest

from index.answering.engine import Engine
from index.answering.evaluate import evaluate, read_cases
from index.building.build import rebuild
from index.embedding.embedder import Embedder
from index.embedding.encoders import SENTENCE_TRANSFORMERS, ModelSpec
from index.embedding.onnx_model import OnnxEncoder
from index.settings import MINILM_MODEL
from index.store.manifest import MODEL_MISMATCH, IndexUnavailable
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


@pytest.fixture(scope="module")
def minilm_settings(tmp_path_factory, minilm):
    settings = make_settings(tmp_path_factory.mktemp("minilm"), CORPUS, model=MINILM_MODEL)
    rebuild(settings, encoder=minilm)
    return settings


def test_onnx_vectors_match_sentence_transformers(minilm_settings, minilm):
    build = minilm_settings.index_dir.resolve()
    entry = json.loads((build / "manifest.json").read_text())["query_model"]
    assert entry and (build / entry["file"]).is_file()
    onnx = OnnxEncoder(build, entry)
    expected = minilm.encode_queries(TEXTS)
    assert np.abs(onnx.encode_queries(TEXTS) - expected).max() < 1e-4  # one padded batch
    singles = np.vstack([onnx.encode_queries([text]) for text in TEXTS])
    assert np.abs(singles - expected).max() < 1e-4


def test_engine_answers_with_onnx_by_default_and_scores_the_same(minilm_settings, minilm):
    engine = Engine.open(minilm_settings)
    assert isinstance(engine.encoder, OnnxEncoder)
    cases = read_cases(EVAL)
    onnx_report = evaluate(engine, cases)
    torch_report = evaluate(Engine.open(minilm_settings, encoder=minilm), cases)
    assert onnx_report.as_dict() == torch_report.as_dict()


def test_sentence_transformers_can_be_chosen(minilm_settings):
    settings = minilm_settings.model_copy(update={"backend": "sentence-transformers"})
    assert isinstance(Engine.open(settings).encoder, Embedder)


def test_prefixes_go_before_the_texts_on_both_paths(minilm_settings, minilm):
    prefixed = Embedder(ModelSpec(MINILM_MODEL, SENTENCE_TRANSFORMERS, "query: ", "passage: "))
    prefixed._model = minilm.model  # the same weights, loaded once
    build = minilm_settings.index_dir.resolve()
    onnx = OnnxEncoder(build, json.loads((build / "manifest.json").read_text())["query_model"], "query: ")
    expected = minilm.encode_queries(["query: Who?"])
    assert np.abs(onnx.encode_queries(["Who?"]) - expected).max() < 1e-4
    assert np.abs(prefixed.encode_queries(["Who?"]) - expected).max() < 1e-4
    assert np.abs(prefixed.encode_passages(["Who?"]) - minilm.encode_passages(["passage: Who?"])).max() < 1e-4


def test_an_index_refuses_questions_embedded_another_way(minilm_settings):
    for change in ({"query_prefix": "query: "}, {"model": "multilingual-e5-small"}):
        with pytest.raises(IndexUnavailable) as refused:
            Engine.open(minilm_settings.model_copy(update=change))
        assert refused.value.state == MODEL_MISMATCH and "rebuild --full" in str(refused.value)


def test_incremental_rebuild_reuses_the_export(tmp_path, minilm):
    settings = make_settings(tmp_path, CORPUS, model=MINILM_MODEL)
    first = rebuild(settings, encoder=minilm)
    exported = (settings.index_dir.resolve() / "model.onnx").read_bytes()
    (settings.corpus_dir / "extra.txt").write_text("A short extra article about harbours.", encoding="utf-8")
    second = rebuild(settings, encoder=minilm)
    assert second.path != first.path
    assert (settings.index_dir.resolve() / "model.onnx").read_bytes() == exported
