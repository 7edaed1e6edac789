"""Report content: the one-call-per-cell functions the report notebooks use.

A notebook builds a :class:`ReportContext` from its parameters with :func:`context` (which
validates them and stops with a clear message on a bad one), then calls one function per
section. Each returns something Jupyter displays: HTML for text and tables, a matplotlib
``Figure`` for maps and charts. Every label comes from :func:`analysis.common.i18n.t`, every number
is formatted in the report's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from analysis import __version__
from analysis.catalog.programmes import DEFAULT_PROGRAMME, get_programme, programme_finance
from analysis.catalog.units import official_units
from analysis.common.i18n import labels, t
from analysis.common.numbers import format_date, format_number, format_percent, format_points
from analysis.config import LANGUAGES, PROCESSED_DIR
from analysis.errors import ParameterError
from analysis.maps import charts, interactive, layers, textmetrics
from analysis.maps import choropleth as maps
from analysis.maps.png import png_trimmed
from analysis.metrics.coverage import area_coverage, beside, communes_by_unit
from analysis.metrics.finance import disbursement, headline, progress
from analysis.metrics.poverty import poverty_change, poverty_rates, region_counts, region_iii_exits
from analysis.metrics.rules import RULES
from analysis.metrics.rules.sentences import sentences as rule_sentences
from analysis.report import quality as report_quality
from analysis.report import reform_notes as reform_report
from analysis.report.mapdata import commune_metrics
from analysis.report.period import DataDates, as_of_text, data_dates, resolve_period
from analysis.report.tables import CSS, cards, esc, html_table
from analysis.store.area_data import AreaData
from analysis.store.report_levels import load_for_level


@dataclass
class ReportContext:
    """Validated parameters and the area's data for one report."""

    area: AreaData
    year: int
    as_of: pd.Timestamp
    lang: str
    baseline_year: int | None
    poverty_year: int | None
    class_years: tuple[int | None, int | None]
    snapshot: pd.DataFrame
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: The programme whose finance rows the report sums (:func:`analysis.catalog.programmes.programme_finance`).
    programme: str = DEFAULT_PROGRAMME
    #: The dates of the finance figures shown (each district's snapshot); from ``snapshot`` when None.
    dates: DataDates | None = None
    _map_frame: gpd.GeoDataFrame | None = field(default=None, repr=False, compare=False)
    _unit_table: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: The figures the report's maps are drawn on in turn, by the units they show and how
    #: those are labelled (:func:`shared_map`).
    _map_bases: dict = field(default_factory=dict, repr=False, compare=False)
    #: The area's indicator rows, read once (:mod:`analysis.report.indicators_section`).
    _indicators: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: Those rows added up by level, each level once (:mod:`analysis.report.indicators_section`).
    _indicators_by_level: dict = field(default_factory=dict, repr=False, compare=False)
    #: The headline tables and the area's poverty change, worked out once (:func:`area_headline`,
    #: :func:`area_poverty_change`): the summary and the headline section both use them.
    _once: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def level(self) -> str:
        return self.area.level

    @property
    def unit_col(self) -> str:
        """Column of the units a report's tables and maps are broken down by: communes, except
        in a province overview of the old units (districts)."""
        if self.level == "province" and self.area.units.has("district"):
            return "district_code"
        return "commune_code"

    @property
    def converted(self) -> bool:
        """The data is keyed to the 2025 units (``ntp-atlas convert --to 2025``)."""
        return self.area.units.derived


