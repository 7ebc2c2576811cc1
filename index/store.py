"""The saved index: one directory with a manifest, the FAISS file and the passage store.

The configured index path is a symbolic link to a build directory. A rebuild writes a new
build directory beside the current one and swaps the link with one atomic rename, so a
reader sees either the old index or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
PASSAGES = "passages.json"

FRESH, STALE, MISSING, CORRUPT, MODEL_MISMATCH = "fresh", "stale", "missing", "corrupt", "model mismatch"


class IndexUnavailable(RuntimeError):
    """The index cannot be used; `state` says why and `fix` says which command helps."""

    def __init__(self, state: str, reason: str):
        self.state = state
        self.reason = reason
        fix = "run `articlebot index rebuild`" if state != MODEL_MISMATCH else (
            "run `articlebot index rebuild --full`, or set ARTICLEBOT_MODEL to the index's model"
        )
        self.fix = fix
        super().__init__(f"index {state}: {reason}; {fix}")


@dataclass(frozen=True)
class Status:
    state: str
    reason: str
    path: str
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.state == FRESH

    def as_dict(self) -> dict[str, Any]:
        counts = (self.manifest or {}).get("counts")
        built_at = (self.manifest or {}).get("built_at")
        return {"state": self.state, "reason": self.reason, "path": self.path,
                "counts": counts, "built_at": built_at}


def builds_dir(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".builds")


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The manifest of the current build, or IndexUnavailable (missing or corrupt)."""
    if not index_dir.exists():
        raise IndexUnavailable(MISSING, f"no index at {index_dir}")
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        raise IndexUnavailable(CORRUPT, f"{manifest_path} is missing")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IndexUnavailable(CORRUPT, f"{manifest_path} is unreadable ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        found = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise IndexUnavailable(
            CORRUPT, f"format version {found!r}, this articlebot reads {FORMAT_VERSION}"
        )
    for name in (VECTORS, PASSAGES):
        if not (index_dir / name).is_file():
            raise IndexUnavailable(CORRUPT, f"{index_dir / name} is missing")
    return manifest


def check_status(index_dir: Path, article_hashes: dict[str, str], model_name: str) -> Status:
    """Compare the saved index with the corpus and the configured model."""
    path = str(index_dir)
    try:
        manifest = read_manifest(index_dir)
    except IndexUnavailable as error:
        return Status(error.state, error.reason, path)
    indexed_model = manifest.get("model", {}).get("name")
    if indexed_model != model_name:
        return Status(
            MODEL_MISMATCH,
            f"index built with {indexed_model!r}, settings ask for {model_name!r}",
            path,
            manifest,
        )
    indexed = {aid: entry.get("hash") for aid, entry in manifest.get("articles", {}).items()}
    added = sorted(set(article_hashes) - set(indexed))
    removed = sorted(set(indexed) - set(article_hashes))
    changed = sorted(a for a in set(indexed) & set(article_hashes) if indexed[a] != article_hashes[a])
    if added or removed or changed:
        parts = [
            f"{label}: {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''}"
            for label, ids in (("added", added), ("changed", changed), ("removed", removed))
            if ids
        ]
        return Status(STALE, "corpus differs from index (" + "; ".join(parts) + ")", path, manifest)
    counts = manifest.get("counts", {})
    return Status(FRESH, f"{counts.get('articles', 0)} articles, {counts.get('units', 0)} units", path,
                  manifest)


def new_build_dir(index_dir: Path) -> Path:
    root = builds_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    build = root / f"tmp-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    build.mkdir()
    return build


def publish(build: Path, index_dir: Path) -> Path:
    """Make `build` the current index with one atomic rename; keep the previous build."""
    final = build.with_name(build.name.removeprefix("tmp-"))
    os.replace(build, final)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    if index_dir.exists() and not index_dir.is_symlink():
        # An index directory from before builds were linked: move it among the builds.
        os.replace(index_dir, builds_dir(index_dir) / f"legacy-{uuid.uuid4().hex[:8]}")
    link = index_dir.with_name(f".{index_dir.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(final, index_dir.parent), link)
    os.replace(link, index_dir)
    _prune(index_dir, keep=final)
    return final


def _prune(index_dir: Path, keep: Path) -> None:
    """Delete old builds and abandoned temporary ones, keeping the newest two.

    The previous build stays so that a reader who opened it just before the swap can finish.
    """
    root = builds_dir(index_dir)
    finished = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith("tmp-") and p != keep),
        key=lambda p: p.stat().st_mtime,
    )
    stale_tmp = [p for p in root.iterdir() if p.name.startswith("tmp-") and
                 time.time() - p.stat().st_mtime > 3600]
    for path in finished[:-1] + stale_tmp:
        shutil.rmtree(path, ignore_errors=True)
