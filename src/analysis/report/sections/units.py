"""The units section of a report: the table by commune (district report) or by district (province
overview); a new commune's report lists the old communes it was formed from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from analysis.common.i18n import t
from analysis.report.by_unit import coverage_columns, unit_table
from analysis.report.tables import html_table
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def units_table(ctx: ReportContext) -> HTML:
    """The table by commune (district report) or by district (province overview); a new
    commune's report lists the old communes it was formed from."""
    if ctx.level == "commune":
        return HTML(f"<div class='ntp-report'>{unit_view(ctx).commune_units_html(ctx)}</div>")
    df, cols = units_frame(ctx)
    return HTML(f"<div class='ntp-report'>{html_table(df, cols, ctx.lang)}</div>")


def units_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The units table as ``(frame, {column: (header, kind)})``, sorted by name, no rate
    where there is no plan."""
    lang, df = ctx.lang, unit_table(ctx)
    name = ctx.unit_col.replace("_code", "_name")
    cols: dict[str, tuple[str, str]] = {name: (t(f"report.col.{name}", lang), "text")}
    if "region" in df.columns:
        cols["region"] = (t("report.col.region", lang), "text")
    cols |= {
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    cols |= coverage_columns(ctx, df, "finance")
    if "poverty_rate" in df.columns:
        cols |= {
            "poverty_rate": (t("report.col.poverty_rate", lang, year=ctx.poverty_year), "rate"),
            "poverty_rate_change_pp": (t("report.col.poverty_change", lang, year=ctx.baseline_year), "pp"),
            "em_poverty_rate": (t("report.col.em_poverty_rate", lang, year=ctx.poverty_year), "rate"),
        }
        cols |= coverage_columns(ctx, df, "poverty")
    cols["warnings"] = (t("report.col.warnings", lang), "int")
    df = df.sort_values(name)
    df["rate"] = [r if hp else None for r, hp in zip(df["rate"], df["has_plan"].fillna(False), strict=True)]
    return unit_view(ctx).mark_units(ctx, df, cols, name)
