"""Writing outputs safely: atomic replacement, file hashes, and never replacing what is not ours.

A run writes into a temporary sibling folder and swaps it in only when everything is
written, so a failed or killed run never leaves a half-written output where a good one was.

Nothing is replaced or deleted that ntp-atlas did not write (:mod:`analysis.common.ownership`
says how it knows), and the temporary folders of killed runs are removed only when they
carry ntp-atlas's staging mark naming this machine and a process that is gone
(:func:`remove_stale`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from analysis.common.locks import hold, probe
from analysis.common.ownership import (
    STAGING,
    check_output_folder,
    check_replaceable,
    file_problem,
    folder_problem,
    record_written,
)
from analysis.errors import OutputError

#: Inside a temporary folder while it is written: which run it belongs to.
STAGING_MARK = ".ntp-atlas-staging"


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


# --- folders replaced as a whole -----------------------------------------------------------


def claim_output_folder(target: str | Path, *, wait: float = 0.0) -> None:
    """Stop before any work when ``target`` is not ntp-atlas's to replace or another run holds it.

    :func:`atomic_dir` checks both again when it writes; this is so that a long run does not
    find out only at its end.

    Raises
    ------
    OutputError, BusyError
        As :func:`check_output_folder` and :func:`analysis.common.locks.probe`.
    """
    check_output_folder(target)
    probe(target, wait=wait)


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

    A folder is stale when it carries ntp-atlas's staging mark (:data:`STAGING_MARK`) naming
    this machine and a process that is gone; a folder of a run still going, of another
    machine sharing the disk, or without the mark, is left alone.
    """
    target = Path(target)
    removed = []
    if not target.parent.is_dir():
        return removed
    for tmp in target.parent.glob(_tmp_prefix(target) + "*"):
        try:
            mark = json.loads((tmp / STAGING_MARK).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (not tmp.is_symlink() and isinstance(mark, dict) and mark.get("host") == socket.gethostname()
                and isinstance(mark.get("pid"), int) and not _alive(mark["pid"])):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def _recover(target: Path) -> None:
    backup = _backup(target)
    if not backup.is_dir() or backup.is_symlink() or folder_problem(backup) is not None:
        return  # not a folder ntp-atlas set aside: never touched
    if not target.exists():
        os.replace(backup, target)
    else:
        shutil.rmtree(backup, ignore_errors=True)


def recover(target: str | Path) -> None:
    """Put back the previous output if a run died between the two renames of a swap.

    Only a ``<target>.previous`` that ntp-atlas set aside (its manifest lists it all) is put
    back or removed, and only when no run is writing ``target`` (one that is will finish the
    swap itself).
    """
    target = Path(target)
    if not _backup(target).exists():
        return
    with contextlib.suppress(OutputError):  # BusyError: a run is in the middle of its swap
        with hold(target):
            _recover(target)


@contextlib.contextmanager
def atomic_dir(target: str | Path, *, wait: float = 0.0) -> Iterator[Path]:
    """Write a folder atomically.

    Yields a temporary folder beside ``target``; when the block ends without error it
    replaces ``target``. On error the temporary folder is removed and ``target`` is untouched.
    A run killed at any point leaves ``target`` as it was (or, killed between the two renames
    of the swap, aside as ``<target>.previous``, put back by :func:`recover`); the next run
    removes the temporary folders killed runs left (:func:`remove_stale`). ``target`` is
    held (:func:`analysis.common.locks.hold`) from start to swap, and it must be a folder ntp-atlas
    may replace (:func:`check_output_folder`), checked before and again just before the swap.

    Parameters
    ----------
    target
        The folder to write.
    wait
        Seconds to wait for another run holding ``target``.

    Raises
    ------
    OutputError
        ``target`` is not ntp-atlas's to replace, or the system refused a write (a full or
        read-only disk: the message says which).
    BusyError
        Another run holds ``target``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "processed"
    >>> with atomic_dir(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> (out / "a.txt").read_text()
    'x'
    """
    target = Path(target).absolute()
    check_output_folder(target)
    with hold(target, wait=wait):
        _recover(target)
        remove_stale(target)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f"{_tmp_prefix(target)}{os.getpid()}-", dir=target.parent))
            (tmp / STAGING_MARK).write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}))
        except OSError as exc:
            raise OutputError.from_os_error(exc, target) from None
        STAGING.add(tmp)
        try:
            try:
                yield tmp
            except OSError as exc:
                if _write_failure(exc, tmp):
                    raise OutputError.from_os_error(exc, target) from exc
                raise
            check_output_folder(target)  # nothing foreign appeared while the run was writing
            backup = _backup(target)
            aside = target.exists()
            if aside and (backup.exists() or backup.is_symlink()):  # not ours, or _recover removed it
                raise OutputError(backup, "is in the way: ntp-atlas sets the previous output aside under this name "
                                  "while it swaps the new one in, and this was not set aside by ntp-atlas; nothing "
                                  "was changed", "move it away or rename it, then run again")
            try:
                (tmp / STAGING_MARK).unlink()
                os.chmod(tmp, 0o777 & ~_UMASK)  # mkdtemp's 0700 would keep others from reading the output
                if aside:
                    os.replace(target, backup)
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError.from_os_error(exc, target) from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            STAGING.discard(tmp)
        if aside:  # the previous output this run set aside, and nothing else
            shutil.rmtree(backup, ignore_errors=True)


