"""The saved index: a generation directory whose manifest lists the segments that hold the
passages and vectors (segments.py), and whether it can serve (the checksums of the generation's
files and of every segment's, the FAISS headers) and is fresh for the corpus.

Where generation directories live, and how one is published, is index/builds.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..embedding import ModelSpec
from .vectors import APPROXIMATE_TAGS, FLAT_HEADER_SIZE, FLAT_TAG, flat_file_shape, read_index

# 1: one build directory with vectors.faiss and passages.json (no longer read: rebuild it);
# 2: a generation of segments.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
# The files of a format-1 build, named so that an old build among the builds is still recognised.
VECTORS = "vectors.faiss"
PASSAGES = "passages.json"
SEGMENTS_FOLDER = "segments"  # beside the generations
OLDER_FORMAT_FIX = "run `articlebot index rebuild --full`"

FRESH, STALE, MISSING, CORRUPT, MODEL_MISMATCH = "fresh", "stale", "missing", "corrupt", "model mismatch"


class IndexUnavailable(RuntimeError):
    """The index cannot be used; `state` says why and `fix` says which command helps."""

    def __init__(self, state: str, reason: str, fix: str | None = None):
        self.state = state
        self.reason = reason
        fix = fix or ("run `articlebot index rebuild`" if state != MODEL_MISMATCH else (
            "run `articlebot index rebuild --full`, or set ARTICLEBOT_MODEL, ARTICLEBOT_BACKEND and the "
            "prefixes to what the index was built with"
        ))
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


# ---- the manifest ---------------------------------------------------------------------------
# A file of the build itself, never a path elsewhere.
_FileName = Annotated[str, StringConstraints(pattern=r"^\w[\w.\-]*$")]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Similarity(_Entry):
    mean: float
    spread: float = Field(gt=0)


class _Model(_Entry):
    name: str
    dimension: int = Field(gt=0)
    backend: str = "sentence-transformers"  # indexes from before backends were named
    query_prefix: str = ""
    passage_prefix: str = ""
    similarity: _Similarity | None = None


class _Article(_Entry):
    hash: str
    segment: _FileName


class _QueryModel(_Entry):
    file: _FileName
    tokenizer: _FileName | None = None  # e5's tokenizer comes with its package
    max_length: int | None = Field(default=None, gt=0)


class _File(_Entry):
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class _Segment(_Entry):
    name: _FileName
    deleted: list[str]  # its articles that no longer answer (changed or removed since)
    manifest: _File  # its segment.json, which holds the checksums of its other files


class _Manifest(_Entry):
    format_version: Literal[2]
    model: _Model
    articles: dict[str, _Article]
    segments: list[_Segment]
    counts: dict[str, int]
    query_model: _QueryModel | None = None
    # Size and SHA-256 of the generation's own files (the question model).
    files: dict[str, _File]


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
    found = manifest.get("format_version") if isinstance(manifest, dict) else None
    if isinstance(found, int) and not isinstance(found, bool) and 0 < found < FORMAT_VERSION:
        raise IndexUnavailable(STALE, f"built by an older articlebot (index format {found}, this one reads "
                                      f"{FORMAT_VERSION})", OLDER_FORMAT_FIX)
    if found != FORMAT_VERSION:
        raise IndexUnavailable(CORRUPT, f"format version {found!r}, this articlebot reads {FORMAT_VERSION}")
    try:
        _Manifest.model_validate(manifest)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise IndexUnavailable(CORRUPT, f"{manifest_path}: {where}: {first['msg']}") from None
    for segment in manifest["segments"]:
        path = segment_path(index_dir, segment["name"])
        if not path.is_dir():
            raise IndexUnavailable(CORRUPT, f"{path} is missing")
    return manifest


def segment_path(generation: Path, name: str) -> Path:
    """Where a generation's segment lives: beside the generations, in segments/."""
    return generation.resolve().parent / SEGMENTS_FOLDER / name


def file_record(path: Path) -> dict[str, Any]:
    """What the manifest keeps of a file to recognise it later: its size and SHA-256."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def query_model_files(entry: dict[str, Any]) -> list[str]:
    """The files of an index's question model: the ONNX graph, and its tokenizer when it has one."""
    return [entry["file"]] + ([entry["tokenizer"]] if entry.get("tokenizer") else [])


def needed_files(manifest: dict[str, Any]) -> list[str]:
    """The generation's own files a question needs: the question model when there is one (the
    passages and vectors are its segments')."""
    query_model = manifest.get("query_model")
    return query_model_files(query_model) if query_model else []


