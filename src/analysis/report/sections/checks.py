"""The checks sections of a report: the units flagged by the rule checks, and the data quality
(rows read, accepted and rejected per input, unmatched units, rejects)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.common.i18n import t
from analysis.metrics.rules import RULES
from analysis.metrics.rules.sentences import sentences as rule_sentences
from analysis.report import quality as report_quality
from analysis.report.tables import esc, html_table
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def flagged_units(ctx: ReportContext) -> HTML:
    """Communes flagged by the rule checks (warnings, not rejections)."""
    lang, w = ctx.lang, ctx.area.warnings
    if not len(w):
        return HTML(f"<div class='ntp-report'><p>{esc(t('report.no_warnings', lang))}</p></div>")
    names = unit_view(ctx).warning_names(ctx)  # converted data: the old communes the warnings are keyed to
    order = {rule: i for i, rule in enumerate(RULES)}  # money counted wrongly first
    w = w.sort_values("rule", key=lambda r: r.map(order), kind="stable")
    w = w.assign(rule_label=w["rule"].map(lambda r: t(f"rule.{r}", lang)), commune_name=w["commune_code"].map(names),
                 sentence=rule_sentences(w, lang))
    summary = w.groupby("rule_label", sort=False).size().rename("n").reset_index()
    cols = {"rule_label": (t("report.col.rule", lang), "text"), "n": (t("report.col.count", lang), "int")}
    detail = {
        "rule_label": (t("report.col.rule", lang), "text"),
        "commune_name": (t("report.col.commune_name", lang), "text"),
        "year": (t("report.col.year", lang), "text"),
        "project": (t("report.col.project", lang), "text"),
        "sentence": (t("report.col.detail", lang), "text"),
    }
    return HTML(
        f"<div class='ntp-report'>{html_table(summary, cols, lang)}{html_table(w, detail, lang, max_rows=40)}</div>"
    )


def data_quality(ctx: ReportContext) -> HTML:
    """Rows read, accepted and rejected per input (they reconcile) and how much of the area each
    covers (:mod:`analysis.report.quality`), unmatched units, rejects."""
    lang = ctx.lang
    parts = [html_table(*report_quality.inputs_frame(ctx), lang)]
    parts += [f"<p class='ntp-warn'>{esc(note)}</p>" for note in report_quality.coverage_notes(ctx)]
    rej = ctx.area.rejects
    n_rows = rej[["file", "row"]].drop_duplicates().shape[0] if len(rej) else 0
    where = ctx.area.province_name if ctx.level == "commune" else ctx.area.name  # rejects of a new province
    parts.append(f"<p>{esc(t('report.rejects_in_area', lang, n=n_rows, area=where))}</p>")
    if len(rej):  # reasons and columns in the report's language
        parts.append(html_table(*report_quality.rejects_frame(ctx), lang, max_rows=30))
    parts += [f"<p>{esc(text)}</p>" for text in unit_view(ctx).match_paragraphs(ctx)]
    return HTML(f"<div class='ntp-report'>{''.join(parts)}</div>")
