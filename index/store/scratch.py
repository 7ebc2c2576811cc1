"""Temporary directories that articlebot writes (builds, segments): named with the time and a
random part, their first file naming the process that writes them, so that one left behind by a
killed process can be told apart from one being written now."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

# A temporary directory of another machine (a shared disk) is abandoned after this long.
ABANDONED_AFTER_SECONDS = 3600


def marked_temporary_dir(root: Path, prefix: str, marker_file: str, about: dict[str, Any]) -> Path:
    """A new directory `<prefix><time>-<random>` in `root`, its first file `marker_file` naming the
    process that writes it (for `abandoned`) and `about`."""
    path = root / f"{prefix}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    marker = {"pid": os.getpid(), "host": socket.gethostname(), **about}
    (path / marker_file).write_text(json.dumps(marker), encoding="utf-8")
    return path


def abandoned(build: Path, marker_file: str) -> bool:
    """Whether the process writing a temporary directory (a build, a segment) is gone: it was
    killed, or failed without cleaning up. `marker_file` names its pid and host."""
    try:
        marker = json.loads((build / marker_file).read_text(encoding="utf-8"))
        pid, host = int(marker["pid"]), str(marker["host"])
    except (OSError, ValueError, KeyError, TypeError):
        pid, host = 0, ""
    if host == socket.gethostname() and pid > 0 and pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, but another user's
            return False
        return False
    try:
        return time.time() - build.stat().st_mtime > ABANDONED_AFTER_SECONDS
    except OSError:
        return False
