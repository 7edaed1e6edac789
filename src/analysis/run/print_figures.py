"""The figures of the print maps: a province's and a district's maps, the atlas page, the charts.

Each function takes the :class:`~analysis.report.mapdata.MapData` of a province and returns a
new :class:`~matplotlib.figure.Figure`, drawn with the maps of :mod:`analysis.maps` (labels
last, fitted to the layout); :mod:`analysis.run.print_maps` writes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.common.i18n import t
from analysis.errors import ParameterError
from analysis.maps import charts, layers
from analysis.maps import choropleth as maps
from analysis.maps.classes import classify
from analysis.maps.furniture import is_approximate
from analysis.maps.labels import label_units, short_name
from analysis.maps.legends import NO_DATA, NO_PLAN, get_legend_set
from analysis.maps.style import TITLE_Y, map_style
from analysis.metrics.finance import disbursement
from analysis.report.mapdata import MapData
from analysis.run.print_names import district_name

__all__ = [
    "INDICATORS",
    "atlas_figure",
    "chart_figures",
    "district_map",
    "map_source",
    "map_subtitle",
    "province_map",
]

#: The maps of every area: legend set -> the columns it maps.
INDICATORS = {
    "disbursement_rate": ("rate",),
    "poverty_change_pp": ("poverty_rate_change_pp",),
    "need_vs_money": ("poverty_rate_now", "rate"),
}
_MAP_SIZE = (9.0, 6.6)
_A3_LANDSCAPE = (16.54, 11.69)


def map_source(data: MapData, lang: str) -> str:
    """The source line of a print map: the finance, poverty and boundary files of the data."""
    m = data.area.manifest
    names = {k: Path(m["inputs"][k]["path"]).name if k in m.get("inputs", {}) else "–" for k in ("finance", "poverty")}
    boundaries = Path(m.get("boundaries", {}).get("path", "–")).name
    return t("map.source", lang, boundaries=boundaries, **names)


def map_subtitle(data: MapData, indicator: str, lang: str, district: str | None) -> str:
    """The subtitle of a print map: the area, and the period with the date its figures run to."""
    area = data.area
    if district:
        where = t("map.area_district", lang, district=district_name(data, district), province=area.province_name)
    else:
        where = t("map.area_province", lang, province=area.province_name)
    as_of = data.as_of_text(lang, district)  # the date of the figures shown, not only the one asked for
    if indicator == "poverty_change_pp":
        when = t("map.period_change", lang, base=data.baseline_year, year=data.poverty_year)
    elif indicator == "need_vs_money":
        when = t("map.period_need", lang, poverty_year=data.poverty_year, year=data.year, as_of=as_of)
    else:
        when = t("map.period_year", lang, year=data.year, as_of=as_of)
    return f"{where} · {when}"


def _draw(ax: Axes, gdf: gpd.GeoDataFrame, indicator: str, lang: str, **kwargs) -> Axes:
    if indicator not in INDICATORS:
        raise ParameterError(f"indicator must be one of {', '.join(INDICATORS)}, not {indicator!r}")
    gdf = gdf.copy()
    for col in INDICATORS[indicator]:
        if col not in gdf.columns:
            gdf[col] = float("nan")
    no_plan = "no_plan" if indicator != "poverty_change_pp" else None
    columns = INDICATORS[indicator]
    column = columns[0] if len(columns) == 1 else columns
    return maps.choropleth(gdf, column, indicator, ax=ax, lang=lang, no_plan_column=no_plan, **kwargs)


def _fills(gdf: gpd.GeoDataFrame, indicator: str) -> list[str]:
    # The colour each unit is drawn in, so that its label can be written in a contrasting one.
    ls = get_legend_set(indicator)
    columns = INDICATORS[indicator]
    values = gdf[columns[0]] if len(columns) == 1 else gdf[list(columns)]
    codes = classify(values, ls, gdf["no_plan"] if ls.has_no_plan else None)
    special = {NO_PLAN: ls.no_plan_color, NO_DATA: ls.no_data_color}
    return [ls.colors[c] if c >= 0 else special[c] for c in codes]


def _new_map(size: tuple[float, float] = _MAP_SIZE) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=100)
    return fig, fig.add_subplot()


def province_map(data: MapData, indicator: str = "disbursement_rate", lang: str = "vi") -> Figure:
    """A province's commune map of one indicator, district boundaries and names over it."""
    fig, ax = _new_map()
    _draw(ax, data.communes, indicator, lang, subtitle=map_subtitle(data, indicator, lang, None),
          source=map_source(data, lang))  # fmt: skip
    layers.draw_boundaries(ax, data.area.districts, linewidth=1.1, color="#252525")
    label_units(ax, data.area.districts, "district_name", fontsize=7.5, fontweight="bold")
    return fig


