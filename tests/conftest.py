"""Shared fixtures: the real bundled models (loaded once) and corpora built in temporary folders."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.embedding.embedder import Embedder
from index.embedding.encoders import PassageEncoder, passage_encoder
from index.settings import Settings
from tests.databases import BACKENDS, PostgresServer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = ROOT.parent / "shared" / "seed" / "article.txt"
EVAL = ROOT.parent / "shared" / "eval" / "seed_qa.jsonl"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_stream_handler_left_behind() -> Iterator[None]:
    """A test that runs a command's logging set-up (logging.basicConfig on the stderr that pytest
    captured for it) must not leave that handler, writing to a closed stream, to the tests after it.
    Only plain StreamHandlers the test added are removed: pytest's own handlers come and go with
    each phase of a test."""
    root = logging.getLogger()
    handlers, level = set(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers and type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def encoder() -> PassageEncoder:
    """The default model (multilingual-e5-small on onnxruntime), as a rebuild would make it."""
    return passage_encoder(Settings(_env_file=None))


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    """all-MiniLM-L6-v2 on sentence-transformers, the other bundled model."""
    return Embedder()


def make_settings(tmp_path: Path, corpus: Path | None = None, **overrides) -> Settings:
    corpus_dir = tmp_path / "corpus"
    if corpus is not None:
        shutil.copytree(corpus, corpus_dir)
    else:
        corpus_dir.mkdir()
    overrides.setdefault("database", str(tmp_path / "var" / "articlebot.sqlite3"))
    return Settings(_env_file=None, corpus_dir=corpus_dir, index_dir=tmp_path / "var" / "index", **overrides)


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory, encoder) -> Settings:
    """The real corpus, indexed once for the whole session with the real model."""
    from index.building.build import rebuild

    settings = make_settings(tmp_path_factory.mktemp("seed"), CORPUS)
    rebuild(settings, encoder=encoder)
    return settings


@pytest.fixture(scope="session")
def seed_engine(seed_settings):
    from index.answering.engine import Engine

    return Engine.open(seed_settings)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session, started only when a test asks for it and stopped (its
    folder deleted) at the end; the tests that need it skip, saying why, only where it cannot start."""
    # Not under pytest's basetemp: another pytest run of the same user prunes old basetemps, and
    # would delete the data of a server still running.
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="articlebot-postgres-")))
    try:
        problem = server.start()
        if problem is not None:
            pytest.skip(problem)
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Each database the moderators' store runs on."""
    return request.param


@pytest.fixture
def new_database(request, backend, tmp_path) -> Callable[[str], str]:
    """Names a new, empty store (ARTICLEBOT_DATABASE's value) by a label: a SQLite file in the test's
    folder, or a database of its own on the session's PostgreSQL server."""
    if backend == "sqlite":
        return lambda label: str(tmp_path / "var" / f"{label}.sqlite3")
    return request.getfixturevalue("postgres_server").new_database
