"""What ntp-atlas may replace or delete: only what it wrote.

* A **folder** replaced as a whole (prepared and converted data) must be missing, empty, or
  hold an ntp-atlas ``manifest.json`` that lists every other file in it
  (:func:`check_output_folder`). Anything else (a folder of input CSVs, a file, a link) is
  refused with a message and left as it is.
* A **file** replaced or deleted in a folder of outputs (reports, maps, imported tables) must
  be listed in that folder's :data:`LEDGER`, the list of the files ntp-atlas wrote there
  (:func:`check_replaceable`, :func:`record_written`), or be a file of a folder it wrote as a
  whole (listed in its manifest). Files an ntp-atlas from before the list wrote are known by
  the mark they carry: a page's generator tag, stamp or footer, a map's metadata, papermill's
  record of a report notebook run, or, for a notebook or a Word or Excel copy, the page of
  the same name beside it.

:mod:`analysis.common.storage` checks these before every write, rename and deletion it makes.
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
from collections.abc import Collection
from pathlib import Path

from analysis.errors import OutputError

#: The list of the files ntp-atlas wrote in a folder of outputs, one name a line.
LEDGER = ".ntp-atlas-files"
_LEDGER_HEAD = "# files ntp-atlas wrote in this folder: it replaces or deletes only these\n"
#: What operating systems and file managers leave in folders; replaced with the folder.
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_LEDGER_LOCK = threading.Lock()
#: Temporary folders being written by :func:`analysis.common.storage.atomic_dir` in this process:
#: replaced as a whole, listed by their manifest, so no ledger is kept in them.
STAGING: set[Path] = set()


# --- folders replaced as a whole -----------------------------------------------------------


def _listing(names: list[str], n: int = 5) -> str:
    shown = ", ".join(sorted(names)[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def folder_problem(target: str | Path, staged: Collection[str] = ()) -> tuple[str, str] | None:
    """Why ntp-atlas may not replace ``target`` as a whole, as ``(problem, fix)``; None if it may.

    ``staged`` are names of this run's own temporary files in it (about to be renamed).
    """
    target = Path(target)
    if target.is_symlink():
        return (f"is a symbolic link (to {os.path.realpath(target)}); ntp-atlas replaces the folder it writes as a "
                "whole and does not replace links; nothing was changed",
                f"give the folder itself: --out {os.path.realpath(target)}")
    if not target.exists():
        return None
    if not target.is_dir():
        return ("is a file, not a folder; nothing was changed",
                "give --out a new folder, an empty one, or one ntp-atlas wrote")
    names = [p.name for p in target.iterdir() if p.name not in _LITTER and p.name not in staged]
    if not names:
        return None
    if "manifest.json" not in names:
        return (f"holds files that ntp-atlas did not write (no ntp-atlas manifest.json): {_listing(names)}; "
                "nothing was changed",
                "give --out a new or empty folder (it is replaced as a whole by each run), or move these files away")
    try:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("tool") != "ntp-atlas":
        return ("holds a manifest.json that is not an ntp-atlas manifest (or cannot be read), so nothing shows "
                "that ntp-atlas wrote this folder; nothing was changed",
                "give --out a new or empty folder; if ntp-atlas did write it, delete the folder and run again")
    listed = set(manifest.get("outputs") or {}) | {"manifest.json", LEDGER}
    foreign = [n for n in names if n not in listed]
    if foreign:
        return (f"holds files that are not in its ntp-atlas manifest.json: {_listing(foreign)}; nothing was changed",
                "move these files out of the folder (it is replaced as a whole by each run), or give another --out")
    return None


def check_output_folder(target: str | Path) -> None:
    """Refuse to replace a folder ntp-atlas did not write (see :func:`folder_problem`).

    Raises
    ------
    OutputError
        ``target`` is a file, a link, or a folder holding files that are not ntp-atlas's.
    """
    problem = folder_problem(target)
    if problem is not None:
        raise OutputError(target, *problem)


# --- files in a folder of outputs ----------------------------------------------------------


def written_here(folder: str | Path) -> set[str]:
    """Names of the files ntp-atlas wrote in ``folder`` (its :data:`LEDGER`)."""
    try:
        text = (Path(folder) / LEDGER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    # a line cut short by a crash has no newline: not a name
    return {line for line in text.split("\n")[:-1] if line and not line.startswith("#")}


#: The report notebooks (``notebooks/``), as papermill records the one it ran.
_NOTEBOOKS = ("district_report", "province_overview", "explore")


def _beside_its_page(path: Path) -> bool:
    """``187-chi-lang.ipynb``, ``.failed.ipynb``, ``.docx``, ``.xlsx`` beside the page ntp-atlas wrote."""
    stem = path.name[: -len(path.suffix)].removesuffix(".failed")
    page = path.with_name(stem + ".html")
    return page.is_file() and (page.name in written_here(path.parent) or _carries_mark(page))


def _carries_mark(path: Path) -> bool:
    """A file an ntp-atlas from before the ledger wrote: its own mark is in it."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".html", ".svg", ".pdf", ".png"):  # a page's generator tag, stamp or footer; a map's metadata
            with open(path, "rb") as fh:
                head = fh.read(1 << 16)
                fh.seek(max(0, path.stat().st_size - (1 << 16)))
                tail = fh.read()
            return b"ntp-atlas" in head or b"ntp-atlas" in tail
        if suffix == ".ipynb":  # the executed notebook of a report: papermill's record of its run
            if path.stat().st_size > 256 << 20:
                return False
            meta = json.loads(path.read_bytes()).get("metadata", {}).get("papermill")
            if not isinstance(meta, dict):
                return False
            return Path(str(meta.get("input_path", ""))).stem in _NOTEBOOKS or _beside_its_page(path)
        if suffix in (".docx", ".xlsx"):  # the Word and Excel copies of a report
            with zipfile.ZipFile(path) as zf:
                return "docProps/core.xml" in zf.namelist() and _beside_its_page(path)
    except (OSError, ValueError, AttributeError, zipfile.BadZipFile):
        return False
    return False