def context(
    province: str,
    district: str | None = None,
    year: int | str | None = None,
    as_of: str | None = None,
    lang: str = "vi",
    data_dir: str | Path = PROCESSED_DIR,
    baseline_year: int | str | None = None,
    programme: str | None = None,
    level: str | None = "",
    commune: str | None = None,
) -> ReportContext:
    """Validate report parameters and load the area's prepared data.

    Parameters
    ----------
    province
        Province GSO code or name.
    district
        District GSO code or name; empty or ``None`` for the province overview.
    year
        Plan year; default the latest year with finance data.
    as_of
        Report date (``yyyy-mm-dd`` or ``dd/mm/yyyy``); default the latest snapshot of the year.
    lang
        ``"vi"`` (default) or ``"en"``.
    data_dir
        Prepared-data folder.
    baseline_year
        Year the poverty change is measured from; default the first year with poverty data.
    programme
        The programme whose finance the report sums (code, name or alias of
        :mod:`analysis.catalog.programmes`); default NTP 1719. Rows of other programmes are left out.
    level
        ``""`` for the data's own units (districts; the new communes of data converted with
        ``ntp-atlas convert --to 2025``), or ``"commune"`` for a report per new commune
        (:mod:`analysis.store.report_levels`); ``district`` is then ignored.
    commune
        New commune GSO code or name, on converted data; empty or ``None`` for the province.

    Raises
    ------
    ParameterError
        A parameter that does not fit the data, with what would.
    """
    textmetrics.install()  # a report draws the same names on each of its maps: the text caches
    if data_dir in (None, ""):
        data_dir = PROCESSED_DIR
    elif "://" not in str(data_dir):  # an fsspec URL stays a string
        data_dir = Path(data_dir)
    if lang not in LANGUAGES:
        raise ParameterError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    area = load_for_level(str(province), district, commune, level, data_dir)
    prog, area.finance = programme_finance(area.finance, programme, area.name)  # never two programmes summed
    p = resolve_period(area, year, as_of, baseline_year)
    return ReportContext(area, p.year, p.as_of, lang, p.baseline_year, p.poverty_year, p.class_years, p.snapshot,
                         programme=prog.code, dates=p.dates)


def shown_dates(ctx: ReportContext) -> DataDates:
    """The dates of the finance figures the report shows (:func:`analysis.report.period.data_dates`)."""
    return ctx.dates if ctx.dates is not None else data_dates(ctx.snapshot, ctx.as_of)


def shown_as_of(ctx: ReportContext) -> str:
    """The date of the figures shown, as the report's headers, summary and map subtitles write it
    (:func:`analysis.report.period.as_of_text`): the as-of date asked for only when the data has it."""
    return as_of_text(shown_dates(ctx), ctx.lang)


def area_headline(ctx: ReportContext) -> dict[str, pd.DataFrame]:
    """:func:`analysis.metrics.finance.headline` of the report's snapshot, worked out once per report
    and handed out as copies."""
    if "headline" not in ctx._once:
        ctx._once["headline"] = headline(ctx.snapshot)
    return {key: frame.copy() for key, frame in ctx._once["headline"].items()}


def area_poverty_change(ctx: ReportContext) -> pd.Series:
    """The area's row of :func:`analysis.metrics.poverty.poverty_change` from the baseline year to the
    poverty year, worked out once per report and handed out as a copy. The report must have
    both years."""
    if "poverty_change" not in ctx._once:
        ctx._once["poverty_change"] = poverty_change(ctx.area.poverty, ctx.baseline_year, ctx.poverty_year).iloc[0]
    return ctx._once["poverty_change"].copy()


# --- text sections ---------------------------------------------------------------------


def _h2(key: str, ctx: ReportContext) -> str:
    return f"<h2>{esc(t(key, ctx.lang))}</h2>"


def area_title(ctx: ReportContext) -> str:
    """The title of a report's area in its language: programme and commune, district or province."""
    a, programme = ctx.area, get_programme(ctx.programme).title(ctx.lang)
    if ctx.level == "commune":
        return t("levels.title_commune", ctx.lang, programme=programme, commune=a.commune_name,
                 province=a.province_name)
    if ctx.level == "district":
        return t("report.title_programme_district", ctx.lang, programme=programme, district=a.district_name,
                 province=a.province_name)
    return t("report.title_programme_province", ctx.lang, programme=programme, province=a.province_name)


def title(ctx: ReportContext) -> HTML:
    """Title, period, as-of date and the coverage note."""
    sub = _subtitle(ctx)
    body = f"{CSS}<div class='ntp-report'><h1>{esc(area_title(ctx))}</h1><div class='subtitle'>{esc(sub)}</div>"
    note = coverage_note(ctx)
    if note:
        body += f"<div class='ntp-warn'>{esc(note)}</div>"
    for css, text in reform_report.title_notes(ctx) if ctx.converted else []:
        body += f"<div class='{css}'>{esc(text)}</div>"
    return HTML(body + "</div>")


