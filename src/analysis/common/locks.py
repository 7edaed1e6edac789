"""Who may write a folder, who reads it: advisory locks, and the version of the data a run read.

Two runs writing one folder, or a ``prepare`` swapping the prepared data in while a batch
renders from it, would leave reports of two datasets side by side. So every run that writes
a folder holds an exclusive lock on it, and every run that reads prepared data holds a shared
lock on that folder while it runs:

* ``prepare`` / ``convert`` hold their ``--out`` exclusively while they write and swap it in
  (and check at their start that no other run holds it);
* ``batch`` / ``report`` hold their ``--data`` shared and the province's reports folder
  exclusively from start to end; a country run holds its year's folder too.

A run that finds the lock held waits up to ``wait`` seconds (``--wait``; default 0: at once)
and then stops with a :class:`~analysis.errors.BusyError` naming the folder and the other
run's process and command. The lock is ``fcntl.flock`` on a file beside the folder
(``<parent>/.<name>.lock``: the prepared folder itself is swapped, so a lock inside it would
go with the old one). The kernel releases a lock when its process ends, however it ends: a
run that was killed never blocks the next. Where there are no locks (a URL, a platform
without ``fcntl``, a read-only disk), :class:`DataVersion` still tells a reader that the data
changed under it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analysis.errors import BusyError, OutputError, PreparedDataError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: runs are not locked, data versions are still checked
    fcntl = None

#: How often a waiting run tries the lock again, in seconds.
POLL = 0.2


def lock_path(folder: str | Path) -> Path:
    """The lock file of a folder: ``<parent>/.<name>.lock``, beside it."""
    folder = Path(folder).absolute()
    return folder.with_name(f".{folder.name}.lock")


def _open(path: Path, shared: bool) -> int | None:
    """A descriptor on the lock file (made if missing), or None where a reader cannot make one."""
    nofollow = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)  # never a planted link
    try:
        return os.open(path, os.O_CREAT | os.O_RDWR | nofollow, 0o666)
    except OSError as exc:
        if not shared:
            folder = path.with_name(path.name[1 : -len(".lock")])
            raise OutputError.from_os_error(exc, folder, "the lock that keeps two runs apart") from None
        try:  # a reader of data on a disk it cannot write: nobody else can write there either
            return os.open(path, os.O_RDONLY | nofollow)
        except OSError:
            return None


@contextlib.contextmanager
def hold(folder: str | Path, *, shared: bool = False, wait: float = 0.0, what: str = "") -> Iterator[None]:
    """Hold a folder's lock for the block: exclusive to write it, ``shared`` to read it.

    Parameters
    ----------
    folder
        The folder (it need not exist yet; its parent is made for an exclusive lock).
    shared
        Several readers may hold the lock together, but not with a writer.
    wait
        Seconds to wait for another run to let go (0: refuse at once).
    what
        What this run does, for the message of the run it keeps waiting.

    Raises
    ------
    BusyError
        Another run held the lock for longer than ``wait``.
    OutputError
        The lock file cannot be made (a folder you cannot write).
    """
    folder = Path(folder).absolute()
    if fcntl is None:
        yield
        return
    path = lock_path(folder)
    if not shared:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError.from_os_error(exc, folder.parent, "the folder") from None
    elif not folder.parent.is_dir():
        yield  # nothing there to read: the reader says so itself
        return
    fd = _open(path, shared)
    if fd is None:
        yield
        return
    try:
        _acquire(fd, folder, path, shared, wait)
        if not shared:
            _describe_holder(fd, what)
        try:
            yield
        finally:
            if not shared:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)  # the next run's message must not name this one
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def probe(folder: str | Path, *, wait: float = 0.0) -> None:
    """Stop now, before any work, if another run holds the folder (:func:`hold` and let go)."""
    with hold(folder, wait=wait):
        pass


def _acquire(fd: int, folder: Path, path: Path, shared: bool, wait: float) -> None:
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    deadline = time.monotonic() + max(0.0, float(wait))
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                break
            time.sleep(POLL)
    others, writing = holders(path)
    who = "; ".join(others) if others else "another ntp-atlas run"
    doing = "is writing it" if writing or shared else "reads the data in it"
    waited = f" (waited {wait:g} s)" if wait else ""
    raise BusyError(
        folder,
        f"in use: {who} {doing}{waited}; nothing was changed",
        "wait for that run to finish and start this one again, or give --wait SECONDS to wait for it "
        "(a run that was killed holds nothing: its lock ends with its process)",
    )


def _describe_holder(fd: int, what: str) -> None:
    """Write who holds the lock into the lock file, for the message of a run kept waiting."""
    record = {"pid": os.getpid(), "host": socket.gethostname(), "command": what or _command(os.getpid()),
              "since": datetime.now().astimezone().isoformat(timespec="seconds")}
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)


def _writer(path: Path) -> dict | None:
    """What the writer holding ``path`` wrote in it, if a writer holds it."""
    try:
        record = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def holders(path: str | Path) -> tuple[list[str], bool]:
    """The runs holding a lock file, as ``pid 1234 (ntp-atlas batch --province 14)``, and
    whether a writer is among them.

    Read from ``/proc/locks`` on Linux (every holder, readers too), else from what the writer
    holding it wrote in the file.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return [], False
    pids: set[int] = set()
    proc = True
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        lines, proc = [], False
    for line in lines:  # "1: FLOCK  ADVISORY  READ  1234 08:01:5678 0 EOF"
        parts = line.split()
        if len(parts) < 6 or parts[1] != "FLOCK":
            continue
        with contextlib.suppress(ValueError):
            major, minor, inode = parts[5].split(":")
            if (int(inode), int(major, 16), int(minor, 16)) == (st.st_ino, os.major(st.st_dev), os.minor(st.st_dev)):
                pids.add(int(parts[4]))
    record = _writer(path) or {}
    writer = record.get("pid") if isinstance(record.get("pid"), int) else None
    if writer is not None and not proc:
        pids.add(writer)
    out = []
    for pid in sorted(pids):
        if pid == writer:
            since = f", since {record['since']}" if record.get("since") else ""
            out.append(f"pid {pid} ({record.get('command') or _command(pid)}{since})")
        else:
            command = _command(pid)
            out.append(f"pid {pid}" + (f" ({command})" if command else ""))
    return out, writer in pids


