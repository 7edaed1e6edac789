"""The area's indicator figures for a report: its indicator rows up to the report's date (read
once), those rows added up by level (once per level), the area's figures at their latest dates,
and those figures as facts of the written summary (:func:`summary_figures`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.indicators import load_catalogue
from analysis.inputs.indicators import empty_indicators
from analysis.metrics.indicators import aggregate, latest
from analysis.report.indicator_figures import format_figure, missing_note
from analysis.report.summaries.facts import IndicatorFigure
from analysis.report.summaries.formats import format_money
from analysis.store.indicators import load_indicators

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def indicator_rows(ctx: ReportContext) -> pd.DataFrame:
    """The area's indicator rows up to the report's date: year at most the report's year, as-of
    date at most the report's date. Read once per report and kept on ``ctx``.

    Prepared data from before indicators existed gives an empty table.
    """
    if ctx._indicators is None:
        a = ctx.area
        if ctx.level not in ("district", "province"):  # a new commune's report: data by the 2025 units has none
            ctx._indicators = empty_indicators()
            return ctx._indicators
        rows = load_indicators(a.data_dir, a.province_code, a.district_code)
        keep = (rows["year"].astype(int) <= ctx.year) & (pd.to_datetime(rows["as_of"]) <= ctx.as_of)
        ctx._indicators = rows[keep.to_numpy()].reset_index(drop=True)
    return ctx._indicators


def has_indicators(ctx: ReportContext) -> bool:
    """Whether the area has any indicator row up to the report's date."""
    return len(indicator_rows(ctx)) > 0


def area_communes(ctx: ReportContext) -> pd.DataFrame:
    """The report's communes (with their district and province), without geometry."""
    return pd.DataFrame(ctx.area.communes.drop(columns="geometry"))


def aggregated(ctx: ReportContext, level: str) -> pd.DataFrame:
    """The report's indicator rows added up to the units of ``level``
    (:func:`analysis.inputs.indicators.aggregate`), worked out once per report and level: the area's
    figures, the table by unit and the maps use them. A copy each time."""
    by_level = ctx._indicators_by_level
    if level not in by_level:
        by_level[level] = aggregate(indicator_rows(ctx), area_communes(ctx), level, load_catalogue())
    return by_level[level].copy()


def area_figures(ctx: ReportContext) -> pd.DataFrame:
    """The area's figures: every indicator at its latest date, added up over the area.

    Returns
    -------
    pandas.DataFrame
        One row per indicator with data in the area, in catalogue order: the columns of
        :func:`analysis.inputs.indicators.aggregate` (``value``, ``numerator``, ``denominator``,
        ``n_units``, ``units_missing``…) and ``name``, ``text`` (``174/181 xã (96,1%)``;
        amounts in billion VND rounded to one decimal, as the summary writes them) and
        ``note`` (``1 xã chưa có số liệu``). Empty without indicator rows.
    """
    rows = indicator_rows(ctx)
    if not len(rows):
        return pd.DataFrame(columns=["indicator", "name", "year", "as_of", "value", "text", "note"])
    cat = load_catalogue()
    agg = latest(aggregated(ctx, ctx.level))
    agg = agg[(agg["n_units"] > 0) | (agg["units_missing"] > 0)].copy()  # only what was reported here

    def text(r: pd.Series) -> str:
        ind = cat[r["indicator"]]
        if ind.is_amount and ind.kind != "numerator" and pd.notna(r["value"]):
            return format_money(r["value"], ctx.lang, "round")
        return format_figure(r, ind, ctx.lang, prose=True)

    agg["name"] = [cat[c].name(ctx.lang) for c in agg["indicator"]]
    agg["text"] = [text(r) for _, r in agg.iterrows()]
    agg["note"] = [missing_note(r, cat[r["indicator"]], ctx.lang) for _, r in agg.iterrows()]
    return agg.reset_index(drop=True)


def summary_figures(ctx: ReportContext) -> tuple[IndicatorFigure, ...]:
    """The area's figures as facts of the written summary (:class:`analysis.report.summaries.facts.IndicatorFigure`)."""

    def number(x: object) -> float | None:
        return None if x is None or pd.isna(x) else float(x)

    return tuple(
        IndicatorFigure(
            code=r["indicator"],
            year=int(r["year"]),
            as_of=pd.Timestamp(r["as_of"]).date(),
            value=number(r["value"]),
            numerator=number(r["numerator"]),
            denominator=number(r["denominator"]),
            units_missing=int(r["units_missing"]),
        )
        for _, r in area_figures(ctx).iterrows()
    )