def district_map(data: MapData, district: str, indicator: str = "disbursement_rate", lang: str = "vi") -> Figure:
    """A district's commune map of one indicator: communes labelled, a locator inset."""
    districts = data.area.districts
    if district not in set(districts["district_code"]):
        raise ParameterError(f"district {district!r} is not a district code of {data.area.province_name}")
    this = districts[districts["district_code"] == district]
    fig, ax = _new_map()
    communes = data.communes[data.communes["district_code"] == district]
    _draw(ax, communes, indicator, lang, subtitle=map_subtitle(data, indicator, lang, district),
          source=map_source(data, lang))  # fmt: skip
    layers.draw_boundaries(ax, this, linewidth=1.1, color="#252525")
    layers.add_inset(ax, districts, this, loc="outside lower right", size=0.3)
    label_units(ax, communes, "commune_name", background=_fills(communes, indicator))  # last: fitted to the layout
    return fig


def _panel_title(name: str) -> str:
    # "Huyện" goes without saying on a page of districts; a city or town keeps its type.
    return short_name(name) if name.startswith("Huyện ") else name


def _grid(n: int) -> tuple[int, int]:
    cols = max(1, math.ceil(math.sqrt(n * 4 / 3)))
    return math.ceil(n / cols), cols


def atlas_figure(
    data: MapData, indicator: str = "disbursement_rate", lang: str = "vi", districts: Sequence[str] | None = None
) -> Figure:
    """One A3 landscape page: a small map of each district, the province, one shared legend.

    Each district is drawn to fill its panel, with its own scale bar and north arrow; the
    last column holds the whole province with the district boundaries and, under it, the
    legend, whose counts are the province's (the sum of the panels').
    """
    codes = list(districts) if districts is not None else data.district_codes
    area = data.area
    fig = Figure(figsize=_A3_LANDSCAPE, dpi=100)
    rows, cols = _grid(max(len(codes), 1))
    grid = fig.add_gridspec(rows, cols + 1, width_ratios=[1] * cols + [1.35], left=0.025, right=0.975, top=0.88,
                            bottom=0.06, wspace=0.12, hspace=0.16)  # fmt: skip
    # Panels leave the boundary note out: it is said once, on the page's source line.
    communes = data.communes.drop(columns="boundary_quality", errors="ignore")
    communes.attrs = {}
    small = {"scale_bar": {"fontsize": 6.5, "height": 2.5}, "north_arrow": {"size": 14, "fontsize": 7}}
    for i, code in enumerate(codes):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        part = communes[communes["district_code"] == code]
        _draw(ax, part, indicator, lang, title="", **small)
        ax.get_legend().remove()
        # Each map fills its panel (extra ground, not a smaller panel), so titles line up.
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(_panel_title(district_name(data, code)), loc="left", fontsize=10.5, pad=3, y=TITLE_Y)
        layers.draw_boundaries(ax, area.districts[area.districts["district_code"] == code], linewidth=0.9)
    side = grid[:, cols].subgridspec(2, 1, height_ratios=[1.1, 1], hspace=0.02)
    loc_ax = fig.add_subplot(side[0])
    legend = {"loc": "upper left", "bbox_to_anchor": (0.0, -0.06), "fontsize": 10, "title_fontsize": 10.5}
    _draw(loc_ax, communes, indicator, lang, title="", legend_kwds=legend, **small)
    layers.draw_boundaries(loc_ax, area.districts, linewidth=0.9)
    loc_ax.set_title(t("map.locator", lang, province=area.province_name), loc="left", fontsize=10.5, pad=3,
                     y=TITLE_Y)
    label_units(loc_ax, area.districts, "district_name", fontsize=6.5, fontweight="bold")
    with map_style():
        fig.suptitle(t("map.atlas_title", lang, title=t(f"title.{indicator}", lang), province=area.province_name),
                     x=0.025, y=0.965, ha="left", fontsize=18, fontweight="bold")  # fmt: skip
        fig.text(0.025, 0.925, map_subtitle(data, indicator, lang, None), fontsize=11, color="#525252")
        note = ""
        if is_approximate(data.communes):
            note = " · " + t("legend.approximate_boundaries", lang).capitalize()
        fig.text(0.025, 0.02, t("source_line", lang, source=map_source(data, lang)) + note, fontsize=8.5,
                 color="#525252")  # fmt: skip
    return fig


# --- charts ------------------------------------------------------------------------------------


def chart_figures(data: MapData, lang: str = "vi") -> dict[str, Figure]:
    """The province's three charts, by file-name indicator.

    ``projects`` (plan and disbursed by project and capital type), ``poverty_trend`` (poverty
    rate by district and year) and ``disbursement_vs_poverty_change`` (a scatter by district).
    """
    snap = data.snapshot.assign(project=data.snapshot["project"].fillna("–"))
    table = disbursement(snap, ["project", "capital_type"])
    out = {"projects": charts.projects_chart(table, lang).figure}
    names = dict(zip(data.area.districts["district_code"], data.area.districts["district_name"], strict=True))
    out["poverty_trend"] = charts.poverty_trend_chart(data.area.poverty, "district", lang, names=names).figure
    province = disbursement(data.snapshot)["rate"].iloc[0]
    ax = charts.scatter_chart(
        data.districts, lang, period=(data.baseline_year, data.poverty_year), reference=float(province)
    )
    out["disbursement_vs_poverty_change"] = ax.figure
    return out