#: System errors that come from writing, whichever file they name.
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


def _write_failure(exc: OSError, tmp: Path) -> bool:
    """The error is the output's (a full disk, a file in the temporary folder), not an input's."""
    if exc.errno in _WRITE_ERRNOS:
        return True
    return bool(exc.filename) and Path(str(exc.filename)).absolute().is_relative_to(tmp)


#: Outputs are meant to be read (and served) by others: files get the usual permissions
#: (0644 under the common umask), not mkstemp's 0600. Read once: os.umask is process-wide.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def make_readable(path: str | Path) -> None:
    """Give a file the permissions a normally created file would have (umask applied)."""
    os.chmod(path, 0o666 & ~_UMASK)


# --- files in a folder of outputs ----------------------------------------------------------


def make_folder(folder: str | Path) -> Path:
    """``mkdir -p``, with a message naming the folder when the system refuses."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.from_os_error(exc, folder, "the folder") from None
    return folder


def stage_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file beside ``path``, flushed to disk.

    The caller commits it onto ``path`` when ready (:func:`commit`), so several files can be
    committed together; see :func:`atomic_write_bytes` for the one-file case.

    Raises
    ------
    OutputError
        The folder cannot be made or written (the message names it and says why).
    """
    path = Path(path)
    make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError.from_os_error(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        make_readable(tmp)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError.from_os_error(exc, path) from None
        raise
    return Path(tmp)


def commit(*pairs: tuple[str | Path, str | Path]) -> None:
    """Rename staged files onto their paths, each checked first (:func:`check_replaceable`) and
    listed in its folder's :data:`LEDGER` after; on a refusal nothing is renamed and the
    staged files are removed.

    Parameters
    ----------
    pairs
        ``(staged, path)``: a file from :func:`stage_bytes` (or any temporary file in the
        same folder) and where it goes.
    """
    staged_names = {Path(staged).name for staged, _ in pairs}
    try:
        for _, path in pairs:
            check_replaceable(path, staged_names)
        for staged, path in pairs:
            os.replace(staged, path)
            record_written(path)
    except BaseException as exc:
        for staged, _ in pairs:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(staged)
        if isinstance(exc, OSError):
            raise OutputError.from_os_error(exc, pairs[-1][1]) from None
        raise


def remove_output(path: str | Path) -> bool:
    """Delete a file ntp-atlas wrote (a stale ``.failed.ipynb``); anything else is left. True if deleted."""
    path = Path(path)
    if not path.is_file() or file_problem(path) is not None:
        return False
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return True


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically (temporary file in the same folder, then rename); refused where a
    file ntp-atlas did not write is (:func:`check_replaceable`)."""
    check_replaceable(path)
    commit((stage_bytes(path, data), path))


def write_json(path: str | Path, obj: object) -> None:
    """Write JSON atomically, UTF-8, keys sorted (stable diffs)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    atomic_write_bytes(path, (text + "\n").encode("utf-8"))
