"""The saved index: a build directory with a manifest, the FAISS vectors and the passage store
(manifest.py: what a build holds, and whether it can serve; vectors.py: the FAISS file), and
where builds live and how one is published (builds.py)."""

from .builds import BUILD_MARKER, IndexLocationError, builds_dir, check_index_location, new_build_dir, publish
from .manifest import (
    CORRUPT,
    FORMAT_VERSION,
    FRESH,
    MANIFEST,
    MISSING,
    MODEL_MISMATCH,
    PASSAGES,
    STALE,
    VECTORS,
    IndexUnavailable,
    Status,
    check_status,
    file_problem,
    file_record,
    model_mismatch,
    needed_files,
    query_model_files,
    read_manifest,
    vector_file_shape,
)
from .vectors import VectorIndex, load_vectors, save_vectors

__all__ = [
    "BUILD_MARKER",
    "CORRUPT",
    "FORMAT_VERSION",
    "FRESH",
    "MANIFEST",
    "MISSING",
    "MODEL_MISMATCH",
    "PASSAGES",
    "STALE",
    "VECTORS",
    "IndexLocationError",
    "IndexUnavailable",
    "Status",
    "VectorIndex",
    "builds_dir",
    "check_index_location",
    "check_status",
    "file_problem",
    "file_record",
    "load_vectors",
    "model_mismatch",
    "needed_files",
    "new_build_dir",
    "publish",
    "query_model_files",
    "read_manifest",
    "save_vectors",
    "vector_file_shape",
]
