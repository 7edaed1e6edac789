"""Geometries in the metric CRS every map is drawn in (:data:`analysis.config.METRIC_CRS`)."""

from __future__ import annotations

import geopandas as gpd

from analysis.config import METRIC_CRS

__all__ = ["to_metric"]


def to_metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries, name: str = "gdf") -> gpd.GeoDataFrame:
    """``gdf`` in :data:`~analysis.config.METRIC_CRS`, with a readable error when it has no CRS."""
    if not isinstance(gdf, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"{name} must be a GeoDataFrame, not {type(gdf).__name__}")
    if gdf.crs is None:
        raise ValueError(
            f"{name} has no CRS, so it cannot be drawn in {METRIC_CRS}; set it first, e.g. gdf.set_crs('EPSG:4326')"
        )
    return gdf.to_crs(METRIC_CRS)
