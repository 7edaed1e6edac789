"""Rejections at the door that need the run date or more than one row.

The last step of :func:`analysis.inputs.validate.validate_table`, after duplicates:

* **Closed future periods.** As DHIS2 closes periods not yet come, a figure "as of" a date
  after the run date cannot be real (a mistyped year, most often): finance and indicator rows
  whose ``as_of`` is after the run date, and poverty rows of a year after the run date's, are
  rejected. The run date is today unless given (tests, or reproducing a past run).
* **District subtotals.** A district-level row (no commune code) whose plan *and* disbursed
  amount equal the sums of its communes' rows for the same fact (year, as-of date, programme,
  project, capital type, fund) is the subtotal of those rows: kept, every total would count
  its money twice (a plan of 90.2 billion VND reads 117.1). It is rejected, the communes' rows
  are used, and :mod:`analysis.metrics.rules` warns of it too. A district row with only one of the
  two figures equal is kept and warned about (:func:`find_subtotals` finds both).

Rejections are made through the validator's collector (anything with ``add(row, column,
value, reason, fix)``), so they read like every other reject.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.inputs.readers import ROW

__all__ = ["FACT", "TOLERANCE_MVND", "closed_periods", "door_checks", "find_subtotals", "reject_subtotals"]

#: The columns that make a finance figure one fact, without the commune.
FACT = ("year", "as_of", "district_code", "programme", "project", "capital_type", "fund")
#: Two amounts are equal when they differ by less than this (million VND): half the last
#: decimal of figures written to the thousand đồng.
TOLERANCE_MVND = 0.0005
_ROWS_SHOWN = 5


class Collector(Protocol):
    """What the checks need of the validator's rejects: ``add(row, column, value, reason, fix)``
    and ``rows()``, the rows rejected so far."""

    def add(self, row: int, column: str, value: object, reason: str, fix: str | None = None) -> None: ...

    def rows(self) -> set[int]: ...


def _today(today: dt.date | str | None) -> pd.Timestamp:
    return pd.Timestamp(dt.date.today() if today is None else today).normalize()


def closed_periods(df: pd.DataFrame, table: str, rej: Collector, today: dt.date | str | None = None) -> None:
    """Reject rows dated after the run date (``as_of``; the ``year`` of poverty rows).

    Parameters
    ----------
    df
        Parsed rows of one table, with ``_row``.
    table
        The table's name (``"finance"``, ``"indicators"``, ``"poverty"``, ...).
    rej
        The validator's rejects.
    today
        The run date (default: today).
    """
    run = _today(today)
    fix = ("check the date (a mistyped year?): figures of a period are accepted once its date has passed; "
           "run prepare again after that date")
    if "as_of" in df.columns:
        late = df["as_of"].notna() & (pd.to_datetime(df["as_of"]) > run)
        for row, as_of in zip(df.loc[late, ROW], df.loc[late, "as_of"], strict=True):
            rej.add(row, "as_of", f"{as_of:%d/%m/%Y}",
                    f"as_of {as_of:%d/%m/%Y} is after the run date {run:%d/%m/%Y}: "
                    "figures as of a day not yet come cannot be real", fix)
    elif table == "poverty" and "year" in df.columns:
        late = df["year"].notna() & (df["year"].astype("Int64") > run.year)
        for row, year in zip(df.loc[late, ROW], df.loc[late, "year"], strict=True):
            rej.add(row, "year", str(year),
                    f"a poverty review of {year}, a year after the run date {run:%d/%m/%Y}, cannot be real yet",
                    "check the year (a mistyped year?)")


def _equal(a: pd.Series, b: pd.Series, tolerance: float) -> pd.Series:
    return (a - b).abs() < tolerance + 1e-9 * b.abs()


def find_subtotals(finance: pd.DataFrame, tolerance: float = TOLERANCE_MVND) -> pd.DataFrame:
    """District rows with a figure equal to the sum of their communes' rows of the same fact.

    Parameters
    ----------
    finance
        Parsed or accepted finance rows (``commune_code`` empty on district rows).
    tolerance
        How close (million VND) two amounts must be to count as equal.

    Returns
    -------
    pandas.DataFrame
        One row per such district row: its ``_row``, :data:`FACT` columns, ``plan_mvnd``,
        ``disbursed_mvnd``, the communes' ``communes_plan_mvnd``, ``communes_disbursed_mvnd``,
        ``n_communes`` and ``commune_rows`` (a list), and ``plan_equal`` /
        ``disbursed_equal``. A figure that is 0 on both sides does not count as equal
        (nothing would be counted twice).

    Examples
    --------
    Hand-worked: communes plan 40 + 50.2 = 90.2 and disbursed 10 + 16.9 = 26.9; the district
    row says 90.2 and 26.9, so it is their subtotal.

    >>> f = pd.DataFrame({"_row": [2, 3, 4], "year": 2023, "as_of": pd.Timestamp("2023-11-30"),
    ...     "district_code": "127", "commune_code": [None, "04231", "04234"], "programme": "ntp1719",
    ...     "project": "DA4", "capital_type": "investment", "fund": "current",
    ...     "plan_mvnd": [90.2, 40.0, 50.2], "disbursed_mvnd": [26.9, 10.0, 16.9]})
    >>> s = find_subtotals(f)
    >>> s[["_row", "n_communes", "plan_equal", "disbursed_equal"]].values.tolist()
    [[2, 2, True, True]]
    """
    keys = [c for c in FACT if c in finance.columns]
    columns = [ROW, *keys, "plan_mvnd", "disbursed_mvnd"]
    empty = pd.DataFrame(columns=[*columns, "communes_plan_mvnd", "communes_disbursed_mvnd", "n_communes",
                                  "commune_rows", "plan_equal", "disbursed_equal"])
    if not len(finance) or "commune_code" not in finance.columns:
        return empty
    is_district = finance["commune_code"].isna()
    districts, communes = finance[is_district], finance[~is_district]
    if not len(districts) or not len(communes):
        return empty
    # pandas matches empty key cells (no project) with empty key cells, in groupby and merge
    sums = communes.groupby(keys, dropna=False, sort=False).agg(
        communes_plan_mvnd=("plan_mvnd", "sum"),
        communes_disbursed_mvnd=("disbursed_mvnd", "sum"),
        n_communes=(ROW, "size"),
    ).reset_index()
    both = districts[columns].merge(sums, on=keys, how="inner")
    both["plan_equal"] = _equal(both["plan_mvnd"], both["communes_plan_mvnd"], tolerance) & (
        both["communes_plan_mvnd"].abs() >= tolerance)
    both["disbursed_equal"] = _equal(both["disbursed_mvnd"], both["communes_disbursed_mvnd"], tolerance) & (
        both["communes_disbursed_mvnd"].abs() >= tolerance)
    both = both[both["plan_equal"] | both["disbursed_equal"]].reset_index(drop=True)
    if not len(both):
        return empty
    members = communes[[*keys, ROW]].merge(both[keys].assign(_found=np.arange(len(both))), on=keys, how="inner")
    rows = members.groupby("_found")[ROW].agg(lambda r: sorted(int(x) for x in r))
    both["commune_rows"] = [rows[i] for i in range(len(both))]
    both = both[[*columns, "communes_plan_mvnd", "communes_disbursed_mvnd", "n_communes", "commune_rows",
                 "plan_equal", "disbursed_equal"]]
    return both.sort_values(ROW).reset_index(drop=True)


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_ROWS_SHOWN])
    return shown + (f" and {len(rows) - _ROWS_SHOWN} more" if len(rows) > _ROWS_SHOWN else "")


def reject_subtotals(finance: pd.DataFrame, rej: Collector, tolerance: float = TOLERANCE_MVND) -> pd.DataFrame:
    """Reject district rows whose plan and disbursed amount are both their communes' sums.

    Returns
    -------
    pandas.DataFrame
        The rejected subtotals, as :func:`find_subtotals` describes them.
    """
    found = find_subtotals(finance, tolerance)
    both = found[found["plan_equal"].astype(bool) & found["disbursed_equal"].astype(bool)].reset_index(drop=True)
    for r in both.to_dict("records"):
        rows = list(r["commune_rows"])
        rej.add(
            r[ROW],
            "commune_code",
            "",
            f"a district subtotal: its plan {r['plan_mvnd']:,.3f} and disbursed {r['disbursed_mvnd']:,.3f} million VND "
            f"are the sums of the rows of its {len(rows)} commune(s) with the same year, date, project, capital type "
            f"and fund (rows {_rows_text(rows)}); counted with them, the money would be counted twice",
            "delete the district row (the communes' rows are used), or keep it and leave out the commune rows",
        )
    return both


def door_checks(df: pd.DataFrame, table: str, rej: Collector, *,
                today: dt.date | str | None = None) -> dict[str, pd.DataFrame]:
    """The checks of this module for one table; what they found, by check, for the warnings.

    Parameters
    ----------
    df
        Rows that passed every earlier step.
    table
        The table's name.
    rej
        The validator's rejects.
    today
        The run date (default: today).

    Returns
    -------
    dict
        ``{"subtotals": frame}`` for finance (see :func:`reject_subtotals`), else empty.
    """
    closed_periods(df, table, rej, today)
    if table != "finance":
        return {}
    # a row refused for its date is no figure: it is left out of the communes' sums
    dated = df[~df[ROW].isin(np.array(sorted(rej.rows()), dtype=np.int64))]
    return {"subtotals": reject_subtotals(dated, rej)}
