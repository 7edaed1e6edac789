"""The cells of a report-form sheet: merged cells, figures, the header block and its columns.

Part of the form importer (:mod:`analysis.inputs.forms.importer`). A :class:`Grid` holds a sheet's values
with merged ranges resolved (``ws.merged_cells.ranges``) and text in TCVN3/VNI fonts
converted; :func:`find_header` finds the header block by its labels and
:func:`read_columns` gives each column the path of header cells above it and what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from analysis.common.numbers import classify_number
from analysis.errors import FormError
from analysis.inputs.encodings import fix_legacy_text
from analysis.inputs.forms import labels as fl

#: How many rows from the top to look for the header block.
HEADER_SEARCH_ROWS = 40
_HEADER_KINDS = ("measure", "capital_type", "fund", "project", "key", "total")
_NUMBERED_FORMULA = re.compile(r"^(\d+)\s*=\s*[\d\s+\-*/x×:().,]+$")
_EMPTY_MARKS = {"-", "–", "—", "x", "X", "0-"}


def col_letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c)


def addr(r: int, c: int) -> str:
    return f"{col_letter(c)}{r}"


def fmt_num(x: float) -> str:
    return f"{x:,.3f}".rstrip("0").rstrip(".")


class Grid:
    """One sheet's cell values (1-based), with merged cells resolved to their top-left cell."""

    def __init__(self, ws, formulas_ws, path: Path) -> None:
        self.name = ws.title
        self.path = path
        self.values: dict[tuple[int, int], object] = {}
        self.converted = 0  # cells typed in TCVN3 or VNI fonts, converted
        self.padded = 0  # codes typed as numbers, their leading zeros restored
        #: text figures that read two ways ("1,300"), as decided by :mod:`analysis.inputs.forms.figures`
        self.readings: dict[tuple[int, int], float] = {}
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str):
                    v = v.strip() or None
                    if v is not None and not v.isascii():
                        v, enc = fix_legacy_text(fl.nfc(v))
                        self.converted += enc is not None
                if v is None and formulas_ws is not None:
                    f = formulas_ws.cell(cell.row, cell.column).value
                    if isinstance(f, str) and f.startswith("="):
                        raise FormError(
                            path,
                            self.name,
                            cell.coordinate,
                            f"the cell holds a formula ({f}) whose value was never saved",
                            "open the workbook in Excel or LibreOffice and save it again, so that values are stored",
                        )
                if v is not None:
                    self.values[(cell.row, cell.column)] = v
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.anchor[(r, c)] = (rng.min_row, rng.min_col)
        self.max_row = ws.max_row
        self.max_col = ws.max_column

    def at(self, r: int, c: int) -> object:
        """The value shown at (r, c): a merged range shows its top-left value everywhere."""
        return self.values.get(self.anchor.get((r, c), (r, c)))

    def own(self, r: int, c: int) -> object:
        """The value stored in (r, c) itself."""
        return self.values.get((r, c))

    def text(self, r: int, c: int | None) -> str:
        v = self.own(r, c) if c else None
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return fl.nfc(v)

    def error(self, cell: str | None, problem: str, fix: str = "") -> FormError:
        return FormError(self.path, self.name, cell, problem, fix)


def number(grid: Grid, r: int, c: int) -> float | None:
    """The figure in a cell: Excel numbers as they are, text in Vietnamese or English format."""
    v = grid.own(r, c)
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (date, datetime)):
        raise grid.error(addr(r, c), f"a date ({v}) where a figure was expected", "write the amount in million VND")
    s = str(v).strip()
    if s in _EMPTY_MARKS:
        return None
    parsed = classify_number(s)
    if parsed.style in ("plain", "vi", "en"):
        return parsed.vi_value if parsed.style != "en" else parsed.en_value
    if parsed.style == "ambiguous":
        # "1,300" is 1.3 or 1300: decided for the whole workbook by analysis.inputs.forms.figures, from
        # the form's own evidence; until then (while the subtotal checks are laid out) a
        # provisional value, never written
        return grid.readings.get((r, c), parsed.vi_value)
    raise grid.error(
        addr(r, c), f"'{s}' is not a figure", "write the amount as a number (million VND), or leave the cell empty"
    )


def has_number(grid: Grid, r: int, cols: list[int]) -> bool:
    for c in cols:
        v = grid.own(r, c)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return True
        if isinstance(v, str) and classify_number(v).style != "invalid":
            return True
    return False


# --- the header block -----------------------------------------------------------------


def _row_labels(grid: Grid, r: int) -> list[tuple[int, dict]]:
    """Cells of row r whose own text is a label the importer knows."""
    out = []
    for c in range(1, grid.max_col + 1):
        v = grid.own(r, c)
        if isinstance(v, str):
            dims = fl.classify_label(v)
            if dims:
                out.append((c, dims))
    return out


