"""Rule checks on the finance rows: amounts against each other and snapshots against the last.

* ``disbursed_above_plan``: a row disbursed more than its plan (any snapshot).
* ``plan_not_disbursed``: at a district's latest snapshot of a year, a plan with nothing
  disbursed.
* ``disbursed_fell`` and ``plan_decreased``: DHIS2's "cumulative ≥ previous snapshot". A
  cumulative disbursement cannot fall between two snapshots of a year; a plan may be cut, but
  the cut deserves a look. Each warning gives both figures and both dates.
* ``district_subtotal``: a district row rejected at the door as the subtotal of its communes'
  rows (:mod:`analysis.inputs.gates`), so the report says why it is not counted.
* ``district_row_equals_communes``: a district row kept, one of whose two figures equals its
  communes' sum: if it is their subtotal, that money is counted twice.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.gates import FACT, TOLERANCE_MVND, find_subtotals
from analysis.inputs.readers import ROW
from analysis.metrics.finance import latest_snapshot
from analysis.metrics.rules.frame import flag

__all__ = [
    "disbursed_above_plan",
    "plan_not_disbursed",
    "snapshot_falls",
    "district_subtotals",
    "district_rows_equal_to_communes",
]

#: What makes a finance row one line through the year's snapshots (all but the date).
LINE = ("year", "district_code", "commune_code", "programme", "project", "capital_type", "fund")


def disbursed_above_plan(finance: pd.DataFrame) -> pd.DataFrame:
    """Rows whose disbursed amount exceeds their plan (any snapshot)."""
    bad = finance[finance["disbursed_mvnd"] > finance["plan_mvnd"] + 1e-9]
    details = [
        {"disbursed_mvnd": d, "plan_mvnd": p, "row": r}
        for d, p, r in zip(bad["disbursed_mvnd"], bad["plan_mvnd"], bad[ROW], strict=True)
    ]
    return flag(bad, "disbursed_above_plan", details)


def plan_not_disbursed(finance: pd.DataFrame) -> pd.DataFrame:
    """At each district's latest snapshot of each year: rows with a plan and nothing disbursed."""
    out = []
    for year in sorted(finance["year"].unique()):
        snap = latest_snapshot(finance, int(year))
        bad = snap[(snap["plan_mvnd"] > 0) & (snap["disbursed_mvnd"] == 0)]
        details = [{"plan_mvnd": p, "as_of": a} for p, a in zip(bad["plan_mvnd"], bad["as_of"], strict=True)]
        out.append(flag(bad, "plan_not_disbursed", details))
    return pd.concat(out, ignore_index=True) if out else flag(finance.iloc[:0], "plan_not_disbursed", [])


def snapshot_falls(finance: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Lines whose cumulative disbursement, or plan, fell from one snapshot of a year to the next.

    Parameters
    ----------
    finance
        Accepted finance rows.
    tolerance
        A fall of this much (million VND) or less is rounding, not a fall.

    Returns
    -------
    pandas.DataFrame
        Warnings ``disbursed_fell`` and ``plan_decreased``, dated at the later snapshot, with
        both figures, both dates and the change (after ÷ before − 1).

    Notes
    -----
    A line is the same year, district, commune, programme, project, capital type and fund;
    consecutive snapshots of the line are compared. A line absent from a snapshot is not a
    fall (the snapshot may cover fewer communes).
    """
    keys = [c for c in LINE if c in finance.columns]
    f = finance.sort_values([*keys, "as_of"], kind="stable").reset_index(drop=True)
    previous = f.groupby(keys, dropna=False, sort=False)[["plan_mvnd", "disbursed_mvnd", "as_of", ROW]].shift(1)
    parts = []
    for column, rule in (("disbursed_mvnd", "disbursed_fell"), ("plan_mvnd", "plan_decreased")):
        before = previous[column]
        fell = before.notna() & (f[column] < before - tolerance)
        rows, prev = f[fell], previous[fell]
        details = [
            {"before_mvnd": b, "before_date": bd, "after_mvnd": a, "after_date": ad, "change": a / b - 1, "row": r}
            for b, bd, a, ad, r in zip(prev[column], prev["as_of"], rows[column], rows["as_of"], rows[ROW],
                                       strict=True)
        ]
        parts.append(flag(rows, rule, details))
    return pd.concat(parts, ignore_index=True)


def district_subtotals(subtotals: pd.DataFrame | None) -> pd.DataFrame:
    """A warning for each district row rejected as its communes' subtotal (:mod:`analysis.inputs.gates`)."""
    if subtotals is None or not len(subtotals):
        return flag(pd.DataFrame(columns=list(FACT)), "district_subtotal", [])
    details = [
        {"row": r[ROW], "n_communes": r["n_communes"], "plan_mvnd": r["plan_mvnd"],
         "disbursed_mvnd": r["disbursed_mvnd"], "rows": list(r["commune_rows"])}
        for _, r in subtotals.iterrows()
    ]
    return flag(subtotals, "district_subtotal", details)


def district_rows_equal_to_communes(finance: pd.DataFrame, tolerance: float = TOLERANCE_MVND) -> pd.DataFrame:
    """District rows kept whose plan or disbursed amount (one of the two) is their communes' sum.

    Rows where both are equal were rejected at the door as subtotals; the rows left may be
    subtotals whose other figure was not updated, or a coincidence: they are shown, not dropped.
    """
    found = find_subtotals(finance, tolerance)
    found = found[~(found["plan_equal"].astype(bool) & found["disbursed_equal"].astype(bool))]
    details = [
        {"row": r[ROW], "n_communes": r["n_communes"], "plan_mvnd": r["plan_mvnd"],
         "disbursed_mvnd": r["disbursed_mvnd"], "communes_plan_mvnd": r["communes_plan_mvnd"],
         "communes_disbursed_mvnd": r["communes_disbursed_mvnd"]}
        for _, r in found.iterrows()
    ]
    return flag(found, "district_row_equals_communes", details)
