"""The indicators section of the reports: the area's figures, a table by unit, a map per indicator.

Each public function is one call of a report cell and takes the report's
:class:`~analysis.report.area.ReportContext`. Every one returns ``None`` (Jupyter shows nothing)
when the area has no indicator figure up to the report's date, so a report without
indicators has no empty section and no empty table.

Which figures: each indicator at its latest date at or before the report's date, in a year
up to the report's year. A 2023 report therefore shows the 2023 road and electricity
figures and the 2018 Programme 135 figures, each with the date it stands at (in the table
headers, the figures table and the summary's sentences). The sentences themselves are
written by :mod:`analysis.report.summaries` from
:func:`analysis.report.summaries.indicator_facts.summary_figures`.

Maps: an indicator is mapped by commune (village figures added up to their communes) and, in
a province overview, a district-level indicator by district; it is not mapped where every
unit with a figure falls in the same legend class (181/181 communes with a steering committee) — a note
says so, and the table shows them. Each map uses its own legend set
(:func:`analysis.report.indicator_figures.indicator_values`, ``attrs["legend_set"]``): yes/no,
share, count or amount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from analysis.catalog.indicators import load_catalogue
from analysis.common.i18n import t
from analysis.common.numbers import format_date
from analysis.maps.choropleth import choropleth, restyle
from analysis.maps.classes import classify
from analysis.maps.legend_text import legend_labels
from analysis.maps.legends import NO_DATA
from analysis.metrics.poverty import region_iii_exits
from analysis.report.figures import Picture, decorate_area_map, new_map_figure, shared_map
from analysis.report.headings import section_heading
from analysis.report.indicator_data import aggregated, area_communes, has_indicators, indicator_rows
from analysis.report.indicator_figures import indicator_values, indicators_by_unit
from analysis.report.summaries.indicator_facts import area_figures
from analysis.report.tables import esc, html_table

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


#: Kinds mapped; a denominator is shown through its numerator's share.
MAPPED_KINDS = ("yes_no", "numerator", "count", "amount")


# --- sections -----------------------------------------------------------------------------


def _table_level(ctx: ReportContext) -> str:
    """Units of the table by unit: communes in a district report, districts in an overview."""
    return "commune" if ctx.level == "district" else "district"


def indicators_heading(ctx: ReportContext) -> HTML | None:
    """The section heading and its introduction; nothing when the area has no indicators."""
    return section_heading(ctx, "indicators") if has_indicators(ctx) else None


def figures_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The area's figures as ``(frame, {column: (header, kind)})``: indicator, figure, date, note;
    and, when the classification has two years, the region III communes that left region III."""
    lang, figs = ctx.lang, area_figures(ctx)
    frame = pd.DataFrame(
        {
            "name": figs["name"],
            "text": figs["text"],
            "as_of": [format_date(d, lang) for d in figs["as_of"]],
            "note": figs["note"],
        }
    )
    base_y, now_y = ctx.class_years
    if len(frame) and base_y is not None and now_y is not None and base_y != now_y:
        n = len(region_iii_exits(ctx.area.classification, base_y, now_y))
        exits = {
            "name": t("indicator.region_iii_exits", lang),
            "as_of": str(now_y),
            "note": "",
            "text": t("indicator.exits", lang, n=n, from_year=base_y, to_year=now_y),
        }
        frame = pd.concat([frame, pd.DataFrame([exits])], ignore_index=True)
    cols = {
        "name": (t("indicator.col.figure", lang), "text"),
        "text": (t("indicator.col.value", lang), "text"),
        "as_of": (t("indicator.col.as_of", lang), "text"),
        "note": (t("indicator.col.note", lang), "text"),
    }
    return frame, cols


def indicator_figures_table(ctx: ReportContext) -> HTML | None:
    """The area's figures as a table (the written summary states them in prose)."""
    if not has_indicators(ctx):
        return None
    frame, cols = figures_frame(ctx)
    head = t(f"report.indicators.figures_{_table_level(ctx)}", ctx.lang)
    return HTML(f"<div class='ntp-report'><h3>{esc(head)}</h3>{html_table(frame, cols, ctx.lang)}</div>")


