"""Segments: the immutable pieces an index is made of (as a search engine's index is).

A segment is a directory `<index>.builds/segments/seg-…/` written once and never changed:
  segment.json     its articles (metadata, in order), counts, and the size and SHA-256 of each file
  passages.sqlite  the passage store: articles, paragraphs, units and quotes, read on demand
  vectors.faiss    one vector per unit (vectors.py)
  *.npy            per-row arrays the engine needs at once (unit → paragraph, sentence spans, cue
                   masks …), memory-mapped at load rather than assembled from the passages

The published generation (manifest.py, format 2) lists its segments in order, with the articles
of each that are deleted. Which arrays a segment holds is `ARRAY_NAMES`; they are derived from the
passage store by building/segment_writer.py, so a merge can rewrite them without the corpus.

articlebot deletes only segment directories it made: a segment's name and nothing in it but a
segment's files, and only when no kept generation lists it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..kinds import CONTEXT, ENTITY, PARAGRAPH, SENTENCE
from ..text import fold
from .manifest import CORRUPT, SEGMENTS_FOLDER, IndexUnavailable, file_record, vector_file_shape
from .scratch import abandoned, marked_temporary_dir

SEGMENT_MANIFEST = "segment.json"
SEGMENT_PASSAGES = "passages.sqlite"
SEGMENT_VECTORS = "vectors.faiss"
SEGMENT_MARKER = "articlebot-segment.json"
SEGMENT_FORMAT = 1

# Per row of the segment's own tables (local row numbers; load_index adds each segment's offsets).
ARRAY_NAMES = (
    "article_first_paragraph",  # per article, and one past the last: its paragraph rows
    "paragraph_article", "paragraph_number", "paragraph_start", "paragraph_caption", "paragraph_restates",
    "paragraph_first_sentence",  # per paragraph, and one past the last
    "sentence_paragraph", "sentence_number", "sentence_start", "sentence_end",  # start/end: in the paragraph
    "sentence_first_unit", "sentence_unit_ids",  # per sentence (and one past): its own sentence units
    "sentence_term_count",  # distinct BM25 terms of the sentence's own text (novelty)
    "cue_duration", "cue_time", "cue_quantity", "cue_reason",  # cues.cue_matches per sentence
    "unit_paragraph", "unit_sentence", "unit_kind",
    "term_vocabulary", "term_first_row", "term_rows",  # sentences holding each term (novelty)
)
# How unit_kind.npy writes a unit's kind.
UNIT_KIND_CODES = {SENTENCE: 0, PARAGRAPH: 1, CONTEXT: 2, ENTITY: 3}
# BM25's raw term counts (answering/term_counts.py), one folder per keyword index: each sentence
# with the person it is about, each paragraph with the one before it, each article whole.
BM25_FOLDERS = ("bm25_sentences", "bm25_paragraphs", "bm25_articles")
TERM_COUNT_FILES = frozenset({"indptr.npy", "rows.npy", "counts.npy", "lengths.npy", "distinct_terms.npy",
                              "terms.json"})
SEGMENT_FILES = frozenset({SEGMENT_MANIFEST, SEGMENT_PASSAGES, SEGMENT_VECTORS, SEGMENT_MARKER}
                          | {f"{name}.npy" for name in ARRAY_NAMES}
                          | {f"{folder}/{name}" for folder in BM25_FOLDERS for name in TERM_COUNT_FILES})
_SEGMENT_NAME = re.compile(r"(tmp-)?seg-\d{8}T\d{6}-[0-9a-f]{8}")
# A finished segment no generation lists yet may be another rebuild's, about to be published.
UNREFERENCED_GRACE_SECONDS = 600

VOCABULARY = "vocabulary"
QUOTE_SPEAKERS = "quote_speakers"
SPEAKER_ALIASES = "speaker_aliases"
_SCHEMA = """
CREATE TABLE articles (row INTEGER PRIMARY KEY, id TEXT NOT NULL, words TEXT NOT NULL, lowercase TEXT NOT NULL);
CREATE TABLE paragraphs (row INTEGER PRIMARY KEY, article TEXT NOT NULL, number INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
    sentences TEXT NOT NULL, restates INTEGER, who TEXT NOT NULL);
