"""The finance sections of a report: the headline figures (cards and the tables by capital type and
fund) and the table by project."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from analysis.catalog.programmes import get_programme
from analysis.common.i18n import t
from analysis.common.numbers import format_number, format_percent, format_points
from analysis.maps import charts
from analysis.metrics.coverage import area_coverage, beside
from analysis.metrics.finance import disbursement
from analysis.metrics.poverty import region_counts, region_iii_exits
from analysis.report.area import area_headline, area_poverty_change
from analysis.report.tables import cards, esc, html_table
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def headline_figures(ctx: ReportContext) -> HTML:
    """Plan and disbursed by capital type and fund, with rates; poverty; region III."""
    lang = ctx.lang
    h = area_headline(ctx)
    finance = area_coverage(ctx).finance  # beside every figure summed from part of the area
    items = [
        (
            t(f"{prefix}.{key}", lang).capitalize(),
            format_percent(row["rate"], lang) if row["has_plan"] else t("legend.no_plan", lang),
            beside(t(
                "report.disbursed_of_plan",
                lang,
                disbursed=format_number(row["disbursed_mvnd"] / 1000, lang, 2),
                plan=format_number(row["plan_mvnd"] / 1000, lang, 2),
            ), finance, lang),
        )
        for column, prefix in (("capital_type", "capital"), ("fund", "fund"))
        for key, row in h[column].set_index(column).iterrows()
    ]
    items += _poverty_cards(ctx)
    (rows, cols), (detail_rows, _) = headline_frames(ctx, h)
    totals = html_table(rows, cols, lang, total_row=True)
    detail = html_table(detail_rows, cols, lang)
    estimated = unit_view(ctx).estimated_html(ctx)
    return HTML(f"<div class='ntp-report'>{cards(items)}{totals}{detail}{totals_note(ctx)}{estimated}</div>")


def totals_note(ctx: ReportContext) -> str:
    """Under a table of the area's finance totals summed from part of it: whose totals they are."""
    finance = area_coverage(ctx).finance
    if not finance.partial:
        return ""
    return f"<p class='ntp-note'>{esc(t('coverage.totals_note', ctx.lang, coverage=finance.text(ctx.lang)))}</p>"


