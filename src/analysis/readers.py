"""Reading input tables (CSV, XLSX) as the user wrote them.

Every cell is read as written: text stays text (so ``06481`` keeps its zero), Excel numbers
and dates keep their type. The header row is found by its names, so a title block above it
(``UBND HUYỆN …``, ``BÁO CÁO …``) is skipped. Each row keeps the row number the user sees in
the file, so that any message can point at it.

Text in legacy Vietnamese encodings is converted to Unicode on the way in (see
:mod:`analysis.encodings`): CSV files in Windows-1258, UTF-16 or with TCVN3/VNI bytes, and
workbook cells typed in TCVN3 (``.VnTime``) or VNI fonts. Each conversion is noted in
:attr:`RawTable.notes`; a file whose encoding cannot be told is refused with a message that
says how to save it again.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.encodings import DecodedText, decode_csv_bytes, fix_legacy_text
from analysis.errors import InputFileError
from analysis.schema import TableSpec, fold, header_lookup

#: How many rows from the top to look for the header row.
HEADER_SEARCH_ROWS = 30
#: Read CSV files with pandas' C parser, checked against the csv module on the first rows.
#: False reads every record with the csv module: the reference the tests compare with.
PANDAS_CSV = True
ROW = "_row"


@dataclass
class RawTable:
    """A table as read from its file, before any parsing.

    Attributes
    ----------
    frame
        One column per canonical column found, values as written (``str`` for text cells;
        ``int``/``float``/``datetime`` for typed XLSX cells; ``None`` for empty), plus ``_row``,
        the row number in the file (1-based, as a spreadsheet shows it).
    path
        The file read.
    sheet
        The sheet read (XLSX only).
    header_row
        Row number of the header.
    mapping
        Header as written -> canonical column name.
    ignored
        Headers that matched no canonical column (kept out of the table, listed for the user).
    notes
        What was done to the text on the way in (an encoding converted), one sentence each.
    """

    frame: pd.DataFrame
    path: Path
    sheet: str | None
    header_row: int
    mapping: dict[str, str]
    ignored: list[str]
    notes: list[str] = field(default_factory=list)


def _decode(path: Path, data: bytes) -> DecodedText:
    """The text of a CSV file: UTF-8 as it is (the fast path); other encodings converted or refused."""
    return decode_csv_bytes(path, data)


def _sniff_delimiter(text: str) -> str:
    # split on CSV line ends only: str.splitlines also breaks at \x1c-\x1e, \x85 and \u2028, which
    # can sit inside a cell, and the sniffer then sees no consistent delimiter
    sample = "\n".join(re.split(r"\r\n|\r|\n", text, maxsplit=HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _rows_from_csv(text: str, delim: str, limit: int | None = None) -> list[tuple[int, list[object]]]:
    """Records of a CSV text with their numbers (a blank line is a record), the first ``limit``."""
    # newline="": the csv module sees every line break (\r, \n, \r\n) itself, quoted or not;
    # without it a bare \r (old Mac files, a cell pasted from elsewhere) raises csv.Error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows = []
    for i, row in enumerate(itertools.islice(reader, limit), start=1):
        rows.append((i, [c if c.strip() != "" else None for c in row]))
    return rows


def _csv_columns(text: str, delim: str, head: list[tuple[int, list[object]]]) -> list[np.ndarray] | None:
    """Every record of a CSV text as columns (object arrays, None for blank cells), read by pandas.

    Row ``i`` of the columns is record ``i + 1``, as :func:`_rows_from_csv` numbers them: blank
    lines are kept as empty records, a quoted line break stays inside its cell. Returns None
    when pandas cannot read the text the way the ``csv`` module does (a record wider than the
    first ``HEADER_SEARCH_ROWS``, an unclosed quote, a first record that differs from ``head``);
    the caller then reads it record by record.
    """
    width = max((len(cells) for _, cells in head), default=0)
    if width == 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delim,
                header=None,
                names=list(range(width)),
                index_col=False,
                dtype=object,
                na_filter=False,  # every cell as written, "" when empty or missing
                skip_blank_lines=False,  # a blank line keeps its row number
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    if len(frame) < len(head):
        return None
    columns = [_blank_to_none(frame[pos].to_numpy(dtype=object)) for pos in range(width)]
    first = [[col[i] for col in columns] for i in range(min(len(head), len(frame)))]
    expected = [cells + [None] * (width - len(cells)) for _, cells in head[: len(first)]]
    return columns if first == expected else None


def _blank_to_none(values: np.ndarray) -> np.ndarray:
    """None for cells that are empty or only white space (decided once per distinct value)."""
    distinct = pd.unique(values)
    blanks = [v for v in distinct if not isinstance(v, str) or v.strip() == ""]
    out = values.copy()
    if blanks:
        out[pd.Series(values).isin(blanks).to_numpy()] = None
    return out


@dataclass
class _Converted:
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


def _sheet_rows(ws, converted: _Converted | None = None) -> list[tuple[int, list[object]]]:
    from openpyxl.utils import get_column_letter

    if hasattr(ws, "reset_dimensions"):  # read-only: do not pad every row to the declared size
        ws.reset_dimensions()
    rows = []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [None if (isinstance(c, str) and c.strip() == "") else c for c in row]
        if all(c is None for c in cells):
            continue  # blank rows are never used; a stray cell at row 1,048,576 makes a million
        for j, c in enumerate(cells):
            if isinstance(c, str) and not c.isascii():
                fixed, name = _fix_cell(c)
                if name is not None:
                    cells[j] = fixed
                    if converted is not None:
                        converted.counts[name] = converted.counts.get(name, 0) + 1
                        converted.example = converted.example or f"{get_column_letter(j + 1)}{i} {c!r} -> {fixed!r}"
        rows.append((i, cells))
    return rows


def _find_header(rows: list[tuple[int, list[object]]], lookup: dict[str, str]) -> tuple[int, int] | None:
    """Index in ``rows`` and count of recognised names of the best header candidate."""
    best = None
    for idx, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = {lookup[fold(c)] for c in cells if isinstance(c, str) and fold(c) in lookup}
        if len(hits) >= 2 and (best is None or len(hits) > best[1]):
            best = (idx, len(hits))
    return best


def read_table(path: str | Path, spec: TableSpec, sheet: str | None = None) -> RawTable:
    """Read a CSV or XLSX file holding one canonical table.

    Parameters
    ----------
    path
        A ``.csv`` (UTF-8, comma, semicolon or tab separated) or ``.xlsx`` file.
    spec
        The table expected (:data:`analysis.schema.FINANCE`, ``POVERTY`` or ``COMMUNES``).
    sheet
        XLSX only: the sheet to read. By default the first sheet with a header row.

    Returns
    -------
    RawTable

    Raises
    ------
    InputFileError
        The file is missing or unreadable, has no header row, or lacks a required column.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found", "check the path; run 'ntp-atlas prepare --help' for the options")
    lookup = header_lookup(spec)
    suffix = path.suffix.lower()
    candidates: list[tuple[str | None, list[tuple[int, list[object]]]]]
    text = delim = None
    notes: dict[str | None, list[str]] = {}
    if suffix in (".csv", ".txt", ".tsv"):
        decoded = _decode(path, path.read_bytes())
        text = decoded.text
        notes[None] = decoded.notes()
        delim = _sniff_delimiter(text)
        candidates = [(None, _rows_from_csv(text, delim, HEADER_SEARCH_ROWS))]
    elif suffix in (".xlsx", ".xlsm"):
        candidates = _xlsx_sheets(path, sheet, notes)
    elif suffix == ".xls":
        raise InputFileError(
            path, "old Excel 97-2003 (.xls) files are not read", "open it in Excel or LibreOffice and save as .xlsx"
        )
    else:
        raise InputFileError(path, f"unknown table format '{suffix}'", "give a .csv or .xlsx file")

    found = None
    for sheet_name, rows in candidates:
        hit = _find_header(rows, lookup)
        if hit is not None:
            found = (sheet_name, rows, hit[0])
            break
    if found is None:
        expected = ", ".join(c.name for c in spec.columns if c.required)
        where = f" (sheets looked at: {', '.join(str(s) for s, _ in candidates)})" if suffix != ".csv" else ""
        raise InputFileError(
            path,
            f"no header row with the {spec.name} columns found in the first {HEADER_SEARCH_ROWS} rows{where}",
            f"the header row must name the columns {expected} (or their Vietnamese headers, see docs/data-format.md)",
        )
    sheet_name, rows, hidx = found
    header_rowno, header = rows[hidx]
    mapping: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for pos, cell in enumerate(header):
        if cell is None:
            continue
        name = lookup.get(fold(str(cell)))
        if name is None:
            ignored.append(str(cell))
        elif name in positions:
            raise InputFileError(
                path,
                f"two columns mean '{name}': '{list(mapping)[list(mapping.values()).index(name)]}' and '{cell}'",
                "keep one of them",
                row=header_rowno,
            )
        else:
            mapping[str(cell)] = name
            positions[name] = pos
    missing = [c for c in spec.columns if c.required and c.name not in positions]
    if missing:
        names = ", ".join(f"'{c.name}'" + (f" (or '{c.aliases[0]}')" if c.aliases else "") for c in missing)
        raise InputFileError(
            path,
            f"missing column{'s' if len(missing) > 1 else ''} {names}; the header row (row {header_rowno}) has: "
            + ", ".join(repr(str(h)) for h in header if h is not None),
            "rename the header to the canonical name or a listed alias (docs/data-format.md)",
        )
    columns = _csv_columns(text, delim, rows) if text is not None and PANDAS_CSV else None
    if columns is not None:
        frame = _frame_from_columns(columns, hidx, positions)
    else:
        if text is not None:  # the whole file, record by record
            rows = _rows_from_csv(text, delim)
        frame = _frame_from_rows(rows[hidx + 1 :], positions)
    return RawTable(
        frame=frame,
        path=path,
        sheet=sheet_name,
        header_row=header_rowno,
        mapping=mapping,
        ignored=ignored,
        notes=notes.get(sheet_name, []),
    )


