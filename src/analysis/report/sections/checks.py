"""The checks sections of a report: the units flagged by the rule checks, and the data quality
(rows read, accepted and rejected per input, unmatched units, rejects)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.common.i18n import t
from analysis.metrics.rules import RULES
from analysis.metrics.rules.sentences import sentences as rule_sentences
from analysis.report import quality as report_quality
from analysis.report import reform_estimates, reform_notes
from analysis.report.tables import esc, html_table

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def flagged_units(ctx: ReportContext) -> HTML:
    """Communes flagged by the rule checks (warnings, not rejections)."""
    lang, w = ctx.lang, ctx.area.warnings
    if not len(w):
        return HTML(f"<div class='ntp-report'><p>{esc(t('report.no_warnings', lang))}</p></div>")
    if ctx.converted:  # warnings are those of the old data, keyed to the old communes
        names = reform_estimates.warning_names(ctx)
    else:
        names = ctx.area.province_communes.set_index("commune_code")["commune_name"]
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
    lang, m = ctx.lang, ctx.area.manifest
    parts = [html_table(*report_quality.inputs_frame(ctx), lang)]
    parts += [f"<p class='ntp-warn'>{esc(note)}</p>" for note in report_quality.coverage_notes(ctx)]
    rej = ctx.area.rejects
    n_rows = rej[["file", "row"]].drop_duplicates().shape[0] if len(rej) else 0
    where = ctx.area.province_name if ctx.level == "commune" else ctx.area.name  # rejects of a new province
    parts.append(f"<p>{esc(t('report.rejects_in_area', lang, n=n_rows, area=where))}</p>")
    if len(rej):  # reasons and columns in the report's language
        parts.append(html_table(*report_quality.rejects_frame(ctx), lang, max_rows=30))
    mr = ctx.area.match_report
    counts = mr["status"].value_counts()
    if ctx.converted:
        parts.append(f"<p>{esc(reform_notes.match_summary(ctx))}</p>")
        return HTML(f"<div class='ntp-report'>{''.join(parts)}</div>")
    parts.append(
        "<p>"
        + esc(
            t(
                "report.match_summary",
                lang,
                code=int(counts.get("matched_code", 0)),
                name=int(counts.get("matched_name", 0)),
                no_polygon=int(counts.get("unmatched_data", 0)),
                no_data=int(counts.get("unmatched_boundary", 0)),
            )
        )
        + "</p>"
    )
    parts += [f"<p>{esc(note)}</p>" for note in _boundary_notes(m.get("boundaries") or {}, lang)]
    return HTML(f"<div class='ntp-report'>{''.join(parts)}</div>")


def _boundary_notes(entry: dict, lang: str) -> list[str]:
    """What prepare did to the boundaries: merged communes dissolved (crosswalk), polygons repaired."""
    notes = []
    crosswalk = entry.get("crosswalk") or {}
    if crosswalk.get("merges_used"):
        notes.append(t("report.boundary_merges", lang, n_old=crosswalk["features_merged"],
                       n_new=len(crosswalk["merges_used"]), file=Path(crosswalk["path"]).name))
    if entry.get("repaired_geometries"):
        notes.append(t("report.boundary_repairs", lang, n=entry["repaired_geometries"]))
    return notes
