"""Rebuilding the index from the corpus, re-embedding only what changed."""

from __future__ import annotations

import json
import logging
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from .attribution import Attribution, attribute_article
from .corpus import Article, load_corpus
from .embedder import Embedder
from .onnx_model import ExportUnsupported, export_onnx
from .passages import BODY, CAPTION, Paragraph, split_article
from .settings import Settings
from .store import (
    FORMAT_VERSION,
    MANIFEST,
    PASSAGES,
    VECTORS,
    IndexUnavailable,
    new_build_dir,
    publish,
    read_manifest,
)
from .units import PARAGRAPH, SENTENCE, Unit, make_units
from .vectors import load_vectors, save_vectors

log = logging.getLogger(__name__)

# A caption whose vector is this close to a body paragraph restates it (measured on the seed:
# restating captions score 0.62-0.87 with their paragraph, unrelated pairs stay below 0.5).
RESTATES_MIN_SIMILARITY = 0.6

# Article ids named per line of a summary; --json lists them all.
SUMMARY_IDS = 10

ProgressFactory = Callable[[int], Callable[[int], None]]


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


def _previous_vectors(index_dir: Path, model_name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The old manifest and a text → vector cache, when the old index used the same model."""
    try:
        manifest = read_manifest(index_dir)
        if manifest.get("model", {}).get("name") != model_name:
            return manifest, {}
        store = json.loads((index_dir / PASSAGES).read_text(encoding="utf-8"))
        vectors = load_vectors(index_dir / VECTORS)
    except (IndexUnavailable, OSError, ValueError, RuntimeError):
        return {}, {}
    if vectors.shape[0] != len(store.get("units", [])):
        return manifest, {}
    return manifest, {unit["text"]: vectors[i] for i, unit in enumerate(store["units"])}


def _restated_paragraph(
    caption: Paragraph, paragraphs: list[Paragraph], vector_of: dict[tuple[int, int], np.ndarray]
) -> int | None:
    """The body paragraph that a caption restates, if one is close enough."""
    caption_vector = vector_of.get((caption.number, 1))
    if caption_vector is None:
        return None
    best, best_score = None, RESTATES_MIN_SIMILARITY
    for paragraph in paragraphs:
        if paragraph.kind != BODY:
            continue
        for key in [(paragraph.number, 0)] + [(paragraph.number, s.number) for s in paragraph.sentences]:
            vector = vector_of.get(key)
            if vector is not None and float(vector @ caption_vector) >= best_score:
                best, best_score = paragraph.number, float(vector @ caption_vector)
    return best


def _query_model(embedder: Embedder, build: Path, index_dir: Path, old_manifest: dict,
                 model_name: str) -> dict | None:
    """The ONNX copy of the model for answering questions: reused from the previous build when the
    model is the same, else exported now. None when the model cannot be exported."""
    # The export depends on the model alone, so even a --full rebuild reuses it.
    previous = old_manifest.get("query_model")
    if previous and old_manifest.get("model", {}).get("name") == model_name:
        try:
            for name in (previous["file"], previous["tokenizer"]):
                shutil.copy2(index_dir / name, build / name)
            return previous
        except OSError:
            log.info("previous ONNX model unreadable; exporting again")
    try:
        return export_onnx(embedder, build)
    except (ExportUnsupported, ImportError) as error:
        log.warning("no ONNX model for questions (%s); they will use sentence-transformers", error)
        return None


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("articlebot", "sentence-transformers", "faiss-cpu", "torch", "numpy", "onnxruntime"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def rebuild(
    settings: Settings,
    *,
    full: bool = False,
    embedder: Embedder | None = None,
    progress: ProgressFactory | None = None,
) -> RebuildReport:
    """Read the corpus, embed what is new, and publish a new index atomically.

    A corpus error stops the rebuild before anything is written.
    """
    articles = load_corpus(settings.corpus_dir, settings.max_article_bytes)
    embedder = embedder or Embedder(settings.model, settings.torch_threads)
    index_dir = settings.index_dir
    old_manifest, cache = _previous_vectors(index_dir, settings.model)
    if full:
        cache = {}
    old_hashes = {a: e.get("hash") for a, e in old_manifest.get("articles", {}).items()}

    report = RebuildReport()
    for article in articles:
        if article.id not in old_hashes:
            report.added.append(article.id)
        elif old_hashes[article.id] != article.content_hash:
            report.changed.append(article.id)
        else:
            report.unchanged.append(article.id)
    report.removed = sorted(set(old_hashes) - {a.id for a in articles})

    split = {article.id: split_article(article.id, article.body) for article in articles}
    attributions = {article.id: attribute_article(article, split[article.id]) for article in articles}
    units: list[Unit] = []
    for article in articles:
        units.extend(make_units(split[article.id], embedder.fit, attributions[article.id].who))
    # Longest first, as sentence-transformers orders one call, so each batch pads little.
    missing = sorted({u.text for u in units if u.text not in cache}, key=len, reverse=True)
    tick = progress(len(missing)) if progress else None
    fresh = embedder.encode(missing, progress=tick)
    cache.update(zip(missing, fresh, strict=True))
    report.encoded = len(missing)
    report.units = len(units)
    vectors = (np.vstack([cache[u.text] for u in units]) if units
               else np.zeros((0, embedder.dimension), np.float32))

    build = new_build_dir(index_dir)
    try:
        store = _passage_store(articles, split, attributions, units, vectors)
        save_vectors(vectors, build / VECTORS)
        query_model = _query_model(embedder, build, index_dir, old_manifest, settings.model)
        (build / PASSAGES).write_text(json.dumps(store, ensure_ascii=False), encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": {"name": settings.model, "dimension": int(vectors.shape[1])},
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
    units: list[Unit], vectors: np.ndarray,
) -> dict:
    per_article: dict[str, dict[tuple[int, int], np.ndarray]] = {}
    for unit, vector in zip(units, vectors, strict=True):
        if unit.kind in (PARAGRAPH, SENTENCE):
            per_article.setdefault(unit.article, {}).setdefault((unit.paragraph, unit.sentence), vector)
    paragraphs, quotes = [], []
    for article in articles:
        for paragraph in split[article.id]:
            restates = None
            if paragraph.kind == CAPTION:
                restates = _restated_paragraph(paragraph, split[article.id], per_article.get(article.id, {}))
            paragraphs.append({
                "article": article.id,
                "number": paragraph.number,
                "start": paragraph.start,
                "end": paragraph.end,
                "kind": paragraph.kind,
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
            {**a.metadata(), "path": a.path, "hash": a.content_hash, "paragraphs": len(split[a.id])}
            for a in articles
        ],
        "paragraphs": paragraphs,
        "units": [u.as_dict() for u in units],
        "quotes": quotes,
    }
