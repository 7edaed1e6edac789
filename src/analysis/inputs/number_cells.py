"""The number columns of one input table: how each cell reads, what the file shows, which
convention reads its ambiguous cells, and the problems found.

A cell such as ``8.356,336`` can only be Vietnamese and ``1,234.5`` only English: each is
*evidence* of the file's convention. In a column of counts, ``1.234`` is evidence too (1.234
households is not a count). A cell such as ``2.791`` reads either way; it is read with

1. the convention stated with ``--decimal``, which the file's own evidence must not contradict
   (a file that shows the other convention is refused: reading it the stated way would
   multiply or divide its ambiguous figures by 1,000);
2. else the convention the file's own evidence shows (the majority of its evidence cells;
   the cells of the other convention are rejected);
3. else the convention the other files of the run show (:mod:`analysis.inputs.run_convention`);
4. else nothing: the cell is rejected as ambiguous.

Cells are read column-wide where their shape allows (regular expressions over a column); any
other cell goes through :func:`analysis.common.numbers.classify_number` on its own, which reads the
same. :func:`read_cell` is the one-cell reference the tests compare the column-wide path with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.numbers import CONVENTION_NAMES, ParsedCell, classify_number, convention_of, why_not_a_number
from analysis.errors import InputFileError
from analysis.inputs.readers import ROW
from analysis.inputs.schema import Column

#: Parse whole columns at once. False reads every cell on its own with :func:`read_cell`.
VECTORISED = True

# A cell of ASCII digits with a leading minus and "." or "," separators in one of these shapes
# reads the same under the regexes of analysis.common.numbers, which these restate for text without
# spaces: such cells are read column-wide.
_FAST_PLAIN = r"-?[0-9]+"
_FAST_ONE_SEP = r"-?[0-9]+[.,][0-9]+"
_FAST_VI_GROUPED = r"-?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"
_FAST_EN_GROUPED = r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
EMPTY, TYPED = "empty", "typed"  # styles besides ParsedCell's: no value; a typed XLSX number
#: ``--decimal`` to convention.
DECIMAL_MARKS = {",": "vi", ".": "en"}
_OPTION = {"vi": "--decimal ','", "en": "--decimal '.'"}
_FORMAT = {"vi": "Vietnamese", "en": "English"}


@dataclass
class NumberCells:
    """How each cell of an amount or count column reads.

    ``style`` is "empty", "typed" (a number cell of a workbook) or the cell's
    :class:`~analysis.common.numbers.ParsedCell` style; ``vi``/``en`` are its values read the
    Vietnamese and the English way (NaN where there is none).
    """

    style: np.ndarray
    vi: np.ndarray
    en: np.ndarray

    def value(self, convention: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Values under the file's convention (NaN where none) and where there is one."""
        x = np.full(len(self.style), np.nan)
        ok = np.zeros(len(self.style), dtype=bool)
        for style in set(self.style) - {EMPTY, "invalid"}:
            at = self.style == style
            # which of its two readings a cell of this style takes: ParsedCell.value decides
            probe = 0.0 if style == TYPED else ParsedCell(style, vi_value=0.0, en_value=1.0).value(convention)
            if probe is not None:
                x[at] = (self.vi if probe == 0.0 else self.en)[at]
                ok |= at
        return x, ok


