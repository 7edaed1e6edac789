"""An interactive map that needs no internet: inline SVG with hover titles.

Web maps (Leaflet, folium) fetch their scripts and tiles from the internet; a report opened
from a USB stick in a district office has none. This map is plain SVG inside HTML: each unit
is a path whose ``<title>`` the browser shows on hover (name and value), coloured with the
indicator's legend set. It works in JupyterLab and in the exported static HTML alike.
"""

from __future__ import annotations

import html

import geopandas as gpd
import numpy as np
import shapely

from analysis.common.i18n import t
from analysis.common.numbers import format_number, format_percent, format_points
from analysis.config import METRIC_CRS
from analysis.maps.classes import classify
from analysis.maps.legend_text import legend_labels, legend_title
from analysis.maps.legends import NO_DATA, NO_PLAN, LegendSet, get_legend_set

_WIDTH = 720


def _path(geom, x0: float, y1: float, scale: float) -> str:
    """SVG path data of a (multi)polygon, y axis flipped."""
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            pts = " ".join(f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}" for x, y in xy)
            parts.append(f"M{pts}Z")
    return " ".join(parts)


def value_text(value: float, code: int, legend_set: LegendSet | str, lang: str = "vi") -> str:
    """A unit's value as its hover text says it, in its legend set's format.

    Rates and shares as percentages (``96,1%``), changes in points with their sign
    (``−2,9``), counts and amounts as numbers (``431``, ``1.250,5``; million VND for
    amounts, as in the tables), yes/no and other categories by their class label (``có``).

    Examples
    --------
    >>> value_text(0.4299, 2, "disbursement_rate"), value_text(-2.9, 1, "poverty_change_pp", "en")
    ('42,99%', '−2.9')
    >>> value_text(1250.5, 4, "indicator_amount"), value_text(1.0, 1, "indicator_yes_no", "en")
    ('1.250,5', 'yes')
    """
    ls = get_legend_set(legend_set)
    if ls.labels_fmt == "points":
        return format_points(value, lang)
    if ls.labels_fmt == "number":
        decimals = 0 if float(value).is_integer() else 3
        text = format_number(value, lang, decimals)
        return text.rstrip("0") if decimals else text  # 1.250,500 → 1.250,5
    if ls.labels_fmt == "category":
        return legend_labels(ls, lang, special=False)[code]
    return format_percent(value, lang)


def svg_map(
    gdf: gpd.GeoDataFrame,
    column: str,
    legend_set: str,
    name_column: str,
    lang: str = "vi",
    no_plan_column: str | None = None,
    simplify_m: float = 30.0,
) -> str:
    """Return HTML (inline SVG) of a choropleth whose units show name and value on hover.

    Parameters
    ----------
    gdf
        Units with polygons (any CRS) and the indicator column.
    column
        Indicator column (a fraction for rates, points for changes).
    legend_set
        Key of :data:`analysis.maps.legends.LEGEND_SETS` (one-column sets).
    name_column
        Column with the unit names shown on hover.
    lang
        ``"vi"`` or ``"en"``.
    no_plan_column
        Boolean column marking units with a zero plan.
    simplify_m
        Simplification tolerance in metres (keeps the page small).

    Returns
    -------
    str
        A ``<div>`` with the SVG and its legend; every text is HTML-escaped.
    """
    ls = get_legend_set(legend_set)
    data = gdf[gdf.geometry.notna()].to_crs(METRIC_CRS)
    no_plan = data[no_plan_column] if no_plan_column else None
    codes = classify(data[column], ls, no_plan)
    geoms = shapely.simplify(data.geometry.to_numpy(), simplify_m)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    scale = _WIDTH / max(x1 - x0, 1.0)
    height = (y1 - y0) * scale
    paths = []
    for geom, code, name, value in zip(geoms, codes, data[name_column], data[column], strict=True):
        if code == NO_DATA:
            fill, text = ls.no_data_color, t("legend.no_data", lang)
        elif code == NO_PLAN:
            fill, text = ls.no_plan_color, t("legend.no_plan", lang)
        else:
            fill, text = ls.colors[code], value_text(value, code, ls, lang)
        title = html.escape(f"{name}: {text}")
        paths.append(
            f'<path d="{_path(geom, x0, y1, scale)}" fill="{fill}" class="ntp-unit"><title>{title}</title></path>'
        )
    labels = legend_labels(ls, lang, special=False)
    swatches = "".join(
        f'<span style="display:inline-block;margin-right:10px">'
        f'<span style="display:inline-block;width:14px;height:10px;'
        f'background:{c};border:1px solid #999;margin-right:4px"></span>{html.escape(lab)}</span>'
        for c, lab in zip(ls.colors, labels, strict=True)
    )
    swatches += (
        f'<span style="display:inline-block"><span style="display:inline-block;width:14px;height:10px;'
        f'background:{ls.no_data_color};border:1px solid #999;margin-right:4px"></span>'
        f"{html.escape(t('legend.no_data', lang))}</span>"
    )
    style = (
        "<style>.ntp-svgmap path.ntp-unit{stroke:#fff;stroke-width:0.6}"
        ".ntp-svgmap path.ntp-unit:hover{stroke:#000;stroke-width:1.6}</style>"
    )
    return (
        f'<div class="ntp-svgmap">{style}<div style="font-weight:bold">{html.escape(legend_title(ls, lang))}</div>'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" role="img">{"".join(paths)}</svg>'
        f'<div style="font-size:0.85em">{swatches}</div></div>'
    )
