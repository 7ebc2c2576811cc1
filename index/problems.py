"""One-line descriptions of failures, for the people who run articlebot."""

from __future__ import annotations

import errno

_OS_HINTS = {
    errno.ENOSPC: "free some disk space and run it again",
    errno.EDQUOT: "free some disk space and run it again",
    errno.EACCES: "check the permissions of that folder or file",
    errno.EPERM: "check the permissions of that folder or file",
    errno.EROFS: "point the setting at a writable folder",
}


def os_problem(error: OSError) -> str:
    """One line for a failed file operation: the path, what went wrong and, when known, the fix."""
    where = f"{error.filename}: " if error.filename else ""
    hint = _OS_HINTS.get(error.errno or 0)
    return f"{where}{error.strerror or error}" + (f"; {hint}" if hint else "")
