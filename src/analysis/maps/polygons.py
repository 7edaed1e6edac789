"""Polygons drawn as matplotlib paths, all the polygons of a class in one collection.

:func:`polygon_paths` turns each polygon (with its holes) into one compound path, as
geopandas draws it, without a patch per polygon; :func:`fill_paths` adds the paths as one
collection. Maps of hundreds of communes draw in a fraction of the time of
``GeoSeries.plot``, with the same pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.path import Path as MplPath

__all__ = ["fill_paths", "polygon_paths"]


def fill_paths(ax: Axes, paths: Sequence[MplPath], **style: Any) -> PathCollection | None:
    # What GeoSeries.plot(ax=ax, **style) draws of polygons, from their paths
    # (polygon_paths): one collection, the axes' limits widened to it; empty paths left out.
    paths = [p for p in paths if len(p.vertices)]
    if not paths:
        return None
    fill = PathCollection(paths, **style)
    ax.add_collection(fill, autolim=True)
    ax.autoscale_view()
    return fill


def polygon_paths(geometry: gpd.GeoSeries) -> list[MplPath]:
    """One matplotlib path per (multi)polygon, as geopandas draws it: the geometry
    normalised (exteriors clockwise, holes the other way, so that matplotlib's winding rule
    leaves the holes empty), each part's exterior then its holes, every ring closed.
    ``GeoSeries.plot`` makes the same paths one ring at a time in Python; here shapely's
    array functions make them all at once.

    Parameters
    ----------
    geometry
        Polygons and multipolygons; an empty or missing geometry gets an empty path.

    Returns
    -------
    list of matplotlib.path.Path
        In the order of ``geometry``.
    """
    geoms = shapely.normalize(np.asarray(geometry.values, dtype=object))
    parts, part_row = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    if len(coords):
        change = coord_ring[1:] != coord_ring[:-1]
        codes[np.r_[True, change]] = MplPath.MOVETO
        codes[np.r_[change, True]] = MplPath.CLOSEPOLY
    row = part_row[ring_part[coord_ring]]
    bounds = np.searchsorted(row, np.arange(len(geoms) + 1))
    return [MplPath(coords[a:b], codes[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
