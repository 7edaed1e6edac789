"""Bad paths, options and moments: runs that ntp-atlas refuses, touching nothing.

The counterpart of the bad-input catalogues (``tests/bad_inputs.py``) for what is not in a
file: an ``--out`` folder ntp-atlas did not write, a file where a folder goes, a folder where a
file goes, an option out of range, the folder held by another run. Each entry sets the
scene in a fresh folder and gives the command line; :func:`run` runs it for real through
``analysis.cli.main`` and returns its exit status and what it printed on stderr. The
messages go into ``docs/bad-inputs.md`` (``tests/bad_inputs_doc.py``), and
``tests/test_bad_runs.py`` checks each one and that the scene is left as it was.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.cli import main
from analysis.common.locks import hold


@dataclass(frozen=True)
class BadRun:
    """One run that must be refused: ``setup(folder)`` makes the scene and returns the argv."""

    kind: str
    setup: Callable[[Path], list[str]]
    status: int
    expect: tuple[str, ...]
    #: Held by "another run" while the command runs (a folder of the scene).
    held: str | None = None


def _foreign_out(folder: Path) -> list[str]:
    mine = folder / "my-data"
    mine.mkdir()
    (mine / "finance.csv").write_text("year,as_of\n", encoding="utf-8")
    return ["prepare", "--out", "my-data"]


def _file_out(folder: Path) -> list[str]:
    (folder / "processed").write_text("a file, not a folder\n", encoding="utf-8")
    return ["prepare", "--out", "processed"]


def _folder_input(folder: Path) -> list[str]:
    (folder / "finance.csv").mkdir()
    return ["prepare", "--finance", "finance.csv", "--out", "processed"]


def _dpi_zero(folder: Path) -> list[str]:
    return ["maps", "--province", "20", "--dpi", "0", "--out", "maps"]


def _held(folder: Path) -> list[str]:
    return ["prepare", "--out", "processed"]


RUNS = [
    BadRun("--out is a folder ntp-atlas did not write", _foreign_out, 2,
           ("my-data: holds files that ntp-atlas did not write", "finance.csv", "nothing was changed")),
    BadRun("--out is a file", _file_out, 2, ("argument --out: processed is a file, not a folder",)),
    BadRun("an input file that is a folder", _folder_input, 2,
           ("argument --finance: finance.csv is a folder, not a file",)),
    BadRun("--dpi 0", _dpi_zero, 2, ("argument --dpi: 0 is out of range: give 50 to 1200",)),
    BadRun("the output folder is held by another run", _held, 75,
           ("in use: pid", "ntp-atlas batch --province 20", "nothing was changed", "--wait SECONDS"),
           held="processed"),
]  # fmt: skip

_PID = re.compile(r"pid \d+")
_ARGPARSE = re.compile(r"^ntp-atlas [\w-]+: error: ")
_SINCE = re.compile(r", since \d{4}-\d\d-\d\dT[\d:]+[+-]\d\d:\d\d")


def run(bad: BadRun, folder: Path) -> tuple[int, str]:
    """Run ``bad`` in ``folder`` (the working directory, so that paths read as the user typed
    them); its exit status and stderr, the pid and time of the holding run made constant."""
    argv = bad.setup(folder)
    err = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stderr(err), contextlib.ExitStack() as stack:
        if bad.held:
            stack.enter_context(hold(folder / bad.held, what="ntp-atlas batch --province 20"))
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse refuses
            status = int(exc.code or 0)
    text = _SINCE.sub("", _PID.sub("pid 4242", err.getvalue()))
    lines = text.splitlines(keepends=True)
    refused = [i for i, line in enumerate(lines) if _ARGPARSE.match(line)]
    if refused:  # argparse's usage lines (wrapped to the terminal's width) left out, its error kept
        text = "".join(lines[refused[0]:])
    return status, text.replace(str(folder.resolve()) + "/", "").replace(str(folder) + "/", "")
