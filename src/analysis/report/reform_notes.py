"""What a report says about data converted to the 2025 units, beside its figures.

:mod:`analysis.report.notebook` calls these when its data was converted by ``ntp-atlas convert --to 2025``
(``ctx.area.units.derived``), for a report per new commune or a new province's
overview:

* the notes under the title: the units are those of 1/7/2025 and the figures were converted;
  which old communes a new one was formed from (and what share of a divided one it counts);
  old communes without data; estimated figures and the key they were allocated by; boundaries
  derived from the old communes;
* the marks of estimated figures in the tables (an "ước tính" / "estimated" column) and the
  table of the old communes a new one was formed from;
* the maps: a new commune framed with its neighbours (grey, named) and a locator inset; the
  former districts over every map as a grey dashed reference layer with their names and a
  legend entry "Huyện cũ (trước 1/7/2025)" (``gid`` :data:`REFERENCE_GID`);
* the written summary (:mod:`analysis.report.summaries.text`), with the new communes as the report's units;
* the method notes and the data-quality line on the new boundaries.

Rates are never converted: every rate a report shows is computed from the converted amounts
and counts by :mod:`analysis.metrics.finance` and :mod:`analysis.metrics.poverty`, as for the old units.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from analysis.common.i18n import t
from analysis.common.numbers import format_percent
from analysis.maps import layers
from analysis.maps.crs import to_metric
from analysis.maps.labels import label_units
from analysis.report.period import as_of_text, data_dates
from analysis.report.tables import esc, html_table
from analysis.store.new_unit_areas import old_codes
from analysis.store.prepared import read_prepared

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.report.notebook import ReportContext

__all__ = [
    "ESTIMATED", "REFERENCE_GID", "boundary_file", "coverage_note", "decorate_map", "estimated_codes",
    "estimated_html", "estimated_keys", "estimated_note", "estimated_projects", "frame_axes", "former_communes",
    "former_communes_frame", "mark_estimated", "match_summary", "method_notes", "title_notes", "unit_warnings",
    "warning_names", "write_summary",
]  # fmt: skip

#: Column of a report table that marks estimated figures.
ESTIMATED = "estimated"
#: ``gid`` of the former districts' outlines on every map of converted data (names:
#: ``<gid>-label``, legend: ``<gid>-legend``).
REFERENCE_GID = "ntp-former-districts"
#: ``gid`` of the neighbouring communes drawn around a new commune's maps.
NEIGHBOURS_GID = "ntp-neighbours"
_NEIGHBOUR_STYLE = {"facecolor": "#f0f0f0", "edgecolor": "#bdbdbd", "linewidth": 0.4}
#: How much room around a new commune its maps give to the neighbours, as a share of its size.
_FRAME_PAD = 0.3


# --- notes -------------------------------------------------------------------------------------


def coverage_note(ctx: ReportContext) -> str:
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


def _former_name(row: Any, lang: str) -> str:
    where = [str(row.old_district_name)] if pd.notna(row.old_district_name) else []
    if row.change == "split":
        where.append(format_percent(row.share, lang))
    return f"{row.old_name} ({', '.join(where)})" if where else str(row.old_name)


# --- estimated figures -------------------------------------------------------------------------


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


# --- the old communes of a new one -------------------------------------------------------------


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


# --- warnings, keyed to the old communes ------------------------------------------------------


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
    from analysis.catalog.units import official_units

    return official_units().drop_duplicates("commune_code").set_index("commune_code")["commune_name"]


# --- maps --------------------------------------------------------------------------------------


def frame_axes(ctx: ReportContext, ax: Axes) -> None:
    """Fix a new commune's map to the commune and some room around it, before it is drawn,
    so that its neighbours show (a district report's map shows the district's communes)."""
    if ctx.level != "commune":
        return
    focus = to_metric(ctx.area.communes).geometry.dropna()
    focus = focus[~focus.is_empty]
    if focus.empty:
        return
    xmin, ymin, xmax, ymax = focus.total_bounds
    pad = _FRAME_PAD * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_autoscale_on(False)


def _neighbours(ctx: ReportContext, ax: Axes) -> list[tuple[Any, str]]:
    """Draw the communes around a new commune in light grey with their names; the legend entry."""
    from matplotlib.patches import Patch
    from shapely.geometry import box

    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    view = box(min(xlim), min(ylim), max(xlim), max(ylim))
    others = to_metric(ctx.area.province_communes)
    others = others[others.geometry.notna() & (others["commune_code"] != ctx.area.commune_code)]
    others = others[others.intersects(view)]
    if others.empty:
        return []
    others = others.assign(geometry=others.geometry.intersection(view))
    others.plot(ax=ax, zorder=0.5, **_NEIGHBOUR_STYLE)
    ax.collections[-1].set_gid(NEIGHBOURS_GID)
    label_units(ax, others, "commune_name", fontsize=6.0, color="#737373", halo=True)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return [(Patch(**_NEIGHBOUR_STYLE), t("levels.neighbours", ctx.lang))]


def _exterior(units: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The outer edge of the union of ``units``, as polygons without holes."""
    import shapely

    parts = shapely.get_parts(shapely.union_all(units.geometry.dropna().to_numpy()))
    shells = [shapely.Polygon(p.exterior) for p in parts if p.geom_type == "Polygon"]
    return gpd.GeoSeries(shells, crs=units.crs)


