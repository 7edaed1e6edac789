"""The maps and charts section of a report: disbursement, poverty change and need against money by
commune; disbursement by project and through the year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from analysis.catalog.programmes import get_programme
from analysis.common.i18n import t
from analysis.common.numbers import format_date
from analysis.maps import charts
from analysis.maps import choropleth as maps
from analysis.metrics.finance import disbursement, progress
from analysis.report.area import area_subtitle, shown_dates
from analysis.report.figures import Picture, decorate_area_map, map_frame, new_map_figure, shared_map
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def _source(ctx: ReportContext) -> str:
    # the source line is short: the latest date of the figures (the subtitle gives them all)
    return t("report.map_source_programme", ctx.lang, programme=get_programme(ctx.programme).title(ctx.lang),
             as_of=format_date(shown_dates(ctx).latest, ctx.lang))


def _map(
    ctx: ReportContext,
    title_key: str,
    column: str | tuple[str, str],
    legend_set: str,
    title: str | None = None,
    no_plan: bool = True,
) -> Picture:
    """A map of the report's communes: ``column`` classed by ``legend_set``, drawn on the
    report's figure of its communes when it has one (:func:`shared_map`)."""
    alt = t(title_key, ctx.lang)
    labels = "commune_name" if ctx.level != "province" else None  # a province has too many to label
    kw = {"no_plan_column": "no_plan" if no_plan else None, "title": title, "lang": ctx.lang,
          "source": _source(ctx), "subtitle": area_subtitle(ctx)}  # fmt: skip

    def alone() -> Figure:
        gdf = map_frame(ctx)
        fig, ax = new_map_figure()
        unit_view(ctx).frame_axes(ctx, ax)
        maps.choropleth(gdf, column, legend_set, ax=ax, labels=labels, **kw)
        decorate_area_map(ctx, ax, gdf)
        return fig

    if unit_view(ctx).draws_maps_alone:  # new communes with their neighbours and the former districts
        return Picture(alone(), alt)
    gdf = map_frame(ctx)
    return shared_map(ctx, gdf["commune_code"], labels, alt, alone,
                      lambda ax: maps.restyle(ax, gdf, column, legend_set, **kw))  # fmt: skip


def map_disbursement(ctx: ReportContext) -> Picture:
    """Disbursement rate by commune, with the fixed policy bins; zero plan its own class."""
    return _map(ctx, "title.disbursement_rate", "rate", "disbursement_rate")


def map_poverty_change(ctx: ReportContext) -> Picture:
    """Change in the poverty rate since the baseline year, percentage points, by commune."""
    title = t("title.poverty_change_pp", ctx.lang) + f" ({ctx.baseline_year}–{ctx.poverty_year})"
    return _map(ctx, "title.poverty_change_pp", "poverty_rate_change_pp", "poverty_change_pp", title, no_plan=False)


def map_need_vs_money(ctx: ReportContext) -> Picture:
    """Where need and money diverge: high poverty with low disbursement stands out."""
    return _map(ctx, "title.need_vs_money", ("poverty_rate_now", "rate"), "need_vs_money")


def chart_projects(ctx: ReportContext) -> Picture:
    """Disbursement by project and capital type (bars: plan and disbursed)."""
    table = disbursement(ctx.snapshot.assign(project=ctx.snapshot["project"].fillna("–")), ["project", "capital_type"])
    title = t(get_programme(ctx.programme).label_key("chart.projects"), ctx.lang)  # "... by component" from 2026
    chart = charts.projects_chart(table, ctx.lang, order=charts.project_order, title=title)
    return Picture(chart.figure, title)


def chart_progress(ctx: ReportContext) -> Picture:
    """Progress through the year from the as-of snapshots, by capital type."""
    prog = progress(ctx.area.finance[ctx.area.finance["as_of"] <= ctx.as_of], ctx.year, "capital_type")
    return Picture(charts.progress_chart(prog, ctx.lang).figure, t("chart.progress", ctx.lang))
