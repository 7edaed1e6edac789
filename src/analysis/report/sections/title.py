"""The title section of a report: title, period, as-of date and the notes on its coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.common.i18n import t
from analysis.report import reform_notes
from analysis.report.area import area_subtitle, area_title
from analysis.report.tables import CSS, esc

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def title(ctx: ReportContext) -> HTML:
    """Title, period, as-of date and the coverage note."""
    sub = area_subtitle(ctx)
    body = f"{CSS}<div class='ntp-report'><h1>{esc(area_title(ctx))}</h1><div class='subtitle'>{esc(sub)}</div>"
    note = coverage_note(ctx)
    if note:
        body += f"<div class='ntp-warn'>{esc(note)}</div>"
    for css, text in reform_notes.title_notes(ctx) if ctx.converted else []:
        body += f"<div class='{css}'>{esc(text)}</div>"
    return HTML(body + "</div>")


def coverage_note(ctx: ReportContext) -> str:
    """ "1 of 12 districts reported" when the data covers only part of the province."""
    if ctx.converted:
        return reform_notes.converted_coverage_note(ctx)
    cov = ctx.area.coverage
    reported = ctx.snapshot["district_code"].nunique()
    if ctx.level == "province" and reported < cov["districts_official"]:
        return t("report.partial_coverage", ctx.lang, n=reported, total=cov["districts_official"])
    return ""
