"""Print-quality maps of communes and districts.

Every map function takes ``ax=None`` (a new figure is made when it is None) and returns the
:class:`~matplotlib.axes.Axes` it drew on, as geopandas does. Colours and classes come from
the one legend set of each indicator (:mod:`analysis.maps.legends`), so maps of two districts, or
of one district in Vietnamese and in English, can be laid side by side. Units without data
stay on the map, hatched grey, and are counted in the legend; they are never dropped.

Drawing happens in :data:`analysis.config.METRIC_CRS` inside :func:`map_style`, which sets
DejaVu Sans (shipped with matplotlib, it has every Vietnamese diacritic) and keeps text as
text in SVG and PDF. Save with :func:`save_map` so the same settings apply when writing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib.patches as mpatches
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from analysis.common.i18n import t
from analysis.common.numbers import format_number
from analysis.maps.crs import to_metric
from analysis.maps.furniture import add_north_arrow, add_scale_bar, add_titles, emptiest_corner, title_pad
from analysis.maps.labels import label_colour, label_units
from analysis.maps.legends import (
    NO_DATA,
    NO_PLAN,
    LegendSet,
    classify,
    get_legend_set,
    legend_labels,
    legend_title,
    scheme_legend_set,
)
from analysis.maps.style import TITLE_Y, map_style, styled

__all__ = [
    "add_boundary_note",
    "add_inset",
    "change_map",
    "choropleth",
    "draw_boundaries",
    "draw_reference_layer",
    "is_approximate",
    "need_vs_money_map",
    "restyle",
    "save_map",
]

_FIGSIZE = (8.0, 6.5)
_OUTLINE = {"edgecolor": "#8c8c8c", "linewidth": 0.4}
_NOTE = {"fontsize": 8, "color": "#525252", "va": "top"}
# Where the scale bar may go, best first: the corner the units cover least wins.
_SCALE_BAR_CORNERS = ("lower left", "lower right", "upper right")
_INSET_LOCS = {
    "upper right": lambda s: (1 - s, 1 - s),
    "upper left": lambda s: (0.0, 1 - s),
    "lower right": lambda s: (1 - s, 0.0),
    "lower left": lambda s: (0.0, 0.0),
    # beside the map, under a legend drawn outside on the right
    "outside lower right": lambda s: (1.03, 0.0),
    "outside upper right": lambda s: (1.03, 1 - s),
}



def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=_FIGSIZE)
    return ax


def _finish(ax: Axes) -> None:
    ax.set_aspect("equal")
    ax.set_axis_off()


def _no_plan(gdf: pd.DataFrame, column: str | None) -> pd.Series | None:
    if column is None:
        return None
    col = gdf[column]
    if pd.api.types.is_bool_dtype(col):
        return col
    # A plan amount column: a zero plan (not a missing one) is "no plan".
    return pd.to_numeric(col, errors="coerce").eq(0)


def _check_columns(gdf: pd.DataFrame, columns: Sequence[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in gdf.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the GeoDataFrame; it has {list(gdf.columns)}")


def _class_styles(ls: LegendSet, missing_kwds: Mapping[str, Any] | None) -> dict[int, dict]:
    # Face colour, hatch and hatch colour (matplotlib draws hatches in the edge colour).
    styles = {i: {"facecolor": c, "edgecolor": c, "hatch": None} for i, c in enumerate(ls.colors)}
    if ls.has_no_plan:
        styles[NO_PLAN] = dict(
            facecolor=ls.no_plan_color, edgecolor=ls.no_plan_hatch_color, hatch=ls.no_plan_hatch
        )
    styles[NO_DATA] = dict(
        facecolor=ls.no_data_color, edgecolor=ls.no_data_hatch_color, hatch=ls.no_data_hatch
    ) | dict(missing_kwds or {})
    return styles


def _legend(
    ax: Axes,
    ls: LegendSet,
    codes: pd.Series,
    styles: dict[int, dict],
    lang: str,
    show_counts: bool,
    legend_kwds: Mapping[str, Any] | None,
) -> None:
    order = list(range(ls.n_classes)) + [c for c in (NO_PLAN, NO_DATA) if c in styles]
    counts = codes.value_counts()
    handles = []
    for code, label in zip(order, legend_labels(ls, lang), strict=True):
        if show_counts:
            label += f" ({format_number(int(counts.get(code, 0)), lang)})"
        style = styles[code]
        handles.append(mpatches.Patch(label=label, linewidth=0.4, **style))
        if style["hatch"] is None:  # an outline, like the units on the map
            handles[-1].set_edgecolor(_OUTLINE["edgecolor"])
    # Outside the map, on its right, so that no commune is covered.
    kwds = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, alignment="left")
    kwds |= dict(handlelength=1.8, handleheight=1.3, title=legend_title(ls, lang))
    ax.legend(handles=handles, **(kwds | dict(legend_kwds or {})))


@styled
def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str | Sequence[str],
    legend_set: LegendSet | str,
    ax: Axes | None = None,
    lang: str = "vi",
    no_plan_column: str | None = None,
    title: str | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    missing_kwds: Mapping[str, Any] | None = None,
    boundary_kwds: Mapping[str, Any] | None = None,
    show_counts: bool = True,
    classification_kwds: Mapping[str, Any] | None = None,
    source: str | None = None,
    *,
    subtitle: str | None = None,
    labels: str | None = None,
    scale_bar: bool | Mapping[str, Any] = True,
    north_arrow: bool | Mapping[str, Any] = True,
    label_kwds: Mapping[str, Any] | None = None,
) -> Axes:
    """Draw a choropleth of one indicator with its fixed legend set.

    Every row is drawn: rows without a value are hatched grey and counted as "no data".
    The legend lists every class of the set, empty ones included, so the legends of two
    districts are identical except for the counts.

    Parameters
    ----------
    gdf
        Units (communes) with polygons in any CRS; drawn in ``METRIC_CRS``.
    column
        The indicator column; for the two-input ``need_vs_money`` set, the pair
        ``(poverty_column, disbursement_rate_column)``.
    legend_set
        A :class:`~analysis.maps.legends.LegendSet` or a key of ``LEGEND_SETS``.
    ax
        Axes to draw on; a new figure when None.
    lang
        ``"vi"`` (default) or ``"en"``: title, legend and number format.
    no_plan_column
        Boolean column, True where the plan is zero, or the plan amount column itself
        (a plan of 0 then marks "no plan"). Only for sets with a "no plan" class.
    title
        Map title; the set's standard title when None, none when ``""``.
    legend_kwds
        Passed to :meth:`~matplotlib.axes.Axes.legend` over the defaults (legend outside,
        on the right of the map).
    missing_kwds
        Style of "no data" units over the set's (``facecolor``, ``edgecolor`` = hatch
        colour, ``hatch``).
    boundary_kwds
        Style of the unit outlines (``edgecolor``, ``linewidth``).
    show_counts
        Follow each legend label by the number of units in the class, e.g. "30–50% (4)".
    classification_kwds
        Ask for a data-driven scheme instead of the fixed bins, e.g.
        ``{"scheme": "quantiles", "k": 5}``; see :func:`analysis.maps.legends.scheme_legend_set`.
    source
        Data source, written "Nguồn: ..." / "Source: ..." under the map.
    subtitle
        A line under the title: the area, the period, the as-of date.
    labels
        Column of unit names to label the units with, inside their polygons; labels that do
        not fit are left out (:func:`analysis.maps.cartography.label_units`).
    scale_bar
        Draw a scale bar in km (True), or not; a dict is passed to
        :func:`~analysis.maps.cartography.add_scale_bar` (e.g. ``{"loc": "lower right"}``). By
        default it goes in the lower corner the units cover least.
    north_arrow
        Draw a north arrow (True), or not; a dict is passed to
        :func:`~analysis.maps.cartography.add_north_arrow`.
    label_kwds
        Passed to :func:`~analysis.maps.cartography.label_units` (``fontsize``, ``wrap``…).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ls, codes, styles = _classes(gdf, column, legend_set, no_plan_column, missing_kwds, classification_kwds,
                                 also=labels)

    ax = _axes(ax)
    data = to_metric(gdf)
    _draw_classes(ax, data, codes, styles)
    outline = {"color": _OUTLINE["edgecolor"], "linewidth": _OUTLINE["linewidth"]}
    if boundary_kwds:
        outline |= dict(boundary_kwds)
        if "edgecolor" in outline:
            outline["color"] = outline.pop("edgecolor")
    if len(data):
        data.boundary.plot(ax=ax, **outline)
        ax.collections[-1].set_gid("ntp-outlines")

    _legend(ax, ls, codes, styles, lang, show_counts, legend_kwds)
    add_titles(ax, t(f"title.{ls.key}", lang) if title is None else title, subtitle, source, lang)
    add_boundary_note(ax, gdf, lang)
    _finish(ax)
    if len(data):
        _furniture(ax, data, lang, scale_bar, north_arrow)
    if labels is not None:
        fills = [styles[c]["facecolor"] for c in codes]  # white names on dark classes
        label_units(ax, data, labels, **({"background": fills} | dict(label_kwds or {})))
    return ax