def _command(pid: int) -> str:
    """A process's command line, shortened (``ntp-atlas batch --province 14 …``)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return " ".join(sys.argv) if pid == os.getpid() else ""
    words = [a.decode("utf-8", "replace") for a in args if a]
    for i, word in enumerate(words):  # python -m analysis.cli batch ... reads as ntp-atlas batch ...
        if word.endswith(("analysis.cli", "ntp-atlas")):
            words = ["ntp-atlas", *words[i + 1 :]]
            break
    text = " ".join(" ".join(words).split())  # one line, whatever the arguments hold
    return text if len(text) <= 120 else text[:119] + "…"


# --- the version of the data a run reads ---------------------------------------------------


@dataclass
class DataVersion:
    """The prepared data a run started with: its folder and the SHA-256 of its ``manifest.json``.

    ``prepare`` and ``convert`` write a new manifest with every swap, so a different digest
    means different data. :meth:`check` before each report (and before its files are
    committed) keeps a run from mixing two versions, whether or not locks work where the data is.
    """

    data_dir: str
    digest: str | None

    def current(self) -> str | None:
        return manifest_digest(self.data_dir)

    def changed(self) -> bool:
        return self.digest is not None and self.current() != self.digest

    def check(self) -> None:
        """Raise when the data is no longer the version the run started with.

        Raises
        ------
        PreparedDataError
            The manifest changed (a prepare or convert replaced the data during the run).
        """
        if self.changed():
            raise PreparedDataError(
                f"the prepared data in {self.data_dir} changed while this run was using it (its manifest.json is not "
                "the one the run started with), so this output was not written: it would mix two versions of the "
                "data. Run it again; a batch and a prepare on the same folder should run one after the other"
            )


def manifest_digest(data_dir: str | Path) -> str | None:
    """SHA-256 of a prepared folder's ``manifest.json`` (a path or an fsspec URL); None if it has none."""
    text = str(data_dir).rstrip("/")
    try:
        if "://" in text:
            import fsspec

            with fsspec.open(f"{text}/manifest.json", "rb") as fh:
                data = fh.read()
        else:
            data = (Path(text) / "manifest.json").read_bytes()
    except (OSError, ValueError):
        return None
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def reading(data_dir: str | Path, *, wait: float = 0.0) -> Iterator[DataVersion]:
    """Hold a prepared folder shared for the block and pin the version read (:class:`DataVersion`).

    A URL is not locked (no lock reaches it); its version is still pinned.
    """
    if "://" in str(data_dir):
        yield DataVersion(str(data_dir), manifest_digest(data_dir))
        return
    with hold(data_dir, shared=True, wait=wait):
        yield DataVersion(str(data_dir), manifest_digest(data_dir))
