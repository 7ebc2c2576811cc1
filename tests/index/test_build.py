import json
import os
import subprocess
import sys

import numpy as np
import pytest

from index.build import rebuild
from index.embedder import Embedder
from index.ensure import corpus_status
from index.loaded import load_index
from index.store import CORRUPT, FRESH, MISSING, MODEL_MISMATCH, STALE
from tests.conftest import CORPUS, ROOT, make_settings

pytestmark = pytest.mark.slow

SECOND = "---\nid: harbour\ntitle: Harbour reopens\n---\nThe harbour reopened on Monday after repairs.\n\n" \
         "Mayor Jane Ortiz said the work cost $3 million.\n"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, CORPUS)


def test_rebuild_writes_a_directory_with_manifest_vectors_and_passages(settings, embedder):
    report = rebuild(settings, embedder=embedder)
    assert report.added == ["musk-peace-deal"]
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["model"] == {"name": "all-MiniLM-L6-v2", "dimension": 384}
    assert set(manifest["articles"]) == {"musk-peace-deal"}
    assert manifest["counts"]["paragraphs"] == 31
    assert {"sentence-transformers", "faiss-cpu", "torch", "numpy", "python"} <= set(manifest["versions"])
    assert (settings.index_dir / "vectors.faiss").is_file()
    loaded = load_index(settings.index_dir)
    assert loaded.vectors.size == manifest["counts"]["units"]
    assert corpus_status(settings).state == FRESH


def test_vectors_are_normalised_model_embeddings(settings, embedder):
    rebuild(settings, embedder=embedder)
    loaded = load_index(settings.index_dir)
    from index.vectors import load_vectors

    vectors = load_vectors(loaded.path / "vectors.faiss")
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    first = loaded.units[0]["text"]
    assert np.allclose(vectors[0], embedder.encode([first])[0], atol=1e-4)


def test_ids_are_stable_across_rebuilds(settings, embedder):
    rebuild(settings, embedder=embedder)
    first = load_index(settings.index_dir).paragraphs
    rebuild(settings, embedder=embedder, full=True)
    again = load_index(settings.index_dir).paragraphs
    assert [(p["article"], p["number"], p["start"], p["end"]) for p in first] == \
        [(p["article"], p["number"], p["start"], p["end"]) for p in again]


def test_incremental_rebuild_embeds_only_the_changed_article(settings, embedder):
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")
    rebuild(settings, embedder=embedder)
    units_before = {u["article"]: u for u in load_index(settings.index_dir).units}
    assert set(units_before) == {"musk-peace-deal", "harbour"}

    (settings.corpus_dir / "harbour.md").write_text(SECOND + "\nShips returned the next day.\n", encoding="utf-8")
    assert corpus_status(settings).state == STALE
    counter = Embedder()
    counter._model = embedder.model  # share the loaded weights, count separately
    report = rebuild(settings, embedder=counter)
    assert report.changed == ["harbour"] and report.unchanged == ["musk-peace-deal"]
    harbour_units = [u for u in load_index(settings.index_dir).units if u["article"] == "harbour"]
    assert 0 < counter.encoded_count <= len(harbour_units)
    assert counter.encoded_count == report.encoded

    full = Embedder()
    full._model = embedder.model
    report = rebuild(settings, embedder=full, full=True)
    assert full.encoded_count == report.encoded > len(harbour_units)


def test_removed_article_makes_the_index_stale(settings, embedder):
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")
    rebuild(settings, embedder=embedder)
    (settings.corpus_dir / "harbour.md").unlink()
    status = corpus_status(settings)
    assert status.state == STALE and "removed: harbour" in status.reason
    assert rebuild(settings, embedder=embedder).removed == ["harbour"]


def test_interrupted_rebuild_leaves_the_previous_index_usable(settings, embedder, monkeypatch):
    rebuild(settings, embedder=embedder)
    before = load_index(settings.index_dir)
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")

    import index.build

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index.build, "save_vectors", crash)
    with pytest.raises(KeyboardInterrupt):
        rebuild(settings, embedder=embedder)
    after = load_index(settings.index_dir)
    assert after.path == before.path
    assert len(after.paragraphs) == len(before.paragraphs)
    leftovers = [p for p in (settings.index_dir.parent / "index.builds").iterdir() if p.name.startswith("tmp-")]
    assert leftovers == []