def file_problem(build: Path, name: str, manifest: dict[str, Any]) -> str | None:
    """Why a file of the build is not the one the build wrote (missing, another size or checksum),
    or None. An index from before checksums can only be checked for presence."""
    path = build / name
    if not path.is_file():
        return f"{path} is missing"
    records = manifest.get("files")
    if records is None:
        return None
    record = records.get(name)
    if record is None:
        return f"the manifest has no checksum for {name}"
    found = file_record(path)
    if found["bytes"] != record["bytes"]:
        return f"{path} has {found['bytes']} bytes, the build wrote {record['bytes']}"
    if found["sha256"] != record["sha256"]:
        return f"{path} is not the file the build wrote (its checksum differs)"
    return None


def verify_build(build: Path, manifest: dict[str, Any]) -> None:
    """IndexUnavailable (corrupt) unless every file a question needs is the one the build wrote:
    the generation's files and each segment's, sizes and SHA-256 from the manifests (0.2 s for
    the 88 MB model), and each FAISS header against the manifest's dimension and unit count."""
    from .segments import segment_problem  # segments.py builds on this module

    for name in needed_files(manifest):
        problem = file_problem(build, name, manifest)
        if problem is not None:
            raise IndexUnavailable(CORRUPT, problem)
    for segment in manifest["segments"]:
        path = segment_path(build, segment["name"])
        problem = segment_problem(path, segment["manifest"])
        if problem is not None:
            raise IndexUnavailable(CORRUPT, problem)
        dimension, _ = vector_file_shape(path / VECTORS)
        if dimension != manifest["model"]["dimension"]:
            raise IndexUnavailable(CORRUPT, f"the vectors of {path} have {dimension} dimensions, the manifest "
                                            f"says {manifest['model']['dimension']}")


def vector_file_shape(path: Path) -> tuple[int, int]:
    """(dimension, vector count) of the FAISS file that vectors.save_vectors writes; IndexUnavailable
    for any other file. A flat file is checked against its size from its header alone; an
    approximate one is opened, memory-mapped, which reads its codes (or graph) but not its vectors."""
    try:
        with path.open("rb") as handle:
            header = handle.read(FLAT_HEADER_SIZE)
        size = path.stat().st_size
    except OSError as error:
        raise IndexUnavailable(CORRUPT, f"{path} is unreadable ({error.strerror})") from None
    if header[:4] in APPROXIMATE_TAGS:
        try:
            index = read_index(path)
        except ValueError:
            raise IndexUnavailable(CORRUPT, f"{path} is cut short or damaged ({size} bytes)") from None
        return int(index.d), int(index.ntotal)
    if len(header) < FLAT_HEADER_SIZE or header[:4] != FLAT_TAG:
        raise IndexUnavailable(CORRUPT, f"{path} is not a FAISS index written by articlebot")
    dimension, count = flat_file_shape(header)
    if dimension <= 0 or count < 0 or size != FLAT_HEADER_SIZE + 4 * dimension * count:
        raise IndexUnavailable(CORRUPT, f"{path} is cut short or damaged ({size} bytes)")
    return dimension, count


def check_status(index_dir: Path, article_hashes: dict[str, str] | None, spec: ModelSpec) -> Status:
    """Compare the saved index with the corpus and the configured model. Without `article_hashes`
    (a corpus that cannot be read) the index alone is checked: fresh means it can serve."""
    path = str(index_dir)
    try:
        manifest = read_manifest(index_dir)
        verify_build(index_dir, manifest)
    except IndexUnavailable as error:
        reason = f"{error.reason}; {error.fix}" if error.fix == OLDER_FORMAT_FIX else error.reason
        return Status(error.state, reason, path)
    indexed = ModelSpec.from_manifest(manifest["model"])
    if indexed != spec:
        return Status(MODEL_MISMATCH, model_mismatch(indexed, spec), path, manifest)
    counts = manifest["counts"]
    fresh = Status(FRESH, f"{counts.get('articles', 0)} articles, {counts.get('units', 0)} units", path, manifest)
    if article_hashes is None:
        return fresh
    hashes = {aid: entry["hash"] for aid, entry in manifest["articles"].items()}
    added = sorted(set(article_hashes) - set(hashes))
    removed = sorted(set(hashes) - set(article_hashes))
    changed = sorted(a for a in set(hashes) & set(article_hashes) if hashes[a] != article_hashes[a])
    if added or removed or changed:
        parts = [
            f"{label}: {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''}"
            for label, ids in (("added", added), ("changed", changed), ("removed", removed))
            if ids
        ]
        return Status(STALE, "corpus differs from index (" + "; ".join(parts) + ")", path, manifest)
    return fresh


def model_mismatch(indexed: ModelSpec, wanted: ModelSpec) -> str:
    """Why an index cannot answer with the configured model, for status and for refusals."""
    return f"index built with {indexed.describe()}, settings ask for {wanted.describe()}"
