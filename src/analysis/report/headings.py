"""Section headings of a report: a heading in the report's language and its short introduction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.catalog.programmes import get_programme
from analysis.common.i18n import labels, t
from analysis.report.tables import esc

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def _h2(key: str, ctx: ReportContext) -> str:
    return f"<h2>{esc(t(key, ctx.lang))}</h2>"


def section_heading(ctx: ReportContext, key: str) -> HTML:
    """A section heading (and its short introduction, if the catalogue has one).

    ``"units"`` names the table by commune in a district report, by district in an overview.
    """
    if key == "units":  # a new commune's table is of the old communes it was formed from
        key = "units_former" if ctx.level == "commune" else "units_" + ctx.unit_col.removesuffix("_code")
    if key == "projects":  # a programme of components (2026–2030) heads it so
        key = get_programme(ctx.programme).label_key(key)
    intro_key = f"report.intro.{key}"
    intro = f"<p>{esc(t(intro_key, ctx.lang))}</p>" if intro_key in labels() else ""
    return HTML(f"<div class='ntp-report'>{_h2('report.section.' + key, ctx)}{intro}</div>")
