"""The sample's approximate commune polygons (Voronoi cells of the commune points, clipped to an
outline of each province), and the GeoPackage they are written to, the same bytes on every run."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.config import METRIC_CRS, STORAGE_CRS
from analysis.store.sample_figures import FIXED_TIME, LANG_SON

__all__ = ["make_boundaries", "shared_points", "write_gpkg"]


def write_gpkg(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write the polygons as a GeoPackage (layer ``communes``) stamped with a fixed time."""
    import pyogrio

    # GDAL stamps a GeoPackage with the current time unless given a fixed one.
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{FIXED_TIME.isoformat()}.000Z"})
    try:
        path.unlink(missing_ok=True)
        gdf.to_file(path, layer="communes", driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})



def shared_points(units: pd.DataFrame) -> list[list[int]]:
    """Positions of communes that share their coordinates with another, grouped."""
    key = units["lat"].round(6).astype(str) + "," + units["lon"].round(6).astype(str)
    groups = units.index.to_series().groupby(key, sort=True).apply(list)
    return [g for g in groups if len(g) > 1]


def make_boundaries(units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Approximate polygons: Voronoi cells of the commune points, clipped to an outline."""
    pts = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=STORAGE_CRS)
    pts = pts.to_crs(METRIC_CRS)
    xy = np.column_stack([pts.x, pts.y])
    for group in shared_points(units):  # spread symmetrically, 600 m around the point
        for j, i in enumerate(group):
            angle = np.pi / 4 + 2 * np.pi * j / len(group)
            xy[i] += 600 * np.array([np.cos(angle), np.sin(angle)])
    points = shapely.points(xy)
    cells = np.empty(len(units), dtype=object)
    for pcode in sorted(units["province_code"].unique()):
        idx = np.flatnonzero((units["province_code"] == pcode).to_numpy())
        multi = shapely.multipoints(points[idx])
        hull = shapely.concave_hull(multi, ratio=0.3) if pcode == LANG_SON else multi.convex_hull
        outline = hull.buffer(4000)
        for cell in shapely.get_parts(shapely.voronoi_polygons(multi, extend_to=outline)):
            owner = idx[shapely.contains(cell, points[idx])][0]
            piece = cell.intersection(outline)
            if piece.geom_type == "MultiPolygon":  # keep the part around the point
                piece = next(p for p in piece.geoms if p.contains(points[owner]))
            cells[owner] = piece
    cols = ["commune_code", "commune_name", "district_code", "district_name", "province_code",
            "province_name"]
    out = gpd.GeoDataFrame(units[cols].copy(), geometry=list(cells), crs=METRIC_CRS)
    out["boundary_quality"] = "approximate"
    return out.to_crs(STORAGE_CRS)
