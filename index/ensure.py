"""Making sure a usable index exists before serving: rebuild when missing, stale or mismatched."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .settings import Settings
from .store import FRESH

log = logging.getLogger(__name__)


def ensure_index(settings: Settings, progress: Callable | None = None) -> str:
    """Rebuild the index unless it is fresh; returns what was done, for the log."""
    from .build import rebuild
    from .cli import corpus_status

    status = corpus_status(settings)
    if status.state == FRESH:
        return f"index fresh ({status.reason})"
    log.info("index %s (%s): rebuilding", status.state, status.reason)
    report = rebuild(settings, full=False, progress=progress)
    return report.summary()