def test_corpus_error_stops_rebuild_before_touching_the_index(settings, embedder):
    rebuild(settings, embedder=embedder)
    before = os.readlink(settings.index_dir)
    (settings.corpus_dir / "broken.md").write_text("---\nwho: me\n---\ntext", encoding="utf-8")
    from index.corpus import CorpusError

    with pytest.raises(CorpusError, match=r"broken\.md"):
        rebuild(settings, embedder=embedder)
    assert os.readlink(settings.index_dir) == before


def test_status_reports_each_state(tmp_path, embedder):
    settings = make_settings(tmp_path, CORPUS)
    assert corpus_status(settings).state == MISSING
    rebuild(settings, embedder=embedder)
    assert corpus_status(settings).state == FRESH
    other = settings.model_copy(update={"model": "some/other-model"})
    mismatch = corpus_status(other)
    assert mismatch.state == MODEL_MISMATCH and "some/other-model" in mismatch.reason
    (settings.index_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    assert corpus_status(settings).state == CORRUPT
    (settings.index_dir / "manifest.json").unlink()
    assert corpus_status(settings).state == CORRUPT


def test_truncated_vectors_file_is_corrupt(settings, embedder):
    rebuild(settings, embedder=embedder)
    (settings.index_dir / "vectors.faiss").write_bytes(b"garbage")
    from index.store import IndexUnavailable

    with pytest.raises(IndexUnavailable) as caught:
        load_index(settings.index_dir)
    assert caught.value.state == CORRUPT
    assert "rebuild" in str(caught.value)


def test_long_text_is_embedded_in_pieces_not_truncated(embedder):
    sentence = "The committee reviewed the harbour budget line by line before the vote. "
    pieces = embedder.fit([sentence * 40])
    assert len(pieces) > 1
    assert all(embedder.token_count(p) <= embedder.max_tokens for p in pieces)
    assert " ".join(pieces).split() == (sentence * 40).split()
    windows = embedder.fit([sentence] * 60)
    assert len(windows) > 1 and all(embedder.token_count(w) <= embedder.max_tokens for w in windows)


def run_cli(*args, env_extra=None, cwd=ROOT):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "index", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_cli_rebuild_and_status_json(settings):
    env = {"ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir), "ARTICLEBOT_INDEX_DIR": str(settings.index_dir)}
    missing = run_cli("index", "status", "--json", env_extra=env)
    assert missing.returncode == 1 and json.loads(missing.stdout)["state"] == "missing"
    built = run_cli("index", "rebuild", env_extra=env)
    assert built.returncode == 0, built.stderr
    assert "added (1): musk-peace-deal" in built.stdout
    status = run_cli("index", "status", "--json", env_extra=env)
    assert status.returncode == 0
    assert json.loads(status.stdout)["state"] == "fresh"


def test_cli_reports_bad_corpus_file_and_exits_nonzero(tmp_path):
    settings = make_settings(tmp_path)
    (settings.corpus_dir / "bad.md").write_text("---\ncolour: red\n---\nx", encoding="utf-8")
    env = {"ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir), "ARTICLEBOT_INDEX_DIR": str(settings.index_dir)}
    result = run_cli("index", "rebuild", env_extra=env)
    assert result.returncode == 2
    assert "bad.md: unknown field(s) colour" in result.stderr
    assert not settings.index_dir.exists()


def test_hundreds_of_articles_including_one_line_stories(tmp_path, embedder):
    settings = make_settings(tmp_path)
    for number in range(300):
        body = (f"Story {number} begins here. The council met on day {number}. "
                f"“We will decide soon,” said Mayor Ann Lee{number}.")
        if number % 2:
            body = body.replace(". ", ".\n\n")
        (settings.corpus_dir / f"story-{number:03d}.txt").write_text(body, encoding="utf-8")
    report = rebuild(settings, embedder=embedder)
    assert len(report.added) == 300
    assert "added (300): story-000, story-001," in report.summary()
    assert "story-009 and 290 more" in report.summary()  # a moderator reads counts, not 300 names
    loaded = load_index(settings.index_dir)
    assert len(loaded.articles) == 300
    assert corpus_status(settings).state == FRESH
