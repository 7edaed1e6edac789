"""Indicators up the hierarchy: villages to communes, communes to districts, districts to provinces.

How each kind adds up (sum, share of units, ratio of sums) is said in
:mod:`analysis.catalog.indicators`. Missing stays visible: a unit in scope without a figure is
counted in ``units_missing``, never as zero. What a report shows of the result is in
:mod:`analysis.report.indicator_figures`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalog.indicators import LEVEL_DEPTH, LEVELS, Catalogue, load_catalogue
from analysis.errors import ParameterError
from analysis.inputs.indicators import UnitParents

#: Columns of :func:`aggregate`'s result.
AGGREGATE_COLUMNS = [
    "year",
    "as_of",
    "indicator",
    "level",
    "unit_code",
    "unit_name",
    "value",
    "numerator",
    "denominator",
    "n_units",
    "units_missing",
    "unit_level",
]




def locate(indicators: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add ``level``, ``commune_code``, ``district_code``, ``province_code`` where they are missing.

    Prepared tables have them; a hand-made table of canonical codes gets them from the code's
    shape and the unit list.
    """
    if {"level", "commune_code", "district_code", "province_code"} <= set(indicators.columns):
        return indicators
    known = UnitParents.of(units)
    out = indicators.copy()
    code = out["unit_code"].astype(str)
    out["level"] = np.select(
        [code.str.contains("-"), code.str.len() == 5, code.str.len() == 3], ["village", "commune", "district"],
        "province")  # fmt: skip
    out["commune_code"] = code.str[:5].where(out["level"].isin(["village", "commune"]))
    out["district_code"] = out["commune_code"].map(known.communes).where(out["level"] != "district", code)
    out["province_code"] = out["district_code"].map(known.districts).where(out["level"] != "province", code)
    return out



