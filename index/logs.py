"""The process's logging, set up once by the command line's entry point, in the manner of
discord.py's `setup_logging`: one handler on the root logger writing to stderr, the libraries that
talk too much held at WARNING (unless the level asks for less), and any levels an entry point
names for its own libraries, as floors under the operator's level. Modules only ever call
`logging.getLogger(__name__)`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Their INFO is per-batch or per-request chatter that says nothing to someone running articlebot.
QUIET_LIBRARIES = ("faiss", "sentence_transformers", "transformers", "httpx", "huggingface_hub", "bm25s")


def setup_logging(level: int | str, library_levels: Mapping[str, int] | None = None,
                  stream: TextIO | None = None) -> None:
    """Log records at `level` and above to `stream` (stderr), replacing any handler the root logger
    had; QUIET_LIBRARIES at WARNING or above, and each of `library_levels` at its level or at
    `level`, whichever is higher."""
    logging.basicConfig(level=level, force=True, format=FORMAT, stream=stream or sys.stderr)
    quiet = max(logging.WARNING, logging.getLogger().level)
    for library in QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(quiet)
    # A library's level is a floor below which its chatter is cut, never a way past the operator's.
    for library, library_level in (library_levels or {}).items():
        logging.getLogger(library).setLevel(max(library_level, logging.getLogger().level))
