"""Whether the index is ready to serve, and making it so: rebuild when missing, stale or mismatched."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .corpus import CorpusError, load_corpus
from .settings import Settings
from .store import FRESH, STALE, Status, check_status

log = logging.getLogger(__name__)


def corpus_status(settings: Settings) -> Status:
    """The index's status against the corpus as it is on disk now."""
    try:
        hashes = {a.id: a.content_hash for a in load_corpus(settings.corpus_dir, settings.max_article_bytes)}
    except CorpusError as error:
        return Status(STALE, f"the corpus has errors: {error}", str(settings.index_dir))
    return check_status(settings.index_dir, hashes, settings.model)


def ensure_index(settings: Settings, progress: Callable | None = None) -> str:
    """Rebuild the index unless it is fresh; returns what was done, for the log."""
    from .build import rebuild

    status = corpus_status(settings)
    if status.state == FRESH:
        return f"index fresh ({status.reason})"
    log.info("index %s (%s): rebuilding", status.state, status.reason)
    report = rebuild(settings, full=False, progress=progress)
    return report.summary()
