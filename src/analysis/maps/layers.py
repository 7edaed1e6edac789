"""Layers drawn over a map: higher-level boundaries, a reference layer and a locator inset.

:func:`draw_boundaries` draws the district or province lines over a map of communes,
:func:`draw_reference_layer` the boundaries of the other unit system (the 2025 communes over
the old ones, or the reverse) with a legend entry of their own, and :func:`add_inset` a small
map that places the area within its province or country.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from shapely.geometry import box

from analysis.maps.crs import to_metric
from analysis.maps.labels import label_units
from analysis.maps.polygons import fill_paths, polygon_paths
from analysis.maps.style import styled

__all__ = ["add_inset", "draw_boundaries", "draw_reference_layer"]

_INSET_LOCS = {
    "upper right": lambda s: (1 - s, 1 - s),
    "upper left": lambda s: (0.0, 1 - s),
    "lower right": lambda s: (1 - s, 0.0),
    "lower left": lambda s: (0.0, 0.0),
    # beside the map, under a legend drawn outside on the right
    "outside lower right": lambda s: (1.03, 0.0),
    "outside upper right": lambda s: (1.03, 1 - s),
}


@styled
def draw_boundaries(
    ax: Axes,
    gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    linewidth: float = 1.2,
    color: str = "#252525",
    **kwargs: Any,
) -> Axes:
    """Draw higher-level boundaries (districts, the province) over a map of lower units.

    Parameters
    ----------
    ax
        The map's axes.
    gdf
        Polygons of the higher level, in any CRS; drawn in ``METRIC_CRS``.
    linewidth, color
        Line style; heavier than the unit outlines by default.
    **kwargs
        Passed to :meth:`geopandas.GeoSeries.plot`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    data = to_metric(gdf)
    data.boundary.plot(ax=ax, linewidth=linewidth, color=color, zorder=3, **kwargs)
    ax.collections[-1].set_gid("ntp-boundaries")
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


@styled
def draw_reference_layer(
    ax: Axes,
    gdf: gpd.GeoDataFrame,
    label: str,
    names: str | None = None,
    *,
    gid: str = "ntp-reference",
    color: str = "#737373",
    linewidth: float = 1.0,
    linestyle: str | tuple = (0, (5, 2.5)),
    fontsize: float = 7.0,
    legend_kwds: Mapping[str, Any] | None = None,
    extra_handles: Sequence[tuple[Any, str]] = (),
) -> Axes:
    """Draw units of another vintage over a map as a reference layer: grey dashed outlines,
    their names, and a legend entry of their own.

    For the districts abolished on 1/7/2025 on a map of the new communes. The map's extent
    is kept (a reference unit reaching beyond it does not zoom the map out), and names go
    inside the visible part of each unit, where they fit among the labels already placed
    (:func:`analysis.maps.labels.label_units`). Call it after the map's own labels and inset.

    Parameters
    ----------
    ax
        The map's axes, in ``METRIC_CRS``.
    gdf
        The reference units, in any CRS.
    label
        The legend entry, e.g. "Huyện cũ (trước 1/7/2025)".
    names
        Column of names to write in the units (in italics, ``color``); None: no names.
    gid
        ``gid`` of the outlines; the names get ``<gid>-label`` and the legend ``<gid>-legend``,
        so tests and SVG styling can find them.
    color, linewidth, linestyle, fontsize
        Line and text style.
    legend_kwds
        Passed to :meth:`~matplotlib.axes.Axes.legend` over the defaults (under the map's
        legend, outside on the right). The map's own legend is kept.
    extra_handles
        More ``(handle, label)`` entries for the same legend.

    Returns
    -------
    matplotlib.axes.Axes
    """
    data = to_metric(gdf)
    data = data[data.geometry.notna() & ~data.geometry.is_empty]
    if not len(data):
        return ax
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    # one line per shared edge: two units' outlines drawn over each other break the dashes
    lines = gpd.GeoSeries([shapely.line_merge(data.boundary.union_all())], crs=data.crs)
    lines.plot(ax=ax, color=color, linewidth=linewidth, linestyle=linestyle, zorder=2.5)
    ax.collections[-1].set_gid(gid)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if names is not None:
        view = box(min(xlim), min(ylim), max(xlim), max(ylim))
        visible = data.assign(geometry=data.geometry.intersection(view))
        visible = visible[~visible.geometry.is_empty]
        for text in label_units(ax, visible, names, fontsize=fontsize, color=color, halo=True):
            text.set_gid(f"{gid}-label")
            text.set_style("italic")
    main = ax.get_legend()
    if main is not None:
        ax.add_artist(main)  # a second legend would replace it otherwise
    line = Line2D([], [], color=color, linewidth=linewidth * 1.4, linestyle=linestyle)
    handles = [line, *(h for h, _ in extra_handles)]
    labels = [label, *(text for _, text in extra_handles)]
    kwds = dict(loc="lower left", bbox_to_anchor=(1.02, 0.0), frameon=False, alignment="left", handlelength=2.4)
    legend = ax.legend(handles=handles, labels=labels, **(kwds | dict(legend_kwds or {})))
    legend.set_gid(f"{gid}-legend")
    return ax


