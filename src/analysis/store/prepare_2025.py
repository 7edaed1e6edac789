"""The units and polygons of prepared data keyed to the 2025 units from the start.

:func:`analysis.store.prepare.prepare` calls :func:`new_unit_geography` when its tables are
keyed to the communes of 1/7/2025 (``--units 2025``, or detected by
:mod:`analysis.inputs.unit_detection`). It writes the same folder shape as ``ntp-atlas convert
--to 2025`` (:mod:`analysis.store.convert`), so the same loaders and reports read it:

* ``communes``: every commune of 1/7/2025 of the data's provinces (those without data stay on
  the maps, marked so), with ``has_finance``/``has_poverty``;
* their polygons from a boundary file of the new communes, **used as it is** (matched by code),
  or, from a file of the communes before the reform, **dissolved** into the new communes through
  the package's crosswalk, every such polygon's ``boundary_source`` saying it is derived (and
  every map of the report says so, :mod:`analysis.report.reform_notes`);
* ``provinces`` dissolved from them; ``districts`` empty (there are none).

Which vintage a boundary file is of is read from its codes (:func:`boundary_vintage`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.catalog.units_2025 import new_units
from analysis.config import STORAGE_CRS
from analysis.inputs.allocation_keys import split_shares
from analysis.inputs.reform_crosswalk import load_crosswalk
from analysis.store.convert_boundaries import OLD_VINTAGE, new_communes, new_match_report, new_provinces

__all__ = ["NewUnitGeography", "boundary_vintage", "new_unit_geography"]

#: Share of a province's new communes a boundary file must hold, and of its codes that must be
#: codes of the 2025 list, to be read as a file of the new communes.
NEW_FILE_SHARE = 0.9
_PROVENANCE = ("n_old_communes", "n_old_communes_in_data", "complete", "old_commune_codes", "old_district_codes",
               "split_old_codes")  # fmt: skip
_MATCH_COLUMNS = ("status", "commune_code", "commune_name", "boundary_code", "boundary_name")


@dataclass
class NewUnitGeography:
    """The communes, provinces, (no) districts and match report of data keyed to the 2025 units."""

    communes: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    match_report: pd.DataFrame
    vintage: str  # "2025" (the file's polygons as they are) or "pre-2025" (dissolved)

    @property
    def quality(self) -> str:
        """``"approximate"`` when any polygon is (cut from a divided old commune), else ``"surveyed"``."""
        return "approximate" if (self.communes["boundary_quality"] == "approximate").any() else "surveyed"


def boundary_vintage(bounds: gpd.GeoDataFrame, provinces: list[str]) -> str:
    """``"2025"`` when a boundary file holds the communes of 1/7/2025 of ``provinces``, else
    ``"pre-2025"``: nine in ten of their new communes by code, and nine in ten of its codes in
    the 2025 list (a file of the old communes has about three times as many, most of them lost
    on 1/7/2025)."""
    units = new_units()
    wanted = set(units.loc[units["province_code"].isin(provinces), "commune_code"])
    codes = set(bounds["commune_code"].dropna().astype(str))
    if not wanted or not codes:
        return OLD_VINTAGE
    covers = len(codes & wanted) >= NEW_FILE_SHARE * len(wanted)
    listed = len(codes & set(units["commune_code"])) >= NEW_FILE_SHARE * len(codes)
    return "2025" if covers and listed else OLD_VINTAGE


def new_unit_geography(
    bounds: gpd.GeoDataFrame, boundary_path: str | Path, tables: dict[str, pd.DataFrame]
) -> NewUnitGeography:
    """The units of data keyed to the 2025 units, with their polygons.

    Parameters
    ----------
    bounds
        The boundary file as :func:`analysis.inputs.boundaries.read_boundaries` reads it
        (``commune_code``, geometry): of the new communes or of the old ones.
    boundary_path
        Its path, named in ``boundary_source``.
    tables
        The accepted rows of each table (``province_code`` filled): their provinces are the
        data's, ``finance`` and ``poverty`` give ``has_finance`` and ``has_poverty``.
    """
    provinces = sorted(set().union(*(set(t["province_code"].dropna()) for t in tables.values()
                                     if "province_code" in t.columns)))  # fmt: skip
    units = new_units()
    codes = sorted(units.loc[units["province_code"].isin(provinces), "commune_code"])
    vintage = boundary_vintage(bounds, provinces)
    pairs = split_shares(load_crosswalk(None), "area", None)
    scope = pairs[pairs["new_code"].isin(codes)].reset_index(drop=True)
    if vintage == "2025":
        communes = new_communes(bounds.iloc[0:0], scope, bounds, f"boundary file {Path(boundary_path).name}", tables)
    else:
        communes = new_communes(bounds, scope, None, None, tables)
    communes = communes.drop(columns=[c for c in _PROVENANCE if c in communes.columns])
    columns = ("district_code", "district_name", "province_code", "province_name")
    districts = gpd.GeoDataFrame(
        {col: pd.Series(dtype="string") for col in columns}, geometry=gpd.GeoSeries([], crs=STORAGE_CRS)
    )
    like = pd.DataFrame({col: pd.Series(dtype="string") for col in _MATCH_COLUMNS})
    return NewUnitGeography(communes, new_provinces(communes), districts, new_match_report(communes, like), vintage)
