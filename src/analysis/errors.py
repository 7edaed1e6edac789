"""The project's exceptions: one base class, messages a clerk can act on.

Every error raised for a user's bad input is an :class:`NtpAtlasError`. The command line
prints ``str(error)`` and exits with status 2; it never shows a traceback for these.
"""

from __future__ import annotations

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

    ``result`` is the import as read (an :class:`analysis.forms.FormImport`), whose report
    lists every mapping and check; ``ntp-atlas import`` prints it before the error.
    """

    def __init__(self, path: str | Path | None, problem: str, fix: str = "", *, result: object = None) -> None:
        self.result = result
        super().__init__(path, problem, fix)
