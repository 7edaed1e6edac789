"""Reading input tables (CSV, XLSX, XLS, XLSB, ODS) as the user wrote them, without losing a row.

Every cell is read as written: text stays text (so ``06481`` keeps its zero), Excel numbers
and dates keep their type. The header row is found by its names, so a title block above it
(``UBND HUYỆN …``, ``BÁO CÁO …``) is skipped. Each row keeps the row number the user sees in
the file, so that any message can point at it.

Text in legacy Vietnamese encodings is converted to Unicode on the way in (see
:mod:`analysis.inputs.csv_decoding`): CSV files in Windows-1258, UTF-16 or with TCVN3/VNI bytes, and
workbook cells typed in TCVN3 (``.VnTime``) or VNI fonts. Each conversion is noted in
:attr:`RawTable.notes`; a file whose encoding cannot be told is refused with a message that
says how to save it again.

No row is lost without a word: CSV records are read with the lines they span
(:mod:`analysis.inputs.csvrecords`: an unterminated quote is refused, a row with too many or too
few fields is a row problem, every physical line is counted), workbooks are streamed
(:mod:`analysis.inputs.workbooks`) up to a row limit, and a workbook with two sheets that both hold
the table is refused rather than read at a guess.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.limits import DEFAULT_LIMITS
from analysis.common.text import fold
from analysis.errors import InputFileError
from analysis.inputs.csv_decoding import DecodedText, decode_csv_bytes
from analysis.inputs.csvrecords import LineCount, RowProblem, head_records, read_body
from analysis.inputs.schema import TableSpec, header_lookup
from analysis.inputs.workbooks import (
    CALAMINE,
    WORKBOOK_SUFFIXES,
    Sheet,
    Workbook,
    column_letter,
    head,
    unsaved_formulas,
)

#: How many rows from the top to look for the header row.
HEADER_SEARCH_ROWS = 30
#: Gather the columns of CSV records column-wide (``operator.itemgetter``). False gathers them
#: cell by cell: the reference the tests compare with.
PANDAS_CSV = True
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
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
    lines
        CSV only: where the file's physical lines went (header, blank, data, inside quoted cells).
    problems
        Rows that cannot be read as rows of the table (too many or too few fields): they are
        in ``frame`` (so counted as read) and must be rejected.
    formulas
        ``(row, column) -> (cell, formula)`` for the cells that read as empty because they hold
        a formula whose value was never saved.
    """

    frame: pd.DataFrame
    path: Path
    sheet: str | None
    header_row: int
    mapping: dict[str, str]
    ignored: list[str]
    notes: list[str] = field(default_factory=list)
    lines: LineCount | None = None
    problems: list[RowProblem] = field(default_factory=list)
    formulas: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)

    def reconciles(self) -> bool:
        """Every physical line of a CSV file is the header's, blank, data, or inside a quoted cell."""
        if self.lines is None:
            return True
        return self.lines.reconciles() and self.lines.data == len(self.frame)


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


def _find_header(rows: list[tuple[int, list[object]]], lookup: dict[str, str]) -> tuple[int, int] | None:
    """Index in ``rows`` and count of recognised names of the best header candidate."""
    best = None
    for idx, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = {lookup[fold(c)] for c in cells if isinstance(c, str) and fold(c) in lookup}
        if len(hits) >= 2 and (best is None or len(hits) > best[1]):
            best = (idx, len(hits))
    return best


def _qualifies(rows: list[tuple[int, list[object]]], lookup: dict[str, str], spec: TableSpec) -> bool:
    """A header row with every required column of the table."""
    hit = _find_header(rows, lookup)
    if hit is None:
        return False
    names = {lookup.get(fold(str(c))) for c in rows[hit[0]][1] if c is not None}
    return all(c.name in names for c in spec.columns if c.required)


