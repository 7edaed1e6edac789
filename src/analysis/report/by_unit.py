"""The report's figures by unit: one row per commune (district report) or per district (province
overview), all units included, with finance, poverty, region and warning figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from analysis.catalog.units import official_units
from analysis.common.i18n import t
from analysis.metrics.coverage import communes_by_unit
from analysis.metrics.finance import disbursement
from analysis.metrics.poverty import poverty_change, poverty_rates
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def unit_table(ctx: ReportContext) -> pd.DataFrame:
    """One row per commune (district report) or district (province overview), all units
    included, with finance and poverty figures (NaN where there is no data).

    Worked out once per report (the summary and the units table both use it) and handed out
    as a copy."""
    if ctx._unit_table is None:
        ctx._unit_table = _unit_table(ctx)
    return ctx._unit_table.copy()


def _unit_table(ctx: ReportContext) -> pd.DataFrame:
    col = ctx.unit_col
    units = _units(ctx)
    fin = disbursement(ctx.snapshot[ctx.snapshot[col].notna()], col)
    out = units.merge(fin, on=col, how="left")
    if ctx.poverty_year is not None and ctx.baseline_year is not None:
        ch = poverty_change(ctx.area.poverty, ctx.baseline_year, ctx.poverty_year, col)
        out = out.merge(ch.drop(columns="n_communes", errors="ignore"), on=col, how="left")
        now = poverty_rates(ctx.area.poverty[ctx.area.poverty["year"] == ctx.poverty_year], col)
        out = out.merge(now[[col, "poverty_rate", "em_poverty_rate"]], on=col, how="left")
    if col == "commune_code" and ctx.class_years[1] is not None:
        cls = ctx.area.classification
        cls = cls[cls["year"] == ctx.class_years[1]][["commune_code", "region"]]
        out = out.merge(cls, on="commune_code", how="left")
    if col == "district_code":  # a district's figures are sums over its communes: how many had data
        out = _with_commune_coverage(ctx, out)
    warn = unit_view(ctx).unit_warnings(ctx)
    if col in warn.columns and len(warn):
        counts = warn.groupby(col).size().rename("warnings")
        out = out.merge(counts, left_on=col, right_index=True, how="left")
    out["warnings"] = out.get("warnings", pd.Series(0, index=out.index)).fillna(0)
    return out


def _with_commune_coverage(ctx: ReportContext, out: pd.DataFrame) -> pd.DataFrame:
    """``finance_communes``, ``poverty_communes`` (``2/20``) and whether each is partial, by district."""
    pov = ctx.area.poverty
    pov = pov[pov["year"] == ctx.poverty_year] if ctx.poverty_year is not None else pov.iloc[0:0]
    for name, rows in (("finance", ctx.snapshot), ("poverty", pov)):
        by = communes_by_unit(ctx, rows).set_index("district_code")
        codes = out["district_code"].astype(str)
        out[f"{name}_communes"] = codes.map(by["fraction"])
        out[f"{name}_partial"] = codes.map(by["covered"] < by["total"]).fillna(False).astype(bool)
    return out


def coverage_columns(ctx: ReportContext, df: pd.DataFrame, kind: str) -> dict[str, tuple[str, str]]:
    """The column of a table by district (:func:`unit_table`) that says how many of each
    district's communes its ``kind`` figures (``"finance"``, ``"poverty"``) are summed from
    (``2/20``): there when some district's are of part of its communes."""
    if not df.get(f"{kind}_partial", pd.Series(dtype=bool)).any():
        return {}
    return {f"{kind}_communes": (t(f"coverage.col.{kind}", ctx.lang, year=ctx.poverty_year), "text")}


def _units(ctx: ReportContext) -> gpd.GeoDataFrame:
    if ctx.unit_col == "commune_code":
        return ctx.area.communes[
            ["commune_code", "commune_name", "district_code", "geometry", "boundary_quality"]
        ].copy()
    d = ctx.area.districts[["district_code", "district_name", "geometry"]].copy()
    d["boundary_quality"] = ctx.area.communes["boundary_quality"].iloc[0] if len(ctx.area.communes) else "surveyed"
    # the province's districts without data stay in its table, with "–" (never dropped)
    u = official_units().drop_duplicates("district_code")
    u = u[(u["province_code"] == ctx.area.province_code) & ~u["district_code"].isin(set(d["district_code"]))]
    if len(u):
        missing = gpd.GeoDataFrame(u[["district_code", "district_name"]].assign(boundary_quality=None),
                                   geometry=[None] * len(u), crs=d.crs)
        d = pd.concat([d, missing], ignore_index=True)
    return d