def _listed_in_manifest(path: Path, staged: Collection[str]) -> bool:
    """A file of a folder ntp-atlas wrote as a whole (prepared data): its manifest, or listed in it."""
    manifest = path.parent / "manifest.json"
    if not manifest.is_file() or folder_problem(path.parent, staged) is not None:
        return False
    return path.name == "manifest.json" or path.name in (json.loads(manifest.read_text(encoding="utf-8"))
                                                         .get("outputs") or {})


def file_problem(path: str | Path, staged: Collection[str] = ()) -> tuple[str, str] | None:
    """Why ntp-atlas may not replace or delete the file ``path``, as ``(problem, fix)``; None if it may.

    ``staged``: names of this run's temporary files beside it (as for :func:`folder_problem`).
    """
    path = Path(path)
    if path.is_symlink():
        return ("is a symbolic link; ntp-atlas does not write through links or replace them",
                "move the link away, or give another --out")
    if not path.exists():
        return None
    if path.is_dir():
        return ("is a folder where ntp-atlas writes a file; it was left as it is",
                "move that folder away, or give another --out")
    if path.name in written_here(path.parent) or _listed_in_manifest(path, staged) or _carries_mark(path):
        return None
    return (f"is not a file ntp-atlas wrote (it is not in {LEDGER}, the list of the files ntp-atlas wrote in this "
            "folder, and does not carry ntp-atlas's mark); it was left as it is",
            "move your file away or rename it, or give another --out; if an older ntp-atlas wrote it, delete it")


def check_replaceable(path: str | Path, staged: Collection[str] = ()) -> None:
    """Refuse to replace or delete a file ntp-atlas did not write (see :func:`file_problem`).

    Raises
    ------
    OutputError
        A file of someone else's, a folder or a link at ``path``.
    """
    problem = file_problem(path, staged)
    if problem is not None:
        raise OutputError(path, *problem)


def record_written(path: str | Path) -> None:
    """Add ``path`` to the list of the files ntp-atlas wrote in its folder (appended: runs in
    several processes may write one folder; a name is listed once)."""
    path = Path(path)
    if path.parent.absolute() in STAGING or "\n" in path.name:
        return  # a folder replaced as a whole: its manifest lists it
    with _LEDGER_LOCK:
        if path.name in written_here(path.parent):
            return
        ledger = path.parent / LEDGER
        fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        try:
            if os.fstat(fd).st_size == 0:
                os.write(fd, _LEDGER_HEAD.encode("utf-8"))
            os.write(fd, f"{path.name}\n".encode())
        finally:
            os.close(fd)