def _choose_sheet(
    path: Path, sheets: list[Sheet], heads: dict[str, list], lookup: dict[str, str], spec: TableSpec, named: bool
) -> Sheet | None:
    """The sheet holding the table: the one named, or the only visible sheet that qualifies."""
    if named:
        return sheets[0]
    full = [s for s in sheets if _qualifies(heads[s.name], lookup, spec)]
    visible = [s for s in full if not s.hidden]
    if len(visible) > 1:
        listed = ", ".join(f"'{s.name}'" for s in visible)
        raise InputFileError(
            path,
            f"{len(visible)} sheets hold a {spec.name} table: {listed}; ntp-atlas will not guess which one is right",
            f"pass the sheet to read, e.g. prepare --sheet {spec.name}='{visible[-1].name}' "
            "(or delete or hide the stale copies)",
        )
    if visible:
        return visible[0]
    if full:
        hidden = ", ".join(f"'{s.name}'" for s in full)
        raise InputFileError(
            path,
            f"the {spec.name} table is only on hidden sheet(s) {hidden}; hidden sheets are not read unless named",
            f"unhide the sheet in Excel, or pass it with prepare --sheet {spec.name}='{full[0].name}'",
        )
    # no sheet has every column: the first visible sheet with a header row, for the missing-column message
    for s in sorted(sheets, key=lambda s: s.hidden):
        if not s.hidden and _find_header(heads[s.name], lookup) is not None:
            return s
    return None


def _no_header(path: Path, spec: TableSpec, where: str) -> InputFileError:
    expected = ", ".join(c.name for c in spec.columns if c.required)
    return InputFileError(
        path,
        f"no header row with the {spec.name} columns found in the first {HEADER_SEARCH_ROWS} rows{where}",
        f"the header row must name the columns {expected} (or their Vietnamese headers, see docs/data-format.md)",
    )


def _header_mapping(
    path: Path, header_rowno: int, header: list[object], lookup: dict[str, str], spec: TableSpec
) -> tuple[dict[str, str], dict[str, int], list[str]]:
    """Header as written -> canonical name, canonical name -> position, and the headers ignored."""
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
    return mapping, positions, ignored


