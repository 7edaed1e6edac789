"""The last line of a page a batch renders: the fingerprint of its inputs, and a seal.

:func:`stamp_page` appends it, :func:`page_inputs` reads it back; a page edited or cut short
since it was stamped no longer matches its seal, and counts as not rendered.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# The last line of a page rendered by a batch: the fingerprint of its inputs and the SHA-256
# of every byte before that line (a page edited or cut short since no longer matches).
_STAMP = re.compile(rb"<!-- ntp-atlas inputs=([0-9a-f]{64}) sha256=([0-9a-f]{64}) -->\n\Z")


def stamp_page(page: bytes, inputs: str) -> bytes:
    """A page with the fingerprint of its inputs appended as a last line (an HTML comment,
    which browsers ignore), together with the SHA-256 of the page before it."""
    if not re.fullmatch(r"[0-9a-f]{64}", inputs):
        raise ValueError(f"inputs must be a SHA-256 in hex, not {inputs!r}")
    if not page.endswith(b"\n"):
        page += b"\n"
    digest = hashlib.sha256(page).hexdigest()
    return page + f"<!-- ntp-atlas inputs={inputs} sha256={digest} -->\n".encode("ascii")


def page_inputs(path: str | Path) -> str | None:
    """The inputs fingerprint :func:`stamp_page` recorded in a page, or ``None`` if the page
    is missing, has none, or was changed since (its bytes no longer match the hash)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    match = _STAMP.search(data, max(0, len(data) - 200))
    if match is None or hashlib.sha256(data[: match.start()]).hexdigest() != match.group(2).decode():
        return None
    return match.group(1).decode()
