"""The index as segments (issue #16, items 1 and 2): adding or changing an article writes one new
segment and touches no other article, removing one marks it deleted, a merge compacts, and the
answers are those of a full rebuild of the same corpus throughout. Loading reads no passage.

Built with the word-vector stand-in (word_vectors.py): the vectors do not matter here, only that
an incremental index and a full one hold the same vectors for the same texts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from index.answering.engine import Engine
from index.answering.loaded import load_index
from index.building import build as build_module
from index.building.build import merge, rebuild
from index.building.library import add_article
from index.embedding import encoders
from index.settings import Settings
from index.store import FRESH, STALE, check_status
from index.store import segments as segments_module
from index.store.manifest import segment_path
from index.store.segments import PassageStore
from tests.conftest import CORPUS, EVAL, FIXTURES
from tests.index.word_vectors import UNRELATED, WordVectors

ARTICLES = sorted((FIXTURES / "articles").iterdir())  # chip-plant, council-potholes, harbour-storm
ADDED = FIXTURES / "articles" / "council-potholes.txt"
LEE = sorted((FIXTURES / "lee").glob("lee-*.txt"))[:6]
QUESTIONS = [json.loads(line)["question"] for path in (EVAL, FIXTURES / "own_qa.jsonl")
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
# Off-topic questions too: a deleted article must not make one answerable, nor leave one declined.
QUESTIONS += ["What is the capital of France?", "Who won the cricket match?"]


@pytest.fixture(autouse=True)
def word_vectors_similarity() -> Iterator[None]:
    with mock.patch.dict(encoders.KNOWN_SIMILARITY, {WordVectors.spec.name: UNRELATED}):
        yield


def settings_in(folder: Path) -> Settings:
    corpus = folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    return Settings(_env_file=None, corpus_dir=corpus, index_dir=folder / "var" / "index",
                    database=str(folder / "var" / "db.sqlite3"))


def put(settings: Settings, *paths: Path) -> None:
    for path in paths:
        shutil.copy(path, settings.corpus_dir / path.name)


def generation(settings: Settings) -> dict:
    return json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))


def engine_of(settings: Settings) -> Engine:
    return Engine(load_index(settings.index_dir), WordVectors(), settings)


def answers(engine: Engine) -> list[tuple]:
    """What a reader sees of each answer: verdict, and each passage quoted with its score."""
    found = []
    for answer in engine.answer_many(QUESTIONS):
        quoted = [(p.article, p.paragraph, p.highlights, p.speaker, round(p.score, 5))
                  for p in answer.passages + answer.more]
        found.append((answer.question, answer.answered, answer.verdict, quoted))
    return found


def full_rebuild_answers(tmp_path: Path, settings: Settings) -> list[tuple]:
    """The answers of a full rebuild of `settings`'s corpus as it is now, in an index of its own."""
    fresh = settings_in(tmp_path / "full")
    shutil.rmtree(fresh.corpus_dir)
    shutil.copytree(settings.corpus_dir, fresh.corpus_dir)
    rebuild(fresh, encoder=WordVectors(), full=True)
    return answers(engine_of(fresh))


