"""What prepared data covers: the districts in scope, their boundary features, the merged
communes of a boundary file dissolved through a crosswalk, and each rejected row placed in its
district. The steps of :func:`analysis.store.prepare.prepare` between validating and writing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.errors import BoundaryError
from analysis.inputs.crosswalk import read_crosswalk
from analysis.inputs.readers import ROW
from analysis.inputs.unit_shapes import dissolve_units, match_units, merge_units
from analysis.inputs.validate import REJECT_COLUMNS, ValidatedTable
from analysis.store.prepare_inputs import input_entry

__all__ = ["OldUnitGeography", "apply_crosswalk", "boundaries_in_scope", "old_unit_geography", "rejects_with_district",
           "scope_units"]  # fmt: skip


def scope_units(units: pd.DataFrame, tables: dict[str, ValidatedTable]) -> pd.DataFrame:
    """Every official commune of every district that appears in the accepted data."""
    districts: set[str] = set()
    for t in tables.values():
        districts |= set(t.accepted["district_code"].dropna().astype(str).unique())
    return units[units["district_code"].isin(districts)].reset_index(drop=True)


def boundaries_in_scope(bounds: gpd.GeoDataFrame, scope: pd.DataFrame, units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Boundary features of the districts in scope (all of them if the file says no district)."""
    if "district_code" in bounds.columns and bounds["district_code"].notna().any():
        return bounds[bounds["district_code"].isin(set(scope["district_code"]))]
    if "commune_code" in bounds.columns and bounds["commune_code"].notna().any():
        known = set(units["commune_code"])
        in_scope = bounds["commune_code"].isin(set(scope["commune_code"]))
        unknown = ~bounds["commune_code"].isin(known)
        # a code of another vintage cannot be placed: keep it so it shows as unmatched
        return bounds[in_scope | unknown]
    return bounds


def rejects_with_district(tables: dict[str, ValidatedTable], units: pd.DataFrame) -> pd.DataFrame:
    """Every rejected row of every table, with the district of its row (from its district or commune code)."""
    frames = []
    commune_district = units.set_index("commune_code")["district_code"]
    for t in tables.values():
        if not len(t.rejects):
            continue
        raw = t.raw.frame.set_index(ROW)
        r = t.rejects.copy()
        district = pd.Series(pd.NA, index=r.index, dtype="string")
        if "district_code" in raw.columns:
            district = r["row"].map(raw["district_code"]).astype("string")
        if "commune_code" in raw.columns:
            from_commune = r["row"].map(raw["commune_code"]).astype("string").map(commune_district)
            district = district.fillna(from_commune.astype("string"))
        r["district_code"] = district
        frames.append(r)
    if not frames:
        return pd.DataFrame(columns=[*REJECT_COLUMNS, "district_code"]).astype("string")
    out = pd.concat(frames, ignore_index=True)
    return out.astype({c: "string" for c in out.columns if c != "row"})


def apply_crosswalk(
    bounds: gpd.GeoDataFrame, path: Path, crosswalk_path: Path, units: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, dict]:
    """Dissolve the merged communes of the boundary file; the manifest entry of the crosswalk."""
    crosswalk = read_crosswalk(crosswalk_path)
    if bounds["commune_code"].isna().all():
        raise BoundaryError(
            path,
            f"a crosswalk ({crosswalk_path.name}) merges communes by code, but the boundary file was read without "
            "commune codes",
            "name the boundary column holding the 5-digit commune codes with --code-column",
        )
    merged = merge_units(bounds, crosswalk, keep=set(units["commune_code"].dropna()))
    merges = merged.attrs["merges"]
    entry = input_entry(
        crosswalk_path,
        None,
        {
            "rows": len(crosswalk),
            "features_merged": sum(len(old) for old in merges.values()),
            "merges_used": merges,
            "merges_kept": merged.attrs["merges_kept"],
        },
    )
    return merged, entry


@dataclass
class OldUnitGeography:
    """The units in scope of data keyed to the old units, joined to their polygons."""

    scope: pd.DataFrame
    bounds_scope: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    match_report: pd.DataFrame
    quality: str


def old_unit_geography(
    bounds: gpd.GeoDataFrame, units: pd.DataFrame, tables: dict[str, ValidatedTable]
) -> OldUnitGeography:
    """The districts in scope, their communes matched to ``bounds`` (``has_finance``,
    ``has_poverty``, ``boundary_quality``) and dissolved into districts and provinces."""
    scope = scope_units(units, tables)
    bounds_scope = boundaries_in_scope(bounds, scope, units)
    joined, match_report = match_units(scope.drop(columns=["lat", "lon"], errors="ignore"), bounds_scope)
    approximate = "boundary_quality" in bounds.columns and (bounds["boundary_quality"] == "approximate").any()
    quality = "approximate" if approximate else "surveyed"
    joined["boundary_quality"] = quality
    for name in ("finance", "poverty"):
        joined[f"has_{name}"] = joined["commune_code"].isin(tables[name].accepted["commune_code"].dropna().unique())
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs="EPSG:4326")
    return OldUnitGeography(scope, bounds_scope, joined, dissolve_units(joined, "district"),
                            dissolve_units(joined, "province"), match_report, quality)  # fmt: skip
