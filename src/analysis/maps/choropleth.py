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
from typing import Any

import geopandas as gpd
import matplotlib.patches as mpatches
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis.common.i18n import t
from analysis.common.numbers import format_number
from analysis.maps.classes import classify
from analysis.maps.crs import to_metric
from analysis.maps.furniture import (
    add_boundary_note,
    add_north_arrow,
    add_scale_bar,
    add_titles,
    emptiest_corner,
    title_pad,
)
from analysis.maps.labels import label_colour, label_units
from analysis.maps.legend_text import legend_labels, legend_title
from analysis.maps.legends import NO_DATA, NO_PLAN, LegendSet, get_legend_set
from analysis.maps.polygons import fill_paths, polygon_paths
from analysis.maps.schemes import scheme_legend_set
from analysis.maps.style import TITLE_Y, styled

__all__ = [
    "choropleth",
    "restyle",
]

_FIGSIZE = (8.0, 6.5)
_OUTLINE = {"edgecolor": "#8c8c8c", "linewidth": 0.4}
# Where the scale bar may go, best first: the corner the units cover least wins.
_SCALE_BAR_CORNERS = ("lower left", "lower right", "upper right")



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
        ``{"scheme": "quantiles", "k": 5}``; see :func:`analysis.maps.schemes.scheme_legend_set`.
    source
        Data source, written "Nguồn: ..." / "Source: ..." under the map.
    subtitle
        A line under the title: the area, the period, the as-of date.
    labels
        Column of unit names to label the units with, inside their polygons; labels that do
        not fit are left out (:func:`analysis.maps.labels.label_units`).
    scale_bar
        Draw a scale bar in km (True), or not; a dict is passed to
        :func:`~analysis.maps.furniture.add_scale_bar` (e.g. ``{"loc": "lower right"}``). By
        default it goes in the lower corner the units cover least.
    north_arrow
        Draw a north arrow (True), or not; a dict is passed to
        :func:`~analysis.maps.furniture.add_north_arrow`.
    label_kwds
        Passed to :func:`~analysis.maps.labels.label_units` (``fontsize``, ``wrap``…).

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
        fill = fill_paths(ax, [paths[i] for i in np.flatnonzero((codes == code).to_numpy())], linewidth=0, **style)
        if fill is not None:
            fill.set_gid(f"ntp-class-{code}")


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