def _classes(
    gdf: pd.DataFrame,
    column: str | Sequence[str],
    legend_set: LegendSet | str,
    no_plan_column: str | None,
    missing_kwds: Mapping[str, Any] | None,
    classification_kwds: Mapping[str, Any] | None = None,
    also: str | None = None,
) -> tuple[LegendSet, pd.Series, dict[int, dict]]:
    # The legend set (data-driven when classification_kwds asks), each unit's class, and the
    # style of each class, for choropleth and restyle alike; ``also``: one more column the
    # caller needs (checked with the others, so that one message names every missing one).
    ls = get_legend_set(legend_set)
    columns = [column] if isinstance(column, str) else list(column)
    _check_columns(gdf, [*columns, no_plan_column, also])
    values = gdf[columns[0]] if len(columns) == 1 else gdf[columns]
    if classification_kwds:
        ls = scheme_legend_set(values, like=ls, **classification_kwds)
    return ls, classify(values, ls, _no_plan(gdf, no_plan_column)), _class_styles(ls, missing_kwds)


def _draw_classes(ax: Axes, data: gpd.GeoDataFrame, codes: pd.Series, styles: dict[int, dict]) -> None:
    # One collection per class (gid "ntp-class-<code>"), under the outlines (polygons are
    # drawn at zorder 1, lines at 2 and above).
    paths = polygon_paths(data.geometry)
    for code, style in styles.items():
        fill = _fill(ax, [paths[i] for i in np.flatnonzero((codes == code).to_numpy())], linewidth=0, **style)
        if fill is not None:
            fill.set_gid(f"ntp-class-{code}")


