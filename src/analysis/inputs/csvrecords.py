"""CSV records read so that no line is lost: every physical line of the file is accounted for.

The ``csv`` module, as a spreadsheet does, keeps a quoted line break inside its cell, so a
record can span several lines. That is also how a quote that is never closed swallows the
rest of a file into one cell without a word: the record of row 50 runs to the end of the
file. Here every record is read with the lines it spans, and

* a quote still open at the end of the file is refused, naming the row and line where it
  opened (PostgreSQL's ``COPY`` says "unterminated CSV quoted field");
* a quoted cell whose lines look like rows of the table (as many delimiters as the header)
  is refused too: a quote was opened by mistake and closed rows later;
* a record with more fields than the header (``3250,5`` in a comma-separated file) or fewer
  than its named columns is a row problem: its values would sit under the wrong headers;
* the lines below the header are counted: blank, inside quoted cells, and data rows, and
  :class:`LineCount` checks them against the line breaks counted in the text itself.

Rows are numbered as a spreadsheet numbers them when it opens the file: one per record.
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFileError

#: The last line fed to the parser: a record of its own unless a quote is still open.
_SENTINEL = "\x00ntp-atlas: end of file\x00"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DECIMAL_COMMA = re.compile(r"-?\d+")


def count_lines(text: str) -> int:
    """Physical lines of a text, as an editor counts them (a last line without a line break counts)."""
    breaks = len(_LINE_BREAK.findall(text))
    return breaks + (1 if text and not text.endswith(("\n", "\r")) else 0)


def _reader(text: str, delim: str):
    # newline="": the csv module sees every line break (\r, \n, \r\n) itself, quoted or not;
    # without it a bare \r (old Mac files, a cell pasted from elsewhere) raises csv.Error
    lines = itertools.chain(io.StringIO(text, newline=""), [_SENTINEL])
    return csv.reader(lines, delimiter=delim)


def head_records(text: str, delim: str, limit: int) -> list[tuple[int, list[object]]]:
    """The first ``limit`` records with their row numbers, blank cells as None (a blank line is a record)."""
    rows = []
    for i, row in enumerate(itertools.islice(_reader(text, delim), limit), start=1):
        if row == [_SENTINEL]:
            break
        rows.append((i, [c if c.strip() != "" else None for c in row]))
    return rows


@dataclass
class LineCount:
    """Where the lines of a CSV file went.

    ``physical`` is counted from the line breaks of the text; the others from the records the
    parser read. They reconcile when ``physical = header_lines + blank + data + continued``.
    """

    physical: int
    header_lines: int  # the lines of the header and of the records above it
    blank: int = 0  # blank records below the header
    data: int = 0  # records of data (rows read)
    continued: int = 0  # further lines of records that span several lines (quoted line breaks)

    def reconciles(self) -> bool:
        return self.physical == self.header_lines + self.blank + self.data + self.continued

    def note(self) -> str | None:
        """One sentence for the user when some lines are not rows."""
        if not (self.blank or self.continued):
            return None
        parts = [f"{self.data:,} rows of data"]
        if self.blank:
            parts.append(f"{self.blank:,} blank line{'s' if self.blank != 1 else ''}")
        if self.continued:
            parts.append(f"{self.continued:,} line{'s' if self.continued != 1 else ''} inside quoted cells")
        return f"{self.physical - self.header_lines:,} lines below the header: " + ", ".join(parts)


@dataclass
class RowProblem:
    """A record that cannot be read as a row of the table (too many or too few fields)."""

    row: int
    column: str
    value: str
    reason: str
    fix: str


@dataclass
class CsvBody:
    """The records below the header: the mapped columns, their row numbers, what went wrong."""

    columns: dict[str, np.ndarray]
    rows: np.ndarray
    lines: LineCount
    problems: list[RowProblem] = field(default_factory=list)


def _split_number(cells: list[str], numbers: list[int]) -> str | None:
    """The first number column whose value and the next field read as one number with a decimal comma."""
    for i in numbers:
        if i + 1 < len(cells) and _DECIMAL_COMMA.fullmatch(cells[i].strip()) and cells[i + 1].strip().isdigit():
            return f"{cells[i].strip()},{cells[i + 1].strip()}"
    return None


def _field_problem(
    rowno: int, cells: list[str], width: int, named: int, delim: str, numbers: list[int]
) -> RowProblem | None:
    """Too many fields (non-empty beyond the header) or fewer than the named columns."""
    n = len(cells)
    if n > width and any(c.strip() for c in cells[width:]):
        cause = ""
        if delim == "," and n - width <= len(numbers):  # one decimal comma splits one number in two
            split = _split_number(cells, numbers)
            example = f" (for example '{split}')" if split else ""
            cause = (f"; the likely cause is a decimal comma in a comma-separated file{example}, "
                     "which splits one number into two fields")
        return RowProblem(
            rowno, "", delim.join(cells)[:200],
            f"row has {n} fields where the header has {width}: its values would sit under the wrong headers"
            + cause,
            "put the number in quotes (\"3250,5\"), write it with a decimal point (3250.5), "
            "or save the file with ';' as the separator",
        )
    if n < named:
        return RowProblem(
            rowno, "", delim.join(cells)[:200],
            f"row has {n} field{'s' if n != 1 else ''} where the header has {named}: a value is missing or the line "
            "was cut, so the values after it would sit under the wrong headers",
            f"give the row one value per column, {named} in all (empty ones as two separators in a row)",
        )
    return None


def _swallowed(cells: list[str], delim: str, width: int) -> int | None:
    """Lines inside the cells of a multi-line record that look like rows of the table."""
    need = max(2, width - 1)
    n = sum(1 for c in cells for line in _LINE_BREAK.split(c)[1:] if line.count(delim) >= need)
    return n or None


def read_body(
    path: Path,
    text: str,
    delim: str,
    header_rowno: int,
    header: list[object],
    positions: dict[str, int],
    max_rows: int,
    *,
    numbers: list[int] = (),
    fast: bool = True,
) -> CsvBody:
    """Read the records below the header row ``header_rowno``, keeping the columns at ``positions``.

    Parameters
    ----------
    path
        The file, for messages.
    text, delim
        Its text and delimiter.
    header_rowno, header
        The header's record number and cells (None for a blank one).
    positions
        Canonical column -> field position.
    max_rows
        Rows of data read at most; a file with more is refused.
    numbers
        Positions of the number columns, where a decimal comma splits a value in two.
    fast
        Gather the columns with ``operator.itemgetter`` (False: cell by cell, the reference).

    Raises
    ------
    InputFileError
        An unterminated quoted field, a quoted cell holding rows, or more than ``max_rows`` rows.
    """
    width = len(header)
    named = max(i for i, c in enumerate(header) if c is not None) + 1
    names = list(positions)
    getter = operator.itemgetter(*positions.values()) if positions else None
    kept: list[tuple] = []
    rownos: list[int] = []
    problems: list[RowProblem] = []
    lines = LineCount(physical=count_lines(text), header_lines=0)
    reader = _reader(text, delim)
    physical = lines.physical
    prev_line = 0
    for recno, cells in enumerate(reader, start=1):
        start_line, prev_line = prev_line + 1, reader.line_num
        if prev_line > physical:  # this record reached the sentinel line: the end, or an open quote
            if cells == [_SENTINEL]:
                break
            raise InputFileError(
                path,
                f"unterminated CSV quoted field: the quote opened in this row (line {start_line} of the file) is never "
                f"closed, so the {physical - start_line:,} lines below it would be read as one cell",
                "close the quote in this row, or delete the stray '\"'; then save the file again (Excel: CSV UTF-8)",
                row=recno,
            )
        span = prev_line - start_line + 1
        if recno <= header_rowno:
            lines.header_lines += span
            continue
        if span > 1:
            lines.continued += span - 1
            swallowed = _swallowed(cells, delim, width)
            if swallowed:
                raise InputFileError(
                    path,
                    f"a quoted cell runs over lines {start_line}-{prev_line} of the file and holds {swallowed} "
                    "line(s) that look like rows of the table: a quote was opened by mistake and closed rows later",
                    "delete the stray '\"' in this row (or close the quote where the cell ends); then save the file "
                    "again",
                    row=recno,
                )
        first = cells[0] if cells else ""
        if not (first and not first.isspace()) and not "".join(cells).strip():
            lines.blank += 1
            continue
        lines.data += 1
        if lines.data > max_rows:
            raise InputFileError(
                path,
                f"more than {max_rows:,} rows of data (the limit): row {recno} is past it",
                "split the file (by year or by district), or raise the limit with 'prepare --max-rows'",
                row=recno,
            )
        if len(cells) != width:
            problem = _field_problem(recno, cells, width, named, delim, sorted(numbers))
            if problem is not None:
                problems.append(problem)
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
        rownos.append(recno)
        if getter is None:
            continue
        if fast:
            kept.append(getter(cells))
        else:
            kept.append(tuple(cells[positions[name]] for name in names))
    if fast and len(names) == 1:
        kept = [(v,) for v in kept]
    columns = {}
    transposed = list(zip(*kept, strict=True)) if kept else [() for _ in names]
    for name, values in zip(names, transposed, strict=True):
        columns[name] = _blank_to_none(np.array(values, dtype=object) if values else np.empty(0, dtype=object))
    return CsvBody(columns, np.array(rownos, dtype=int), lines, problems)


def _blank_to_none(values: np.ndarray) -> np.ndarray:
    """None for cells that are empty or only white space (decided once per distinct value)."""
    if not len(values):
        return values
    distinct = pd.unique(values)
    blanks = [v for v in distinct if not isinstance(v, str) or v.strip() == ""]
    out = values.copy()
    if blanks:
        out[pd.Series(values).isin(blanks).to_numpy()] = None
    return out