def is_numbering_row(grid: Grid, r: int) -> bool:
    """The row of column numbers under a header: 1 2 3 … or (1) (2) … or A B 1 2 …"""
    cells = [grid.own(r, c) for c in range(1, grid.max_col + 1) if grid.own(r, c) is not None]
    if len(cells) < 3:
        return False
    tokens = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip("() ") for v in cells]
    # a column's number with the formula of its figures: "3=4+5", "9=6/3" stand for 3 and 9
    tokens = [m.group(1) if (m := _NUMBERED_FORMULA.match(t)) else t for t in tokens]
    digits = [int(t) for t in tokens if t.isdigit()]
    others = [t for t in tokens if not t.isdigit()]
    return len(digits) >= 3 and digits == sorted(digits) and all(len(t) <= 2 for t in others)


def find_header(grid: Grid) -> tuple[int, int] | None:
    """First and last row of the header block, or None if the sheet has no form table."""
    top = None
    for r in range(1, min(grid.max_row, HEADER_SEARCH_ROWS) + 1):
        labels = _row_labels(grid, r)
        dims = [d for _, d in labels if any(k in d for k in _HEADER_KINDS)]
        if len(dims) >= 2 and any("key" not in d for d in dims):
            top = r
            break
    if top is None:
        return None
    bottom = top
    for r in range(top + 1, min(grid.max_row, top + 5) + 1):
        first_col = next((c for c in range(1, grid.max_col + 1) if grid.own(r, c) is not None), 0)
        first = grid.text(r, first_col) if first_col else ""
        if is_numbering_row(grid, r) or has_number(grid, r, list(range(1, grid.max_col + 1))):
            break
        # a row that starts like a table row ("I", "Tổng cộng", "Dự án 1") ends the header, unless
        # other header labels stand beside it: "Tổng số | Vốn ĐTPT | Vốn sự nghiệp" under "Kế hoạch"
        beside = [d for c, d in _row_labels(grid, r) if c != first_col and any(k in d for k in _HEADER_KINDS)]
        if (fl.is_roman(first) or fl.total_kind(first) or fl.project_code(first)) and not beside:
            break
        if not _row_labels(grid, r) and not any((r, c) in grid.anchor for c in range(1, grid.max_col + 1)):
            break
        bottom = r
    return top, bottom


@dataclass
class Column:
    index: int
    path: list[tuple[str, str]]  # (label, address of the header cell)
    dims: dict = field(default_factory=dict)
    role: str = "data"  # data, total, rate, key, skip
    key: str | None = None
    total_level: int | None = None  # header row index of the highest total label
    parent_span: tuple[int, int] | None = None  # columns of the header cell above that label
    unknown: list[tuple[str, str]] = field(default_factory=list)  # labels not understood

    @property
    def title(self) -> str:
        return " / ".join(label for label, _ in self.path)


def read_columns(grid: Grid, top: int, bottom: int) -> list[Column]:
    cols = []
    for c in range(1, grid.max_col + 1):
        path, seen, dims, unknown = [], set(), {}, []
        col = Column(c, path)
        for level, r in enumerate(range(top, bottom + 1)):
            a = grid.anchor.get((r, c), (r, c))
            if a in seen or not isinstance(grid.values.get(a), str):
                continue
            seen.add(a)
            label = fl.nfc(grid.values[a])
            path.append((label, addr(*a)))
            d = fl.classify_label(label)
            if not d:
                unknown.append((label, addr(*a)))
            if "key" in d:
                col.role, col.key = "key", d["key"]
            if "skip_column" in d and col.role != "key":
                col.role = "skip"
            if "total" in d and col.total_level is None:
                col.total_level = level
                col.parent_span = _span_above(grid, a[0], c, top)
            for k in fl.DIMENSIONS:
                if k in d:
                    if k in dims and dims[k] != d[k]:
                        raise grid.error(
                            addr(*a),
                            f"the header '{label}' says {k} {d[k]}, but a header above it says {dims[k]}",
                            "correct the header so that each column has one project, capital type, fund and measure",
                        )
                    dims[k] = d[k]
            if d.get("rate"):
                col.role = "rate"
        col.dims = dims
        col.unknown = unknown
        if col.role == "data" and col.total_level is not None:
            col.role = "total"
        cols.append(col)
    return cols


def _span_above(grid: Grid, r: int, c: int, top: int) -> tuple[int, int] | None:
    """Columns covered by the header cell above (r, c), or None at the top of the header."""
    if r <= top:
        return None
    a = grid.anchor.get((r - 1, c), (r - 1, c))
    lo = hi = c
    while lo > 1 and grid.anchor.get((r - 1, lo - 1)) == a:
        lo -= 1
    while hi < grid.max_col and grid.anchor.get((r - 1, hi + 1)) == a:
        hi += 1
    return lo, hi
