"""How figures follow units that merge and split: allocation and converted tables.

Used by ``ntp-atlas convert`` (:mod:`analysis.store.convert`) with a crosswalk and its shares from
:mod:`analysis.inputs.reform_crosswalk` and :mod:`analysis.inputs.allocation_keys`:

* an old commune wholly inside one new commune passes its figures on unchanged; when several
  do (a **merge**), the new commune sums them;
* an old commune divided among several new ones (a **split**) has each figure multiplied by
  the share of each piece; every row holding such a piece is ``estimated``, with the key used.

Amounts stay floats. Counts (households, villages) are whole numbers: each old count is split
by largest remainder, so its pieces add up to it exactly. Rates are never converted: they are
computed afterwards from the converted amounts (:mod:`analysis.metrics.finance`,
:mod:`analysis.metrics.poverty`), never averaged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalog.units_2025 import district_targets
from analysis.inputs.readers import ROW
from analysis.metrics.poverty import COUNTS

__all__ = [
    "allocate_counts", "convert_classification", "convert_finance", "convert_poverty", "largest_remainder",
]  # fmt: skip


# --- allocation -------------------------------------------------------------------------


def largest_remainder(total: int, shares: np.ndarray | list[float]) -> np.ndarray:
    """Split a whole number by shares into whole numbers that add up to it exactly.

    Each piece gets the integer part of ``total × share``; the units left over go to the
    pieces with the largest fractional parts (ties: the earlier piece).

    >>> largest_remainder(7, [0.25, 0.75]).tolist()   # 1.75, 5.25 -> 1, 5 and the 1 left to the first
    [2, 5]
    >>> largest_remainder(10, [1/3, 1/3, 1/3]).tolist()
    [4, 3, 3]
    """
    shares = np.asarray(shares, dtype=float)
    raw = total * shares
    base = np.floor(raw + 1e-9).astype(np.int64)
    left = int(total - base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    if left > 0:
        base[order[:left]] += 1
    elif left < 0:  # only from rounding noise of shares that do not add up to 1 exactly
        base[order[::-1][:-left]] -= 1
    return base


def allocate_counts(values: pd.Series, shares: pd.Series, groups: pd.Series) -> pd.Series:
    """Allocate whole counts of source rows to their pieces by largest remainder.

    The vectorised form of :func:`largest_remainder`, for the rows of a table.

    Parameters
    ----------
    values
        The source row's count, repeated on each of its pieces; NaN stays NaN.
    shares
        Each piece's share of its source row.
    groups
        Source row id of each piece; a source row with one piece keeps its value.

    Returns
    -------
    pandas.Series
        Whole numbers (float dtype, as in the prepared tables) that add up, over the pieces of
        each source row, to its value.
    """
    v = values.astype("float64")
    several = groups.duplicated(keep=False)
    whole = np.rint(v)
    raw = whole * shares
    base = np.floor(raw + 1e-9)
    left = whole - base.groupby(groups).transform("sum")
    rank = (raw - base).groupby(groups).rank(method="first", ascending=False)
    allocated = base + (rank <= left).astype("float64")
    return v.where(~several, allocated)


# --- converting tables -------------------------------------------------------------------

_SOURCE = "_source"


def _expand(table: pd.DataFrame, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Commune rows joined to their new communes (one row per piece) and the unmapped rows."""
    t = table.reset_index(drop=True).copy()
    t[_SOURCE] = np.arange(len(t))
    known = t["commune_code"].isin(pairs["old_code"].dropna().unique())
    cols = ["old_code", "new_code", "new_province_code", "share", "allocation_key", "n_old"]
    mapped = t[known].merge(pairs[cols], left_on="commune_code", right_on="old_code", how="left")
    return mapped, t[~known].drop(columns=_SOURCE)


