"""The report context, a report's area: its validated parameters and the area's data, and what
every section asks of them (the dates shown, the headline tables, the poverty change, the title).

A notebook builds a :class:`ReportContext` from its parameters with :func:`context` (which
validates them and stops with a clear message on a bad one), then calls one function per
section (:mod:`analysis.report.sections`). The figures worked out once per report are kept on
the context, so that the summary and the sections that show the same figures share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.catalog.programme_rows import programme_finance
from analysis.catalog.programmes import DEFAULT_PROGRAMME, get_programme
from analysis.common.i18n import t
from analysis.config import LANGUAGES, PROCESSED_DIR
from analysis.errors import ParameterError
from analysis.maps import textmetrics
from analysis.metrics.finance import headline
from analysis.metrics.poverty import poverty_change, poverty_standard
from analysis.report.period import DataDates, as_of_text, data_dates, resolve_period
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
    #: The programme whose finance rows the report sums (:func:`analysis.catalog.programme_rows.programme_finance`).
    programme: str = DEFAULT_PROGRAMME
    #: The dates of the finance figures shown (each district's snapshot); from ``snapshot`` when None.
    dates: DataDates | None = None
    _map_frame: gpd.GeoDataFrame | None = field(default=None, repr=False, compare=False)
    _unit_table: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: The figures the report's maps are drawn on in turn, by the units they show and how
    #: those are labelled (:func:`shared_map`).
    _map_bases: dict = field(default_factory=dict, repr=False, compare=False)
    #: The area's indicator rows, read once (:mod:`analysis.report.indicator_data`).
    _indicators: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: Those rows added up by level, each level once (:mod:`analysis.report.indicator_data`).
    _indicators_by_level: dict = field(default_factory=dict, repr=False, compare=False)
    #: The headline tables and the area's poverty change, worked out once (:func:`area_headline`,
    #: :func:`area_poverty_change`): the summary and the headline section both use them.
    _once: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def standard_break(self) -> str:
        """``""``, or the sentence that says the poverty change runs across two poverty standards
        (a baseline asked for under the standard before the poverty year's)."""
        base, now = self.baseline_year, self.poverty_year
        if base is None or now is None or poverty_standard(base) == poverty_standard(now):
            return ""
        return t("report.standard_break", self.lang, base=base, before=poverty_standard(base), now=now,
                 after=poverty_standard(now))  # fmt: skip

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
        :mod:`analysis.catalog.programmes`); default the year's (NTP 1719 to 2025, the programme of
        2026–2030 from 2026: :func:`~analysis.catalog.programmes.default_programme`). Rows of
        other programmes are left out.
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
    # never two programmes summed; by default the programme of the year (NTP 1719 to 2025, then the integrated one)
    prog, area.finance = programme_finance(area.finance, programme, area.name, year=year)
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


def area_subtitle(ctx: ReportContext) -> str:
    """The line under a report's title and its maps' titles: the plan year and the date of the figures shown."""
    return t("report.subtitle", ctx.lang, year=ctx.year, as_of=shown_as_of(ctx))