def headline_frames(
    ctx: ReportContext, h: dict[str, pd.DataFrame] | None = None
) -> list[tuple[pd.DataFrame, dict[str, tuple[str, str]]]]:
    """The two headline tables as ``(frame, {column: (header, kind)})``: by capital type, by
    fund and the total (its last row); and by capital type and fund together."""
    lang = ctx.lang
    h = area_headline(ctx) if h is None else h
    cols = {
        "capital_label": (t("report.col.capital_type", lang), "text"),
        "fund_label": (t("report.col.fund", lang), "text"),
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    return [(_summary_rows(h, lang), cols), (_labelled(h["capital_type_fund"], lang), cols)]


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["capital_label"] = out["capital_type"].map(lambda c: t(f"capital.{c}", lang)) if "capital_type" in out else ""
    out["fund_label"] = out["fund"].map(lambda c: t(f"fund.{c}", lang)) if "fund" in out else ""
    return out


def _summary_rows(h: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    """By capital type (all funds), by fund (all capital types), and the total."""
    total = h["total"].assign(capital_label=t("report.total", lang), fund_label="")
    by_type = _labelled(h["capital_type"], lang).assign(fund_label=t("report.all_funds", lang))
    by_fund = _labelled(h["fund"], lang).assign(capital_label=t("report.all_capital", lang))
    rows = pd.concat([by_type, by_fund, total], ignore_index=True)
    rows["rate"] = rows["rate"].where(rows["has_plan"])
    return rows


def _poverty_cards(ctx: ReportContext) -> list[tuple[str, str, str]]:
    lang, items = ctx.lang, []
    if ctx.poverty_year is not None and ctx.baseline_year is not None:
        ch = area_poverty_change(ctx)
        for rate in ("poverty_rate", "em_poverty_rate"):
            items.append(
                (
                    t(f"report.{rate}", lang, year=ctx.poverty_year),
                    format_percent(ch[f"{rate}_now"], lang),
                    beside(_change_text(ctx, ch[f"{rate}_change_pp"]), area_coverage(ctx).poverty, lang),
                )
            )
    base_y, now_y = ctx.class_years
    if now_y is not None:
        n3 = int(region_counts(ctx.area.classification, now_y)["III"].iloc[0])
        exits = len(region_iii_exits(ctx.area.classification, base_y, now_y)) if base_y and base_y != now_y else 0
        exits_note = t("report.region_iii_exits", lang, n=exits, year=base_y) if base_y != now_y else ""
        villages = _villages(ctx.area.classification, now_y)
        # the 2026-2030 classification counts villages: "39/65" communes, and the thôn ĐBKK among them
        label, value = t("report.region_iii", lang, year=now_y), format_number(n3, lang)
        if villages is not None and len(villages) == 1:  # one commune: its region
            label, value = t("report.region_of_commune", lang, year=now_y), str(villages["region"].iloc[0])
        elif villages is not None:
            value = f"{value}/{len(villages)}"
        items.append((label, value, beside(exits_note, area_coverage(ctx).classification, lang)))
        if villages is not None:
            items.append(_dbkk_card(ctx, villages, now_y))
    return items


def _change_text(ctx: ReportContext, points: float) -> str:
    """"−2,0 điểm % so với năm 2025", and the break when the two years count under two standards."""
    if ctx.baseline_year == ctx.poverty_year:
        return ""
    text = t("report.change_since", ctx.lang, change=format_points(points, ctx.lang), year=ctx.baseline_year)
    return f"{text} ({ctx.standard_break})" if ctx.standard_break else text


def _villages(classification: pd.DataFrame, year: int) -> pd.DataFrame | None:
    """The classification rows of ``year`` when they count the villages (2026–2030), else None."""
    rows = classification[classification["year"] == year]
    if "villages" not in rows.columns or not len(rows) or rows["villages"].isna().all():
        return None
    return rows


def _dbkk_card(ctx: ReportContext, rows: pd.DataFrame, year: int) -> tuple[str, str, str]:
    """"385 thôn ĐBKK, of 1,646 villages in the EM area; 16/65 communes and wards without one"."""
    lang = ctx.lang
    note = t("report.dbkk_of_villages", lang, villages=format_number(int(rows["villages"].sum()), lang))
    if len(rows) > 1:  # a province: the communes without one
        none = int((rows["dbkk_villages"].fillna(0) == 0).sum())
        note += "; " + t("report.units_without_dbkk", lang, n=none, total=len(rows))
    return (t("report.dbkk_villages", lang, year=year), format_number(int(rows["dbkk_villages"].sum()), lang),
            beside(note, area_coverage(ctx).classification, lang))  # fmt: skip


def project_table(ctx: ReportContext) -> HTML:
    """Plan, disbursed and rate by project (DA1…DA10) and capital type."""
    wide, cols = project_frame(ctx)
    return HTML(f"<div class='ntp-report'>{html_table(wide, cols, ctx.lang)}{totals_note(ctx)}</div>")


def project_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The project table as ``(frame, {column: (header, kind)})``, in DA1…DA10 order."""
    lang = ctx.lang
    snap = ctx.snapshot.assign(project=ctx.snapshot["project"].fillna("–"))
    wide = None
    column = get_programme(ctx.programme).label_key("report.col.project")  # "Hợp phần" from 2026
    cols: dict[str, tuple[str, str]] = {"project": (t(column, lang), "text")}
    for ct in ("investment", "recurrent"):
        part = disbursement(snap[snap["capital_type"] == ct], "project").set_index("project")
        part = part[["plan_mvnd", "disbursed_mvnd", "rate"]].add_prefix(f"{ct}_")
        wide = part if wide is None else wide.join(part, how="outer")
        label = t(f"capital.{ct}", lang)
        cols |= {
            f"{ct}_plan_mvnd": (f"{label}: {t('report.col.plan_mvnd', lang)}", "mvnd"),
            f"{ct}_disbursed_mvnd": (f"{label}: {t('report.col.disbursed_mvnd', lang)}", "mvnd"),
            f"{ct}_rate": (f"{label}: {t('report.col.rate', lang)}", "rate"),
        }
    total = disbursement(snap, "project").set_index("project")[["plan_mvnd", "disbursed_mvnd", "rate"]]
    wide = wide.join(total).reset_index()
    wide = wide.iloc[sorted(range(len(wide)), key=lambda i: charts.project_order(wide["project"].iloc[i]))]
    cols |= {
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    return unit_view(ctx).mark_projects(ctx, wide, cols)