def area_units(units: pd.DataFrame, level: str, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The units of ``level`` in ``units`` (``unit_code``, ``unit_name``); villages: those of
    ``rows`` (located indicator rows, needed for villages only)."""
    if level == "village":
        if rows is None:
            raise ValueError("the villages of an area are those of its indicator rows: pass rows")
        v = rows.loc[(rows["level"] == "village") & rows["commune_code"].isin(units["commune_code"]), "unit_code"]
        return pd.DataFrame({"unit_code": sorted(v.unique()), "unit_name": None})
    name = f"{level}_name"
    cols = [f"{level}_code"] + ([name] if name in units.columns else [])
    out = units[cols].drop_duplicates(f"{level}_code").rename(columns={f"{level}_code": "unit_code", name: "unit_name"})
    if "unit_name" not in out.columns:
        out["unit_name"] = None
    return out.sort_values("unit_code").reset_index(drop=True)


def _target_of(rows: pd.DataFrame, level: str) -> pd.Series:
    """The unit of ``level`` each row falls in (NaN for a row about a larger unit)."""
    if level == "village":
        return rows["unit_code"].where(rows["level"] == "village")
    inside = rows["level"].map(LEVEL_DEPTH) <= LEVEL_DEPTH[level]
    return rows[f"{level}_code"].where(inside)


def _summed(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = rows.groupby(by, observed=True)["value"]
    out = pd.DataFrame({"value": g.sum(min_count=1), "n_units": g.count(), "units_missing": g.size() - g.count()})
    return out.reset_index()


def _share(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = rows.groupby(by, observed=True)["value"]
    out = pd.DataFrame({"numerator": g.sum(), "denominator": g.count(), "units_missing": g.size() - g.count()})
    out["n_units"] = out["denominator"]
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out.reset_index()


def _ratio(num: pd.DataFrame, den: pd.DataFrame, by: list[str], code: str) -> pd.DataFrame:
    keys = ["year", "as_of", "unit_code", "target"]
    both = num[[*keys, "value"]].merge(den[[*keys, "value"]], on=keys, how="outer", suffixes=("", "_den"))
    both["indicator"] = code
    ok = both["value"].notna() & both["value_den"].notna()  # a unit counts only with both figures
    both["num"], both["den"], both["ok"] = both["value"].where(ok, 0.0), both["value_den"].where(ok, 0.0), ok
    g = both.groupby(by, observed=True)
    out = pd.DataFrame({"numerator": g["num"].sum(), "denominator": g["den"].sum(), "n_units": g["ok"].sum()})
    out["units_missing"] = g.size() - out["n_units"]
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out.reset_index()


def aggregate(
    indicators: pd.DataFrame, units: pd.DataFrame, level: str, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Roll indicators up to the units of ``level``: villages to communes, communes to districts…

    Parameters
    ----------
    indicators
        Indicator rows (prepared, or canonical ``year, as_of, unit_code, indicator, value``).
    units
        The area's units (``province_code``, ``district_code``, ``commune_code`` and optionally
        ``*_name``): every unit of ``level`` among them gets a row per indicator and date, with
        ``value`` NaN when nothing is known there. Rows outside these units are left out.
    level
        ``"village"``, ``"commune"``, ``"district"`` or ``"province"``. Indicators reported
        above this level (a district indicator, for communes) are left out.
    catalogue
        Default: :func:`load_catalogue`.

    Returns
    -------
    pandas.DataFrame
        :data:`AGGREGATE_COLUMNS`. ``value``: the sum (count, amount, denominator), the share
        of units with yes (yes_no) or Σ numerator / Σ denominator (numerator), NaN when no unit
        of the scope has a figure. ``numerator``/``denominator``: n and N of units with yes, or
        the two sums. ``n_units``: units (of the indicator's level) whose figure went in;
        ``units_missing``: units in scope without a figure, left out, never counted as zero.
    """
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    cat = catalogue or load_catalogue()
    rows = locate(indicators, units).copy()
    rows["as_of"] = pd.to_datetime(rows["as_of"])
    rows["value"] = rows["value"].astype(float)
    rows["target"] = _target_of(rows, level)
    targets = area_units(units, level, rows)
    rows = rows[rows["target"].isin(targets["unit_code"])]
    by = ["year", "as_of", "indicator", "target"]
    parts = []
    for code in [c for c in cat.codes if c in set(rows["indicator"])]:
        ind = cat[code]
        if LEVEL_DEPTH[ind.level] > LEVEL_DEPTH[level]:
            continue
        mine = rows[rows["indicator"] == code]
        if ind.kind == "yes_no":
            part = _share(mine, by)
        elif ind.kind == "numerator":
            part = _ratio(mine, rows[rows["indicator"] == ind.denominator], by, code)
        else:
            part = _summed(mine, by)
        parts.append(part.assign(unit_level=ind.level))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in AGGREGATE_COLUMNS})
    agg = pd.concat(parts, ignore_index=True).rename(columns={"target": "unit_code"})
    # every unit of the area, for every indicator and date: missing data stays visible
    keys = agg[["year", "as_of", "indicator", "unit_level"]].drop_duplicates()
    full = keys.merge(targets, how="cross").merge(agg.drop(columns="unit_level"), how="left",
                                                  on=["year", "as_of", "indicator", "unit_code"])  # fmt: skip
    full[["n_units", "units_missing"]] = full[["n_units", "units_missing"]].fillna(0).astype("int64")
    full["level"] = level
    order = {c: i for i, c in enumerate(cat.codes)}
    full = full.sort_values(["indicator", "year", "as_of", "unit_code"], key=lambda s: s.map(order) if
                            s.name == "indicator" else s, kind="stable")  # fmt: skip
    return full.reindex(columns=AGGREGATE_COLUMNS).reset_index(drop=True)


def latest(aggregated: pd.DataFrame, year: int | None = None, as_of=None) -> pd.DataFrame:
    """Each indicator's rows at its latest date (in ``year``, at or before ``as_of``, when given)."""
    rows = aggregated
    if year is not None:
        rows = rows[rows["year"] == int(year)]
    if as_of is not None:
        rows = rows[rows["as_of"] <= pd.Timestamp(as_of)]
    if rows.empty:
        return rows
    # the latest year first, then its latest date
    last = rows.merge(rows.groupby("indicator")["year"].max().reset_index(), on=["indicator", "year"])
    last = last.groupby(["indicator", "year"])["as_of"].max().reset_index()
    return rows.merge(last, on=["indicator", "year", "as_of"]).reset_index(drop=True)
