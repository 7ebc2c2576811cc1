"""The saved index: one directory with a manifest, the FAISS file and the passage store, and
whether it can serve (the manifest's checksums, the FAISS header) and is fresh for the corpus.

Where build directories live, and how one is published, is index/builds.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..embedding import ModelSpec
from .vectors import FLAT_TAG, HNSW_TAG, read_index

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
            "run `articlebot index rebuild --full`, or set ARTICLEBOT_MODEL, ARTICLEBOT_BACKEND and the "
            "prefixes to what the index was built with"
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


class _QueryModel(_Entry):
    file: _FileName
    tokenizer: _FileName | None = None  # e5's tokenizer comes with its package
    max_length: int | None = Field(default=None, gt=0)


class _File(_Entry):
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class _Manifest(_Entry):
    format_version: Literal[1]
    model: _Model
    articles: dict[str, _Article]
    counts: dict[str, int]
    query_model: _QueryModel | None = None
    # Size and SHA-256 of each file, so that status can tell a damaged index (absent before checksums).
    files: dict[str, _File] | None = None


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
    try:
        _Manifest.model_validate(manifest)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise IndexUnavailable(CORRUPT, f"{manifest_path}: {where}: {first['msg']}") from None
    for name in (VECTORS, PASSAGES):
        if not (index_dir / name).is_file():
            raise IndexUnavailable(CORRUPT, f"{index_dir / name} is missing")
    return manifest


def file_record(path: Path) -> dict[str, Any]:
    """What the manifest keeps of a file to recognise it later: its size and SHA-256."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def query_model_files(entry: dict[str, Any]) -> list[str]:
    """The files of an index's question model: the ONNX graph, and its tokenizer when it has one."""
    return [entry["file"]] + ([entry["tokenizer"]] if entry.get("tokenizer") else [])


def needed_files(manifest: dict[str, Any]) -> list[str]:
    """The files a question needs: the vectors, the passages and the question model when there is one."""
    query_model = manifest.get("query_model")
    return [VECTORS, PASSAGES] + (query_model_files(query_model) if query_model else [])


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
    sizes and SHA-256 from the manifest (0.2 s for the 88 MB model), and the FAISS header
    against the manifest's dimension and unit count."""
    for name in needed_files(manifest):
        problem = file_problem(build, name, manifest)
        if problem is not None:
            raise IndexUnavailable(CORRUPT, problem)
    dimension, count = vector_file_shape(build / VECTORS)
    if dimension != manifest["model"]["dimension"]:
        raise IndexUnavailable(CORRUPT, f"the vectors have {dimension} dimensions, the manifest says "
                                        f"{manifest['model']['dimension']}")
    units = manifest["counts"].get("units")
    if units is not None and count != units:
        raise IndexUnavailable(CORRUPT, f"{count} vectors for {units} units")


def vector_file_shape(path: Path) -> tuple[int, int]:
    """(dimension, vector count) of the FAISS file that vectors.save_vectors writes; IndexUnavailable
    for any other file. A flat file is checked against its size from its header alone; an
    approximate (HNSW) one is opened, memory-mapped, which reads its graph but not its vectors."""
    # The layout of faiss's write_index for IndexFlatIP: "IxFI", d (int32), ntotal (int64), two
    # unused int64, is_trained (1 byte), metric (int32), the vector length (int64), then the floats.
    try:
        with path.open("rb") as handle:
            header = handle.read(45)
        size = path.stat().st_size
    except OSError as error:
        raise IndexUnavailable(CORRUPT, f"{path} is unreadable ({error.strerror})") from None
    if header[:4] == HNSW_TAG:
        try:
            index = read_index(path)
        except ValueError:
            raise IndexUnavailable(CORRUPT, f"{path} is cut short or damaged ({size} bytes)") from None
        return int(index.d), int(index.ntotal)
    if len(header) < 45 or header[:4] != FLAT_TAG:
        raise IndexUnavailable(CORRUPT, f"{path} is not a FAISS index written by articlebot")
    dimension = int.from_bytes(header[4:8], "little", signed=True)
    count = int.from_bytes(header[8:16], "little", signed=True)
    if dimension <= 0 or count < 0 or size != 45 + 4 * dimension * count:
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
        return Status(error.state, error.reason, path)
    indexed = ModelSpec.from_manifest(manifest["model"])
    if indexed != spec:
        return Status(MODEL_MISMATCH, model_mismatch(indexed, spec), path, manifest)
    if manifest.get("files") is None:
        return Status(STALE, "built by an older articlebot, without file checksums", path, manifest)
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
