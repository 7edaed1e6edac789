"""The area's indicator figures at their latest dates, added up over the area, and those
figures as facts of the written summary (:func:`summary_figures`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.indicators import load_catalogue
from analysis.metrics.indicators import latest
from analysis.report.indicator_data import aggregated, indicator_rows
from analysis.report.indicator_figures import format_figure, missing_note
from analysis.report.summaries.facts import IndicatorFigure
from analysis.report.summaries.formats import format_money

if TYPE_CHECKING:
    from analysis.report.area import ReportContext

__all__ = ["area_figures", "summary_figures"]


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
