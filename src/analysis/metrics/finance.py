"""Capital plans and disbursement: snapshots, totals and disbursement rates.

Finance figures are cumulative to their ``as_of`` date, and a file may hold several
snapshots of the same year (30/6, 30/9, 31/12…). Metrics use each district's latest snapshot
at or before the requested date and never add snapshots together. Rates are always
disbursed ÷ plan of summed amounts, never an average of rates; a zero plan gives "no plan"
(``NaN`` with ``has_plan`` False), not 0% or infinity.

Data converted to the 2025 units (``ntp-atlas convert --to 2025``) has no districts: its rows
keep the old district that reported them (``source_district_code``), and the latest snapshot
is taken per that district.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AMOUNTS = ["plan_mvnd", "disbursed_mvnd"]


def _as_timestamp(as_of) -> pd.Timestamp | None:
    return None if as_of is None else pd.Timestamp(as_of)


def snapshot_dates(finance: pd.DataFrame, year: int) -> list[pd.Timestamp]:
    """The as-of dates present for a year, in order."""
    dates = finance.loc[finance["year"] == year, "as_of"].drop_duplicates().sort_values()
    return [pd.Timestamp(d) for d in dates]


def latest_snapshot(finance: pd.DataFrame, year: int, as_of=None) -> pd.DataFrame:
    """The rows of each district's latest snapshot of ``year`` at or before ``as_of``.

    Parameters
    ----------
    finance
        Prepared finance rows (``year``, ``as_of``, ``district_code``, amounts…). Rows
        converted to the 2025 units carry ``source_district_code`` (the old district that
        reported them; ``district_code`` is empty): the snapshot is then taken per that
        district, so a new commune formed from two old districts that reported on different
        dates sums each one's latest figures.
    year
        Plan year.
    as_of
        Date (anything :class:`pandas.Timestamp` accepts). ``None``: the latest snapshot.

    Returns
    -------
    pandas.DataFrame
        The selected rows; a district with no snapshot by that date is absent.

    Examples
    --------
    Two snapshots of one district: the 30/9 figures replace the 30/6 ones, they are not added.

    >>> f = pd.DataFrame({"year": [2023, 2023], "district_code": ["187", "187"],
    ...     "as_of": pd.to_datetime(["2023-06-30", "2023-09-30"]),
    ...     "plan_mvnd": [100.0, 100.0], "disbursed_mvnd": [20.0, 45.0]})
    >>> latest_snapshot(f, 2023)["disbursed_mvnd"].tolist()
    [45.0]
    """
    rows = finance[finance["year"] == year]
    cutoff = _as_timestamp(as_of)
    if cutoff is not None:
        rows = rows[rows["as_of"] <= cutoff]
    if rows.empty:
        return rows
    reporter = "source_district_code" if "source_district_code" in rows.columns else "district_code"
    latest = rows.groupby(reporter, observed=True, dropna=False)["as_of"].transform("max")
    return rows[rows["as_of"] == latest]


def with_rate(totals: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate`` (disbursed ÷ plan) and ``has_plan`` to a frame of summed amounts."""
    out = totals.copy()
    plan = out["plan_mvnd"].astype(float)
    out["has_plan"] = plan > 0
    out["rate"] = np.where(out["has_plan"], out["disbursed_mvnd"] / plan.where(plan > 0, np.nan), np.nan)
    return out


def disbursement(rows: pd.DataFrame, by: list[str] | str | None = None) -> pd.DataFrame:
    """Plan, disbursed and disbursement rate of a snapshot, summed by the given columns.

    Parameters
    ----------
    rows
        Rows of one snapshot (see :func:`latest_snapshot`); never several snapshots of a unit.
    by
        Grouping columns, e.g. ``["capital_type"]``, ``["commune_code"]``,
        ``["project", "capital_type"]``. ``None`` gives one total row.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``plan_mvnd``, ``disbursed_mvnd``, ``rate`` (NaN where there is no
        plan) and ``has_plan``.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    if not by:
        totals = rows[AMOUNTS].sum().to_frame().T
    else:
        totals = rows.groupby(by, dropna=False, observed=True)[AMOUNTS].sum().reset_index()
    return with_rate(totals)


def progress(finance: pd.DataFrame, year: int, by: list[str] | str | None = None) -> pd.DataFrame:
    """Progress through the year: totals at every snapshot date of ``year``.

    For each date, each district contributes its latest snapshot at or before that date, so
    a province total at 30/9 uses a district's 30/6 figures if that is all it has reported.

    Returns
    -------
    pandas.DataFrame
        ``as_of``, ``by`` columns, plan, disbursed, rate, has_plan.
    """
    frames = []
    for d in snapshot_dates(finance, year):
        t = disbursement(latest_snapshot(finance, year, d), by)
        t.insert(0, "as_of", d)
        frames.append(t)
    if not frames:
        return with_rate(pd.DataFrame(columns=["as_of", *([by] if isinstance(by, str) else (by or [])), *AMOUNTS]))
    return pd.concat(frames, ignore_index=True)


def headline(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The headline tables of a snapshot: total, by capital type, by fund, by both."""
    return {
        "total": disbursement(rows),
        "capital_type": disbursement(rows, "capital_type"),
        "fund": disbursement(rows, "fund"),
        "capital_type_fund": disbursement(rows, ["capital_type", "fund"]),
    }
