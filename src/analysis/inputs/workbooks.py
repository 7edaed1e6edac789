"""Workbooks read row by row: XLSX with openpyxl (read-only), XLS, XLSB and ODS with calamine.

A sheet is streamed: its first rows to find a header, the rest only for the sheet chosen, so a
sheet that claims millions of rows costs no more than :attr:`~analysis.common.limits.ReadLimits.max_rows`.
Blank rows are skipped (they are never used); every other row keeps the number a spreadsheet
shows. Hidden sheets are known (:attr:`Sheet.hidden`) so that the reader can leave them out
unless they are named. Text typed in TCVN3 or VNI fonts is converted to Unicode on the way.

Formulas whose value was never saved (a workbook written by a program and never opened in a
spreadsheet) read as empty cells; :func:`unsaved_formulas` finds them, so that the message
can say what happened instead of "plan_mvnd is empty".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis.common.limits import EXCEL_MAX_ROWS
from analysis.errors import InputFileError
from analysis.inputs.encodings import fix_legacy_text

#: The workbook formats read, by suffix, and what reads them.
OPENPYXL = (".xlsx", ".xlsm")
CALAMINE = (".xls", ".xlsb", ".ods")
WORKBOOK_SUFFIXES = OPENPYXL + CALAMINE

Row = tuple[int, list[object]]


@dataclass
class Converted:
    """Cells of a sheet whose text was in TCVN3 or VNI: how many per encoding, the first one."""

    counts: dict[str, int] = field(default_factory=dict)
    example: str = ""

    def notes(self) -> list[str]:
        return [
            f"{n} cell{'s' if n != 1 else ''} typed in {name} converted to Unicode"
            + (f" (first: {self.example})" if i == 0 and self.example else "")
            for i, (name, n) in enumerate(self.counts.items())
        ]


@lru_cache(maxsize=65536)
def _fix_cell(text: str) -> tuple[str, str | None]:
    return fix_legacy_text(text)


def column_letter(index: int) -> str:
    """``0`` -> ``A``, ``27`` -> ``AB``."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Sheet:
    """One sheet of a workbook: its name, whether it is hidden, and its rows (an iterator, read once)."""

    name: str
    hidden: bool
    rows: Iterator[Row]
    converted: Converted


def _clean(rowno: int, row, converted: Converted) -> list[object] | None:
    """The cells of a row (None for empty ones, legacy text converted); None for a blank row."""
    cells = [None if (c is None or (isinstance(c, str) and c.strip() == "")) else c for c in row]
    if all(c is None for c in cells):
        return None
    for j, c in enumerate(cells):
        if isinstance(c, str) and not c.isascii():
            fixed, name = _fix_cell(c)
            if name is not None:
                cells[j] = fixed
                converted.counts[name] = converted.counts.get(name, 0) + 1
                converted.example = converted.example or f"{column_letter(j)}{rowno} {c!r} -> {fixed!r}"
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _damaged(path: Path, name: str, exc: Exception) -> InputFileError:
    detail = str(exc).splitlines()[0][:120] if str(exc) else ""
    return InputFileError(
        path,
        f"sheet '{name}' cannot be read: the workbook is damaged ({type(exc).__name__}: {detail})",
        "open the file in Excel (it offers to repair it) or LibreOffice and save it again as .xlsx",
    )


class Workbook:
    """An open workbook; use as a context manager. ``sheets()`` lists them, each with its rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.suffix = path.suffix.lower()
        self._book = None

    def __enter__(self) -> Workbook:
        try:
            if self.suffix in OPENPYXL:
                import openpyxl

                self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            else:
                import python_calamine

                self._book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # noqa: BLE001 - the libraries raise many types for a broken zip/xml/ole
            kind = {".xls": "an Excel 97-2003 workbook (.xls)", ".xlsb": "an Excel binary workbook (.xlsb)",
                    ".ods": "an OpenDocument spreadsheet (.ods)"}.get(self.suffix, "an Excel workbook")
            raise InputFileError(
                self.path,
                f"cannot open as {kind} ({type(exc).__name__})",
                "check that the file is what its name says (open and save it again in Excel or LibreOffice)",
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        if self._book is not None:
            self._book.close()

    def sheet_names(self) -> list[str]:
        return list(self._book.sheetnames if self.suffix in OPENPYXL else self._book.sheet_names)

    def sheets(self, names: list[str] | None = None) -> list[Sheet]:
        """The sheets (all, or those named), in workbook order, each with a lazy iterator of its rows."""
        out = []
        for name in names if names is not None else self.sheet_names():
            converted = Converted()
            if self.suffix in OPENPYXL:
                ws = self._book[name]
                hidden = getattr(ws, "sheet_state", "visible") != "visible"
                rows = self._openpyxl_rows(ws, name, converted)
            else:
                meta = {m.name: m for m in self._book.sheets_metadata}[name]
                hidden = "Visible" not in str(meta.visible)
                rows = self._calamine_rows(name, converted)
            out.append(Sheet(name, hidden, rows, converted))
        return out

    def _openpyxl_rows(self, ws, name: str, converted: Converted) -> Iterator[Row]:
        if hasattr(ws, "reset_dimensions"):  # read-only: do not pad every row to the declared size
            ws.reset_dimensions()
        try:  # read-only sheets are parsed as they are read: a damaged part fails here
            # without dimensions, missing rows come as empty tuples: the count is the row number
            for rowno, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if rowno > EXCEL_MAX_ROWS:
                    raise InputFileError(
                        self.path,
                        f"sheet '{name}' has rows past Excel's last row ({EXCEL_MAX_ROWS:,}): the workbook was not "
                        "written by a spreadsheet program, or it is damaged",
                        "open the file in Excel or LibreOffice and save it again as .xlsx",
                    )
                got = _clean(rowno, row, converted) if row else None
                if got is not None:
                    yield rowno, got
        except InputFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl and its XML parser raise many types
            raise _damaged(self.path, name, exc) from None

    def _calamine_rows(self, name: str, converted: Converted) -> Iterator[Row]:
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - calamine raises its own types for damaged parts
            raise _damaged(self.path, name, exc) from None
        for i, row in enumerate(rows, start=1):
            got = _clean(i, row, converted)
            if got is not None:
                yield i, got


def head(rows: Iterator[Row], n: int) -> tuple[list[Row], Iterator[Row]]:
    """The first ``n`` rows of an iterator, and an iterator of all of them (the head again, then the rest)."""
    first = list(itertools.islice(rows, n))
    return first, itertools.chain(first, rows)


def unsaved_formulas(path: Path, sheet: str, wanted: dict[int, list[int]]) -> dict[tuple[int, int], str]:
    """Formulas at the cells ``wanted`` (row -> column positions) of an XLSX sheet.

    Only the cells that read as empty are asked about: a formula there has no saved value.
    Returns ``(row, position) -> formula`` (``"=E7+G7"``).
    """
    import openpyxl

    found: dict[tuple[int, int], str] = {}
    if path.suffix.lower() not in OPENPYXL or not wanted:
        return found
    last = max(wanted)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[sheet]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        for rowno, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if rowno > last:
                break
            for pos in wanted.get(rowno, ()):
                value = row[pos] if pos < len(row) else None
                if isinstance(value, str) and value.startswith("="):
                    found[(rowno, pos)] = value
    finally:
        wb.close()
    return found