def _keys_by_group(pieces: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per output row with an allocated piece: the keys used, in name order, joined with ';'."""
    est = pieces.loc[pieces["allocation_key"].notna(), [*by, "allocation_key"]].drop_duplicates()
    if est.empty:
        return pd.DataFrame({**{c: est[c] for c in by}, "allocation_key": pd.Series(dtype="string")})
    flags = pd.get_dummies(est["allocation_key"].astype(str))
    flags = flags.groupby([est[c] for c in by], dropna=False, observed=True).max()
    label = pd.Series("", index=flags.index, dtype=object)
    for name in sorted(flags.columns):  # a handful of keys: vectorised per key, not per group
        label = label + np.where(flags[name], name + ";", "")
    return label.str.rstrip(";").rename("allocation_key").reset_index()


def _finish(summed: pd.DataFrame, pieces: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    out = summed.merge(_keys_by_group(pieces, by), on=by, how="left")
    out["allocation_key"] = out["allocation_key"].astype("string")
    out["estimated"] = out["allocation_key"].notna()
    out["district_code"] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out


def convert_finance(finance: pd.DataFrame, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Finance rows of old units as rows of new communes and provinces.

    Commune rows are allocated by their pair's share (``plan_mvnd``/``disbursed_mvnd``
    multiplied, kept as floats) and summed per new commune, year, snapshot date, project,
    capital type, fund and **reporting district** (``source_district_code``): finance figures
    are cumulative snapshots per district, and two old districts of one new commune may report
    on different dates, so their rows stay apart (sum them at report time from each one's
    latest snapshot). A district-level row goes to its new province (``commune_code`` empty)
    or to the one new commune the district became (:func:`district_targets`).

    Parameters
    ----------
    finance
        Prepared finance rows (old units).
    pairs
        Crosswalk with shares (:func:`split_shares`).

    Returns
    -------
    (converted, unmapped)
        ``converted``: ``year, as_of, province_code, district_code`` (empty),
        ``commune_code, project, capital_type, fund, plan_mvnd, disbursed_mvnd, estimated,
        allocation_key, source_district_code, n_old_communes``. ``unmapped``: the input rows
        whose commune or district has no row in the crosswalk.
    """
    fin = finance.drop(columns=[ROW], errors="ignore")
    commune_rows = fin[fin["commune_code"].notna()]
    pieces, unmapped = _expand(commune_rows, pairs)
    for col in ("plan_mvnd", "disbursed_mvnd"):
        pieces[col] = pieces[col] * pieces["share"]
    pieces = pieces.assign(
        source_district_code=pieces["district_code"],
        province_code=pieces["new_province_code"],
        commune_code=pieces["new_code"],
    )

    district_rows = fin[fin["commune_code"].isna()].copy()
    targets = district_targets(pairs).set_index("old_district_code")
    known = district_rows["district_code"].isin(targets.index[targets["new_province_code"].notna()])
    unmapped = pd.concat([unmapped, district_rows[~known]], ignore_index=True)
    d = district_rows[known]
    d = d.assign(
        source_district_code=d["district_code"],
        province_code=d["district_code"].map(targets["new_province_code"]).astype("string"),
        commune_code=d["district_code"].map(targets["new_code"]).astype("string"),
        old_code=pd.NA,
        allocation_key=pd.NA,
    )

    by = ["year", "as_of", "province_code", "commune_code", "source_district_code", "project", "capital_type", "fund"]
    allrows = pd.concat([pieces, d], ignore_index=True)
    if "programme" in allrows.columns:  # programmes are never summed together
        by.insert(by.index("project"), "programme")
    allrows["allocation_key"] = allrows["allocation_key"].astype("string")
    g = allrows.groupby(by, dropna=False, observed=True)
    summed = g[["plan_mvnd", "disbursed_mvnd"]].sum().reset_index()
    summed["n_old_communes"] = g["old_code"].nunique().to_numpy().astype("int64")
    out = _finish(summed, allrows, by)
    cols = [
        "year",
        "as_of",
        "province_code",
        "district_code",
        "commune_code",
        *(["programme"] if "programme" in out.columns else []),
        "project",
        "capital_type",
        "fund",
        "plan_mvnd",
        "disbursed_mvnd",
        "estimated",
        "allocation_key",
        "source_district_code",
        "n_old_communes",
    ]
    out = _as_strings(
        out[cols], ["province_code", "commune_code", "project", "capital_type", "fund", "source_district_code"]
    )
    return out.sort_values(
        ["province_code", "year", "as_of", "commune_code", "source_district_code", "project", "capital_type", "fund"]
    ).reset_index(drop=True), unmapped


def _as_strings(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for col in columns:
        frame[col] = frame[col].astype("string")
    return frame


def _completeness(out: pd.DataFrame, pieces: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = pieces.groupby(by, dropna=False, observed=True)
    n = g["old_code"].nunique().rename("n_old_communes").reset_index()
    expected = g["n_old"].first().rename("n_old_expected").reset_index()
    out = out.merge(n, on=by).merge(expected, on=by)
    out["complete"] = out["n_old_communes"] >= out["n_old_expected"]
    return out.drop(columns="n_old_expected")


def convert_poverty(poverty: pd.DataFrame, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Household counts of old communes as counts of new communes.

    Counts of a divided commune are allocated by largest remainder (:func:`largest_remainder`),
    so each old count is kept exactly; then each new commune sums its pieces per year.
    ``complete`` says whether every old commune of the new one has a row that year (if
    not, the counts cover only part of it). No rate is stored: rates are computed from these
    counts (:func:`analysis.metrics.poverty.poverty_rates`), never averaged.

    Returns
    -------
    (converted, unmapped)
        ``converted``: ``year, commune_code, <counts>, district_code`` (empty),
        ``province_code, estimated, allocation_key, n_old_communes, complete``.
    """
    pieces, unmapped = _expand(poverty.drop(columns=[ROW], errors="ignore"), pairs)
    for col in COUNTS:
        pieces[col] = allocate_counts(pieces[col], pieces["share"], pieces[_SOURCE])
    pieces = pieces.assign(province_code=pieces["new_province_code"], commune_code=pieces["new_code"])
    by = ["year", "province_code", "commune_code"]
    summed = pieces.groupby(by, observed=True)[COUNTS].sum().reset_index()
    out = _completeness(_finish(summed, pieces, by), pieces, by)
    cols = [
        "year",
        "commune_code",
        *COUNTS,
        "district_code",
        "province_code",
        "estimated",
        "allocation_key",
        "n_old_communes",
        "complete",
    ]
    out = _as_strings(out[cols], ["commune_code", "province_code"])
    return out.sort_values(["province_code", "year", "commune_code"]).reset_index(drop=True), unmapped


def convert_classification(classification: pd.DataFrame, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Khu vực I/II/III and especially difficult villages of old communes, by new commune.

    A region cannot be added up: a new commune keeps the region its old communes share, and
    gets no region (empty) when they differ; ``old_regions`` lists them, in the order of
    ``old_commune_codes``. The new communes' own classification for 2026–2030 is a separate
    decision; these are the old regions, for reference. ``dbkk_villages`` is summed (a divided
    commune's villages allocated by largest remainder, estimated).

    Returns
    -------
    (converted, unmapped)
        ``converted``: ``year, commune_code, region, dbkk_villages, district_code`` (empty),
        ``province_code, old_regions, old_commune_codes, estimated, allocation_key,
        n_old_communes, complete``.
    """
    pieces, unmapped = _expand(classification.drop(columns=[ROW], errors="ignore"), pairs)
    pieces["dbkk_villages"] = allocate_counts(pieces["dbkk_villages"], pieces["share"], pieces[_SOURCE])
    pieces = pieces.assign(province_code=pieces["new_province_code"], commune_code=pieces["new_code"])
    pieces = pieces.sort_values("old_code")
    by = ["year", "province_code", "commune_code"]
    g = pieces.groupby(by, observed=True)
    summed = g["dbkk_villages"].sum(min_count=1).reset_index()
    shared = (g["region"].nunique() == 1) & (g["region"].count() == g["region"].size())
    summed["region"] = g["region"].first().where(shared, pd.NA).to_numpy()
    pieces["region_text"] = pieces["region"].fillna("–").astype(str)
    summed["old_regions"] = pieces.groupby(by, observed=True)["region_text"].agg(";".join).to_numpy()
    summed["old_commune_codes"] = g["old_code"].agg(";".join).to_numpy()
    out = _completeness(_finish(summed, pieces, by), pieces, by)
    cols = [
        "year",
        "commune_code",
        "region",
        "dbkk_villages",
        "district_code",
        "province_code",
        "old_regions",
        "old_commune_codes",
        "estimated",
        "allocation_key",
        "n_old_communes",
        "complete",
    ]
    out = _as_strings(out[cols], ["commune_code", "region", "province_code", "old_regions", "old_commune_codes"])
    return out.sort_values(["province_code", "year", "commune_code"]).reset_index(drop=True), unmapped
