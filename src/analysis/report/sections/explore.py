"""The exploration notebook's pieces: an interactive map and a sorted table of one indicator by commune."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.common.i18n import t
from analysis.errors import ParameterError
from analysis.maps import interactive
from analysis.report.figures import map_frame
from analysis.report.tables import html_table

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


#: Indicators the exploration notebook offers: name -> (column, legend set)
INDICATORS = {
    "disbursement_rate": ("rate", "disbursement_rate"),
    "poverty_change_pp": ("poverty_rate_change_pp", "poverty_change_pp"),
    "poverty_rate": ("poverty_rate_now", "poverty_rate"),
}


def _indicator(indicator: str) -> tuple[str, str]:
    if indicator not in INDICATORS:
        raise ParameterError(f"indicator must be one of {', '.join(INDICATORS)}, not {indicator!r}")
    return INDICATORS[indicator]


def interactive_map(ctx: ReportContext, indicator: str = "disbursement_rate") -> HTML:
    """A map of one indicator by commune; hover a commune for its name and value (offline)."""
    column, legend_set = _indicator(indicator)
    gdf = map_frame(ctx)
    no_plan = "no_plan" if legend_set == "disbursement_rate" else None
    name = "commune_name"
    return HTML(interactive.svg_map(gdf, column, legend_set, name, ctx.lang, no_plan_column=no_plan))


def indicator_table(ctx: ReportContext, indicator: str = "disbursement_rate") -> HTML:
    """The communes sorted by one indicator (missing values last)."""
    column, legend_set = _indicator(indicator)
    gdf = map_frame(ctx)
    kind = "pp" if legend_set == "poverty_change_pp" else "rate"
    cols = {
        "commune_name": (t("report.col.commune_name", ctx.lang), "text"),
        column: (t(f"legend.{legend_set}", ctx.lang), kind),
    }
    return HTML(
        f"<div class='ntp-report'>{html_table(gdf.sort_values(column, na_position='last'), cols, ctx.lang)}</div>"
    )