def coverage_note(ctx: ReportContext) -> str:
    """ "1 of 12 districts reported" when the data covers only part of the province."""
    if ctx.converted:
        return reform_report.coverage_note(ctx)
    cov = ctx.area.coverage
    reported = ctx.snapshot["district_code"].nunique()
    if ctx.level == "province" and reported < cov["districts_official"]:
        return t("report.partial_coverage", ctx.lang, n=reported, total=cov["districts_official"])
    return ""


def section(ctx: ReportContext, key: str) -> HTML:
    """A section heading (and its short introduction, if the catalogue has one).

    ``"units"`` names the table by commune in a district report, by district in an overview.
    """
    if key == "units":  # a new commune's table is of the old communes it was formed from
        key = "units_former" if ctx.level == "commune" else "units_" + ctx.unit_col.removesuffix("_code")
    intro_key = f"report.intro.{key}"
    intro = f"<p>{esc(t(intro_key, ctx.lang))}</p>" if intro_key in labels() else ""
    return HTML(f"<div class='ntp-report'>{_h2('report.section.' + key, ctx)}{intro}</div>")


def summary(ctx: ReportContext) -> HTML:
    """The written summary that opens the report (:mod:`analysis.report.summaries.text`), one paragraph per topic."""
    from analysis.report.summaries.text import write_summary

    written = reform_report.write_summary(ctx) if ctx.converted else write_summary(ctx)
    paragraphs = written or [t("report.no_summary", ctx.lang)]
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return HTML(f"<div class='ntp-report ntp-summary'>{body}</div>")


def headline_figures(ctx: ReportContext) -> HTML:
    """Plan and disbursed by capital type and fund, with rates; poverty; region III."""
    lang = ctx.lang
    h = area_headline(ctx)
    finance = area_coverage(ctx).finance  # beside every figure summed from part of the area
    items = [
        (
            t(f"{prefix}.{key}", lang).capitalize(),
            format_percent(row["rate"], lang) if row["has_plan"] else t("legend.no_plan", lang),
            beside(t(
                "report.disbursed_of_plan",
                lang,
                disbursed=format_number(row["disbursed_mvnd"] / 1000, lang, 2),
                plan=format_number(row["plan_mvnd"] / 1000, lang, 2),
            ), finance, lang),
        )
        for column, prefix in (("capital_type", "capital"), ("fund", "fund"))
        for key, row in h[column].set_index(column).iterrows()
    ]
    items += _poverty_cards(ctx)
    (rows, cols), (detail_rows, _) = headline_frames(ctx, h)
    totals = html_table(rows, cols, lang, total_row=True)
    detail = html_table(detail_rows, cols, lang)
    estimated = reform_report.estimated_html(ctx) if ctx.converted else ""
    return HTML(f"<div class='ntp-report'>{cards(items)}{totals}{detail}{totals_note(ctx)}{estimated}</div>")


def totals_note(ctx: ReportContext) -> str:
    """Under a table of the area's finance totals summed from part of it: whose totals they are."""
    finance = area_coverage(ctx).finance
    if not finance.partial:
        return ""
    return f"<p class='ntp-note'>{esc(t('coverage.totals_note', ctx.lang, coverage=finance.text(ctx.lang)))}</p>"


