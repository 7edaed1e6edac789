"""Step 1 of validation: every cell of an input table parsed, or rejected with its reason.

Years, dates, GSO codes, vocabulary (``vốn đầu tư`` -> ``investment``) and, through
:mod:`analysis.inputs.number_cells`, amounts and counts written in either language's format.
Each distinct value of a column is parsed once (:data:`VECTORISED`). The later steps (schema,
references, duplicates) are in :mod:`analysis.inputs.validate`.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from analysis.common.text import fold
from analysis.inputs.number_cells import FileConvention, parse_number_columns
from analysis.inputs.pandera_schemas import fix_for
from analysis.inputs.readers import ROW, RawTable
from analysis.inputs.reasons import reason
from analysis.inputs.rejects import Rejects
from analysis.inputs.run_convention import RunConvention
from analysis.inputs.schema import VALUE_LOOKUP, Column, TableSpec

#: Parse whole columns at once (regexes over a column, each distinct value parsed once). False
#: parses every cell on its own with the same functions: the reference the tests compare with.
VECTORISED = True


_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")


def _parse_year(v: object) -> tuple[int | None, str | None]:
    if isinstance(v, bool):
        return None, reason("year.not_year")
    if isinstance(v, int | float) and not (isinstance(v, float) and np.isnan(v)):
        # a typed cell: four digits, as for text (10**20 would not fit the year column)
        if 1000 <= v <= 9999 and (isinstance(v, int) or float(v).is_integer()):
            return int(v), None
        return None, reason("year.format")
    s = str(v).strip()
    if re.fullmatch(r"\d{4}", s):
        return int(s), None
    return None, reason("year.format")


def _parse_date(v: object) -> tuple[pd.Timestamp | None, str | None]:
    if isinstance(v, dt.datetime | dt.date):
        return pd.Timestamp(v).normalize(), None
    if isinstance(v, int | float):
        return None, reason("date.number")
    s = str(v).strip()
    m = _DATE_DMY.match(s)
    try:
        if m:
            d, mth, y = (int(x) for x in m.groups())
            return pd.Timestamp(dt.date(y, mth, d)), None
        m = _DATE_ISO.match(s)
        if m:
            y, mth, d = (int(x) for x in m.groups())
            return pd.Timestamp(dt.date(y, mth, d)), None
    except ValueError:
        return None, reason("date.unreal")
    return None, reason("date.format")


def _parse_code(v: object, col: Column, pad: bool) -> tuple[str | None, str | None, str | None]:
    """Returns (code, reason, fix)."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if isinstance(v, int) or re.fullmatch(r"\d+", s):
        if len(s) == col.width:
            return s, None, None
        if len(s) < col.width:
            if pad:
                return s.zfill(col.width), None, None
            return (
                None,
                reason("code.lost_zero", column=col.name, value=s, n=len(s), level=col.name.split("_")[0],
                       width=col.width),
                f"format the column as Text and write '{s.zfill(col.width)}', or re-run with --pad-codes",
            )
        return None, reason("code.too_long", column=col.name, value=s, n=len(s), width=col.width), None
    return None, reason("code.not_digits", column=col.name), "write the numeric GSO code, e.g. 06481"


