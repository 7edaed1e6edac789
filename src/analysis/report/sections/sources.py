"""The sources section of a report: method notes, input files and their hashes, the generated-at line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from analysis import __version__
from analysis.catalog.programmes import get_programme
from analysis.common.i18n import t
from analysis.report import quality as report_quality
from analysis.report import reform_notes
from analysis.report.area import shown_as_of
from analysis.report.tables import esc, html_table
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def sources(ctx: ReportContext) -> HTML:
    """Sources, as-of date, method notes, input hashes and the generated-at time."""
    lang, m = ctx.lang, ctx.area.manifest
    files = [
        {"input": report_quality.table_label(name, lang), "file": Path(e["path"]).name, "sha256": e["sha256"][:16]}
        for name, e in m["inputs"].items()
    ]
    b = reform_notes.boundary_file(m)
    if b.get("path"):
        files.append({"input": report_quality.table_label("boundaries", lang), "file": Path(b["path"]).name,
                      "sha256": str(b.get("sha256", ""))[:16]})
    cols = {
        "input": (t("report.col.input", lang), "text"),
        "file": (t("report.col.file", lang), "text"),
        "sha256": ("SHA-256", "text"),
    }
    notes = [
        t("report.method.snapshot", lang, as_of=shown_as_of(ctx)),
        t("report.method.rates", lang),
        t("report.method.poverty", lang),
        t("report.method.units", lang),
    ]
    notes = unit_view(ctx).method_notes(ctx, notes)
    prog = get_programme(ctx.programme)
    if prog.provisional:  # its contents are not the official list: say so where the method is
        notes.append(t("report.method.provisional_programme", lang, programme=prog.title(lang), basis=prog.legal_basis))
    if b.get("quality") == "approximate":
        notes.append(t("report.method.approximate", lang))
    gen = t(
        "report.generated",
        lang,
        when=ctx.generated_at.strftime("%d/%m/%Y %H:%M UTC"),
        version=__version__,
        prepared=report_quality.prepared_at(m),
    )
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return HTML(
        f"<div class='ntp-report'><ul>{items}</ul>{html_table(pd.DataFrame(files), cols, lang)}"
        f"<p class='ntp-note'>{esc(gen)}</p></div>"
    )