CREATE TABLE units (row INTEGER PRIMARY KEY, article TEXT NOT NULL, paragraph INTEGER NOT NULL,
    sentence INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE quotes (row INTEGER PRIMARY KEY, article TEXT NOT NULL, data TEXT NOT NULL);
"""


@dataclass
class ArticleRecord:
    """One article as a segment stores it: what a split and attribution made of it, its units and
    their vectors. A merge reads these back from a segment and writes them into another."""

    meta: dict[str, Any]  # id, title …, path, hash, paragraphs, guild, text_language
    paragraphs: list[dict[str, Any]]  # number, start, end, kind, text, sentences, restates, who
    units: list[dict[str, Any]]  # paragraph, sentence, kind, text
    vectors: np.ndarray  # one row per unit
    quotes: list[dict[str, Any]]
    words: list[str] = field(default_factory=list)  # its words, case-folded (title included)
    lowercase: list[str] = field(default_factory=list)  # the words it writes in lower case

    @property
    def id(self) -> str:
        return str(self.meta["id"])


def segments_root(builds: Path) -> Path:
    return builds / SEGMENTS_FOLDER


def new_segment_dir(builds: Path) -> Path:
    """A fresh temporary segment directory, marked as articlebot's; abandoned ones are cleared first."""
    builds.mkdir(parents=True, exist_ok=True)
    root = segments_root(builds)
    root.mkdir(exist_ok=True)
    remove_abandoned_segments(builds)
    return marked_temporary_dir(root, "tmp-seg-", SEGMENT_MARKER, {"format": SEGMENT_FORMAT})


def finish_segment(path: Path) -> str:
    """Give a complete temporary segment its final name (one rename); returns the name."""
    final = path.with_name(path.name.removeprefix("tmp-"))
    os.replace(path, final)
    return final.name


def write_passages(path: Path, records: list[ArticleRecord]) -> None:
    """The segment's passage store, written once (readers open it immutable)."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(_SCHEMA)
        connection.executemany("INSERT INTO articles VALUES (?, ?, ?, ?)",
                               ((row, r.id, json.dumps(r.words, ensure_ascii=False),
                                 json.dumps(r.lowercase, ensure_ascii=False)) for row, r in enumerate(records)))
        paragraph_rows = ((r.id, p) for r in records for p in r.paragraphs)
        connection.executemany(
            "INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((row, article, p["number"], p["start"], p["end"], p["kind"], p["text"], json.dumps(p["sentences"]),
              p["restates"], json.dumps(p["who"])) for row, (article, p) in enumerate(paragraph_rows)))
        unit_rows = ((r.id, u) for r in records for u in r.units)
        connection.executemany(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)",
            ((row, article, u["paragraph"], u["sentence"], u["kind"], u["text"])
             for row, (article, u) in enumerate(unit_rows)))
        quote_rows = (q for r in records for q in r.quotes)
        connection.executemany("INSERT INTO quotes VALUES (?, ?, ?)",
                               ((row, q["article"], json.dumps(q, ensure_ascii=False))
                                for row, q in enumerate(quote_rows)))
        write_vocabulary(connection, records)
        write_speakers(connection, records)
        connection.commit()
    finally:
        connection.close()


def write_vocabulary(connection: sqlite3.Connection, records: list[ArticleRecord]) -> None:
    """The segment's words, each with the number of its articles that use it and that write it in
    lower case: loading reads one table instead of every article's word lists, and a deleted
    article takes away only its own words (segments written before it have no such table)."""
    using = Counter(word for r in records for word in set(r.words))
    lower = Counter(word for r in records for word in set(r.lowercase))
    connection.execute(f"CREATE TABLE {VOCABULARY} (word TEXT PRIMARY KEY, articles INTEGER NOT NULL, "
                       "lowercase INTEGER NOT NULL) WITHOUT ROWID")
    connection.executemany(f"INSERT INTO {VOCABULARY} VALUES (?, ?, ?)",
                           ((word, using[word], lower[word]) for word in sorted(using.keys() | lower.keys())))


def alias_rows_of(quotes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(alias case-folded, speaker) of each quotation with a speaker, in order: the speaker's name
    and its aliases, those of two characters or fewer left out (the speaker directory's aliases)."""
    return [(fold(alias), quote["speaker"]) for quote in quotes if quote["speaker"] is not None
            for alias in [quote["speaker"], *quote.get("aliases", [])] if len(alias) > 2]


def write_speakers(connection: sqlite3.Connection, records: list[ArticleRecord]) -> None:
    """Who said each quotation (by its row in `quotes`), and each speaker's aliases case-folded,
    first use per article: the speaker directory starts from these and reads a quotation only when
    a question needs it (index/answering/quote_source.py). Segments written before have neither."""
    connection.executescript(f"""
        CREATE TABLE {QUOTE_SPEAKERS} (quote INTEGER PRIMARY KEY, article TEXT NOT NULL,
            paragraph INTEGER NOT NULL, speaker TEXT);
        CREATE INDEX {QUOTE_SPEAKERS}_by_speaker ON {QUOTE_SPEAKERS} (speaker);
        CREATE INDEX {QUOTE_SPEAKERS}_by_paragraph ON {QUOTE_SPEAKERS} (article, paragraph);
        CREATE TABLE {SPEAKER_ALIASES} (quote INTEGER NOT NULL, article TEXT NOT NULL, alias TEXT NOT NULL,
            speaker TEXT NOT NULL);""")
    quotes = [q for r in records for q in r.quotes]
    connection.executemany(f"INSERT INTO {QUOTE_SPEAKERS} VALUES (?, ?, ?, ?)",
                           ((row, q["article"], q["paragraph"], q["speaker"]) for row, q in enumerate(quotes)))
    first_use: dict[tuple[str, str], tuple[int, str]] = {}
    for row, quote in enumerate(quotes):
        for alias, speaker in alias_rows_of([quote]):
            first_use.setdefault((quote["article"], alias), (row, speaker))
    connection.executemany(f"INSERT INTO {SPEAKER_ALIASES} VALUES (?, ?, ?, ?)",
                           ((row, article, alias, speaker)
                            for (article, alias), (row, speaker) in sorted(first_use.items(), key=lambda i: i[1][0])))


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    missing = set(ARRAY_NAMES) - set(arrays)
    if missing:
        raise ValueError(f"a segment needs the arrays {sorted(missing)}")
    for name in ARRAY_NAMES:
        np.save(path / f"{name}.npy", arrays[name], allow_pickle=False)


def write_segment_manifest(path: Path, records: list[ArticleRecord], counts: dict[str, int]) -> dict[str, Any]:
    """segment.json goes last: it records every other file's checksum."""
    files = {name: file_record(path / name) for name in sorted(SEGMENT_FILES - {SEGMENT_MANIFEST, SEGMENT_MARKER})}
    manifest = {"format": SEGMENT_FORMAT, "articles": [r.meta for r in records], "counts": counts,
                "article_counts": {r.id: {"paragraphs": len(r.paragraphs),
                                          "sentences": sum(len(p["sentences"]) for p in r.paragraphs),
                                          "units": len(r.units), "quotes": len(r.quotes)} for r in records},
                "files": files}
    (path / SEGMENT_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


# ---- reading --------------------------------------------------------------------------------
def read_segment_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / SEGMENT_MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexUnavailable(CORRUPT, f"{path / SEGMENT_MANIFEST} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IndexUnavailable(CORRUPT, f"{path / SEGMENT_MANIFEST} is unreadable ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != SEGMENT_FORMAT \
            or not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("articles"), list):
        raise IndexUnavailable(CORRUPT, f"{path / SEGMENT_MANIFEST} is not a segment manifest of this articlebot")
    return manifest


# Segment files this process hashed and found as written, with their signature then (size, times,
# inode): a bot's rebuilds after each add check an unchanged segment's files once, not per add.
_HASHED_SOUND: dict[Path, tuple[int, int, int, int]] = {}


def _kind_problem(target: Path) -> str | None:
    if not target.is_file():
        return f"{target} is not a regular file" if target.exists() else f"{target} is missing"
    return None


def segment_files_problem(path: Path, manifest: dict[str, Any]) -> str | None:
    """Whether each file of a segment (its manifest read) is a regular file of the size written, or
    None: a few stat calls, for opening an index (status and rebuilds read the checksums too)."""
    if missing := SEGMENT_FILES - {SEGMENT_MANIFEST, SEGMENT_MARKER} - set(manifest["files"]):
        return f"{path / SEGMENT_MANIFEST} lacks checksums for {sorted(missing)}"
    for name, expected in sorted(manifest["files"].items()):
        target = path / name
        if problem := _kind_problem(target):
            return problem
        if (size := target.stat().st_size) != expected.get("bytes"):
            return f"{target} has {size} bytes, the build wrote {expected.get('bytes')}"
    return None


def segment_problem(path: Path, record: dict[str, Any] | None = None, checksums: bool = True,
                    remembered: bool = False) -> str | None:
    """Why a segment is not the one articlebot wrote (its manifest, when the generation recorded
    its checksum, and every file against the manifest's size and SHA-256), or None. Without
    `checksums` only the sizes of its files are compared (a rebuild's quick check; status reads all).
    With `remembered`, a file this process hashed and found right is not hashed again while its
    size, times and inode are unchanged (a rebuild's check before it extends the index)."""
    try:
        if record is not None and file_record(path / SEGMENT_MANIFEST) != record:
            return f"{path / SEGMENT_MANIFEST} is not the file the build wrote (its checksum differs)"
        manifest = read_segment_manifest(path)
    except OSError:
        return f"{path / SEGMENT_MANIFEST} is missing"
    except IndexUnavailable as error:
        return error.reason
    if problem := segment_files_problem(path, manifest):
        return problem
    for name, expected in sorted(manifest["files"].items()) if checksums else ():
        target = path / name
        status = target.stat()
        signature = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        if remembered and _HASHED_SOUND.get(target) == signature:
            continue
        if file_record(target)["sha256"] != expected.get("sha256"):
            return f"{target} is not the file the build wrote (its checksum differs)"
        _HASHED_SOUND[target] = signature
    try:
        _, count = vector_file_shape(path / SEGMENT_VECTORS)
    except IndexUnavailable as error:
        return error.reason
    if count != manifest["counts"].get("units"):
        return f"{count} vectors for {manifest['counts'].get('units')} units in {path}"
    return None


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """The segment's arrays, memory-mapped: pages are read when touched, and shared between processes.
    Each is a plain ndarray view of its map (np.memmap's own indexing costs microseconds per element)."""
    try:
        return {name: np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
                for name in ARRAY_NAMES}
    except (OSError, ValueError) as error:
        raise IndexUnavailable(CORRUPT, f"an array of {path} is unreadable ({error})") from None


class PassageStore:
    """A segment's passage store opened read-only; safe to share between threads (one lock)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                               check_same_thread=False)
            self._connection.execute("SELECT count(*) FROM articles").fetchone()
        except sqlite3.Error as error:
            raise IndexUnavailable(CORRUPT, f"{path} is not a passage store ({error})") from None
        self._lock = threading.Lock()
        # Texts are read a few per question; the ones asked again stay in memory.
        self.paragraph = functools.lru_cache(maxsize=4096)(self._paragraph)
        self._tables: dict[str, bool] = {}  # the segment never changes: asked once

    def query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connection.execute(sql, tuple(parameters)).fetchall()
            except sqlite3.Error as error:
                raise IndexUnavailable(CORRUPT, f"{self.path} is unreadable ({error})") from None

    def _paragraph(self, row: int) -> tuple[str, tuple[str | None, ...]]:
        """A paragraph's text, and per sentence the person it is about."""
        found = self.query("SELECT text, who FROM paragraphs WHERE row = ?", (row,))
        if not found:
            raise IndexUnavailable(CORRUPT, f"{self.path} has no paragraph {row}")
        return str(found[0][0]), tuple(json.loads(found[0][1]))

    def unit(self, row: int) -> dict[str, Any]:
        article, paragraph, sentence, kind, text = self.query(
            "SELECT article, paragraph, sentence, kind, text FROM units WHERE row = ?", (row,))[0]
        return {"article": article, "paragraph": paragraph, "sentence": sentence, "kind": kind, "text": text}

    def article_words(self, row: int) -> frozenset[str]:
        return frozenset(json.loads(self.query("SELECT words FROM articles WHERE row = ?", (row,))[0][0]))

    def all_words(self, deleted: frozenset[str]) -> set[str]:
        """Every word that the segment's articles other than `deleted` use, case-folded."""
        return self._words_of("words", deleted)

    def lowercase_words(self, deleted: frozenset[str]) -> set[str]:
        """The words that the segment's articles other than `deleted` write in lower case."""
        return self._words_of("lowercase", deleted)

    def _words_of(self, column: Literal["words", "lowercase"], deleted: frozenset[str]) -> set[str]:
        """The union of one word-list column of the articles table over the live articles: from
        the segment's vocabulary, less the words that only its `deleted` articles use."""
        if not self._has_table(VOCABULARY):
            words: set[str] = set()
            for article, found in self.query(f"SELECT id, {column} FROM articles"):
                if article not in deleted:
                    words.update(json.loads(found))
            return words
        count = "articles" if column == "words" else "lowercase"
        users = dict(self.query(f"SELECT word, {count} FROM {VOCABULARY} WHERE {count} > 0"))
        for found in self._word_lists(column, sorted(deleted)):
            for word in found:
                users[word] = users.get(word, 0) - 1
        return {word for word, left in users.items() if left > 0}

    def articles_using(self, word: str, deleted: frozenset[str]) -> int:
        """How many of the segment's articles other than `deleted` use `word` (case-folded).

        Given the deleted ones, not the live ones: a question asks this for a few words, and listing
        an archive's live articles to subtract them took 22 ms a word at 10,000 articles."""
        if not self._has_table(VOCABULARY):
            return sum(word in json.loads(found) for article, found in self.query("SELECT id, words FROM articles")
                       if article not in deleted)
        found = self.query(f"SELECT articles FROM {VOCABULARY} WHERE word = ?", (word,))
        count = int(found[0][0]) if found else 0
        if count and deleted:
            count -= sum(word in words for words in self._word_lists("words", sorted(deleted)))
        return count

    def _word_lists(self, column: Literal["words", "lowercase"], article_ids: list[str]) -> Iterator[list[str]]:
        """One word-list column of the given articles, decoded."""
        for start in range(0, len(article_ids), 500):  # SQLite's limit on parameters
            chunk = article_ids[start:start + 500]
            for (found,) in self.query(f"SELECT {column} FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                                       chunk):
                yield json.loads(found)

    def _has_table(self, name: str) -> bool:
        """Whether the segment has a table that older segments lack (the vocabulary, the speakers)."""
        if name not in self._tables:
            self._tables[name] = bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                                 (name,)))
        return self._tables[name]

    @property
    def has_speakers(self) -> bool:
        """Whether the segment keeps its quotations' speakers and aliases apart (write_speakers)."""
        return self._has_table(SPEAKER_ALIASES)

    def alias_rows(self, articles: set[str]) -> list[tuple[str, str]]:
        """(alias, speaker) of `articles`' quotations, first use per article, in row order."""
        return [(alias, speaker) for article, alias, speaker in self.query(
            f"SELECT article, alias, speaker FROM {SPEAKER_ALIASES} ORDER BY quote, rowid") if article in articles]

    def speaker_names(self, articles: set[str]) -> set[str]:
        return {speaker for article, speaker in self.query(
            f"SELECT DISTINCT article, speaker FROM {QUOTE_SPEAKERS} WHERE speaker IS NOT NULL") if article in articles}

    def quotes_of_speaker(self, speaker: str, articles: set[str]) -> list[dict[str, Any]]:
        return [json.loads(data) for article, data in self.query(
            f"SELECT q.article, q.data FROM {QUOTE_SPEAKERS} s JOIN quotes q ON q.row = s.quote "
            "WHERE s.speaker = ? ORDER BY s.quote", (speaker,)) if article in articles]

    def quotes_in_paragraph(self, article: str, paragraph: int) -> list[dict[str, Any]]:
        return [json.loads(data) for (data,) in self.query(
            f"SELECT q.data FROM {QUOTE_SPEAKERS} s JOIN quotes q ON q.row = s.quote "
            "WHERE s.article = ? AND s.paragraph = ? ORDER BY s.quote", (article, paragraph))]

    def quotes(self, articles: set[str] | None = None) -> list[dict[str, Any]]:
        """The quotations, in order; only those of `articles` when given."""
        rows = self.query("SELECT article, data FROM quotes ORDER BY row")
        return [json.loads(data) for article, data in rows if articles is None or article in articles]

    def records(self, article_ids: list[str], vectors: np.ndarray) -> list[ArticleRecord]:
        """The given articles as records (for a merge), with their units' rows of `vectors`."""
        metas = {m["id"]: m for m in read_segment_manifest(self.path.parent)["articles"]}
        records = []
        for article in article_ids:
            words, lowercase = self.query("SELECT words, lowercase FROM articles WHERE id = ?", (article,))[0]
            paragraphs = [
                {"number": number, "start": start, "end": end, "kind": kind, "text": text,
                 "sentences": json.loads(sentences), "restates": restates, "who": json.loads(who)}
                for number, start, end, kind, text, sentences, restates, who in self.query(
                    'SELECT number, start, "end", kind, text, sentences, restates, who FROM paragraphs '
                    "WHERE article = ? ORDER BY row", (article,))]
            unit_rows = self.query("SELECT row, paragraph, sentence, kind, text FROM units WHERE article = ? "
                                   "ORDER BY row", (article,))
            units = [{"paragraph": p, "sentence": s, "kind": k, "text": t} for _, p, s, k, t in unit_rows]
            ids = np.asarray([r[0] for r in unit_rows], np.int64)
            quotes = [json.loads(data) for (data,) in self.query(
                "SELECT data FROM quotes WHERE article = ? ORDER BY row", (article,))]
            records.append(ArticleRecord(metas[article], paragraphs, units, vectors[ids], quotes,
                                         json.loads(words), json.loads(lowercase)))
        return records

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def generation_vectors(index_dir: Path) -> np.ndarray:
    """Every vector of the current generation's segments in row order, deleted articles' included
    (for benchmarks that search the raw vectors)."""
    from .manifest import read_manifest, segment_path
    from .vectors import load_vectors

    build = index_dir.resolve()
    manifest = read_manifest(build)
    parts = [load_vectors(segment_path(build, s["name"]) / SEGMENT_VECTORS) for s in manifest["segments"]]
    return np.vstack(parts) if parts else np.zeros((0, int(manifest["model"]["dimension"])), np.float32)


# ---- which segment directories articlebot may remove ----------------------------------------
def is_segment(path: Path) -> bool:
    """A directory articlebot made: a segment's name and nothing in it but a segment's files."""
    if path.is_symlink() or not path.is_dir() or not _SEGMENT_NAME.fullmatch(path.name):
        return False
    try:
        return all(name in SEGMENT_FILES or (name in BM25_FOLDERS and (path / name).is_dir() and not
                                             (path / name).is_symlink()
                                             and set(os.listdir(path / name)) <= TERM_COUNT_FILES)
                   for name in os.listdir(path))
    except OSError:
        return False


def remove_abandoned_segments(builds: Path) -> None:
    root = segments_root(builds)
    for path in root.iterdir() if root.is_dir() else ():
        if path.name.startswith("tmp-") and is_segment(path) and abandoned(path, SEGMENT_MARKER):
            shutil.rmtree(path, ignore_errors=True)


def remove_unreferenced_segments(builds: Path, referenced: set[str]) -> None:
    """Delete finished segments no kept generation lists, once older than the grace period (a
    concurrent rebuild publishes its segment only after writing it); only articlebot's own."""
    root = segments_root(builds)
    now = time.time()
    for path in root.iterdir() if root.is_dir() else ():
        if path.name.startswith("tmp-") or path.name in referenced or not is_segment(path):
            continue
        try:
            recent = now - path.stat().st_mtime < UNREFERENCED_GRACE_SECONDS
        except OSError:
            continue
        if not recent:
            shutil.rmtree(path, ignore_errors=True)
