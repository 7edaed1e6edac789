"""The title section of a report: title, period, as-of date and the notes on its coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.report.area import area_subtitle, area_title
from analysis.report.tables import CSS, esc
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def title(ctx: ReportContext) -> HTML:
    """Title, period, as-of date and the coverage note."""
    sub = area_subtitle(ctx)
    body = f"{CSS}<div class='ntp-report'><h1>{esc(area_title(ctx))}</h1><div class='subtitle'>{esc(sub)}</div>"
    note = coverage_note(ctx)
    if note:
        body += f"<div class='ntp-warn'>{esc(note)}</div>"
    for css, text in unit_view(ctx).title_notes(ctx):
        body += f"<div class='{css}'>{esc(text)}</div>"
    if ctx.standard_break:  # a change of poverty standard is a break: said under the title too
        body += f"<div class='ntp-warn'>{esc(ctx.standard_break)}.</div>"
    return HTML(body + "</div>")


def coverage_note(ctx: ReportContext) -> str:
    """ "1 of 12 districts reported" when the data covers only part of the province."""
    return unit_view(ctx).coverage_note(ctx)
