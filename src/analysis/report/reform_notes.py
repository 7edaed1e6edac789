"""What a report says about data converted to the 2025 units, beside its figures.

The sections of :mod:`analysis.report.sections` call these when their data was converted by
``ntp-atlas convert --to 2025`` (``ctx.area.units.derived``), for a report per
new commune or a new province's overview:

* the notes under the title: the units are those of 1/7/2025 and the figures were converted;
  which old communes a new one was formed from (and what share of a divided one it counts);
  old communes without data; estimated figures and the key they were allocated by; boundaries
  derived from the old communes;
* the coverage note of a new province, the method notes and the data-quality line on the new
  boundaries.

The estimated figures and the table of the old communes are in
:mod:`analysis.report.reform_estimates`, the maps in :mod:`analysis.report.reform_maps`, the written
summary in :mod:`analysis.report.summaries.converted`. Rates are never converted: every rate a
report shows is computed from the converted amounts and counts by :mod:`analysis.metrics.finance`
and :mod:`analysis.metrics.poverty`, as for the old units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.common.i18n import t
from analysis.common.numbers import format_percent
from analysis.report.period import as_of_text, data_dates
from analysis.report.reform_estimates import estimated_note, former_communes

if TYPE_CHECKING:

    from analysis.report.area import ReportContext


def converted_coverage_note(ctx: ReportContext) -> str:
    """ "4 of the province's 75 communes" when the data covers only part of a new province."""
    cov = ctx.area.coverage
    n, total = cov.get("communes_with_data", 0), cov.get("communes_official", 0)
    if ctx.level == "province" and n < total:
        return t("levels.partial_coverage", ctx.lang, n=n, total=total)
    return ""


def _derived(ctx: ReportContext) -> bool:
    source = ctx.area.communes.get("boundary_source", pd.Series(dtype="string")).fillna("")
    return bool(source.str.startswith("derived").any())


def title_notes(ctx: ReportContext) -> list[tuple[str, str]]:
    """The notes under a converted report's title, as ``(css class, text)``.

    The units and the conversion; for a new commune, the old communes it was formed from
    (with the share of a divided one) and those without data; the estimated figures and the
    key they were allocated by; derived boundaries.
    """
    lang = ctx.lang
    notes = [("ntp-note", f"{t('reform.units_2025', lang)}. {t('reform.converted_from', lang)}.")]
    if ctx.level == "commune":
        names = [_former_name(r, lang) for r in former_communes(ctx).itertuples(index=False)]
        if len(names) > 1:
            notes.append(("ntp-note", t("reform.merged", lang, n=len(names), names=", ".join(names)) + "."))
        elif names:
            notes.append(("ntp-note", t("levels.formerly", lang, names=names[0])))
        row = ctx.area.communes.iloc[0]
        missing = int(row.get("n_old_communes", 0)) - int(row.get("n_old_communes_in_data", 0))
        if missing > 0:
            notes.append(("ntp-warn", t("reform.incomplete", lang, n=missing) + "."))
    estimated = estimated_note(ctx)
    if estimated:
        notes.append(("ntp-warn", estimated))
    if _derived(ctx):
        notes.append(("ntp-note", t("reform.boundary_derived", lang) + "."))
    return notes


def native_title_notes(ctx: ReportContext) -> list[tuple[str, str]]:
    """The notes under the title of a report on data keyed to the 2025 units from the start:
    the units; boundaries derived from the old communes, when they are."""
    notes = [("ntp-note", t("reform.units_2025", ctx.lang) + ".")]
    if _derived(ctx):
        notes.append(("ntp-note", t("reform.boundary_derived", ctx.lang) + "."))
    return notes


def native_method_notes(ctx: ReportContext, notes: list[str]) -> list[str]:
    """The method notes of a report on data keyed to the 2025 units from the start: every
    report's (``notes``), the units, derived boundaries."""
    out = [*notes, t("reform.units_2025", ctx.lang) + "."]
    if _derived(ctx):
        out.append(t("reform.boundary_derived", ctx.lang) + ".")
    return out


def _former_name(row: Any, lang: str) -> str:
    where = [str(row.old_district_name)] if pd.notna(row.old_district_name) else []
    if row.change == "split":
        where.append(format_percent(row.share, lang))
    return f"{row.old_name} ({', '.join(where)})" if where else str(row.old_name)


def boundary_file(manifest: dict) -> dict:
    """The boundary file entry of a manifest (``path``, ``sha256``, ``quality``): prepared
    data's own, or for converted data that of the old communes its polygons were derived from."""
    b = manifest.get("boundaries") or {}
    if b.get("path"):
        return b
    derived = dict(b.get("derived_from") or {})
    if derived and b.get("quality"):
        derived["quality"] = b["quality"]
    return derived


def method_notes(ctx: ReportContext) -> list[str]:
    """The method notes of a converted report: snapshots per former district, rates from sums,
    the units and the conversion, the crosswalk, the estimated figures, derived boundaries."""
    lang, m = ctx.lang, ctx.area.manifest
    notes = [
        t("levels.method.snapshot", lang, as_of=as_of_text(ctx.dates or data_dates(ctx.snapshot, ctx.as_of), lang)),
        t("report.method.rates", lang),
        t("report.method.poverty", lang),
        f"{t('reform.units_2025', lang)}. {t('reform.converted_from', lang)}.",
        t("levels.method.crosswalk", lang, source=(m.get("crosswalk") or {}).get("source", "–")),
    ]
    estimated = estimated_note(ctx)
    if estimated:
        notes.append(estimated)
    if _derived(ctx):
        notes.append(t("reform.boundary_derived", lang) + ".")
    return notes


def match_summary(ctx: ReportContext) -> str:
    """How the new communes got their polygons (derived, from a new file, none)."""
    counts = ctx.area.match_report["status"].value_counts()
    return t(
        "levels.match_summary",
        ctx.lang,
        derived=int(counts.get("derived", 0)),
        matched=int(counts.get("matched_code", 0)),
        none=int(counts.get("no_geometry", 0)),
    )