def _fill(ax: Axes, paths: Sequence[MplPath], **style: Any) -> PathCollection | None:
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


@styled
def restyle(
    ax: Axes,
    gdf: gpd.GeoDataFrame,
    column: str | Sequence[str],
    legend_set: LegendSet | str,
    lang: str = "vi",
    no_plan_column: str | None = None,
    title: str | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    missing_kwds: Mapping[str, Any] | None = None,
    show_counts: bool = True,
    *,
    subtitle: str | None = None,
    source: str | None = None,
) -> Axes:
    """Show another indicator on a map that :func:`choropleth` drew of the same units.

    The classes' fills, the legend, the title and the colour of each unit's label are
    replaced, and the subtitle and source line when given; everything that depends only on
    the units stays as drawn: outlines, labels and where they went, scale bar, north arrow
    and any inset or boundaries added since. A report draws its maps of one district this
    way, measuring and placing everything once. The result is the map that
    :func:`choropleth` with the same arguments draws on a new figure (``tests/test_maps.py``
    and ``tests/test_report.py`` compare their pixels).

    Parameters
    ----------
    ax
        Axes a :func:`choropleth` of ``gdf`` was drawn on, with the same ``labels`` column
        if any.
    gdf, column, legend_set, lang, no_plan_column, title, legend_kwds, missing_kwds, show_counts
        As for :func:`choropleth`.
    subtitle, source
        The new subtitle and source line, on a map first drawn with one; None keeps the
        map's own.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ls, codes, styles = _classes(gdf, column, legend_set, no_plan_column, missing_kwds)
    for artist in list(ax.collections):
        if (artist.get_gid() or "").startswith("ntp-class-"):
            artist.remove()
    _draw_classes(ax, to_metric(gdf), codes, styles)
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    _legend(ax, ls, codes, styles, lang, show_counts, legend_kwds)
    drawn = {a.get_gid(): a for a in ax.texts}
    if subtitle is not None and "ntp-subtitle" in drawn:
        drawn["ntp-subtitle"].set_text(subtitle)
    if source is not None and "ntp-source" in drawn:
        drawn["ntp-source"].set_text(t("source_line", lang, source=source))
    sub = drawn.get("ntp-subtitle")
    pad = title_pad(sub.get_text(), sub.get_fontsize()) if sub else title_pad(None)
    ax.set_title(t(f"title.{ls.key}", lang) if title is None else title, loc="left", pad=pad, y=TITLE_Y)
    fills = [styles[c]["facecolor"] for c in codes]
    for label in ax.texts:
        if label.get_gid() == "ntp-label" and hasattr(label, "ntp_row"):
            label.set_color(label_colour(fills[label.ntp_row], label.ntp_ink))
    return ax


def _furniture(
    ax: Axes,
    data: gpd.GeoDataFrame,
    lang: str,
    scale_bar: bool | Mapping[str, Any],
    north_arrow: bool | Mapping[str, Any],
) -> None:
    # The scale bar goes where it hides the least of the map; the north arrow upper left.
    if north_arrow:
        add_north_arrow(ax, **(dict(north_arrow) if isinstance(north_arrow, Mapping) else {}))
    if scale_bar:
        kwds = dict(scale_bar) if isinstance(scale_bar, Mapping) else {}
        kwds.setdefault("loc", emptiest_corner(ax, data.geometry, _SCALE_BAR_CORNERS))
        add_scale_bar(ax, lang=lang, **kwds)


def change_map(
    gdf: gpd.GeoDataFrame, column: str, ax: Axes | None = None, lang: str = "vi", **kwargs: Any
) -> Axes:
    """Map a change in the poverty rate, in percentage points (``-2.9`` = 2.9 points fewer).

    A thin wrapper of :func:`choropleth` with the ``poverty_change_pp`` legend set; keyword
    arguments are passed on.
    """
    return choropleth(gdf, column, "poverty_change_pp", ax=ax, lang=lang, **kwargs)


def need_vs_money_map(
    gdf: gpd.GeoDataFrame,
    poverty_col: str,
    rate_col: str,
    ax: Axes | None = None,
    lang: str = "vi",
    no_plan_column: str | None = None,
    **kwargs: Any,
) -> Axes:
    """Map where need (poverty rate) and money (disbursement rate) diverge.

    Four classes from the thresholds of the ``need_vs_money`` legend set (poverty ≥ 15% is
    high, disbursement < 50% is low); "high poverty, low disbursement" is the alarm class
    and has the strongest colour. A thin wrapper of :func:`choropleth`.

    Parameters
    ----------
    gdf
        Communes with both rates as fractions.
    poverty_col, rate_col
        Poverty rate and disbursement rate columns.
    ax, lang, no_plan_column, **kwargs
        As for :func:`choropleth`.
    """
    return choropleth(
        gdf,
        (poverty_col, rate_col),
        "need_vs_money",
        ax=ax,
        lang=lang,
        no_plan_column=no_plan_column,
        **kwargs,
    )


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
    _finish(ax)
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
    (:func:`analysis.maps.cartography.label_units`). Call it after the map's own labels and inset.

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
    import shapely
    from matplotlib.lines import Line2D
    from shapely.geometry import box

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
    _fill(inset, polygon_paths(context), facecolor="#e5e5e5", edgecolor="white", linewidth=0.3)
    outline.plot(ax=inset, color="#525252", linewidth=0.6)
    _fill(inset, polygon_paths(highlight), facecolor="#cb181d", edgecolor="#67000d", linewidth=0.4)
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
    import hashlib

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


def is_approximate(gdf: pd.DataFrame) -> bool:
    """Whether any boundary of ``gdf`` is approximate (its map must say so)."""
    if gdf.attrs.get("boundary_quality") == "approximate":
        return True
    if "boundary_quality" in gdf.columns:
        return bool(gdf["boundary_quality"].eq("approximate").any())
    return False


@styled
def add_boundary_note(ax: Axes, gdf: pd.DataFrame, lang: str = "vi") -> Text | None:
    """Write "ranh giới gần đúng" / "approximate boundaries" under the map when it applies.

    It applies when ``gdf.attrs["boundary_quality"]`` is ``"approximate"`` or any row of a
    ``boundary_quality`` column is. The note follows the source line when the map has one.
    Returns the note, or None when no note was needed.
    """
    if not is_approximate(gdf):
        return None
    text = t("legend.approximate_boundaries", lang)
    text = text[:1].upper() + text[1:]
    source = [s for s in ax.texts if s.get_gid() == "ntp-source"]
    if source:  # on the source line, after the source: one line names the data and its limits
        return ax.annotate(text, xy=(1, 1), xycoords=source[-1], xytext=(8, 0), textcoords="offset points",
                           ha="left", style="italic", gid="ntp-boundary-note", **_NOTE)  # fmt: skip
    return ax.text(0.0, -0.01, text, transform=ax.transAxes, ha="left", style="italic",
                   gid="ntp-boundary-note", **_NOTE)  # fmt: skip


def save_map(figure: Axes | Figure, path: str | Path, dpi: int = 200, **kwargs: Any) -> Path:
    """Save a map's figure inside :func:`map_style`, cropped to its content.

    Parameters
    ----------
    figure
        The figure, or any of its axes.
    path
        Output file; the suffix chooses the format (``.png``, ``.pdf``, ``.svg``).
    dpi
        Resolution of raster formats.
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.savefig`.

    Returns
    -------
    pathlib.Path
    """
    fig = figure.figure if isinstance(figure, Axes) else figure
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with map_style():
        fig.savefig(path, dpi=dpi, **({"bbox_inches": "tight", "pad_inches": 0.15} | kwargs))
    return path
