"""One-line descriptions of failures, for the people who run articlebot."""

from __future__ import annotations

import errno
import functools

_OS_HINTS = {
    errno.ENOSPC: "free some disk space and run it again",
    errno.EDQUOT: "free some disk space and run it again",
    errno.EACCES: "check the permissions of that folder or file",
    errno.EPERM: "check the permissions of that folder or file",
    errno.EROFS: "point the setting at a writable folder",
}


# C0 and C1 control characters, DEL, and Unicode's line and paragraph separators: ESC [ 2 J in an
# article or a file name would otherwise clear the reader's screen, a carriage return overwrite a
# line, a newline (or what str.splitlines takes for one) split a one-line message.
_CONTROL_CODES = (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)


@functools.cache
def _escapes(keep: str) -> dict[int, str]:
    return {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _CONTROL_CODES
            if chr(code) not in keep}


def inert(text: str, keep: str = "") -> str:
    """`text` with every control character but those in `keep` written as `\\xNN` (the separators as
    `\\u2028`; all other Unicode kept): a file name or an article's text made safe for a terminal and
    for a log line."""
    return text.translate(_escapes(keep))


def os_problem(error: OSError) -> str:
    """One line for a failed file operation: the path, what went wrong and, when known, the fix."""
    where = f"{inert(str(error.filename))}: " if error.filename else ""
    hint = _OS_HINTS.get(error.errno or 0)
    return f"{where}{error.strerror or error}" + (f"; {hint}" if hint else "")
