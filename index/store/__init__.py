"""The saved index: a generation (a build directory whose manifest lists segments) and its
segments, each with FAISS vectors, a passage store and memory-mapped arrays (manifest.py: what a
generation holds, and whether it can serve; segments.py: one segment's files; vectors.py: the
FAISS file), and where builds live and how one is published (builds.py)."""

from .builds import (
    BUILD_MARKER,
    IndexLocationError,
    builds_dir,
    check_index_location,
    new_build_dir,
    one_rebuild_at_a_time,
    publish,
)
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
    "one_rebuild_at_a_time",
    "publish",
    "query_model_files",
    "read_manifest",
    "save_vectors",
    "vector_file_shape",
]
