"""Poverty and targeting: poverty rates, their change, and commune classification.

Rates are aggregated up from household counts (poor households of a district ÷ its
households), never by averaging commune rates. A change is in percentage points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The poverty standards a review counts under, by the first year counted under each: the
#: 2022–2025 standard (Nghị định 07/2021/NĐ-CP), kept for 2026 (Nghị định 351/2025/NĐ-CP), and
#: from 2027 Nghị định 351/2025/NĐ-CP (2.2 million đồng a person a month in rural areas, 2.8
#: million in urban areas; changed deprivation indicators). Counts under two standards are not
#: comparable: a change across them is a break.
POVERTY_STANDARDS = ((2021, "07/2021/NĐ-CP"), (2027, "351/2025/NĐ-CP"))


def poverty_standard(year: int) -> str:
    """The poverty standard a review of ``year`` counts under (:data:`POVERTY_STANDARDS`).

    >>> poverty_standard(2023), poverty_standard(2026), poverty_standard(2027)
    ('07/2021/NĐ-CP', '07/2021/NĐ-CP', '351/2025/NĐ-CP')
    """
    current = POVERTY_STANDARDS[0][1]
    for first, name in POVERTY_STANDARDS:
        if int(year) >= first:
            current = name
    return current

COUNTS = ["households", "poor_households", "near_poor_households", "em_households", "em_poor_households"]
#: rate name -> (numerator, denominator)
RATES = {
    "poverty_rate": ("poor_households", "households"),
    "near_poor_rate": ("near_poor_households", "households"),
    "em_poverty_rate": ("em_poor_households", "em_households"),
}


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return pd.Series(np.where(den > 0, num / den.where(den > 0, np.nan), np.nan), index=num.index)


def poverty_rates(poverty: pd.DataFrame, by: list[str] | str | None = None) -> pd.DataFrame:
    """Household counts and poverty rates summed by the given columns.

    Parameters
    ----------
    poverty
        Prepared poverty rows (one per commune and year).
    by
        Grouping columns, e.g. ``["year", "commune_code"]`` or ``["year"]``.

    Returns
    -------
    pandas.DataFrame
        ``by``, the counts, ``n_communes`` and the rates of :data:`RATES` (fractions; NaN
        where the denominator is zero).
    """
    by = [by] if isinstance(by, str) else list(by or [])
    if by:
        g = poverty.groupby(by, observed=True)
        out = g[COUNTS].sum()
        out["n_communes"] = g["commune_code"].nunique()
        out = out.reset_index()
    else:
        out = poverty[COUNTS].sum().to_frame().T
        out["n_communes"] = poverty["commune_code"].nunique()
    for name, (num, den) in RATES.items():
        out[name] = _ratio(out[num], out[den])
    return out


def poverty_change(poverty: pd.DataFrame, base_year: int, year: int, by: list[str] | str | None = None) -> pd.DataFrame:
    """Rates in ``base_year`` and ``year`` and their change in percentage points.

    Only units with data in both years are compared for sub-totals: a commune missing in one
    year is left out of both, so that a change is never an artefact of coverage. The
    returned ``n_communes`` says how many were compared.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``<rate>_base``, ``<rate>_now``, ``<rate>_change_pp`` for each rate, and
        ``n_communes``.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    both = poverty[poverty["year"].isin([base_year, year])]
    present = both.groupby("commune_code")["year"].nunique()
    keep = present[present == (1 if base_year == year else 2)].index
    both = both[both["commune_code"].isin(keep)]
    base = poverty_rates(both[both["year"] == base_year], by)
    now = poverty_rates(both[both["year"] == year], by)
    cols = list(RATES)
    if by:
        merged = base[[*by, *cols, "n_communes"]].merge(
            now[[*by, *cols]], on=by, how="outer", suffixes=("_base", "_now")
        )
    else:
        merged = pd.concat([base[cols + ["n_communes"]].add_suffix("_base"), now[cols].add_suffix("_now")], axis=1)
        merged = merged.rename(columns={"n_communes_base": "n_communes"})
    for c in cols:
        merged[f"{c}_change_pp"] = 100.0 * (merged[f"{c}_now"] - merged[f"{c}_base"])
    return merged


def annual_change_pp(poverty: pd.DataFrame, base_year: int, year: int, rate: str = "em_poverty_rate") -> float:
    """Average change per year, in percentage points, of a rate over the whole table."""
    if year == base_year:
        raise ValueError("base_year and year must differ")
    total = poverty_change(poverty, base_year, year)
    return float(total[f"{rate}_change_pp"].iloc[0]) / (year - base_year)


def region_counts(classification: pd.DataFrame, year: int, by: list[str] | str | None = None) -> pd.DataFrame:
    """Number of communes in region I, II and III in a classification year."""
    by = [by] if isinstance(by, str) else list(by or [])
    rows = classification[classification["year"] == year]
    if not by:
        n = rows.groupby("region")["commune_code"].nunique()
        return pd.DataFrame([{r: int(n.get(r, 0)) for r in ("I", "II", "III")}])
    counts = rows.groupby([*by, "region"], observed=True)["commune_code"].nunique().unstack("region", fill_value=0)
    for r in ("I", "II", "III"):
        if r not in counts.columns:
            counts[r] = 0
    return counts[["I", "II", "III"]].reset_index()


def region_iii_exits(classification: pd.DataFrame, from_year: int, to_year: int) -> pd.DataFrame:
    """Communes in region III in ``from_year`` that are in region I or II in ``to_year``."""
    a = classification[classification["year"] == from_year].set_index("commune_code")["region"]
    b = classification[classification["year"] == to_year].set_index("commune_code")["region"]
    both = pd.concat([a.rename("region_from"), b.rename("region_to")], axis=1, join="inner")
    out = both[(both["region_from"] == "III") & (both["region_to"] != "III")]
    return out.reset_index()