def read_table(
    path: str | Path, spec: TableSpec, sheet: str | None = None, *, max_rows: int = DEFAULT_LIMITS.max_rows
) -> RawTable:
    """Read a CSV file or a workbook holding one canonical table.

    Parameters
    ----------
    path
        A ``.csv`` (UTF-8 or a detected legacy encoding; comma, semicolon or tab separated),
        ``.xlsx``, ``.xlsm``, ``.xls``, ``.xlsb`` or ``.ods`` file.
    spec
        The table expected (:data:`analysis.inputs.schema.FINANCE`, ``POVERTY`` or ``COMMUNES``).
    sheet
        Workbooks only: the sheet to read (hidden or not). By default the only visible sheet
        whose header row has every required column; two such sheets are refused.
    max_rows
        Rows of data read at most; a file with more is refused.

    Returns
    -------
    RawTable

    Raises
    ------
    InputFileError
        The file is missing or unreadable, has no header row, lacks a required column, has an
        unterminated quote, two sheets holding the table, or more than ``max_rows`` rows.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found", "check the path; run 'ntp-atlas prepare --help' for the options")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a file", "give the path of the table's file")
    lookup = header_lookup(spec)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, spec, lookup, max_rows)
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path, spec, lookup, sheet, max_rows)
    raise InputFileError(
        path, f"unknown table format '{suffix}'", "give a .csv, .xlsx, .xls, .xlsb or .ods file"
    )


def _read_csv(path: Path, spec: TableSpec, lookup: dict[str, str], max_rows: int) -> RawTable:
    decoded = _decode(path, path.read_bytes())
    text = decoded.text
    delim = _sniff_delimiter(text)
    rows = head_records(text, delim, HEADER_SEARCH_ROWS)
    hit = _find_header(rows, lookup)
    if hit is None:
        raise _no_header(path, spec, "")
    header_rowno, header = rows[hit[0]]
    mapping, positions, ignored = _header_mapping(path, header_rowno, header, lookup, spec)
    numbers = [positions[c.name] for c in spec.columns if c.kind in ("amount", "count") and c.name in positions]
    body = read_body(path, text, delim, header_rowno, header, positions, max_rows, numbers=numbers, fast=PANDAS_CSV)
    frame = pd.DataFrame({name: body.columns[name] for name in positions}, columns=[*positions], dtype=object)
    frame[ROW] = body.rows
    notes = decoded.notes()
    if body.lines.note():
        notes.append(body.lines.note())
    return RawTable(frame, path, None, header_rowno, mapping, ignored, notes, body.lines, body.problems)


def _read_workbook(
    path: Path, spec: TableSpec, lookup: dict[str, str], sheet: str | None, max_rows: int
) -> RawTable:
    with Workbook(path) as book:
        names = book.sheet_names()
        if sheet is not None and sheet not in names:
            raise InputFileError(
                path,
                f"no sheet named '{sheet}'; the workbook has {names}",
                "pass one of those names with --sheet",
            )
        sheets = book.sheets([sheet] if sheet is not None else None)
        heads = {}
        for s in sheets:
            heads[s.name], s.rows = head(s.rows, HEADER_SEARCH_ROWS)
        chosen = _choose_sheet(path, sheets, heads, lookup, spec, named=sheet is not None)
        if chosen is None or _find_header(heads[chosen.name], lookup) is None:
            looked = ", ".join(f"'{s.name}'" + (" (hidden)" if s.hidden else "") for s in sheets)
            raise _no_header(path, spec, f" (sheets looked at: {looked})")
        hidx = _find_header(heads[chosen.name], lookup)[0]
        header_rowno, header = heads[chosen.name][hidx]
        mapping, positions, ignored = _header_mapping(path, header_rowno, header, lookup, spec)
        frame = _frame_from_rows(path, chosen, header_rowno, positions, max_rows)
    formulas = _formulas(path, chosen.name, frame, positions, spec)
    return RawTable(frame, path, chosen.name, header_rowno, mapping, ignored, chosen.converted.notes(),
                    formulas=formulas)


def _frame_from_rows(path: Path, sheet: Sheet, header_rowno: int, positions: dict[str, int], max_rows: int):
    """The table below the header, streamed: only the mapped columns are kept."""
    columns: dict[str, list] = {name: [] for name in positions}
    rownos: list[int] = []
    for rowno, cells in sheet.rows:
        if rowno <= header_rowno:
            continue
        if len(rownos) >= max_rows:
            raise InputFileError(
                path,
                f"sheet '{sheet.name}' has more than {max_rows:,} rows of data (the limit): row {rowno:,} is past it",
                "split the workbook (by year or by district), or raise the limit with 'prepare --max-rows'",
                row=rowno,
            )
        rownos.append(rowno)
        n = len(cells)
        for name, pos in positions.items():
            columns[name].append(cells[pos] if pos < n else None)
    frame = pd.DataFrame(
        {name: np.array(values, dtype=object) if values else np.empty(0, dtype=object)
         for name, values in columns.items()},
        columns=[*positions],
        dtype=object,
    )
    frame[ROW] = np.array(rownos, dtype=int)
    return frame


def _formulas(
    path: Path, sheet: str, frame: pd.DataFrame, positions: dict[str, int], spec: TableSpec
) -> dict[tuple[int, str], tuple[str, str]]:
    """Empty cells of required columns that hold a formula without a saved value (XLSX only)."""
    if path.suffix.lower() in CALAMINE:
        return {}
    wanted: dict[int, list[int]] = {}
    names = {}
    for col in spec.columns:
        if col.name not in positions or col.nullable:
            continue
        pos = positions[col.name]
        names[pos] = col.name
        for rowno in frame.loc[frame[col.name].isna(), ROW]:
            wanted.setdefault(int(rowno), []).append(pos)
    found = unsaved_formulas(path, sheet, wanted)
    return {(row, names[pos]): (f"{column_letter(pos)}{row}", formula) for (row, pos), formula in found.items()}