def indicator_units_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The table by unit as ``(frame, {column: (header, kind)})``: one row per commune (district
    report) or district (overview), one column per indicator (denominators are shown through
    their shares); ``frame.attrs["notes"]`` lists the units without a figure."""
    cat = load_catalogue()
    wanted = [c for c in cat.codes if cat[c].kind != "denominator"]
    level = _table_level(ctx)
    frame = indicators_by_unit(indicator_rows(ctx), area_communes(ctx), level, lang=ctx.lang, indicators=wanted,
                            catalogue=cat, aggregated=aggregated(ctx, level))  # fmt: skip
    return frame, {c: (c, "text") for c in frame.columns}


def indicator_units_table(ctx: ReportContext) -> HTML | None:
    """The indicators by commune (district report) or by district (overview), with the units
    that have no figure listed under the table."""
    if not has_indicators(ctx):
        return None
    frame, cols = indicator_units_frame(ctx)
    if frame.shape[1] <= 2:  # no indicator at this level (only district figures, in a district report)
        return None
    lang = ctx.lang
    notes = frame.attrs.get("notes", [])
    listed = ""
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        listed = f"<p class='ntp-note'>{esc(t('report.indicators.notes', lang))}</p><ul class='ntp-note'>{items}</ul>"
    head = t(f"report.indicators.by_{_table_level(ctx)}", lang)
    return HTML(
        f"<div class='ntp-report'><h3>{esc(head)}</h3><div style='overflow-x:auto'>"
        f"{html_table(frame, cols, lang)}</div>{listed}</div>"
    )


# --- maps ---------------------------------------------------------------------------------


def _map_level(ctx: ReportContext, level: str) -> str | None:
    """The units an indicator of ``level`` is mapped by: communes, or districts in an overview."""
    if level in ("village", "commune"):
        return "commune"
    if level == "district" and ctx.level == "province":
        return "district"
    return None  # the area's own figure: said in the text, not mapped


def map_values(ctx: ReportContext, code: str) -> pd.DataFrame | None:
    """One indicator by the units of its map (``unit_code, value, n_units, units_missing``),
    with its legend set in ``attrs["legend_set"]``; None when it is not mapped in this report."""
    cat = load_catalogue()
    ind = cat.get(code)
    level = _map_level(ctx, ind.level)
    rows = indicator_rows(ctx)
    if ind.kind not in MAPPED_KINDS or level is None or not rows["indicator"].eq(ind.code).any():
        return None
    return indicator_values(rows, area_communes(ctx), ind.code, level, catalogue=cat, aggregated=aggregated(ctx, level))


def _classes(values: pd.DataFrame) -> list[int]:
    """The legend classes the units with a figure fall in."""
    codes = classify(values["value"], values.attrs["legend_set"])
    return sorted(set(codes[codes != NO_DATA]))


def _varies(values: pd.DataFrame) -> bool:
    """A map says something: the units with a figure fall in two classes or more."""
    return len(_classes(values)) > 1


def map_indicator(ctx: ReportContext, code: str, values: pd.DataFrame | None = None) -> Picture | None:
    """A choropleth of one indicator with its own legend set; None when it is not mapped here
    (not at a mappable level, or every unit with a figure falls in the same class).

    ``values``: its :func:`map_values`, when already worked out.
    """
    values = map_values(ctx, code) if values is None else values
    if values is None or not _varies(values):
        return None
    lang, ind = ctx.lang, load_catalogue()[code]
    level = _map_level(ctx, ind.level)
    gdf = _geometries(ctx, level).merge(values, left_on=f"{level}_code", right_on="unit_code", how="left")
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=ctx.area.communes.crs)
    as_of = pd.to_datetime(indicator_rows(ctx).loc[lambda r: r["indicator"] == code, "as_of"]).max()
    when = format_date(as_of, lang)
    labels = f"{level}_name" if ctx.level == "district" or level == "district" else None
    kw = {"lang": lang, "title": ind.name(lang), "source": t("report.indicators.map_source", lang, as_of=when),
          "subtitle": t("report.indicators.map_subtitle", lang, area=ctx.area.name, as_of=when)}  # fmt: skip
    legend_set = values.attrs["legend_set"]

    def alone() -> Figure:
        fig, ax = new_map_figure()
        choropleth(gdf, "value", legend_set, ax=ax, labels=labels, **kw)
        decorate_area_map(ctx, ax, gdf)
        return fig

    return shared_map(ctx, gdf[f"{level}_code"], labels, f"{ind.name(lang)} ({when})", alone,
                      lambda ax: restyle(ax, gdf, "value", legend_set, **kw))  # fmt: skip


def _geometries(ctx: ReportContext, level: str) -> gpd.GeoDataFrame:
    if level == "commune":
        return ctx.area.communes[["commune_code", "commune_name", "district_code", "geometry", "boundary_quality"]]
    d = ctx.area.districts[["district_code", "district_name", "geometry"]].copy()
    d["boundary_quality"] = ctx.area.communes["boundary_quality"].iloc[0] if len(ctx.area.communes) else "surveyed"
    return d


def _candidates(ctx: ReportContext) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """``({code: map values} of the indicators drawn, {code: map values} of those not drawn as
    every unit falls in the same class})``, in catalogue order, among those with a figure at a
    mappable level."""
    drawn, same = {}, {}
    for code in load_catalogue().codes:
        values = map_values(ctx, code)
        if values is None or values["value"].notna().sum() == 0:
            continue
        (drawn if _varies(values) else same)[code] = values
    return drawn, same


def mapped_indicators(ctx: ReportContext) -> tuple[list[str], list[str]]:
    """``(mapped, not_mapped)`` indicator codes, in catalogue order: those drawn, and those with
    data at a mappable level where every unit with a figure falls in the same legend class."""
    drawn, same = _candidates(ctx)
    return list(drawn), list(same)


def legend_sets(ctx: ReportContext) -> dict[str, str]:
    """Indicator code -> the legend set its map uses in this report (mapped indicators only)."""
    return {code: values.attrs["legend_set"] for code, values in _candidates(ctx)[0].items()}


def indicator_maps(ctx: ReportContext) -> HTML | None:
    """A map per indicator whose units fall in two legend classes or more, each with its own
    legend set, and a note naming the others with the class all their units fall in
    (``Xã đã thành lập, kiện toàn Ban Chỉ đạo cấp xã: có``)."""
    if not has_indicators(ctx):
        return None
    drawn, same = _candidates(ctx)
    if not drawn and not same:
        return None
    lang, cat = ctx.lang, load_catalogue()
    parts = [f"<h3>{esc(t('report.indicators.maps', lang))}</h3>"]
    parts += [map_indicator(ctx, code, values)._repr_html_() for code, values in drawn.items()]
    if same:
        names = "; ".join(
            f"{cat[c].name(lang)}: {legend_labels(v.attrs['legend_set'], lang, special=False)[_classes(v)[0]]}"
            for c, v in same.items()
        )
        parts.append(f"<p class='ntp-note'>{esc(t('report.indicators.not_mapped', lang, names=names))}</p>")
    return HTML(f"<div class='ntp-report'>{''.join(parts)}</div>")
