"""The project's exceptions: one base class, messages a clerk can act on.

Every error raised for a user's bad input is an :class:`NtpAtlasError`. The command line
prints ``str(error)`` and exits with status 2 (75 for :class:`BusyError`: another run holds
the folder, try again later); it never shows a traceback for these.
"""

from __future__ import annotations

import errno
from pathlib import Path


class NtpAtlasError(Exception):
    """Base class of every error ntp-atlas raises for bad input or a failed job."""


class InputFileError(NtpAtlasError):
    """A whole input file cannot be used (missing, unreadable, no code column, wrong sheet).

    Parameters
    ----------
    path
        The file.
    problem
        What is wrong, in one sentence.
    fix
        What the user should do about it.
    row, column, value
        Where, when the problem sits in one place of the file.
    """

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        fix: str = "",
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.fix = fix
        self.row = row
        self.column = column
        self.value = value
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.path or "input"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + f": {self.problem}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class BoundaryError(InputFileError):
    """A boundary file cannot be used (no CRS, wrong CRS, no code column, unreadable)."""


class ParameterError(NtpAtlasError):
    """A report or command parameter is wrong (unknown district, year without data...)."""


class PreparedDataError(NtpAtlasError):
    """Prepared data is missing, stale or corrupt; re-run ``ntp-atlas prepare``."""


class ReportError(NtpAtlasError):
    """A report failed to render; the message names the notebook cell that failed."""


class FormError(InputFileError):
    """A report-form workbook cannot be imported; the message names the sheet and the cell.

    Parameters
    ----------
    path
        The workbook.
    sheet
        The sheet.
    cell
        The cell address as Excel shows it (``"C14"``), or ``None`` for the whole sheet.
    problem, fix
        As for :class:`InputFileError`.
    """

    def __init__(self, path: str | Path | None, sheet: str, cell: str | None, problem: str, fix: str = "") -> None:
        self.sheet = sheet
        self.cell = cell
        super().__init__(path, problem, fix)

    def _message(self) -> str:
        where = f"{self.path or 'input'}, sheet '{self.sheet}'" + (f", cell {self.cell}" if self.cell else "")
        return f"{where}: {self.problem}" + (f"\n  fix: {self.fix}" if self.fix else "")


class SubtotalError(InputFileError):
    """Subtotals of a report form disagree with the sum of their parts, so nothing was written.

    ``result`` is the import as read (an :class:`analysis.inputs.forms.importer.FormImport`), whose report
    lists every mapping and check; ``ntp-atlas import`` prints it before the error.
    """

    def __init__(self, path: str | Path | None, problem: str, fix: str = "", *, result: object = None) -> None:
        self.result = result
        super().__init__(path, problem, fix)
class OutputError(NtpAtlasError):
    """An output cannot be written where it was asked for, or would replace what ntp-atlas did not write.

    Parameters
    ----------
    path
        The file or folder.
    problem
        What is wrong, in one sentence.
    fix
        What the user should do about it.
    """

    def __init__(self, path: str | Path, problem: str, fix: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}" + (f"\n  fix: {fix}" if fix else ""))

    @classmethod
    def from_os_error(cls, exc: OSError, path: str | Path, what: str = "the output") -> OutputError:
        """The error a user is shown when the system refused a write: what, where, and what to do.

        ``path`` is the output the write was for (``exc.filename``, when the system gives one,
        is often a temporary file beside it).
        """
        problem, fix = _WRITE_ERRORS.get(exc.errno, (None, None))
        if problem is None:
            problem = f"{exc.strerror or exc}"
            fix = "check that the folder exists and that you can write there, or give another folder with --out"
        return cls(path, f"cannot write {what}: {problem}", fix)


_NOT_YOURS = "give a folder you can write with --out, or ask for write permission on it"
#: What a failed write means to a user, by errno: (problem, fix).
_WRITE_ERRORS = {
    errno.ENOSPC: ("the disk is full (no space left on device); the previous output was left as it was",
                   "free space on that disk, or give a folder on another disk with --out"),
    errno.EDQUOT: ("your disk quota is used up; the previous output was left as it was",
                   "free space in your quota, or give a folder on another disk with --out"),
    errno.EFBIG: ("a file grew beyond the largest this process may write (file too large); the previous output "
                  "was left as it was",
                  "raise the limit on file size (ulimit -f), or write to another disk with --out"),
    errno.EROFS: ("the disk is read-only", "give a folder on a disk you can write with --out"),
    errno.EACCES: ("permission denied", _NOT_YOURS),
    errno.EPERM: ("operation not permitted", _NOT_YOURS),
    errno.ENOTDIR: ("a part of the path is a file, not a folder",
                    "give a path whose parent folders are folders (or move that file away)"),
    errno.EISDIR: ("a folder is where a file must be written", "move that folder away, or give another --out"),
    errno.ENAMETOOLONG: ("the path is too long", "give a shorter path with --out"),
    errno.EEXIST: ("a file is where a folder must be made", "move that file away, or give another --out"),
    errno.ELOOP: ("a symbolic link is where ntp-atlas writes, and links are not followed there",
                  "remove the link (someone may have planted it), or give another --out"),
}


class BusyError(OutputError):
    """Another ntp-atlas run holds the folder (writing it, or reading the data in it).

    The command line exits with status 75 (``EX_TEMPFAIL``): try again later.
    """
