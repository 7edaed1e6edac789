"""The estimated figures of data converted to the 2025 units, and the old communes behind a new one.

A figure of a new commune formed from part of a divided old commune is estimated (allocated
by a key). This module finds the estimated figures a report shows, marks them in its tables
(an "ước tính" / "estimated" column), lists the old communes a new one was formed from, and
keys the old data's warnings to the new communes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.units import official_units
from analysis.common.i18n import t
from analysis.report.tables import esc, html_table
from analysis.store.new_unit_areas import old_codes
from analysis.store.prepared import read_prepared

if TYPE_CHECKING:

    from analysis.report.area import ReportContext


#: Column of a report table that marks estimated figures.
ESTIMATED = "estimated"


def _shown_rows(ctx: ReportContext) -> list[pd.DataFrame]:
    """The rows whose figures the report shows: the finance snapshot, the poverty rows of the
    baseline and latest years, the classification of the years compared."""
    poverty, cls = ctx.area.poverty, ctx.area.classification
    return [
        ctx.snapshot,
        poverty[poverty["year"].isin([ctx.baseline_year, ctx.poverty_year])],
        cls[cls["year"].isin(list(ctx.class_years))],
    ]


def _estimated(frame: pd.DataFrame) -> pd.DataFrame:
    if "estimated" not in frame.columns:
        return frame.iloc[0:0]
    return frame[frame["estimated"].fillna(False).astype(bool)]


def estimated_keys(ctx: ReportContext) -> list[str]:
    """The allocation keys of the estimated figures the report shows (``["equal"]``…)."""
    keys: set[str] = set()
    for frame in _shown_rows(ctx):
        for value in _estimated(frame).get("allocation_key", pd.Series(dtype="string")).dropna():
            keys |= {k for k in str(value).split(";") if k}
    return sorted(keys)


def estimated_codes(ctx: ReportContext) -> set[str]:
    """New communes whose figures in the report are partly estimated (allocated from a divided
    old commune)."""
    codes: set[str] = set()
    for frame in _shown_rows(ctx):
        codes |= set(_estimated(frame).get("commune_code", pd.Series(dtype="string")).dropna())
    return codes


def estimated_projects(ctx: ReportContext) -> set[str]:
    """Projects of the finance snapshot with an estimated row (``"–"`` for rows without one)."""
    rows = _estimated(ctx.snapshot)
    return set(rows["project"].fillna("–")) if "project" in rows.columns else set()


def estimated_note(ctx: ReportContext) -> str:
    """What is estimated and how, or ``""`` when no figure of the report is."""
    keys = estimated_keys(ctx)
    if not keys:
        return ""
    method = ", ".join(t(f"reform.key.{k}", ctx.lang) for k in keys)
    return f"{t('reform.estimated_note', ctx.lang, method=method)} {t('levels.estimated_mark', ctx.lang)}"


def estimated_html(ctx: ReportContext) -> str:
    """The estimated note as a warning box under a table, or ``""``."""
    note = estimated_note(ctx)
    return f"<div class='ntp-warn'>{esc(note)}</div>" if note else ""


def mark_estimated(
    ctx: ReportContext,
    frame: pd.DataFrame,
    cols: dict[str, tuple[str, str]],
    column: str,
    marked: set[str],
    after: str | None = None,
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """Add the column :data:`ESTIMATED` ("ước tính" / "estimated" where ``frame[column]`` is in
    ``marked``) to a table and its column map, after ``after`` (default: last).

    Nothing is added when no row is marked, so tables of the old units stay as they were.
    """
    if not marked or column not in frame.columns:
        return frame, cols
    word = t("reform.estimated", ctx.lang)
    frame = frame.assign(**{ESTIMATED: [word if str(v) in marked else "" for v in frame[column]]})
    entry = (t("levels.col.estimated", ctx.lang), "text")
    if after not in cols:
        return frame, cols | {ESTIMATED: entry}
    out: dict[str, tuple[str, str]] = {}
    for key, value in cols.items():
        out[key] = value
        if key == after:
            out[ESTIMATED] = entry
    return frame, out


def former_communes(ctx: ReportContext) -> pd.DataFrame:
    """The conversion report's rows of a new commune: the old communes it was formed from
    (``merged``, ``split``, ``one_to_one``, ``not_in_data``), by old code."""
    a = ctx.area
    report = read_prepared(a.data_dir, "convert_report", manifest=a.manifest)
    mine = report[(report["new_code"] == a.commune_code) & report["change"].isin(
        ["merged", "split", "one_to_one", "not_in_data"])]  # fmt: skip
    return mine.sort_values("old_code").reset_index(drop=True)


def former_communes_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The table of the old communes of a new one as ``(frame, {column: (header, kind)})``."""
    lang = ctx.lang
    df = former_communes(ctx)
    df = df.assign(
        change_label=df["change"].map(lambda c: t(f"levels.change.{c}", lang)),
        key_label=df["allocation_key"].map(lambda k: t(f"reform.key.{k}", lang) if pd.notna(k) and k else ""),
        in_data_label=df["in_data"].map(lambda v: t("levels.yes" if pd.notna(v) and str(v) else "levels.no", lang)),
    )
    cols = {
        "old_code": (t("levels.col.old_code", lang), "text"),
        "old_name": (t("levels.col.old_name", lang), "text"),
        "old_district_name": (t("levels.col.old_district", lang), "text"),
        "change_label": (t("levels.col.change", lang), "text"),
        "share": (t("levels.col.share", lang), "rate"),
        "key_label": (t("levels.col.key", lang), "text"),
        "in_data_label": (t("levels.col.in_data", lang), "text"),
    }
    split = set(df.loc[df["change"] == "split", "old_code"])
    return mark_estimated(ctx, df, cols, "old_code", split)


def former_communes_table(ctx: ReportContext) -> str:
    """The old communes of a new commune, as an HTML table (every cell escaped)."""
    df, cols = former_communes_frame(ctx)
    return html_table(df, cols, ctx.lang)


def unit_warnings(ctx: ReportContext) -> pd.DataFrame:
    """The area's warnings keyed to the new communes: a warning on an old commune counts for
    each new commune it went into (``commune_code`` is the new one)."""
    w = ctx.area.warnings
    if "commune_code" not in w.columns or not len(w):
        return w
    pairs = old_codes(ctx.area.province_communes).rename(columns={"commune_code": "_new"})
    out = w.merge(pairs, left_on="commune_code", right_on="old_code", how="inner")
    return out.drop(columns=["commune_code", "old_code"]).rename(columns={"_new": "commune_code"})


def warning_names(ctx: ReportContext) -> pd.Series:
    """Names of the old communes the warnings are keyed to (the unit list before 1/7/2025)."""
    return official_units().drop_duplicates("commune_code").set_index("commune_code")["commune_name"]