def _frame_from_rows(rows: list[tuple[int, list[object]]], positions: dict[str, int]) -> pd.DataFrame:
    """The table below the header from records; blank records are left out."""
    kept = [(rowno, cells) for rowno, cells in rows if not all(c is None for c in cells)]
    columns = {}
    for name, pos in positions.items():
        columns[name] = np.empty(len(kept), dtype=object)
        columns[name][:] = [cells[pos] if pos < len(cells) else None for _, cells in kept]
    frame = pd.DataFrame(columns, columns=[*positions], dtype=object)
    frame[ROW] = np.array([rowno for rowno, _ in kept], dtype=int)
    return frame


def _frame_from_columns(columns: list[np.ndarray], hidx: int, positions: dict[str, int]) -> pd.DataFrame:
    """The same table as :func:`_frame_from_rows`, from the columns of every record."""
    below = slice(hidx + 1, None)
    blank = np.ones(len(columns[0]), dtype=bool)
    for col in columns:
        blank &= pd.isna(col)
    keep = ~blank[below]
    rownos = np.arange(1, len(columns[0]) + 1)[below][keep]
    frame = pd.DataFrame({name: columns[pos][below][keep] for name, pos in positions.items()}, dtype=object)
    frame[ROW] = rownos
    return frame


def _xlsx_sheets(
    path: Path, sheet: str | None, notes: dict[str | None, list[str]] | None = None
) -> list[tuple[str, list[tuple[int, list[object]]]]]:
    """The rows of the sheets of a workbook (or of ``sheet``); ``notes`` gets each sheet's conversions."""
    import openpyxl

    notes = {} if notes is None else notes

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip/xml
        raise InputFileError(
            path,
            f"cannot open as an Excel workbook ({type(exc).__name__})",
            "check that the file is a valid .xlsx (open and save it again in Excel)",
        ) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise InputFileError(
                    path,
                    f"no sheet named '{sheet}'; the workbook has {wb.sheetnames}",
                    "pass one of those names with --sheet",
                )
            names = [sheet]
        else:
            names = list(wb.sheetnames)
        out = []
        for name in names:
            converted = _Converted()
            try:  # read-only sheets are parsed as they are read: a damaged part fails here
                out.append((name, _sheet_rows(wb[name], converted)))
            except Exception as exc:  # noqa: BLE001 - openpyxl and its XML parser raise many types
                raise InputFileError(
                    path,
                    f"sheet '{name}' cannot be read: the workbook is damaged ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:120] if str(exc) else ''})",
                    "open the file in Excel (it offers to repair it) or LibreOffice and save it again as .xlsx",
                ) from None
            notes[name] = converted.notes()
        return out
    finally:
        wb.close()