def _is_empty(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def read_cell(v: object, count: bool = False) -> tuple[str, float, float]:
    """One cell of a number column: ``(style, vi, en)``; ``count`` for a column of counts."""
    if _is_empty(v):
        return EMPTY, np.nan, np.nan
    if isinstance(v, int | float) and not isinstance(v, bool):
        return TYPED, float(v), float(v)
    cell = classify_number(str(v))
    if count:
        cell = cell.as_count()
    return cell.style, *(np.nan if x is None else x for x in (cell.vi_value, cell.en_value))


def _floats(text: pd.Series) -> np.ndarray:
    return text.astype(object).to_numpy().astype(np.float64)  # float() of each text, as the reference


def number_cells(values: np.ndarray, count: bool = False) -> NumberCells:
    """How each cell of a number column reads; :func:`read_cell` reads one the same way."""
    n = len(values)
    cells = NumberCells(np.full(n, EMPTY, dtype=object), np.full(n, np.nan), np.full(n, np.nan))
    rest = np.arange(n)
    if VECTORISED and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        at = np.flatnonzero(~pd.isna(values))  # text cells (CSV): column-wide where the shape allows
        text = pd.Series(values[at], dtype="string[pyarrow]")
        plain = text.str.fullmatch(_FAST_PLAIN).to_numpy(dtype=bool)
        one = text.str.fullmatch(_FAST_ONE_SEP).to_numpy(dtype=bool)
        vi_grouped = text.str.fullmatch(_FAST_VI_GROUPED).to_numpy(dtype=bool) & ~one
        en_grouped = text.str.fullmatch(_FAST_EN_GROUPED).to_numpy(dtype=bool) & ~one
        _set(cells, at[plain], "plain", _floats(text[plain]))
        _one_separator(cells, at[one], text[one], count)
        vi = text[vi_grouped].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        _set(cells, at[vi_grouped], "vi", _floats(vi))
        _set(cells, at[en_grouped], "en", _floats(text[en_grouped].str.replace(",", "", regex=False)))
        rest = at[~(plain | one | vi_grouped | en_grouped)]
    for i in rest:
        cells.style[i], cells.vi[i], cells.en[i] = read_cell(values[i], count)
    return cells


def _set(cells: NumberCells, at: np.ndarray, style: object, vi: np.ndarray, en: np.ndarray | None = None) -> None:
    cells.style[at], cells.vi[at], cells.en[at] = style, vi, vi if en is None else en


def _one_separator(cells: NumberCells, at: np.ndarray, text: pd.Series, count: bool) -> None:
    """``123.456``, ``-1,5``: a decimal mark, or (three digits after 1-3) a thousands group."""
    comma = text.str.contains(",", regex=False).to_numpy(dtype=bool)
    sep_at = np.maximum(text.str.find(",").to_numpy(dtype=np.int64), text.str.find(".").to_numpy(dtype=np.int64))
    head = sep_at - text.str.startswith("-").to_numpy(dtype=np.int64)
    tail = text.str.len().to_numpy(dtype=np.int64) - sep_at - 1
    as_decimal = _floats(text.str.replace(",", ".", regex=False))
    as_thousands = _floats(text.str.replace(r"[.,]", "", regex=True))
    thousands_possible = (tail == 3) & (head >= 1) & (head <= 3)
    style = np.where(thousands_possible, "ambiguous", np.where(comma, "vi", "en")).astype(object)
    vi = np.where(thousands_possible & ~comma, as_thousands, as_decimal)
    en = np.where(thousands_possible & comma, as_thousands, as_decimal)
    if count:  # ParsedCell.as_count: the reading that is not whole is impossible for a count
        whole = thousands_possible & (as_decimal != np.floor(as_decimal))  # "1.234", not "1.000"
        style[whole] = np.where(comma[whole], "en", "vi")
        vi[whole] = en[whole] = as_thousands[whole]
    _set(cells, at, style, vi, en)


# --- what a file shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The cells of a file that can only be read one way: how many, and the first of them."""

    convention: str  # "vi" or "en"
    cells: int
    row: int
    column: str
    value: str

    def where(self, file: str | Path | None = None) -> str:
        """``finance.csv row 3 '8.356,336'`` (the first cell), for messages and summaries."""
        name = f"{Path(file).name} " if file is not None else ""
        return f"{name}row {self.row} '{self.value}'"


@dataclass(frozen=True)
class FileConvention:
    """The convention a file's ambiguous cells are read with, and why.

    ``source`` is ``"option"`` (``--decimal``), ``"file"`` (its own evidence), ``"run"`` (the
    other files of the run) or ``"none"``; ``evidence`` holds what the file itself shows, by
    convention; ``own`` is the convention its evidence shows (``None`` if none, or a tie).
    """

    convention: str | None
    source: str
    evidence: dict[str, Evidence] = field(default_factory=dict)
    own: str | None = None
    #: Why nothing decides, when the run has something to say about it (files that disagree).
    undecided: str = ""
    #: Cells that read both ways and were rejected for want of a convention.
    ambiguous: int = 0


def file_evidence(cells: dict[str, NumberCells], raw: pd.DataFrame) -> dict[str, Evidence]:
    """The evidence of a file's number columns: per convention, the count and the first cell."""
    rows = raw[ROW].to_numpy()
    out = {}
    for convention in ("vi", "en"):
        n, first = 0, None
        for name, c in cells.items():
            at = np.flatnonzero(c.style == convention)
            n += len(at)
            if len(at) and (first is None or rows[at[0]] < first[0]):
                first = (int(rows[at[0]]), name, str(raw[name].iat[at[0]]))
        if first is not None:
            out[convention] = Evidence(convention, n, *first)
    return out


def own_convention(evidence: dict[str, Evidence]) -> str | None:
    """The convention most of a file's evidence cells show; ``None`` for none or a tie."""
    n_vi, n_en = (evidence[c].cells if c in evidence else 0 for c in ("vi", "en"))
    return None if n_vi == n_en else convention_of(n_vi, n_en)


def decide(
    evidence: dict[str, Evidence], path: str | Path, *, decimal: str | None, run: str | None, undecided: str = ""
) -> FileConvention:
    """The convention of one file: the option, else its own evidence, else the run's.

    Raises
    ------
    InputFileError
        ``decimal`` states one convention and the file's evidence shows the other.
    """
    own = own_convention(evidence)
    if decimal is not None:
        stated = DECIMAL_MARKS[decimal]
        if own is not None and own != stated:
            ev = evidence[own]
            n_stated = evidence[stated].cells if stated in evidence else 0
            raise InputFileError(
                path,
                f"--decimal '{decimal}' says numbers are written the {CONVENTION_NAMES[stated]} way, but this "
                f"file writes them the {CONVENTION_NAMES[own]} way: {ev.cells} cell(s) can only be read so, the "
                f"first on this row, against {n_stated} the other way; read the {_FORMAT[stated]} way, a figure "
                "such as 2.791 would be off by a factor of 1,000",
                f"run prepare without --decimal (the format is detected), or with {_OPTION[own]}",
                row=ev.row,
                column=ev.column,
                value=ev.value,
            )
        return FileConvention(stated, "option", evidence, own)
    if own is not None:
        return FileConvention(own, "file", evidence, own)
    if run is not None:
        return FileConvention(run, "run", evidence, own)
    return FileConvention(None, "none", evidence, own, undecided)


# --- reading the columns ------------------------------------------------------------------


def _count_of(col: Column) -> str:
    return "villages" if "villages" in col.name else "households"


def parse_number_columns(
    raw: pd.DataFrame,
    cols: list[Column],
    rej,
    path: str | Path,
    *,
    decimal: str | None = None,
    run: str | None = None,
    undecided: str = "",
) -> tuple[dict[str, np.ndarray], FileConvention]:
    """Read the amount and count columns of a table with one convention for the whole file.

    Parameters
    ----------
    raw
        The table as read (``_row`` and the columns as written).
    cols
        The amount and count columns present.
    rej
        The collector of :mod:`analysis.inputs.validate` (``add(row, column, value, reason, fix)``).
    path
        The file, for a refusal.
    decimal
        ``","`` or ``"."``: the convention stated with ``--decimal``.
    run, undecided
        The convention the other files of the run show (for a file that shows none), and
        why there is none when the files disagree (shown in the ambiguous cells' reason).

    Returns
    -------
    dict, FileConvention
        Each column's values (NaN where the cell is empty or rejected), and the convention.
    """
    cells = {c.name: number_cells(raw[c.name].to_numpy(dtype=object), c.kind == "count") for c in cols}
    conv = decide(file_evidence(cells, raw), path, decimal=decimal, run=run, undecided=undecided)
    rows = raw[ROW].to_numpy()
    out = {}
    if conv.convention is None:
        conv = replace(conv, ambiguous=sum(int((c.style == "ambiguous").sum()) for c in cells.values()))
    for col in cols:
        c, values = cells[col.name], raw[col.name].to_numpy(dtype=object)
        x, ok = c.value(conv.convention)
        for i in np.flatnonzero(~ok):  # one problem per cell, in row order
            if c.style[i] == EMPTY and col.nullable:  # no figure, said so by an empty cell: NaN
                continue
            rej.add(rows[i], col.name, values[i], *_problem(col, values[i], c, i, conv))
        if col.kind == "count":
            # inf is left to the bounds (analysis.inputs.bounds): "too large", not "not whole"
            fractional = ok & np.isfinite(x) & (x != np.floor(x))
            for i in np.flatnonzero(fractional):
                rej.add(rows[i], col.name, values[i], f"a count of {_count_of(col)} must be a whole number")
            x[fractional] = np.nan
        out[col.name] = x
    return out, conv


def _problem(col: Column, v: object, c: NumberCells, i: int, conv: FileConvention) -> tuple[str, str]:
    """``(reason, fix)`` of a number cell without a value under the file's convention."""
    style = c.style[i]
    if style == EMPTY:
        return f"{col.name} is empty", "write the figure (0 if none)"
    if style == "invalid":
        return (
            f"{col.name} is not a number: {why_not_a_number(str(v))}",
            "write digits only, e.g. 8.356,336 or 8356.336",
        )
    if style == "ambiguous":
        why = "nothing else in the file says which"
        if conv.undecided:
            why = f"nothing in the file says which, {conv.undecided}"
        elif "vi" in conv.evidence and "en" in conv.evidence:
            why = f"the file shows both formats as often ({conv.evidence['vi'].cells} cells each)"
        return (
            f"'{v}' could be {c.vi[i]:g} (Vietnamese format) or {c.en[i]:g} (English format) and {why}",
            "write it without a thousands separator, or re-run with --decimal ',' (Vietnamese) or --decimal '.'",
        )
    other, mine = _FORMAT[style], _FORMAT[conv.convention]
    whose = "--decimal says" if conv.source == "option" else "the file uses"
    return (
        f"'{v}' is written in {other} number format while {whose} {mine}",
        "use one number format throughout the file",
    )
