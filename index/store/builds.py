"""Where builds live. The configured index path (ARTICLEBOT_INDEX_DIR) is a symbolic link to a
build directory (a generation: its manifest lists the segments it reads) in `<path>.builds`, and
the segments live in `<path>.builds/segments`. A rebuild writes its new segment and a new
generation directory beside the current one and swaps the link with one atomic rename, so a
reader sees either the old index or the new one, never half of either.

articlebot moves and deletes only what it made: its link, directories named as it names builds
that hold nothing but the files a build writes, and segments (segments.py) that no kept
generation lists.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..embedding import ONNX_FILE, TOKENIZER_FILE
from ..embedding.e5_onnx import ONNX_FILE as E5_ONNX_FILE
from ..problems import os_problem
from .manifest import FORMAT_VERSION, MANIFEST, PASSAGES, VECTORS
from .scratch import abandoned, marked_temporary_dir
from .segments import remove_unreferenced_segments

log = logging.getLogger(__name__)

if sys.platform != "win32":
    import fcntl

# Written first into every build directory: says articlebot made it, and which process.
BUILD_MARKER = "articlebot-build.json"
BUILD_FILES = frozenset({MANIFEST, VECTORS, PASSAGES, ONNX_FILE, TOKENIZER_FILE, E5_ONNX_FILE, BUILD_MARKER})
_BUILD_NAME = re.compile(r"(tmp-)?\d{8}T\d{6}-[0-9a-f]{8}")


class IndexLocationError(ValueError):
    """ARTICLEBOT_INDEX_DIR points at something articlebot did not make; nothing was touched."""


def builds_dir(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".builds")


def rebuild_lock(index_dir: Path) -> Path:
    """The file whose lock the process rebuilding this index holds (beside its link, as the link's
    temporary twin is)."""
    return index_dir.with_name(f".{index_dir.name}.rebuild-lock")


@contextmanager
def one_rebuild_at_a_time(index_dir: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold this index's rebuild lock, calling `waiting` first when another process holds it.

    Several processes serving one index (a sharded bot) may each rebuild it, on start or for
    `/article add`. Taking turns, each reading the corpus only once it holds the lock, none publishes
    an index that misses an article another wrote meanwhile. The kernel's lock (flock) is let go
    when its holder ends, however it ends; on Windows there is none."""
    if sys.platform == "win32":
        yield
        return
    # Made now rather than by new_build_dir: a path that cannot hold it fails here, naming it.
    builds_dir(index_dir).mkdir(parents=True, exist_ok=True)
    with open(rebuild_lock(index_dir), "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _absolute(path: Path) -> Path:
    """The path with its folder resolved but its last part not followed (it may be our link)."""
    return path.absolute().parent.resolve() / path.name


def check_index_location(index_dir: Path, corpus_dir: Path) -> None:
    """IndexLocationError unless `index_dir` is free for articlebot's link: absent, or a link to
    one of its builds, and neither it nor its builds folder is or holds the corpus."""
    corpus = corpus_dir.resolve()
    for place in (_absolute(index_dir), _absolute(builds_dir(index_dir))):
        if corpus == place or corpus.is_relative_to(place):
            raise IndexLocationError(
                f"ARTICLEBOT_INDEX_DIR ({index_dir}) is or holds the corpus folder ({corpus_dir}); nothing was "
                "changed. Set ARTICLEBOT_INDEX_DIR to a path outside the corpus, such as var/index"
            )
    if index_dir.is_symlink():
        target = index_dir.resolve()
        if target.parent == builds_dir(_absolute(index_dir)).resolve():
            return
        raise IndexLocationError(
            f"ARTICLEBOT_INDEX_DIR ({index_dir}) is a link to {target}, which is not an articlebot build; "
            "nothing was changed. Set ARTICLEBOT_INDEX_DIR to a path that does not exist yet"
        )
    if index_dir.exists():
        kind = "folder" if index_dir.is_dir() else "file"
        raise IndexLocationError(
            f"ARTICLEBOT_INDEX_DIR ({index_dir}) is an existing {kind} that is not an articlebot index; "
            "nothing was moved. Set ARTICLEBOT_INDEX_DIR to a path that does not exist yet: "
            "articlebot makes it a link to its current build"
        )


def new_build_dir(index_dir: Path) -> Path:
    """A fresh temporary build directory, marked as articlebot's; abandoned ones are cleared first."""
    root = builds_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    remove_abandoned_builds(index_dir)
    return marked_temporary_dir(root, "tmp-", BUILD_MARKER, {"format_version": FORMAT_VERSION})


def is_build(path: Path) -> bool:
    """A directory articlebot made: a build's name and nothing in it but a build's files."""
    if path.is_symlink() or not path.is_dir() or not _BUILD_NAME.fullmatch(path.name):
        return False
    try:
        # "x.link" is a hard link on its way to replacing x (build._file_records).
        return all(name.removesuffix(".link") in BUILD_FILES for name in os.listdir(path))
    except OSError:
        return False


def remove_abandoned_builds(index_dir: Path) -> None:
    root = builds_dir(index_dir)
    for path in root.iterdir() if root.is_dir() else ():
        if path.name.startswith("tmp-") and is_build(path) and abandoned(path, BUILD_MARKER):
            shutil.rmtree(path, ignore_errors=True)


def publish(build: Path, index_dir: Path) -> Path:
    """Make `build` the current index with one atomic rename; keep the previous build."""
    if index_dir.exists() and not index_dir.is_symlink():
        # Checked before the rebuild too; a folder may have appeared since.
        raise IndexLocationError(f"ARTICLEBOT_INDEX_DIR ({index_dir}) is an existing folder that is not an "
                                 "articlebot index; nothing was moved")
    final = build.with_name(build.name.removeprefix("tmp-"))
    os.replace(build, final)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    link = index_dir.with_name(f".{index_dir.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(final, index_dir.parent), link)
    os.replace(link, index_dir)
    # Published: nothing after the swap may fail the rebuild, which would then delete the segments the
    # live index lists and undo the corpus change it holds. Builds left behind go at the next prune.
    try:
        _prune(index_dir, keep=final)
    except OSError as error:
        log.warning("older builds of %s could not be removed: %s", index_dir, os_problem(error))
    return final


def _prune(index_dir: Path, keep: Path) -> None:
    """Delete older builds, keeping the newest two, and abandoned temporary ones.

    The previous build stays so that a reader who opened it just before the swap can finish.
    Only articlebot's own builds are touched."""
    root = builds_dir(index_dir)
    finished = sorted(
        (p for p in root.iterdir() if not p.name.startswith("tmp-") and p != keep and is_build(p)),
        key=lambda p: p.stat().st_mtime,
    )
    for path in finished[:-1]:
        shutil.rmtree(path, ignore_errors=True)
    remove_abandoned_builds(index_dir)
    referenced = _referenced_segments(root)
    if referenced is not None:
        remove_unreferenced_segments(root, referenced)


def _referenced_segments(root: Path) -> set[str] | None:
    """The segments that the builds still there list; None when a build's manifest cannot be read
    (then no segment is deleted: it might be one of its)."""
    referenced: set[str] = set()
    for path in root.iterdir():
        if not is_build(path) or path.name.startswith("tmp-"):
            continue
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            referenced.update(str(segment["name"]) for segment in manifest.get("segments", []))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
    return referenced
