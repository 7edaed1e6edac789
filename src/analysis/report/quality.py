"""The pieces of a report's data-quality section: the inputs and their coverage, the rejects.

:func:`analysis.report.sections.checks.data_quality` puts them together. Everything here is written in the
report's language: the tables' names ("Hộ nghèo (poverty.xlsx)"), the columns of the rejects
as the offices name them, with the file's header ("Kế hoạch vốn (“plan_mvnd”)"), the reasons of the rejects
(:mod:`analysis.inputs.reasons`), and how much of the area each table covers
(:mod:`analysis.metrics.coverage`): a table that reconciles ("khớp ✓") may still hold only 1 of the
area's 8 communes, and the section says so beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.common.i18n import labels, t
from analysis.common.numbers import format_number
from analysis.inputs.reasons import written
from analysis.metrics.coverage import Coverage, area_coverage

if TYPE_CHECKING:
    from analysis.report.area import ReportContext

#: Which area figure each input table gives (its coverage is said beside it).
_COVERS = {"finance": "finance", "poverty": "poverty", "communes": "classification"}


def table_label(name: str, lang: str) -> str:
    """An input table's name in the report's language (``Hộ nghèo``); the name itself if unknown."""
    key = f"input.table.{name}"
    return t(key, lang) if key in labels() else name


def column_label(name: str, lang: str, header: str | None = None) -> str:
    """An input column as the report names it: ``Kế hoạch vốn (“plan_mvnd”)``, with the header of
    the user's file quoted in brackets where it differs (``Mã xã`` for ``commune_code``, as written)."""
    if not name:
        return ""
    key = f"input.column.{name}"
    label = t(key, lang) if key in labels() else name
    shown = header or name
    return label if shown == label else f"{label} (“{shown}”)"


def area_name(ctx: ReportContext) -> str:
    """The report's area inside a sentence: ``Huyện Sốp Cộp``, ``tỉnh Sơn La`` / ``Sơn La province``."""
    if ctx.level == "province":
        return t("coverage.province", ctx.lang, name=ctx.area.province_name)
    return ctx.area.name


def fraction(c: Coverage, lang: str) -> str:
    """``1/8 xã`` / ``1 of 8 communes``."""
    units = t(f"coverage.unit{'_one' if c.total == 1 else ''}.{c.unit}", lang)
    return t("coverage.fraction", lang, n=format_number(c.covered, lang), total=format_number(c.total, lang),
             units=units)


def _coverage_cell(c: Coverage | None, lang: str) -> str:
    if c is None:
        return "–"
    if not c.partial:
        return t("coverage.complete", lang, fraction=fraction(c, lang))
    missing = Coverage(c.total - c.covered, c.total, c.unit)
    return t("coverage.incomplete", lang, fraction=fraction(c, lang), n=format_number(missing.covered, lang),
             units=t(f"coverage.unit{'_one' if missing.covered == 1 else ''}.{c.unit}", lang))


def inputs_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """Rows read, accepted and rejected per input (they reconcile), with how many of the area's
    units each table covers, as ``(frame, {column: (header, kind)})``."""
    lang, manifest = ctx.lang, ctx.area.manifest
    covered = area_coverage(ctx)
    rows = []
    for name, e in manifest["inputs"].items():
        ok = e["rows_read"] == e["rows_accepted"] + e["rows_rejected"]
        kind = _COVERS.get(name)
        rows.append(
            {
                "input": f"{table_label(name, lang)} ({Path(e['path']).name})",
                "read": e["rows_read"],
                "accepted": e["rows_accepted"],
                "rejected": e["rows_rejected"],
                "check": t("report.reconciles" if ok else "report.not_reconciled", lang),
                "coverage": _coverage_cell(getattr(covered, kind) if kind else None, lang),
            }
        )
    cols = {
        "input": (t("report.col.input", lang), "text"),
        "read": (t("report.col.read", lang), "int"),
        "accepted": (t("report.col.accepted", lang), "int"),
        "rejected": (t("report.col.rejected", lang), "int"),
        "check": ("", "text"),
        "coverage": (t("coverage.col.area", lang, area=area_name(ctx)), "text"),
    }
    return pd.DataFrame(rows, columns=list(cols)), cols


def coverage_notes(ctx: ReportContext) -> list[str]:
    """A sentence for each kind of figure computed from part of the area: whose figures they are."""
    lang, c = ctx.lang, area_coverage(ctx)
    notes = []
    for kind, cov in c.partial.items():
        if kind == "poverty":
            same = ctx.baseline_year == ctx.poverty_year
            years = str(ctx.poverty_year) if same else t("coverage.years", lang, base_year=ctx.baseline_year,
                                                           year=ctx.poverty_year)
            notes.append(t("coverage.note.poverty", lang, years=years, coverage=fraction(cov, lang),
                           area=area_name(ctx)))
        else:
            year = ctx.class_years[1] if kind == "classification" else ctx.year
            notes.append(t(f"coverage.note.{kind}", lang, year=year, coverage=fraction(cov, lang),
                           area=area_name(ctx)))
    return notes


def _headers(manifest: dict) -> dict[str, dict[str, str]]:
    """Each input table's columns as its file heads them: ``{table: {canonical: header}}``."""
    return {name: {canon: header for header, canon in (e.get("columns") or {}).items()}
            for name, e in manifest.get("inputs", {}).items()}


def rejects_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The area's rejected rows as ``(frame, {column: (header, kind)})``: the file, its row, the
    column (its name in the report's language and its header in the file), the value as written
    and the reason in the report's language (:func:`analysis.inputs.reasons.written`)."""
    lang, rej = ctx.lang, ctx.area.rejects
    headers = _headers(ctx.area.manifest)

    def column(table: object, name: object) -> str:
        if not isinstance(name, str) or not name:
            return ""
        return column_label(name, lang, headers.get(str(table), {}).get(name))

    keys = rej["reason_key"] if "reason_key" in rej.columns else pd.Series([None] * len(rej), index=rej.index)
    args = rej["reason_args"] if "reason_args" in rej.columns else pd.Series([None] * len(rej), index=rej.index)
    frame = pd.DataFrame(
        {
            "file": [Path(str(p)).name for p in rej["file"]],
            "row": [str(int(r)) for r in rej["row"]],  # a row number, not a quantity: never grouped
            "column": [column(tb, c) for tb, c in zip(rej["table"], rej["column"], strict=True)],
            "value": rej["value"].astype(object).where(rej["value"].notna(), "").to_list(),
            "reason": [written(r, k, a, lang) for r, k, a in zip(rej["reason"], keys, args, strict=True)],
        }
    )
    cols = {
        "file": (t("report.col.file", lang), "text"),
        "row": (t("report.col.row", lang), "text"),
        "column": (t("report.col.column", lang), "text"),
        "value": (t("report.col.value", lang), "text"),
        "reason": (t("report.col.reason", lang), "text"),
    }
    return frame, cols


def prepared_at(manifest: dict) -> str:
    """When the prepared data was made, as the reports write times: ``07/12/2026 06:18 UTC``."""
    stamp = manifest.get("created_at") or ""
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    when = when.astimezone(UTC) if when.tzinfo else when
    return when.strftime("%d/%m/%Y %H:%M UTC")