def decorate_map(ctx: ReportContext, ax: Axes) -> None:
    """What a converted report's map shows around its communes.

    A new commune: its neighbours, its outline, a locator inset of the new province. The
    province: its outline. Both: the former districts as a grey dashed reference layer with
    their names and a legend entry :data:`REFERENCE_GID`.
    """
    label = t("levels.former_districts", ctx.lang)
    legend: dict[str, Any] = {}
    extra: Sequence[tuple[Any, str]] = ()
    if ctx.level == "commune":
        extra = _neighbours(ctx, ax)
        layers.draw_boundaries(ax, ctx.area.communes, linewidth=1.6, color="#252525")
        layers.add_inset(ax, ctx.area.province_communes, ctx.area.communes, loc="outside lower right")
        legend = {"bbox_to_anchor": (1.02, 0.31)}  # above the inset
    elif len(ctx.area.province):  # its outer edge: slivers between derived communes are no border
        layers.draw_boundaries(ax, _exterior(ctx.area.province), linewidth=1.2, color="#252525")
    layers.draw_reference_layer(
        ax, ctx.area.districts, label, "district_name", gid=REFERENCE_GID, legend_kwds=legend, extra_handles=extra
    )


# --- the written summary ---------------------------------------------------------------------


@functools.cache
def _communes_as_units() -> type:
    """A :class:`~analysis.report.notebook.ReportContext` whose units are communes, for the summary.

    :mod:`analysis.report.summaries.text` speaks of a district report (its units are communes) and of a
    province overview (its units are districts). A new commune's report reads like the first
    ("xã Quan Sơn" for "huyện Chi Lăng"), and a new province's overview is one whose units are
    communes: the summary is written from this view, with the province's level put back.
    """
    from analysis.report.notebook import ReportContext

    class CommunesAsUnits(ReportContext):
        @property
        def level(self) -> str:
            return "district"

    return CommunesAsUnits


def write_summary(ctx: ReportContext) -> list[str]:
    """The written summary of a converted report, as paragraphs (see :func:`_communes_as_units`)."""
    from analysis.report.summaries import text as summary

    view = _communes_as_units()(**{f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)})
    facts = summary.summary_facts(view)
    if ctx.level == "province":
        facts = dataclasses.replace(facts, level="province")
    else:  # "xã X has 1 region III commune" says nothing: its region is in the headline cards
        facts = dataclasses.replace(facts, regions=None)
    return summary.summary_paragraphs(facts, ctx.lang)


# --- sources and quality -----------------------------------------------------------------------


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
