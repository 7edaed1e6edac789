"""Writing outputs safely: atomic replacement, file hashes, the manifest.

A run writes into a temporary sibling folder and swaps it in only when everything is
written, so a failed or killed run never leaves a half-written output where a good one was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _backup(target: Path) -> Path:
    return target.with_name(target.name + ".previous")


def _tmp_prefix(target: Path) -> str:
    return f".{target.name}.tmp-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its folder alone
    return True


def remove_stale(target: str | Path) -> list[Path]:
    """Remove the temporary folders that killed runs left beside ``target``.

    A folder is stale when the process named in it (``.<name>.tmp-<pid>-…``) is gone; a
    folder of a run still going, or without a process id, is left alone.
    """
    target = Path(target)
    removed = []
    if not target.parent.is_dir():
        return removed
    for tmp in target.parent.glob(_tmp_prefix(target) + "*"):
        pid = tmp.name[len(_tmp_prefix(target)) :].split("-", 1)[0]
        if tmp.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def recover(target: str | Path) -> None:
    """Put back the previous output if a run died between the two renames of a swap."""
    target = Path(target)
    backup = _backup(target)
    if backup.exists() and not target.exists():
        os.replace(backup, target)
    elif backup.exists():
        shutil.rmtree(backup, ignore_errors=True)


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Write a folder atomically.

    Yields a temporary folder beside ``target``; when the block ends without error it
    replaces ``target``. On error the temporary folder is removed and ``target`` is untouched.
    A run killed at any point leaves ``target`` as it was (or, killed between the two renames
    of the swap, aside as ``<target>.previous``, put back by :func:`recover`); the next run
    removes the temporary folders killed runs left (:func:`remove_stale`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "processed"
    >>> with atomic_dir(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> (out / "a.txt").read_text()
    'x'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_tmp_prefix(target)}{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.chmod(tmp, 0o777 & ~_UMASK)  # mkdtemp's 0700 would keep others from reading the output
    backup = _backup(target)
    if target.exists():
        os.replace(target, backup)
    os.replace(tmp, target)
    shutil.rmtree(backup, ignore_errors=True)


#: Outputs are meant to be read (and served) by others: files get the usual permissions
#: (0644 under the common umask), not mkstemp's 0600. Read once: os.umask is process-wide.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def make_readable(path: str | Path) -> None:
    """Give a file the permissions a normally created file would have (umask applied)."""
    os.chmod(path, 0o666 & ~_UMASK)


def stage_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file beside ``path``, flushed to disk.

    The caller renames it onto ``path`` (``os.replace``) when ready, so several files can be
    committed together; see :func:`atomic_write_bytes` for the one-file case.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        make_readable(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically (temporary file in the same folder, then rename)."""
    tmp = stage_bytes(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json(path: str | Path, obj: object) -> None:
    """Write JSON atomically, UTF-8, keys sorted (stable diffs)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    atomic_write_bytes(path, (text + "\n").encode("utf-8"))