@styled
def add_inset(
    ax: Axes,
    context_gdf: gpd.GeoDataFrame,
    highlight_gdf: gpd.GeoDataFrame,
    loc: str = "upper right",
    size: float = 0.28,
) -> Axes:
    """Add a small locator map: the province's districts in light grey, one highlighted.

    Parameters
    ----------
    ax
        The main map's axes.
    context_gdf
        Polygons of the surroundings (the province's districts).
    highlight_gdf
        The area the main map shows (the district), drawn in a strong colour.
    loc
        ``"upper right"``, ``"upper left"``, ``"lower right"``, ``"lower left"`` (inside
        the map's axes) or ``"outside lower right"``, ``"outside upper right"`` (beside it,
        under or over a legend drawn on the right).
    size
        Side of the inset as a fraction of the main axes.

    Returns
    -------
    matplotlib.axes.Axes
        The inset axes, a child of ``ax`` in the same figure.
    """
    if loc not in _INSET_LOCS:
        raise ValueError(f"loc must be one of {sorted(_INSET_LOCS)}, not {loc!r}")
    if not 0 < size < 1:
        raise ValueError(f"size is a fraction of the map's axes, between 0 and 1, not {size}")
    context = to_metric(context_gdf, "context_gdf").geometry
    highlight = to_metric(highlight_gdf, "highlight_gdf").geometry
    # A locator map is a few centimetres wide: outlines simplified to a thousandth of its
    # extent (under a printed pixel) draw the same and several times faster than full detail.
    xmin, ymin, xmax, ymax = context.total_bounds
    tolerance = max(xmax - xmin, ymax - ymin) / 1000 if context.notna().any() else 0.0
    context, outline = _locator(context, tolerance)
    if tolerance > 0:
        highlight = highlight.simplify(tolerance)
    x, y = _INSET_LOCS[loc](size)
    inset = ax.inset_axes((x, y, size, size), zorder=5)
    fill_paths(inset, polygon_paths(context), facecolor="#e5e5e5", edgecolor="white", linewidth=0.3)
    outline.plot(ax=inset, color="#525252", linewidth=0.6)
    fill_paths(inset, polygon_paths(highlight), facecolor="#cb181d", edgecolor="#67000d", linewidth=0.4)
    inset.set_aspect("equal", adjustable="datalim")
    inset.set(xticks=[], yticks=[], xlabel="", ylabel="")  # geopandas labels the CRS axes
    for spine in inset.spines.values():
        spine.set(edgecolor="#969696", linewidth=0.5)
    return inset


#: Simplified surroundings and their outline, by the exact bytes of the surroundings: every
#: district report of a province draws the same province in its locator map.
_LOCATORS: dict[bytes, tuple[gpd.GeoSeries, gpd.GeoSeries]] = {}


def _locator(context: gpd.GeoSeries, tolerance: float) -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """``context`` simplified to ``tolerance`` and its outline (:func:`_outline`), kept per process."""
    h = hashlib.sha256(repr((tolerance, str(context.crs), list(context.index))).encode())
    for wkb in context.to_wkb():
        h.update(wkb if wkb is not None else b"\0")
    key = h.digest()
    if key not in _LOCATORS:
        simple = context.simplify(tolerance) if tolerance > 0 else context
        if len(_LOCATORS) >= 64:
            _LOCATORS.pop(next(iter(_LOCATORS)))
        _LOCATORS[key] = (simple, _outline(simple))
    simple, outline = _LOCATORS[key]
    return simple.copy(), outline.copy()


def _outline(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """The outer edge of the union of ``geoms``: exteriors only, so that slivers between
    units (common in real boundary files) do not show as specks inside the outline."""
    parts = gpd.GeoSeries([geoms.union_all()], crs=geoms.crs).explode(index_parts=False)
    parts = parts[parts.geom_type == "Polygon"]
    return gpd.GeoSeries(parts.exterior.to_numpy(), crs=geoms.crs)
