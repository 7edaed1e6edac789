"""The figures a map shows, by commune and by district, computed once for a province.

The same computations as the report's maps: each district's latest finance snapshot of the
year at or before the as-of date (:func:`analysis.metrics.finance.latest_snapshot`), disbursement
summed by unit with its rate (:func:`analysis.metrics.finance.disbursement`), and the change in the
poverty rate over communes with data in both years (:func:`analysis.metrics.poverty.poverty_change`).
Every unit of the province stays in the frames, with NaN where it has no data, so the maps
can draw it hatched as "no data".
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from analysis.metrics.finance import disbursement
from analysis.metrics.poverty import RATES, poverty_change
from analysis.report.period import DataDates, as_of_text, data_dates, resolve_period
from analysis.store.area_data import AreaData

__all__ = ["MapData", "commune_metrics", "district_metrics", "map_data"]

#: Columns of poverty_change, present (NaN) even when there is no poverty data.
_POVERTY_COLUMNS = [f"{r}_{s}" for r in RATES for s in ("base", "now", "change_pp")]


@dataclass
class MapData:
    """A province's map figures for one year and as-of date.

    Attributes
    ----------
    area
        The province's prepared data (:func:`analysis.store.areas.load_area`).
    year, as_of
        Plan year and the date the finance figures run to.
    baseline_year, poverty_year
        The poverty change runs from ``baseline_year`` to ``poverty_year`` (the latest poverty
        review at or before ``year``); None when there is no poverty data.
    snapshot
        The finance rows used (each district's latest snapshot by ``as_of``).
    communes, districts
        Every commune / district of the province with ``plan_mvnd``, ``disbursed_mvnd``,
        ``rate``, ``has_plan``, ``no_plan`` (a plan of zero: no rate can exist) and the
        ``<rate>_base``, ``<rate>_now``, ``<rate>_change_pp`` poverty columns.
    dates
        The dates of the finance figures (each district's snapshot); from ``snapshot`` when None.
    """

    area: AreaData
    year: int
    as_of: pd.Timestamp
    baseline_year: int | None
    poverty_year: int | None
    snapshot: pd.DataFrame
    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    dates: DataDates | None = None

    def as_of_text(self, lang: str, district: str | None = None) -> str:
        """The date of the figures a map shows (:func:`analysis.report.period.as_of_text`), of one
        district's when given."""
        dates = self.dates if self.dates is not None else data_dates(self.snapshot, self.as_of)
        return as_of_text(dates.only([district]) if district else dates, lang)

    @property
    def district_codes(self) -> list[str]:
        """Districts with finance or poverty data, in code order."""
        codes = set(self.snapshot["district_code"].dropna()) | set(self.area.poverty["district_code"].dropna())
        return sorted(str(c) for c in codes if c in set(self.area.districts["district_code"]))


def _with_metrics(
    units: gpd.GeoDataFrame, col: str, snapshot: pd.DataFrame, poverty: pd.DataFrame, base: int | None, now: int | None
) -> gpd.GeoDataFrame:
    fin = disbursement(snapshot[snapshot[col].notna()], col)
    out = units.merge(fin, on=col, how="left")
    if base is not None and now is not None and len(poverty):
        ch = poverty_change(poverty, base, now, col)
        out = out.merge(ch.drop(columns="n_communes", errors="ignore"), on=col, how="left")
    for c in _POVERTY_COLUMNS:
        if c not in out.columns:
            out[c] = float("nan")
    # A zero plan (not a missing one) is "no plan", as in the report's maps.
    out["no_plan"] = out["has_plan"].eq(False) & out["plan_mvnd"].notna()
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)
    out.attrs = dict(units.attrs)
    return out


def commune_metrics(
    area: AreaData, snapshot: pd.DataFrame, baseline_year: int | None, poverty_year: int | None
) -> gpd.GeoDataFrame:
    """Every commune of the province (``area.province_communes``) with its figures."""
    return _with_metrics(area.province_communes, "commune_code", snapshot, area.poverty, baseline_year, poverty_year)


def district_metrics(
    area: AreaData, snapshot: pd.DataFrame, baseline_year: int | None, poverty_year: int | None
) -> gpd.GeoDataFrame:
    """Every district of the province with its figures (district-level spending included)."""
    units = area.districts.copy()
    quality = area.province_communes.get("boundary_quality")
    if quality is not None and len(quality):
        units["boundary_quality"] = quality.iloc[0]
    return _with_metrics(units, "district_code", snapshot, area.poverty, baseline_year, poverty_year)


def map_data(
    area: AreaData,
    year: int | str | None = None,
    as_of: str | pd.Timestamp | None = None,
    baseline_year: int | str | None = None,
) -> MapData:
    """Compute a province's map figures, with the defaults of the reports.

    Parameters
    ----------
    area
        A province's prepared data (``load_area(province)``).
    year
        Plan year; the latest year with finance data when None.
    as_of
        Date the finance figures run to; the year's latest snapshot when None.
    baseline_year
        Year the poverty change is measured from; the first year with poverty data when None.

    Raises
    ------
    ParameterError
        A year or date for which there is no data, with the ones there are.
    """
    p = resolve_period(area, year, as_of, baseline_year)
    return MapData(
        area=area,
        year=p.year,
        as_of=p.as_of,
        baseline_year=p.baseline_year,
        poverty_year=p.poverty_year,
        snapshot=p.snapshot,
        communes=commune_metrics(area, p.snapshot, p.baseline_year, p.poverty_year),
        districts=district_metrics(area, p.snapshot, p.baseline_year, p.poverty_year),
        dates=p.dates,
    )
