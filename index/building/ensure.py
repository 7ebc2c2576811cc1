"""Whether the index is ready to serve, and making it so: rebuild when missing, stale, damaged or
mismatched, and serve the last good index when the rebuild cannot be done."""

from __future__ import annotations

import logging

from ..corpus import CorpusError, load_corpus
from ..embedding import model_spec
from ..problems import os_problem
from ..settings import Settings
from ..store import FRESH, STALE, Status, check_status
from .build import Progress, rebuild

log = logging.getLogger(__name__)


def corpus_status(settings: Settings) -> Status:
    """The index's status against the corpus as it is on disk now. A damaged or missing index
    is reported before a corpus with bad files."""
    spec = model_spec(settings)
    try:
        hashes = {a.id: a.content_hash for a in load_corpus(settings.corpus_dir, settings.max_article_bytes)}
    except CorpusError as error:
        alone = check_status(settings.index_dir, None, spec)
        if alone.state not in (FRESH, STALE):
            return alone
        return Status(STALE, f"the corpus has errors: {error}", str(settings.index_dir), alone.manifest)
    return check_status(settings.index_dir, hashes, spec)


def ensure_index(settings: Settings, progress: Progress | None = None) -> str:
    """Rebuild the index unless it is fresh; returns what was done, for the log.

    When the rebuild fails on the corpus (a bad file) or the disk, and the current index is
    sound and made with the configured model, it keeps serving and each problem is logged as
    a warning; with no index to fall back on, the error is raised."""
    status = corpus_status(settings)
    if status.state == FRESH:
        return f"index fresh ({status.reason})"
    log.info("index %s (%s): rebuilding", status.state, status.reason.splitlines()[0])
    try:
        report = rebuild(settings, full=False, progress=progress)
    except (CorpusError, OSError) as error:
        # Missing, damaged, another model, or an older format (stale without a manifest this
        # articlebot reads): nothing to serve.
        if status.state != STALE or status.manifest is None:
            raise
        problems = error.lines() if isinstance(error, CorpusError) else [os_problem(error)]
        for problem in problems:
            log.warning("%s", problem)
        counts = (status.manifest or {}).get("counts", {})
        return (f"serving the last good index ({counts.get('articles', 0)} articles, built "
                f"{(status.manifest or {}).get('built_at', 'earlier')}): the rebuild failed ({len(problems)} "
                "problem(s) above); fix them and run `articlebot index rebuild`")
    return report.summary()