class SplitCounter:
    """Counts the articles a rebuild splits (the costly step a segment saves)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.articles: list[str] = []
        original = build_module.split_article

        def counting(article_id: str, body: str):  # type: ignore[no-untyped-def]
            self.articles.append(article_id)
            return original(article_id, body)

        monkeypatch.setattr(build_module, "split_article", counting)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = settings_in(tmp_path / "index")
    put(settings, CORPUS / "musk-peace-deal.md", *(a for a in ARTICLES if a != ADDED), *LEE[:3])
    rebuild(settings, encoder=WordVectors())
    return settings


def test_adding_an_article_writes_one_segment_and_splits_only_it(settings, monkeypatch):
    first = generation(settings)["segments"]
    first_files = {p: p.stat().st_ino for p in (settings.index_dir.resolve().parent / "segments").rglob("*")}
    put(settings, ADDED)
    splits = SplitCounter(monkeypatch)
    encoder = WordVectors()
    with mock.patch.object(encoder, "encode_passages", wraps=encoder.encode_passages) as encode:
        report = rebuild(settings, encoder=encoder)
    assert report.added == [ADDED.stem] and len(report.unchanged) == 6
    assert splits.articles == [ADDED.stem]
    embedded = {text for call in encode.call_args_list for text in call.args[0]}
    assert embedded == {u["text"] for u in load_index(settings.index_dir).units if u["article"] == ADDED.stem}
    after = generation(settings)["segments"]
    assert after[0] == first[0] and len(after) == 2  # the old segment is listed as it was
    assert after[1]["deleted"] == []
    assert generation(settings)["articles"][ADDED.stem]["segment"] == after[1]["name"]
    for path, inode in first_files.items():  # nothing of the old segment was rewritten
        assert path.stat().st_ino == inode, path
    assert check_status(settings.index_dir, None, WordVectors.spec).state == FRESH


def test_removing_an_article_marks_it_deleted_and_it_never_answers(settings):
    engine = engine_of(settings)
    question = "How long will Port Kembla harbour be closed?"
    assert engine.answer(question).passages[0].article == "harbour-storm"
    (settings.corpus_dir / "harbour-storm.md").unlink()
    report = rebuild(settings, encoder=WordVectors())
    assert report.removed == ["harbour-storm"]
    segments = generation(settings)["segments"]
    assert len(segments) == 1 and segments[0]["deleted"] == ["harbour-storm"]  # no segment written
    index = load_index(settings.index_dir)
    assert "harbour-storm" not in index.articles
    assert all(q["article"] != "harbour-storm" for q in index.quotes)
    assert ("harbour-storm", 1) not in index.paragraph_row
    engine = engine_of(settings)
    for answer in engine.answer_many([*QUESTIONS, question, "What did the premier promise?"]):
        assert all(p.article != "harbour-storm" for p in answer.passages + answer.more), answer.question
    with pytest.raises(KeyError):
        engine.answer(question, article="harbour-storm")
    assert check_status(settings.index_dir, {a: e["hash"] for a, e in generation(settings)["articles"].items()},
                        WordVectors.spec).state == FRESH


def test_changing_an_article_deletes_the_old_rows_and_adds_a_segment(settings, monkeypatch):
    path = settings.corpus_dir / "harbour-storm.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe lighthouse keeper counted nineteen gulls.\n",
                    encoding="utf-8")
    splits = SplitCounter(monkeypatch)
    report = rebuild(settings, encoder=WordVectors())
    assert report.changed == ["harbour-storm"] and splits.articles == ["harbour-storm"]
    segments = generation(settings)["segments"]
    assert segments[0]["deleted"] == ["harbour-storm"] and len(segments) == 2
    answer = engine_of(settings).answer("How many gulls did the lighthouse keeper count?")
    assert "nineteen gulls" in answer.passages[0].text


def test_answers_after_adds_changes_and_removes_equal_a_full_rebuild(tmp_path, monkeypatch):
    settings = settings_in(tmp_path / "incremental")
    steps = [
        lambda: put(settings, CORPUS / "musk-peace-deal.md"),
        lambda: put(settings, *LEE[:4]),
        lambda: put(settings, ARTICLES[0]),
        lambda: (settings.corpus_dir / LEE[1].name).unlink(),
        lambda: put(settings, ARTICLES[1], ARTICLES[2]),
        lambda: (settings.corpus_dir / ARTICLES[0].name).write_text(
            ARTICLES[0].read_text(encoding="utf-8").replace("\n\n", "\n\nMeanwhile the council met again.\n\n", 1),
            encoding="utf-8"),
        lambda: put(settings, *LEE[4:]),
        lambda: (settings.corpus_dir / ARTICLES[2].name).unlink(),
    ]
    for step in steps:
        step()
        rebuild(settings, encoder=WordVectors())
    manifest = generation(settings)
    assert len(manifest["segments"]) >= 4 and any(s["deleted"] for s in manifest["segments"])
    incremental = answers(engine_of(settings))
    assert sum(answered for _, answered, _, _ in incremental) >= len(QUESTIONS) // 3  # questions that answer
    assert incremental == full_rebuild_answers(tmp_path, settings)

    # A merge drops the deleted rows and keeps every answer.
    report = merge(settings)
    merged = generation(settings)
    assert len(report.into) == 1 and [s["name"] for s in merged["segments"]] == report.into
    assert merged["segments"][0]["deleted"] == [] and merged["articles"] == {
        a: {**e, "segment": report.into[0]} for a, e in manifest["articles"].items()}
    index = load_index(settings.index_dir)
    assert len(index.paragraphs) == manifest["counts"]["paragraphs"] == merged["counts"]["paragraphs"]
    assert len(index.units) == manifest["counts"]["units"] and bool(index.live_paragraph.all())
    assert answers(engine_of(settings)) == incremental
    assert merge(settings).into == []  # one segment without deletions: nothing to do


def test_segments_past_the_limit_are_merged_tiered(tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(build_module, "MERGE_FACTOR", 2)
    settings = settings_in(tmp_path / "tiered")
    counts = []
    for path in [CORPUS / "musk-peace-deal.md", *LEE[:5]]:
        put(settings, path)
        splits = SplitCounter(monkeypatch)
        rebuild(settings, encoder=WordVectors())
        assert splits.articles == [path.stem]  # a merge splits nothing
        counts.append(len(generation(settings)["segments"]))
    assert max(counts) == 3 and counts[:3] == [1, 2, 3]
    assert answers(engine_of(settings)) == full_rebuild_answers(tmp_path, settings)


def test_a_reader_of_the_old_generation_still_answers(settings, monkeypatch):
    monkeypatch.setattr(segments_module, "UNREFERENCED_GRACE_SECONDS", 0)
    old = engine_of(settings)
    old_segment = settings.index_dir.resolve().parent / "segments" / generation(settings)["segments"][0]["name"]
    (settings.corpus_dir / "harbour-storm.md").unlink()
    rebuild(settings, encoder=WordVectors())
    merge(settings)
    put(settings, ADDED)
    rebuild(settings, encoder=WordVectors())
    assert not old_segment.exists()  # two generations on, its segment is gone from disk …
    answer = old.answer("How long will Port Kembla harbour be closed?")  # … yet the reader still has it open
    assert answer.passages[0].article == "harbour-storm" and "week" in answer.passages[0].text
    now = engine_of(settings).answer("How long will Port Kembla harbour be closed?")
    assert all(p.article != "harbour-storm" for p in now.passages + now.more)


def test_only_segments_articlebot_wrote_are_removed(settings, monkeypatch):
    monkeypatch.setattr(segments_module, "UNREFERENCED_GRACE_SECONDS", 0)
    root = settings.index_dir.resolve().parent / "segments"
    first = root / generation(settings)["segments"][0]["name"]
    lookalike = root / "seg-20200101T000000-0123abcd"
    lookalike.mkdir()
    (lookalike / "notes.md").write_text("mine", encoding="utf-8")
    (root / "notes").mkdir()
    merge(settings)  # one segment without deletions: nothing to do
    (settings.corpus_dir / "harbour-storm.md").unlink()
    rebuild(settings, encoder=WordVectors())
    merge(settings)
    assert first.exists()  # listed by the previous generation, which a reader may hold
    rebuild(settings, encoder=WordVectors())
    assert not first.exists()
    assert (lookalike / "notes.md").is_file() and (root / "notes").is_dir()


def test_loading_reads_no_passage_and_a_question_only_a_few(settings, monkeypatch):
    queries: list[str] = []
    original = PassageStore.query

    def counted(self, sql, parameters=()):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return original(self, sql, parameters)

    monkeypatch.setattr(PassageStore, "query", counted)
    index = load_index(settings.index_dir)
    assert queries == []
    # The per-row arrays are the segment's files, mapped, not copies assembled at start-up.
    assert isinstance(index.unit_paragraph.base, np.memmap) and isinstance(index.paragraph_of_sentence.base, np.memmap)
    assert len(index.sentences) > 50
    engine = Engine(index, WordVectors(), settings)
    queries.clear()
    engine.answer("How long will Port Kembla harbour be closed?")
    texts = [q for q in queries if "FROM paragraphs" in q or "FROM units" in q]
    assert 0 < len(texts) <= 30


def test_an_index_of_the_older_format_is_stale_and_a_rebuild_replaces_it(settings):
    build = settings.index_dir.resolve()
    manifest = generation(settings)
    manifest["format_version"] = 1
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    status = check_status(settings.index_dir, None, WordVectors.spec)
    assert status.state == STALE and status.reason.endswith("run `articlebot index rebuild --full`")
    assert "index format 1" in status.reason
    report = rebuild(settings, encoder=WordVectors())
    assert len(report.added) == 6 and not report.unchanged  # nothing of the old format is read
    assert check_status(settings.index_dir, None, WordVectors.spec).state == FRESH


def test_a_moderators_add_splits_and_embeds_only_the_new_article(settings, monkeypatch):
    splits = SplitCounter(monkeypatch)
    encoder = WordVectors()
    with mock.patch.object(encoder, "encode_passages", wraps=encoder.encode_passages) as encode:
        change = add_article(settings, 77, ADDED.name, ADDED.read_bytes(), encoder=encoder)
    assert change.report.added == [ADDED.stem] and splits.articles == [ADDED.stem]
    embedded = {text for call in encode.call_args_list for text in call.args[0]}
    assert embedded == {u["text"] for u in load_index(settings.index_dir).units if u["article"] == ADDED.stem}
    assert len(generation(settings)["segments"]) == 2
    engine = engine_of(settings)
    assert engine.articles[ADDED.stem]["guild"] == "77"
    assert engine.answer("Who fixes the potholes?", scope=None).answered


def test_merge_on_the_command_line(settings, monkeypatch, capsys):
    from index.cli import main

    (settings.corpus_dir / "harbour-storm.md").unlink()
    rebuild(settings, encoder=WordVectors())
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(settings.index_dir))
    assert main(["index", "merge"]) == 0
    assert capsys.readouterr().out.startswith("merged 1 segments into seg-")
    assert generation(settings)["segments"][0]["deleted"] == []


def test_a_segment_mostly_deleted_is_rewritten_without_its_deleted_rows(tmp_path, monkeypatch):
    settings = settings_in(tmp_path / "expunge")
    put(settings, CORPUS / "musk-peace-deal.md")
    rebuild(settings, encoder=WordVectors())
    put(settings, ARTICLES[1], ARTICLES[2])
    rebuild(settings, encoder=WordVectors())
    pair = generation(settings)["segments"][-1]["name"]
    counts = json.loads((segment_path(settings.index_dir.resolve(), pair) / segments_module.SEGMENT_MANIFEST)
                        .read_text(encoding="utf-8"))["article_counts"]
    larger = max(counts, key=lambda a: counts[a]["units"])
    next(p for p in settings.corpus_dir.iterdir() if p.stem == larger).unlink()
    rebuild(settings, encoder=WordVectors())
    segments = generation(settings)["segments"]
    assert pair not in [s["name"] for s in segments] and [s["deleted"] for s in segments] == [[], []]
    assert set(generation(settings)["articles"]) == {"musk-peace-deal", *counts} - {larger}
    assert answers(engine_of(settings)) == full_rebuild_answers(tmp_path, settings)


def five_unmerged_segments(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An index of five segments, one article each, past a limit of three (merging two at a time)."""
    monkeypatch.setattr(build_module, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(build_module, "MERGE_FACTOR", 2)
    settings = settings_in(folder)
    for path in [CORPUS / "musk-peace-deal.md", *LEE[:4]]:
        put(settings, path)
        rebuild(settings, encoder=WordVectors(), merge=False)
    return settings


def test_merges_left_by_a_rebuild_are_done_by_merge_when_due(tmp_path, monkeypatch):
    settings = five_unmerged_segments(tmp_path / "later", monkeypatch)
    assert len(generation(settings)["segments"]) == 5
    before = answers(engine_of(settings))
    splits = SplitCounter(monkeypatch)
    report = merge(settings, when_due=True)
    # Two tiered steps (5 → 4 → 3 segments); a segment made by the first and merged by the second is gone.
    segments = [s["name"] for s in generation(settings)["segments"]]
    assert len(segments) == 3 and len(report.merged) + len(segments) - len(report.into) == 5
    assert {p.name for p in segment_path(settings.index_dir.resolve(), "x").parent.iterdir()} >= set(segments)
    assert not set(report.into) - set(segments)
    assert splits.articles == []  # merging copies vectors and rows: nothing is split or embedded again
    assert answers(engine_of(settings)) == before == full_rebuild_answers(tmp_path, settings)
    assert merge(settings, when_due=True).into == []


def word_lists(settings: Settings) -> tuple[frozenset[str], dict[str, list[str]]]:
    index = load_index(settings.index_dir)
    return index.lowercase_words, index.words_by_initial


def test_word_lists_with_deleted_articles_equal_a_full_rebuilds(tmp_path, monkeypatch):
    """The words come from each segment's vocabulary less what only its deleted articles use."""
    monkeypatch.setattr(build_module, "MAX_DELETED_SHARE", 2.0)  # deleted rows stay in their segments
    settings = settings_in(tmp_path / "words")
    put(settings, CORPUS / "musk-peace-deal.md", *ARTICLES, *LEE[:3])
    rebuild(settings, encoder=WordVectors())
    before, before_index = word_lists(settings), load_index(settings.index_dir)
    removed = ARTICLES[2]
    (settings.corpus_dir / removed.name).unlink()
    rebuild(settings, encoder=WordVectors())
    assert generation(settings)["segments"][0]["deleted"] == [removed.stem]
    lowercase, by_initial = word_lists(settings)
    fresh = settings_in(tmp_path / "full")
    shutil.rmtree(fresh.corpus_dir)
    shutil.copytree(settings.corpus_dir, fresh.corpus_dir)
    rebuild(fresh, encoder=WordVectors(), full=True)
    assert (lowercase, by_initial) == word_lists(fresh)
    # And how many articles use each word (for SpeakerDirectory.stands_for), deleted ones left out.
    incremental_index, full_index = load_index(settings.index_dir), load_index(fresh.index_dir)
    every_word = [w for words in before[1].values() for w in words]
    assert list(map(incremental_index.articles_using, every_word)) == list(map(full_index.articles_using, every_word))
    assert sum(map(incremental_index.articles_using, every_word)) < sum(map(before_index.articles_using, every_word))
    # The removed article took away words that no other article uses.
    assert len(before[0] - lowercase) > 5 and sum(map(len, before[1].values())) > sum(map(len, by_initial.values()))


def test_a_segment_without_a_vocabulary_gives_the_same_word_lists(tmp_path, monkeypatch):
    """Segments written before the vocabulary table are read article by article."""
    with_table = settings_in(tmp_path / "with")
    put(with_table, CORPUS / "musk-peace-deal.md", *ARTICLES)
    rebuild(with_table, encoder=WordVectors())
    monkeypatch.setattr(segments_module, "write_vocabulary", lambda connection, records: None)
    without = settings_in(tmp_path / "without")
    put(without, CORPUS / "musk-peace-deal.md", *ARTICLES)
    rebuild(without, encoder=WordVectors())
    assert word_lists(without) == word_lists(with_table) and len(word_lists(with_table)[0]) > 100


def test_asking_for_due_merges_reads_no_file_when_none_is_due(settings, monkeypatch):
    """The bot asks after every change: when nothing is due the index is not verified (hashed)."""
    def no_reading(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("verified the index although no merge was due")

    monkeypatch.setattr(build_module, "verify_build", no_reading)
    assert merge(settings, when_due=True).into == []


def test_a_merge_that_fails_part_way_leaves_no_segment_behind(tmp_path, monkeypatch):
    settings = five_unmerged_segments(tmp_path / "failing", monkeypatch)
    before = {p.name for p in segment_path(settings.index_dir.resolve(), "x").parent.iterdir()}
    original, calls = build_module.merge_segments, []

    def failing_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "merge_segments", failing_second)
    with pytest.raises(OSError):
        merge(settings, when_due=True)
    assert len(calls) == 2  # the first merge was written, then the second failed
    assert {p.name for p in segment_path(settings.index_dir.resolve(), "x").parent.iterdir()} == before


def test_a_rebuild_hashes_an_unchanged_segment_once_per_process(settings, monkeypatch):
    monkeypatch.setattr(segments_module, "_HASHED_SOUND", {})
    hashed: list[str] = []
    original = segments_module.file_record

    def counted(path: Path) -> dict:
        if path.name != segments_module.SEGMENT_MANIFEST:
            hashed.append(path.parent.name if path.parent.name.startswith("seg-") else path.parent.parent.name)
        return original(path)

    monkeypatch.setattr(segments_module, "file_record", counted)
    first = generation(settings)["segments"][0]["name"]
    put(settings, ADDED)
    rebuild(settings, encoder=WordVectors())
    assert hashed.count(first) > 10  # every file of it, once
    hashed.clear()
    put(settings, LEE[4])
    rebuild(settings, encoder=WordVectors())
    assert first not in hashed and hashed  # only the segment the last add wrote
    # A file changed in place, even at its old size, is hashed again and never carried forward.
    counts = segment_path(settings.index_dir.resolve(), first) / "bm25_sentences" / "counts.npy"
    counts.write_bytes(counts.read_bytes()[:-1] + b"\x09")
    put(settings, LEE[5])
    rebuild(settings, encoder=WordVectors())
    assert first in hashed and first not in [s["name"] for s in generation(settings)["segments"]]
