"""The speaker directory read from the index's segments (IndexQuotes) is the directory of all the
live quotations in memory: same aliases, speakers, quotations per speaker and per paragraph, and
the same answers to every question, through adds, changes and removes; segments written before
the speaker tables give the same; and opening an engine reads no quotation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from index.answering.engine import Engine
from index.answering.loaded import load_index
from index.answering.quote_source import IndexQuotes
from index.answering.speakers import SpeakerDirectory
from index.building.build import rebuild
from index.embedding import encoders
from index.settings import Settings
from index.store import segments as segments_module
from index.store.segments import PassageStore
from tests.index.test_segments import ARTICLES, CORPUS, LEE, QUESTIONS, put, settings_in
from tests.index.word_vectors import UNRELATED, WordVectors


@pytest.fixture(autouse=True)
def word_vectors_similarity() -> Iterator[None]:
    with mock.patch.dict(encoders.KNOWN_SIMILARITY, {WordVectors.spec.name: UNRELATED}):
        yield


def changed_index(folder: Path) -> Settings:
    """Seed, fixtures and Lee stories over several segments, one article changed and one removed."""
    settings = settings_in(folder)
    put(settings, CORPUS / "musk-peace-deal.md", *ARTICLES[:2], *LEE[:3])
    rebuild(settings, encoder=WordVectors())
    put(settings, ARTICLES[2], *LEE[3:6])
    rebuild(settings, encoder=WordVectors())
    (settings.corpus_dir / LEE[1].name).unlink()
    changed = settings.corpus_dir / LEE[4].name
    added = "\n\n\"We will stay,\" Mr Howard said.\n\n"
    changed.write_text(changed.read_text(encoding="utf-8").replace("\n\n", added, 1), encoding="utf-8")
    rebuild(settings, encoder=WordVectors(), merge=False)
    return settings


def same_directories(settings: Settings) -> None:
    index = load_index(settings.index_dir)
    assert any(s.deleted for s in index.segments) and len(index.segments) >= 2
    from_index = SpeakerDirectory(IndexQuotes(index), index.lowercase_words, index.articles_using)
    in_memory = SpeakerDirectory(index.quotes, index.lowercase_words, index.articles_using)
    assert from_index._speaker_of_alias == in_memory._speaker_of_alias
    assert list(from_index._speaker_of_alias) == list(in_memory._speaker_of_alias)  # first use wins
    assert from_index.source.speaker_names() == in_memory.source.speaker_names()
    assert len(in_memory.source.speaker_names()) > 20
    for speaker in in_memory.source.speaker_names():
        assert from_index.quotes_of(speaker) == in_memory.quotes_of(speaker)
    for article, paragraph in {(q["article"], q["paragraph"]) for q in index.quotes}:
        assert from_index.source.quotes_in_paragraph(article, paragraph) == \
            in_memory.source.quotes_in_paragraph(article, paragraph)
    for question in [*QUESTIONS, "What did Howard say?", "Why did Mr Howard stay?"]:
        assert from_index.speakers_named_in(question) == in_memory.speakers_named_in(question)
        assert from_index.pronoun_question(question) == in_memory.pronoun_question(question)
        assert np.array_equal(from_index.boost_for(question, index), in_memory.boost_for(question, index))
    assert from_index.speakers() == in_memory.speakers()


def test_the_directory_from_the_segments_is_the_directory_of_the_live_quotations(tmp_path):
    same_directories(changed_index(tmp_path / "tables"))


def test_segments_without_speaker_tables_give_the_same_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(segments_module, "write_speakers", lambda connection, records: None)
    settings = changed_index(tmp_path / "older")
    assert not any(s.store.has_speakers for s in load_index(settings.index_dir).segments)
    same_directories(settings)


def test_opening_an_engine_reads_no_quotation(tmp_path, monkeypatch):
    settings = changed_index(tmp_path / "lazy")
    reads: list[str] = []
    original = PassageStore.quotes

    def counted(store, articles=None):  # type: ignore[no-untyped-def]
        reads.append(store.path.parent.name)
        return original(store, articles)

    monkeypatch.setattr(PassageStore, "quotes", counted)
    engine = Engine(load_index(settings.index_dir), WordVectors(), settings)
    engine.answer("Who told Musk to f*** off?")
    assert reads == []
    assert engine.speakers()  # the /speakers list still reads them all
    assert reads