def headline_frames(
    ctx: ReportContext, h: dict[str, pd.DataFrame] | None = None
) -> list[tuple[pd.DataFrame, dict[str, tuple[str, str]]]]:
    """The two headline tables as ``(frame, {column: (header, kind)})``: by capital type, by
    fund and the total (its last row); and by capital type and fund together."""
    lang = ctx.lang
    h = area_headline(ctx) if h is None else h
    cols = {
        "capital_label": (t("report.col.capital_type", lang), "text"),
        "fund_label": (t("report.col.fund", lang), "text"),
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    return [(_summary_rows(h, lang), cols), (_labelled(h["capital_type_fund"], lang), cols)]


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["capital_label"] = out["capital_type"].map(lambda c: t(f"capital.{c}", lang)) if "capital_type" in out else ""
    out["fund_label"] = out["fund"].map(lambda c: t(f"fund.{c}", lang)) if "fund" in out else ""
    return out


def _summary_rows(h: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    """By capital type (all funds), by fund (all capital types), and the total."""
    total = h["total"].assign(capital_label=t("report.total", lang), fund_label="")
    by_type = _labelled(h["capital_type"], lang).assign(fund_label=t("report.all_funds", lang))
    by_fund = _labelled(h["fund"], lang).assign(capital_label=t("report.all_capital", lang))
    rows = pd.concat([by_type, by_fund, total], ignore_index=True)
    rows["rate"] = rows["rate"].where(rows["has_plan"])
    return rows


def _poverty_cards(ctx: ReportContext) -> list[tuple[str, str, str]]:
    lang, items = ctx.lang, []
    if ctx.poverty_year is not None and ctx.baseline_year is not None:
        ch = area_poverty_change(ctx)
        for rate in ("poverty_rate", "em_poverty_rate"):
            items.append(
                (
                    t(f"report.{rate}", lang, year=ctx.poverty_year),
                    format_percent(ch[f"{rate}_now"], lang),
                    beside(t(
                        "report.change_since",
                        lang,
                        change=format_points(ch[f"{rate}_change_pp"], lang),
                        year=ctx.baseline_year,
                    ) if ctx.baseline_year != ctx.poverty_year else "", area_coverage(ctx).poverty, lang),
                )
            )
    base_y, now_y = ctx.class_years
    if now_y is not None:
        n3 = int(region_counts(ctx.area.classification, now_y)["III"].iloc[0])
        exits = len(region_iii_exits(ctx.area.classification, base_y, now_y)) if base_y and base_y != now_y else 0
        exits_note = t("report.region_iii_exits", lang, n=exits, year=base_y) if base_y != now_y else ""
        items.append(
            (
                t("report.region_iii", lang, year=now_y),
                format_number(n3, lang),
                beside(exits_note, area_coverage(ctx).classification, lang),
            )
        )
    return items


# --- tables ----------------------------------------------------------------------------


def project_table(ctx: ReportContext) -> HTML:
    """Plan, disbursed and rate by project (DA1…DA10) and capital type."""
    wide, cols = project_frame(ctx)
    return HTML(f"<div class='ntp-report'>{html_table(wide, cols, ctx.lang)}{totals_note(ctx)}</div>")


def project_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The project table as ``(frame, {column: (header, kind)})``, in DA1…DA10 order."""
    lang = ctx.lang
    snap = ctx.snapshot.assign(project=ctx.snapshot["project"].fillna("–"))
    wide = None
    cols: dict[str, tuple[str, str]] = {"project": (t("report.col.project", lang), "text")}
    for ct in ("investment", "recurrent"):
        part = disbursement(snap[snap["capital_type"] == ct], "project").set_index("project")
        part = part[["plan_mvnd", "disbursed_mvnd", "rate"]].add_prefix(f"{ct}_")
        wide = part if wide is None else wide.join(part, how="outer")
        label = t(f"capital.{ct}", lang)
        cols |= {
            f"{ct}_plan_mvnd": (f"{label}: {t('report.col.plan_mvnd', lang)}", "mvnd"),
            f"{ct}_disbursed_mvnd": (f"{label}: {t('report.col.disbursed_mvnd', lang)}", "mvnd"),
            f"{ct}_rate": (f"{label}: {t('report.col.rate', lang)}", "rate"),
        }
    total = disbursement(snap, "project").set_index("project")[["plan_mvnd", "disbursed_mvnd", "rate"]]
    wide = wide.join(total).reset_index()
    wide = wide.iloc[sorted(range(len(wide)), key=lambda i: charts.project_order(wide["project"].iloc[i]))]
    cols |= {
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    if ctx.converted:
        marked = reform_report.estimated_projects(ctx)
        return reform_report.mark_estimated(ctx, wide, cols, "project", marked, "project")
    return wide, cols


def unit_table(ctx: ReportContext) -> pd.DataFrame:
    """One row per commune (district report) or district (province overview), all units
    included, with finance and poverty figures (NaN where there is no data).

    Worked out once per report (the summary and the units table both use it) and handed out
    as a copy."""
    if ctx._unit_table is None:
        ctx._unit_table = _unit_table(ctx)
    return ctx._unit_table.copy()


def _unit_table(ctx: ReportContext) -> pd.DataFrame:
    col = ctx.unit_col
    units = _units(ctx)
    fin = disbursement(ctx.snapshot[ctx.snapshot[col].notna()], col)
    out = units.merge(fin, on=col, how="left")
    if ctx.poverty_year is not None and ctx.baseline_year is not None:
        ch = poverty_change(ctx.area.poverty, ctx.baseline_year, ctx.poverty_year, col)
        out = out.merge(ch.drop(columns="n_communes", errors="ignore"), on=col, how="left")
        now = poverty_rates(ctx.area.poverty[ctx.area.poverty["year"] == ctx.poverty_year], col)
        out = out.merge(now[[col, "poverty_rate", "em_poverty_rate"]], on=col, how="left")
    if col == "commune_code" and ctx.class_years[1] is not None:
        cls = ctx.area.classification
        cls = cls[cls["year"] == ctx.class_years[1]][["commune_code", "region"]]
        out = out.merge(cls, on="commune_code", how="left")
    if col == "district_code":  # a district's figures are sums over its communes: how many had data
        out = _with_commune_coverage(ctx, out)
    warn = reform_report.unit_warnings(ctx) if ctx.converted else ctx.area.warnings
    if col in warn.columns and len(warn):
        counts = warn.groupby(col).size().rename("warnings")
        out = out.merge(counts, left_on=col, right_index=True, how="left")
    out["warnings"] = out.get("warnings", pd.Series(0, index=out.index)).fillna(0)
    return out


def _with_commune_coverage(ctx: ReportContext, out: pd.DataFrame) -> pd.DataFrame:
    """``finance_communes``, ``poverty_communes`` (``2/20``) and whether each is partial, by district."""
    pov = ctx.area.poverty
    pov = pov[pov["year"] == ctx.poverty_year] if ctx.poverty_year is not None else pov.iloc[0:0]
    for name, rows in (("finance", ctx.snapshot), ("poverty", pov)):
        by = communes_by_unit(ctx, rows).set_index("district_code")
        codes = out["district_code"].astype(str)
        out[f"{name}_communes"] = codes.map(by["fraction"])
        out[f"{name}_partial"] = codes.map(by["covered"] < by["total"]).fillna(False).astype(bool)
    return out


def coverage_columns(ctx: ReportContext, df: pd.DataFrame, kind: str) -> dict[str, tuple[str, str]]:
    """The column of a table by district (:func:`unit_table`) that says how many of each
    district's communes its ``kind`` figures (``"finance"``, ``"poverty"``) are summed from
    (``2/20``): there when some district's are of part of its communes."""
    if not df.get(f"{kind}_partial", pd.Series(dtype=bool)).any():
        return {}
    return {f"{kind}_communes": (t(f"coverage.col.{kind}", ctx.lang, year=ctx.poverty_year), "text")}


def _units(ctx: ReportContext) -> gpd.GeoDataFrame:
    if ctx.unit_col == "commune_code":
        return ctx.area.communes[
            ["commune_code", "commune_name", "district_code", "geometry", "boundary_quality"]
        ].copy()
    d = ctx.area.districts[["district_code", "district_name", "geometry"]].copy()
    d["boundary_quality"] = ctx.area.communes["boundary_quality"].iloc[0] if len(ctx.area.communes) else "surveyed"
    # the province's districts without data stay in its table, with "–" (never dropped)
    u = official_units().drop_duplicates("district_code")
    u = u[(u["province_code"] == ctx.area.province_code) & ~u["district_code"].isin(set(d["district_code"]))]
    if len(u):
        missing = gpd.GeoDataFrame(u[["district_code", "district_name"]].assign(boundary_quality=None),
                                   geometry=[None] * len(u), crs=d.crs)
        d = pd.concat([d, missing], ignore_index=True)
    return d


def units_table(ctx: ReportContext) -> HTML:
    """The table by commune (district report) or by district (province overview); a new
    commune's report lists the old communes it was formed from."""
    if ctx.level == "commune":
        return HTML(f"<div class='ntp-report'>{reform_report.former_communes_table(ctx)}</div>")
    df, cols = units_frame(ctx)
    return HTML(f"<div class='ntp-report'>{html_table(df, cols, ctx.lang)}</div>")


def units_frame(ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The units table as ``(frame, {column: (header, kind)})``, sorted by name, no rate
    where there is no plan."""
    lang, df = ctx.lang, unit_table(ctx)
    name = ctx.unit_col.replace("_code", "_name")
    cols: dict[str, tuple[str, str]] = {name: (t(f"report.col.{name}", lang), "text")}
    if "region" in df.columns:
        cols["region"] = (t("report.col.region", lang), "text")
    cols |= {
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    cols |= coverage_columns(ctx, df, "finance")
    if "poverty_rate" in df.columns:
        cols |= {
            "poverty_rate": (t("report.col.poverty_rate", lang, year=ctx.poverty_year), "rate"),
            "poverty_rate_change_pp": (t("report.col.poverty_change", lang, year=ctx.baseline_year), "pp"),
            "em_poverty_rate": (t("report.col.em_poverty_rate", lang, year=ctx.poverty_year), "rate"),
        }
        cols |= coverage_columns(ctx, df, "poverty")
    cols["warnings"] = (t("report.col.warnings", lang), "int")
    df = df.sort_values(name)
    df["rate"] = [r if hp else None for r, hp in zip(df["rate"], df["has_plan"].fillna(False), strict=True)]
    if ctx.converted:
        return reform_report.mark_estimated(ctx, df, cols, "commune_code", reform_report.estimated_codes(ctx), name)
    return df, cols


# --- maps and charts -------------------------------------------------------------------


def _map_frame(ctx: ReportContext) -> gpd.GeoDataFrame:
    """The communes a map shows with their figures: the district's, or the whole province's.

    Worked out once per report (every map of a report shows the same communes) and handed
    out as a copy, so that one map's drawing cannot change another's data.
    """
    if ctx._map_frame is None:
        gdf = commune_metrics(ctx.area, ctx.snapshot, ctx.baseline_year, ctx.poverty_year)
        if ctx.level == "district":
            gdf = gdf[gdf["district_code"] == ctx.area.district_code]
        elif ctx.level == "commune":
            gdf = gdf[gdf["commune_code"] == ctx.area.commune_code]
        ctx._map_frame = gdf
    return ctx._map_frame.copy()


class Picture:
    """A figure shown as an embedded PNG with alt text (offline, no pyplot state).

    ``.figure`` is the matplotlib figure, for an analyst who wants to save it. The PNG is
    drawn once and kept: a notebook shows the picture as HTML only (``<img>`` with its alt
    text), so the executed notebook does not carry every image twice and a report does not
    pay to draw it twice.

    A picture can also be made from its PNG and a function that draws its figure: the
    report's three maps are drawn on one figure in turn (:func:`analysis.maps.choropleth.restyle`), and
    ``.figure`` then draws the map alone on a new figure when first asked for.
    """

    def __init__(
        self,
        figure: Figure | None,
        alt: str,
        dpi: int = 150,
        *,
        png: bytes | None = None,
        draw: Callable[[], Figure] | None = None,
    ) -> None:
        if figure is None and draw is None:
            raise ValueError("a Picture needs a figure, or a function that draws it")
        self._figure = figure
        self._draw = draw
        self.alt = alt
        self.dpi = dpi
        self._png = png

    @property
    def figure(self) -> Figure:
        """The matplotlib figure (drawn now if the picture was made from its PNG)."""
        if self._figure is None:
            self._figure = self._draw()
        return self._figure

    def png(self) -> bytes:
        """The picture as PNG bytes at ``dpi``, trimmed to its content (drawn on first call)."""
        if self._png is None:
            self._png = png_trimmed(self.figure, self.dpi)
        return self._png

    def _repr_html_(self) -> str:
        import base64

        data = base64.b64encode(self.png()).decode("ascii")
        return _IMG.format(data=data, alt=esc(self.alt))

    @staticmethod
    def find_html(page: str, alt: str) -> str | None:
        """The first picture with alt text ``alt`` in an HTML ``page``, as its ``<img>``
        exactly as :meth:`_repr_html_` wrote it; None when there is none."""
        pattern = re.escape(_IMG).replace(re.escape("{data}"), "[A-Za-z0-9+/=]+")
        found = re.search(pattern.replace(re.escape("{alt}"), re.escape(esc(alt))), page)
        return found.group(0) if found else None


#: How a picture is written into a page (:meth:`Picture._repr_html_`).
_IMG = '<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'


#: Where a report map's axes sit in its 9 × 6.6 in figure: room above for the title and
#: subtitle, below for the source line, on the right for the legend and the locator inset.
#: A fixed frame rather than constrained layout: a layout pass measures every text of the
#: figure again at each draw, and the PNG is cut to what was drawn anyway. A legend wider
#: than the room is drawn beyond the figure's edge and still kept whole by the cut.
MAP_RECT = (0.01, 0.06, 0.64, 0.82)


def new_map_figure() -> tuple[Figure, object]:
    """A map figure of the reports' size, and its map axes."""
    fig = Figure(figsize=(9.0, 6.6), dpi=110)
    return fig, fig.add_axes(MAP_RECT)


def decorate_area_map(ctx: ReportContext, ax, gdf: gpd.GeoDataFrame) -> None:
    """Draw what a report's map shows around its units: the former districts of converted data, or the
    area's outline and neighbours."""
    if ctx.converted:  # the former districts as a reference layer; a new commune with its neighbours
        reform_report.decorate_map(ctx, ax)
    elif ctx.level == "district":
        layers.add_inset(
            ax,
            ctx.area.districts,
            ctx.area.districts[ctx.area.districts["district_code"] == ctx.area.district_code],
            loc="outside lower right",
        )
    else:
        layers.draw_boundaries(ax, ctx.area.districts, linewidth=1.0, color="#252525")


def _source(ctx: ReportContext) -> str:
    # the source line is short: the latest date of the figures (the subtitle gives them all)
    return t("report.map_source_programme", ctx.lang, programme=get_programme(ctx.programme).title(ctx.lang),
             as_of=format_date(shown_dates(ctx).latest, ctx.lang))


def _map(
    ctx: ReportContext,
    title_key: str,
    column: str | tuple[str, str],
    legend_set: str,
    title: str | None = None,
    no_plan: bool = True,
) -> Picture:
    """A map of the report's communes: ``column`` classed by ``legend_set``, drawn on the
    report's figure of its communes when it has one (:func:`shared_map`)."""
    alt = t(title_key, ctx.lang)
    labels = "commune_name" if ctx.level != "province" else None  # a province has too many to label
    kw = {"no_plan_column": "no_plan" if no_plan else None, "title": title, "lang": ctx.lang,
          "source": _source(ctx), "subtitle": _subtitle(ctx)}  # fmt: skip

    def alone() -> Figure:
        gdf = _map_frame(ctx)
        fig, ax = new_map_figure()
        if ctx.converted:
            reform_report.frame_axes(ctx, ax)
        maps.choropleth(gdf, column, legend_set, ax=ax, labels=labels, **kw)
        decorate_area_map(ctx, ax, gdf)
        return fig

    if ctx.converted:  # new communes with their neighbours and the former districts: drawn alone
        return Picture(alone(), alt)
    gdf = _map_frame(ctx)
    return shared_map(ctx, gdf["commune_code"], labels, alt, alone,
                      lambda ax: maps.restyle(ax, gdf, column, legend_set, **kw))  # fmt: skip


def _subtitle(ctx: ReportContext) -> str:
    return t("report.subtitle", ctx.lang, year=ctx.year, as_of=shown_as_of(ctx))


def shared_map(
    ctx: ReportContext,
    units: pd.Series,
    labels: str | None,
    alt: str,
    alone: Callable[[], Figure],
    restyle: Callable[[object], object],
) -> Picture:
    """A map of ``units`` drawn on the report's figure of those units, if it has one.

    A report shows several maps of the same units (its communes' disbursement, poverty and
    indicators). The first is drawn in full by ``alone``; the next ones are drawn on the
    same figure by ``restyle(ax)`` (:func:`analysis.maps.choropleth.restyle`: fills, legend, titles and
    label colours replaced), so that outlines, label placement, the inset and the scale bar
    are drawn and measured once. Each map's PNG is made before the next map is drawn; its
    ``.figure`` calls ``alone`` to draw it alone when an analyst asks for it.

    Parameters
    ----------
    ctx
        The report; it keeps one figure per set of units and labels.
    units
        The unit codes the map shows, in the order drawn.
    labels
        The column the units are labelled with, or None.
    alt
        Alt text of the picture.
    alone, restyle
        Draw the map on a new figure; show it on the axes of a figure ``alone`` drew for
        another map of the same units.
    """
    key = (tuple(units), labels)
    base = ctx._map_bases.get(key)
    if base is None:
        base = ctx._map_bases[key] = alone()
    else:
        restyle(base.axes[0])
    return Picture(None, alt, png=Picture(base, alt).png(), draw=alone)


def map_disbursement(ctx: ReportContext) -> Picture:
    """Disbursement rate by commune, with the fixed policy bins; zero plan its own class."""
    return _map(ctx, "title.disbursement_rate", "rate", "disbursement_rate")


def map_poverty_change(ctx: ReportContext) -> Picture:
    """Change in the poverty rate since the baseline year, percentage points, by commune."""
    title = t("title.poverty_change_pp", ctx.lang) + f" ({ctx.baseline_year}–{ctx.poverty_year})"
    return _map(ctx, "title.poverty_change_pp", "poverty_rate_change_pp", "poverty_change_pp", title, no_plan=False)


def map_need_vs_money(ctx: ReportContext) -> Picture:
    """Where need and money diverge: high poverty with low disbursement stands out."""
    return _map(ctx, "title.need_vs_money", ("poverty_rate_now", "rate"), "need_vs_money")


def chart_projects(ctx: ReportContext) -> Picture:
    """Disbursement by project and capital type (bars: plan and disbursed)."""
    table = disbursement(ctx.snapshot.assign(project=ctx.snapshot["project"].fillna("–")), ["project", "capital_type"])
    chart = charts.projects_chart(table, ctx.lang, order=charts.project_order)
    return Picture(chart.figure, t("chart.projects", ctx.lang))


def chart_progress(ctx: ReportContext) -> Picture:
    """Progress through the year from the as-of snapshots, by capital type."""
    prog = progress(ctx.area.finance[ctx.area.finance["as_of"] <= ctx.as_of], ctx.year, "capital_type")
    return Picture(charts.progress_chart(prog, ctx.lang).figure, t("chart.progress", ctx.lang))


# --- data quality and sources ------------------------------------------------------------


def flagged_units(ctx: ReportContext) -> HTML:
    """Communes flagged by the rule checks (warnings, not rejections)."""
    lang, w = ctx.lang, ctx.area.warnings
    if not len(w):
        return HTML(f"<div class='ntp-report'><p>{esc(t('report.no_warnings', lang))}</p></div>")
    if ctx.converted:  # warnings are those of the old data, keyed to the old communes
        names = reform_report.warning_names(ctx)
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
        parts.append(f"<p>{esc(reform_report.match_summary(ctx))}</p>")
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


def sources(ctx: ReportContext) -> HTML:
    """Sources, as-of date, method notes, input hashes and the generated-at time."""
    lang, m = ctx.lang, ctx.area.manifest
    files = [
        {"input": report_quality.table_label(name, lang), "file": Path(e["path"]).name, "sha256": e["sha256"][:16]}
        for name, e in m["inputs"].items()
    ]
    b = reform_report.boundary_file(m)
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
    if ctx.converted:
        notes = reform_report.method_notes(ctx)
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


# --- exploration -------------------------------------------------------------------------

#: Indicators the exploration notebook offers: name -> (column, legend set)
INDICATORS = {
    "disbursement_rate": ("rate", "disbursement_rate"),
    "poverty_change_pp": ("poverty_rate_change_pp", "poverty_change_pp"),
    "poverty_rate": ("poverty_rate_now", "poverty_rate"),
}


def _indicator(indicator: str) -> tuple[str, str]:
    if indicator not in INDICATORS:
        raise ParameterError(f"indicator must be one of {', '.join(INDICATORS)}, not {indicator!r}")
    return INDICATORS[indicator]


def interactive_map(ctx: ReportContext, indicator: str = "disbursement_rate") -> HTML:
    """A map of one indicator by commune; hover a commune for its name and value (offline)."""
    column, legend_set = _indicator(indicator)
    gdf = _map_frame(ctx)
    no_plan = "no_plan" if legend_set == "disbursement_rate" else None
    name = "commune_name"
    return HTML(interactive.svg_map(gdf, column, legend_set, name, ctx.lang, no_plan_column=no_plan))


def indicator_table(ctx: ReportContext, indicator: str = "disbursement_rate") -> HTML:
    """The communes sorted by one indicator (missing values last)."""
    column, legend_set = _indicator(indicator)
    gdf = _map_frame(ctx)
    kind = "pp" if legend_set == "poverty_change_pp" else "rate"
    cols = {
        "commune_name": (t("report.col.commune_name", ctx.lang), "text"),
        column: (t(f"legend.{legend_set}", ctx.lang), kind),
    }
    return HTML(
        f"<div class='ntp-report'>{html_table(gdf.sort_values(column, na_position='last'), cols, ctx.lang)}</div>"
    )
