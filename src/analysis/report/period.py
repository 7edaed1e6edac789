"""The period a report or map covers: plan year, as-of date, poverty baseline and year.

One resolution of the parameters, shared by the reports (:func:`analysis.report.area.context`)
and the map export (:func:`analysis.report.mapdata.map_data`), so both default and fail the same way.

The as-of date asked for is a cut-off: each district's latest snapshot at or before it is
used. What a reader is told is the date of the figures actually shown (:class:`DataDates`,
:func:`as_of_text`): asked for 01/01/2030 over data that ends 31/12/2023, a report says
"31/12/2023 (ngày mới nhất có số liệu; đã yêu cầu 01/01/2030)", and where districts'
latest snapshots differ it gives each date with its districts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.catalog.units import official_units
from analysis.common.i18n import t
from analysis.common.numbers import format_date, format_number
from analysis.errors import ParameterError
from analysis.metrics.finance import latest_snapshot, snapshot_dates
from analysis.metrics.poverty import poverty_standard
from analysis.store.area_data import AreaData

#: Districts named beside a date, at most; more are counted ("10 huyện").
MAX_NAMED = 2


@dataclass(frozen=True)
class DataDates:
    """The dates of the finance figures a report shows: each reporting district's snapshot.

    Attributes
    ----------
    requested
        The as-of date asked for (or the year's latest snapshot when none was).
    reporters
        ``(district code, district name, snapshot date)`` of each district whose rows are
        shown, in code order. Data converted to the 2025 units is reported by its former
        districts (``source_district_code``).
    """

    requested: date
    reporters: tuple[tuple[str, str, date], ...] = ()

    @property
    def dates(self) -> list[date]:
        """The distinct snapshot dates shown, in order."""
        return sorted({d for _, _, d in self.reporters})

    @property
    def latest(self) -> date:
        """The latest date of the figures shown (the date asked for when none is shown)."""
        return self.dates[-1] if self.reporters else self.requested

    @property
    def exact(self) -> bool:
        """One date for every district, the date asked for."""
        return self.dates in ([], [self.requested])

    def only(self, districts: set[str] | list[str]) -> DataDates:
        """The dates of some districts only (a district's map in a province's export)."""
        keep = {str(d) for d in districts}
        return DataDates(self.requested, tuple(r for r in self.reporters if r[0] in keep))


@dataclass
class Period:
    """A resolved period and the finance snapshot it selects.

    Attributes
    ----------
    year
        Plan year.
    as_of
        Date the finance figures run to.
    baseline_year, poverty_year
        The poverty change runs from ``baseline_year`` to ``poverty_year`` (the latest year
        with poverty data up to ``year``); None without poverty data.
    class_years
        First classification year and the latest up to ``year`` (region III exits between).
    snapshot
        Each district's latest finance rows of ``year`` at or before ``as_of``.
    dates
        The dates of those rows (:func:`data_dates`).
    """

    year: int
    as_of: pd.Timestamp
    baseline_year: int | None
    poverty_year: int | None
    class_years: tuple[int | None, int | None]
    snapshot: pd.DataFrame
    dates: DataDates | None = None


def latest_up_to(years, year: int) -> int | None:
    """The largest of ``years`` that is at most ``year``, or None."""
    ok = sorted(int(y) for y in set(years) if int(y) <= year)
    return ok[-1] if ok else None


def _parse_date(as_of, example: pd.Timestamp) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.to_datetime(str(as_of), dayfirst="/" in str(as_of)))
    except (ValueError, TypeError):
        raise ParameterError(f"as_of must be a date such as {example:%Y-%m-%d}, not {as_of!r}") from None


def resolve_period(
    area: AreaData,
    year: int | str | None = None,
    as_of: str | pd.Timestamp | None = None,
    baseline_year: int | str | None = None,
) -> Period:
    """Resolve and check a report's period against the area's data.

    Parameters
    ----------
    area
        The area's prepared data.
    year
        Plan year; default the latest year with finance data.
    as_of
        ``yyyy-mm-dd``, ``dd/mm/yyyy`` or a timestamp; default the year's latest snapshot.
    baseline_year
        Year the poverty change is measured from; default the first year with poverty data
        counted under the same poverty standard as the report's poverty year
        (:func:`analysis.metrics.poverty.poverty_standard`): a change across a new standard is
        only computed when asked for, and the report says so beside it.

    Raises
    ------
    ParameterError
        A year or date without data, with the ones there are.
    """
    years = area.years()
    if not years:
        raise ParameterError(f"{area.name} has no finance data in {area.data_dir}; run 'ntp-atlas prepare' first")
    try:
        year = int(year) if year not in (None, "") else years[-1]
    except ValueError:
        raise ParameterError(f"year must be a number such as {years[-1]}, not {year!r}") from None
    if year not in years:
        raise ParameterError(
            f"{area.name} has no finance data for {year}; years with data: {', '.join(map(str, years))}"
        )
    dates = snapshot_dates(area.finance, year)
    cutoff = dates[-1] if as_of in (None, "") else _parse_date(as_of, dates[-1])
    if cutoff < dates[0]:
        raise ParameterError(
            f"no {year} figures of {area.name} as of {cutoff:%d/%m/%Y}; the first snapshot is "
            f"{dates[0]:%d/%m/%Y}. Snapshots: {', '.join(f'{d:%d/%m/%Y}' for d in dates)}"
        )
    pov_years = {int(y) for y in area.poverty["year"]}
    now = latest_up_to(pov_years, year)
    # by default the change runs from the first review under the same poverty standard: never across a break
    same = {y for y in pov_years if now is None or poverty_standard(y) == poverty_standard(now)}
    base = int(baseline_year) if baseline_year not in (None, "") else (min(same) if same else None)
    if base is not None and pov_years and base not in pov_years:
        raise ParameterError(
            f"no poverty data for baseline year {base}; years with data: {', '.join(map(str, sorted(pov_years)))}"
        )
    cls_years = {int(y) for y in area.classification["year"]}
    class_years = (min(cls_years) if cls_years else None, latest_up_to(cls_years, year))
    snapshot = latest_snapshot(area.finance, year, cutoff)
    return Period(
        year,
        pd.Timestamp(cutoff),
        base,
        now,
        class_years,
        snapshot,
        data_dates(snapshot, cutoff),
    )


def data_dates(snapshot: pd.DataFrame, requested: date | pd.Timestamp) -> DataDates:
    """The snapshot date of each district in ``snapshot`` (rows of
    :func:`analysis.metrics.finance.latest_snapshot`), with the date asked for.

    >>> rows = pd.DataFrame({"district_code": ["187", "189"],
    ...                      "as_of": pd.to_datetime(["2023-12-31", "2023-09-30"])})
    >>> data_dates(rows, pd.Timestamp("2030-01-01")).dates
    [datetime.date(2023, 9, 30), datetime.date(2023, 12, 31)]
    """
    requested = pd.Timestamp(requested).date()
    reporter = "source_district_code" if "source_district_code" in snapshot.columns else "district_code"
    if not len(snapshot) or reporter not in snapshot.columns:
        return DataDates(requested)
    latest = snapshot.groupby(reporter, observed=True)["as_of"].max()
    names = _district_names()
    return DataDates(requested, tuple((str(code), names.get(str(code), str(code)), pd.Timestamp(d).date())
                                      for code, d in sorted(latest.items(), key=lambda kv: str(kv[0]))))


def _district_names() -> dict[str, str]:
    u = official_units().drop_duplicates("district_code")
    return dict(zip(u["district_code"].astype(str), u["district_name"].astype(str), strict=True))


def as_of_text(dates: DataDates, lang: str) -> str:
    """The date of the figures shown, for a report's headers, summary and map subtitles.

    ``31/12/2023`` when that is the date asked for; ``31/12/2023 (ngày mới nhất có số liệu;
    đã yêu cầu 01/01/2030)`` when the data ends before it; where districts' snapshots differ,
    each date with its districts (named up to :data:`MAX_NAMED`, else counted):
    ``30/06/2023 (10 huyện) và 04/08/2023 (Huyện Chi Lăng), kỳ báo cáo mới nhất của mỗi
    huyện đến ngày 04/08/2023``.
    """
    if dates.exact:
        return format_date(dates.requested, lang)
    if len(dates.dates) == 1:
        return t("period.latest_available", lang, as_of=format_date(dates.latest, lang),
                 requested=format_date(dates.requested, lang))
    parts = []
    for d in dates.dates:
        names = [name for _, name, when in dates.reporters if when == d]
        if len(names) <= MAX_NAMED:
            who = t("period.join_names", lang).join(names)
        else:
            who = t("period.districts", lang, n=format_number(len(names), lang))
        parts.append(t("period.date_of", lang, as_of=format_date(d, lang), districts=who))
    listed = t("period.join", lang).join(parts[:-1]) + t("period.join_last", lang) + parts[-1]
    return t("period.each_latest", lang, dates=listed, requested=format_date(dates.requested, lang))