def _is_empty(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _parse_value(v: object, col: Column, pad_codes: bool) -> tuple[object, str | None, str | None]:
    """One non-empty cell of a column that is not a number: ``(value, reason, fix)``."""
    if col.kind == "year":
        x, why = _parse_year(v)
        return x, why, None
    if col.kind == "date":
        x, why = _parse_date(v)
        return x, why, "write the date as dd/mm/yyyy (30/11/2023) or yyyy-mm-dd"
    if col.kind == "code":
        return _parse_code(v, col, pad_codes)
    if col.kind == "project":  # read against the row's programme by the table's resolver (step 1b)
        return str(v).strip(), None, None
    if col.kind == "enum":
        x = VALUE_LOOKUP[col.name].get(fold(str(v)))
        why = None if x else reason("enum.unknown", value=str(v), column=col.name)
        return x, why, fix_for(col.name)
    return str(v).strip(), None, None


def _distinct(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Each cell's position in the list of distinct non-empty values (-1 for an empty cell).

    The parse functions depend on the value alone, so parsing each distinct value once gives
    what parsing every cell gives. Typed XLSX cells keep their type apart: ``1``, ``1.0``,
    ``True`` and ``"1"`` do not read the same.
    """
    if not VECTORISED:  # the reference: every cell on its own
        codes = np.arange(len(values))
        codes[[_is_empty(v) for v in values]] = -1
        return codes, list(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):  # text and None (CSV)
        codes, uniques = pd.factorize(values)
        return codes, list(uniques)
    index: dict[tuple, int] = {}
    codes = np.empty(len(values), dtype=np.intp)
    for i, v in enumerate(values):
        codes[i] = -1 if _is_empty(v) else index.setdefault((type(v), str(v), v), len(index))
    return codes, [key[2] for key in index]


def _spread(results: list, codes: np.ndarray) -> np.ndarray:
    """Per cell, the result of its distinct value (None for an empty cell)."""
    table = np.empty(len(results) + 1, dtype=object)
    table[: len(results)] = results
    return table[codes]  # code -1 takes the last slot, None


def parse_cells(
    raw: RawTable, spec: TableSpec, rej: Rejects, *, pad_codes: bool, decimal: str | None, run: RunConvention
) -> tuple[pd.DataFrame, FileConvention]:
    """Step 1 of :func:`analysis.inputs.validate.validate_table`: every cell of ``raw`` parsed.

    Parameters
    ----------
    raw : RawTable
        The table as read (:func:`analysis.inputs.readers.read_table`).
    spec : TableSpec
        Its canonical table.
    rej : Rejects
        Where a cell that does not parse is rejected, with its reason and fix.
    pad_codes : bool
        Restore leading zeros of GSO codes lost by Excel.
    decimal : str or None
        The decimal mark of the file's numbers, when the user gave it.
    run : RunConvention
        The number convention of the run so far (:mod:`analysis.inputs.run_convention`).

    Returns
    -------
    (parsed, convention)
        One column per column of ``spec`` (absent optional columns empty), with the row
        numbers; and the number convention the file was read in.
    """
    df = raw.frame
    rows = df[ROW].to_numpy()
    parsed = pd.DataFrame({ROW: rows})
    present = [c for c in spec.columns if c.name in df.columns]
    numeric = [c for c in present if c.kind in ("amount", "count")]
    numbers, convention = parse_number_columns(
        df, numeric, rej, raw.path, decimal=decimal, run=run.convention, undecided=run.undecided
    )
    for col in present:
        if col.kind in ("amount", "count"):
            parsed[col.name] = pd.array(numbers[col.name], dtype="float64")
            continue
        values = df[col.name].to_numpy(dtype=object)
        codes, distinct = _distinct(values)
        results = [_parse_value(v, col, pad_codes) for v in distinct]
        empty = codes < 0
        failed = np.array([why is not None for _, why, _ in results] + [False])[codes]
        for i in np.flatnonzero(failed | (empty & (not col.nullable))):  # in row order
            if empty[i]:
                rej.add(
                    rows[i],
                    col.name,
                    values[i],
                    reason("cell.empty", column=col.name),
                    f"fill in {col.name} ({col.description or col.kind})",
                )
            else:
                _, why, fix = results[codes[i]]
                rej.add(rows[i], col.name, values[i], why, fix)
        xs = [x for x, _, _ in results]
        if col.kind == "year":
            parsed[col.name] = pd.array(_spread(xs, codes), dtype="Int64")
        elif col.kind == "date":  # each distinct date converted once; empty cells take the last, NaT
            dates = pd.to_datetime(pd.Series([*xs, None], dtype=object), errors="coerce")
            parsed[col.name] = dates.to_numpy()[codes]
        else:
            parsed[col.name] = pd.Series(_spread(xs, codes), dtype=object)
    for col in spec.columns:  # optional columns absent from the file
        if col.name not in parsed.columns:
            parsed[col.name] = pd.Series([None] * len(parsed), dtype=object)
    return parsed, convention
