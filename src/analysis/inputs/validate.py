"""Validation of input tables: every row used or rejected with its reason.

A table goes through four steps, each of which can reject rows (never the whole file):

1. parsing (:mod:`analysis.inputs.cell_parsing`): text to year, date, code, number (Vietnamese or
   English format), vocabulary;
   cells read against another cell of their row come next (a finance ``project`` against the
   row's ``programme``, an indicator's ``unit_code`` against its level: ``spec.extra["resolve"]``);
2. the pandera schema of the table (ranges, allowed values, cross-column checks);
3. reference checks against the unit list (unknown codes, a commune outside its district);
4. duplicates: the same fact twice (exact copies are kept once; conflicting copies are all
   rejected, since nothing says which is right);
5. the door checks of :mod:`analysis.inputs.gates`: figures dated after the run date (closed future
   periods) and district rows that are the subtotal of their communes' rows.

Whole-file problems (missing file, no header, missing column) raise
:class:`~analysis.errors.InputFileError` from :mod:`analysis.inputs.readers` before this starts.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.limits import DEFAULT_LIMITS, ReadLimits
from analysis.inputs.bounds import Bounds, check_bounds
from analysis.inputs.cell_parsing import parse_cells
from analysis.inputs.gates import door_checks
from analysis.inputs.new_unit_checks import check_new_units, is_new_unit_list
from analysis.inputs.number_cells import FileConvention
from analysis.inputs.pandera_schemas import CHECK_COLUMNS, schemas
from analysis.inputs.readers import ROW, RawTable, read_table
from analysis.inputs.reasons import reason
from analysis.inputs.rejects import REJECT_COLUMNS, Rejects, reason_group
from analysis.inputs.run_convention import NO_RUN, RunConvention
from analysis.inputs.schema import TableSpec

__all__ = ["REJECT_COLUMNS", "ValidatedTable", "validate_table"]

@dataclass
class ValidatedTable:
    """The outcome of validating one input table.

    Attributes
    ----------
    spec
        The table's specification.
    accepted
        Parsed, valid rows (canonical columns with proper types, plus ``_row``).
    rejects
        One row per problem found: table, file, row, column, value, reason, fix, reason_key,
        reason_args (:data:`REJECT_COLUMNS`). A rejected input row may appear more than once
        (one line per problem).
    n_read
        Rows read from the file (blank rows excluded).
    raw
        The table as read.
    convention
        The number convention the file's ambiguous cells were read with (``"vi"``, ``"en"``
        or ``None``: none, and such cells were rejected).
    numbers
        That convention, why (``--decimal``, the file's own evidence, the run's) and what the
        file's cells show (:class:`analysis.inputs.number_cells.FileConvention`).
    """

    spec: TableSpec
    accepted: pd.DataFrame
    rejects: pd.DataFrame
    n_read: int
    raw: RawTable
    convention: str | None = None
    notes: list[str] = field(default_factory=list)
    #: What the door checks found, by check (``"subtotals"``), for the rule warnings.
    found: dict[str, pd.DataFrame] = field(default_factory=dict)
    numbers: FileConvention | None = None
    #: Rows rejected, each counted once (``rejects`` lists only the first lines per reason).
    rejected_rows: int | None = None
    #: ``(column, reason, rows)`` per reason, the most frequent first.
    reject_counts: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def n_rejected(self) -> int:
        """Number of input rows rejected (each counted once, listed in ``rejects`` or not)."""
        if self.rejected_rows is not None:
            return self.rejected_rows
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0

    @property
    def n_accepted(self) -> int:
        return len(self.accepted)

    def rejects_listed(self, reason: str) -> int:
        """Rows listed in ``rejects`` for the reason group of ``reason`` (the first ones)."""
        group = reason_group(reason)
        return int(self.rejects["reason"].map(reason_group).eq(group).sum()) if len(self.rejects) else 0

    def reconciles(self) -> bool:
        """``read = accepted + rejected`` and every line of a CSV file accounted for: what every run checks."""
        return self.n_read == self.n_accepted + self.n_rejected and self.raw.reconciles()


# --- step 1b: cells read against other cells of their row ----------------------------


def _resolve(parsed: pd.DataFrame, spec: TableSpec, units: pd.DataFrame, rej: Rejects, *, pad_codes: bool) -> None:
    """Run the table's resolver, ``spec.extra["resolve"]`` (``"module:function"``), if it has one.

    A resolver reads cells that depend on another cell of their row (a finance ``project``
    against the row's ``programme``; an indicator's ``unit_code`` against its level), changing
    ``parsed`` in place and adding problems with ``rej.add(row, column, value, reason, fix)``.
    """
    target = spec.extra.get("resolve")
    if target is None:
        return
    module, _, name = target.partition(":")
    getattr(importlib.import_module(module), name)(parsed, units, rej, pad_codes=pad_codes)


# --- step 2: pandera -------------------------------------------------------------------


def _schema_check(df: pd.DataFrame, spec: TableSpec, rej: Rejects, raw: pd.DataFrame) -> None:
    import pandera.errors  # with the schemas: on first use

    schema = schemas()[spec.name]
    cols = [c for c in schema.columns if c in df.columns]
    if not len(df):
        return
    frame = df.copy()
    # pandera sees only rows that parsed; types are made plain for it
    for c in cols:
        if spec.column(c).kind == "year":
            frame[c] = frame[c].astype("int64")
        elif spec.column(c).kind in ("amount", "count"):
            frame[c] = frame[c].astype("float64")
        else:
            frame[c] = frame[c].astype(str)
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        fc = err.failure_cases
        raw_by_row = raw.set_index(ROW)  # row numbers are unique
        for rec in fc.itertuples(index=False):
            idx = rec.index
            if idx is None or (isinstance(idx, float) and np.isnan(idx)):
                continue
            why = str(rec.check)  # the check's message, text: identified in the catalogue of reasons by rej.add
            column = CHECK_COLUMNS.get(why) or (rec.column if rec.column in frame.columns else "")
            row = frame.at[idx, ROW]
            # show the value as the user wrote it
            value = raw_by_row.at[row, column] if column in raw_by_row.columns else rec.failure_case
            rej.add(row, column, value, why)


# --- step 3: reference checks --------------------------------------------------------


def _reference_check(df: pd.DataFrame, spec: TableSpec, units: pd.DataFrame, rej: Rejects) -> pd.DataFrame:
    """Unknown codes; a commune outside its district; fills province/district from the unit list."""
    if "commune_code" not in spec.names:  # units of another kind, checked by the table's resolver
        return df
    if is_new_unit_list(units):  # the units of 1/7/2025: province → commune, no districts
        return check_new_units(df, units, rej)
    communes = units.drop_duplicates("commune_code").set_index("commune_code")
    districts = units.drop_duplicates("district_code").set_index("district_code")
    fix_unknown = "check the code against the GSO unit list; for units of another vintage pass --units FILE"
    df = df.copy()

    def reject(mask: pd.Series, column: str, why, fix: str) -> None:
        for _, r in df[mask].iterrows():
            rej.add(r[ROW], column, r[column], why(r), fix)

    if "district_code" in spec.names:
        d = df["district_code"]
        known_d = d.isin(districts.index)
        reject(
            d.notna() & ~known_d,
            "district_code",
            lambda r: reason("unit.unknown_district", code=r["district_code"]),
            fix_unknown,
        )
        c = df["commune_code"]
        known_c = c.isin(communes.index)
        reject(
            known_d & c.notna() & ~known_c,
            "commune_code",
            lambda r: reason("unit.unknown_commune", code=r["commune_code"]),
            fix_unknown,
        )
        wrong = known_c & (c.map(communes["district_code"]) != d)
        reject(
            known_d & wrong,
            "commune_code",
            lambda r: reason(
                "unit.commune_elsewhere", code=r["commune_code"], name=communes.at[r["commune_code"], "commune_name"],
                actual=communes.at[r["commune_code"], "district_code"], given=r["district_code"],
            ),
            "check the district and commune codes of this row",
        )
        dp = d.map(districts["province_code"])
        p = df["province_code"]
        reject(
            known_d & p.notna() & (p != dp),
            "province_code",
            lambda r: reason(
                "unit.district_elsewhere", code=r["district_code"],
                actual=districts.at[r["district_code"], "province_code"], given=r["province_code"],
            ),
            "check the province code of this row",
        )
        df["province_code"] = dp.where(known_d, p)
    else:
        c = df["commune_code"]
        reject(
            c.notna() & ~c.isin(communes.index),
            "commune_code",
            lambda r: reason("unit.unknown_commune", code=r["commune_code"]),
            fix_unknown,
        )
        df["district_code"] = c.map(communes["district_code"])
        df["province_code"] = c.map(communes["province_code"])
    return df


# --- step 4: duplicates ----------------------------------------------------------------


_OTHERS_LISTED = 5  # a fact repeated 30,000 times must not make 30,000 reasons of 30,000 rows each


def _duplicates(df: pd.DataFrame, spec: TableSpec, rej: Rejects) -> None:
    key = [k for k in spec.key if k in df.columns]
    keyed = df[key].astype(str)
    dup = keyed.duplicated(keep=False)
    if not dup.any():
        return
    values = [c.name for c in spec.columns if c.name not in key and c.name in df.columns]
    for _, group in df[dup].groupby(keyed[dup].apply(tuple, axis=1), sort=False):
        rows = group[ROW].tolist()
        same = (group[values].astype(str).nunique() <= 1).all()
        if same:
            for r in rows[1:]:
                rej.add(
                    r,
                    "",
                    "",
                    reason("duplicate.same", row=rows[0]),
                    "delete the repeated row; the first copy is used",
                )
        else:
            head = rows[: _OTHERS_LISTED + 1]
            for r in rows:
                listed = [x for x in head if x != r][:_OTHERS_LISTED]
                more = len(rows) - 1 - len(listed)
                rej.add(
                    r,
                    "",
                    "",
                    reason("duplicate.conflict_more", rows=listed, more=more)
                    if more
                    else reason("duplicate.conflict", rows=listed),
                    "keep one row per " + ", ".join(key) + "; none of the conflicting rows is used",
                )


def validate_table(
    path: str | Path,
    spec: TableSpec,
    units: pd.DataFrame,
    *,
    sheet: str | None = None,
    pad_codes: bool = False,
    decimal: str | None = None,
    today: dt.date | str | None = None,
    run: RunConvention = NO_RUN,
    bounds: Bounds | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    raw: RawTable | None = None,
) -> ValidatedTable:
    """Read and validate one input table.

    Parameters
    ----------
    path
        CSV or XLSX file.
    spec
        :data:`analysis.inputs.schema.FINANCE`, ``POVERTY``, ``COMMUNES`` or ``INDICATORS``.
    units
        Unit list for the reference checks (see :func:`analysis.catalog.units.load_unit_list`).
    sheet
        XLSX sheet (default: the first with a header row).
    pad_codes
        Restore leading zeros lost by Excel instead of rejecting those rows.
    decimal
        ``","`` or ``"."`` to state the decimal mark; by default the file's convention is
        detected, and a cell that could be read both ways is rejected if the file shows none.
    today
        The run date: figures dated after it are rejected (default: today).
    run
        What the other files of the run show (:func:`analysis.inputs.run_convention.decide_run`): the
        convention of a file that shows none itself.
    bounds
        The largest figure a row may hold, by bound (default :data:`analysis.config.BOUNDS`).
    limits
        Rows read at most, and reject lines kept per reason (:class:`~analysis.common.limits.ReadLimits`).
    raw
        The table as already read from ``path`` (to tell its unit system), instead of reading it again.

    Returns
    -------
    ValidatedTable

    Raises
    ------
    InputFileError
        The file cannot be read, or its numbers contradict ``decimal``.
    """
    raw = raw if raw is not None else read_table(path, spec, sheet=sheet, max_rows=limits.max_rows)
    rej = Rejects(spec.name, Path(path), limits.rejects_per_reason)
    _reader_problems(raw, rej)
    parsed, numbers = parse_cells(raw, spec, rej, pad_codes=pad_codes, decimal=decimal, run=run)
    _resolve(parsed, spec, units, rej, pad_codes=pad_codes)
    check_bounds(parsed, raw.frame, spec, rej, bounds or Bounds())
    ok = parsed[~parsed[ROW].isin(rej.rows())]
    _schema_check(ok, spec, rej, raw.frame)
    ok = parsed[~parsed[ROW].isin(rej.rows())]
    ok = _reference_check(ok, spec, units, rej)
    ok = ok[~ok[ROW].isin(rej.rows())]
    _duplicates(ok, spec, rej)
    ok = ok[~ok[ROW].isin(rej.rows())]
    found = door_checks(ok, spec.name, rej, today=today)
    accepted = ok[~ok[ROW].isin(rej.rows())].reset_index(drop=True)
    accepted = _finalize_types(accepted, spec)
    result = ValidatedTable(
        spec, accepted, rej.frame(), len(raw.frame), raw, numbers.convention, numbers=numbers, found=found,
        rejected_rows=rej.n_rows, reject_counts=rej.counts(),
    )
    result.notes.extend(raw.notes)
    if raw.ignored:
        result.notes.append(f"columns not used: {', '.join(raw.ignored)}")
    return result


def _reader_problems(raw: RawTable, rej: Rejects) -> None:
    """What the reader found: rows with too many or too few fields, formulas without a saved value."""
    for p in raw.problems:
        rej.reject_row(p.row, p.column, p.value, p.reason, p.fix)
    for (row, column), (cell, formula) in sorted(raw.formulas.items()):
        rej.explain(
            row,
            column,
            formula,
            f"cell {cell} holds a formula ({formula}) whose value was never saved (the workbook was written by a "
            "program and not opened in a spreadsheet since)",
            "open the workbook in Excel or LibreOffice and save it again, so that the values are stored",
        )


def _finalize_types(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    df = df.copy()
    for col in spec.columns:
        if col.kind == "year":
            df[col.name] = df[col.name].astype("int64")
        elif col.kind in ("code", "enum", "project", "text"):
            df[col.name] = df[col.name].astype("string")
        elif col.kind == "date":
            df[col.name] = pd.to_datetime(df[col.name])
        elif col.kind in ("amount", "count"):
            df[col.name] = df[col.name].astype("float64")
    for extra in ("province_code", "district_code"):
        if extra in df.columns:
            df[extra] = df[extra].astype("string")
    return df
