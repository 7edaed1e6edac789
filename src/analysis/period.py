"""The period a report or map covers: plan year, as-of date, poverty baseline and year.

One resolution of the parameters, shared by the reports (:func:`analysis.report.context`)
and the map export (:func:`analysis.mapdata.map_data`), so both default and fail the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.errors import ParameterError
from analysis.finance import latest_snapshot, snapshot_dates
from analysis.prepared import AreaData


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
    """

    year: int
    as_of: pd.Timestamp
    baseline_year: int | None
    poverty_year: int | None
    class_years: tuple[int | None, int | None]
    snapshot: pd.DataFrame


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
        Year the poverty change is measured from; default the first year with poverty data.

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
    base = int(baseline_year) if baseline_year not in (None, "") else (min(pov_years) if pov_years else None)
    if base is not None and pov_years and base not in pov_years:
        raise ParameterError(
            f"no poverty data for baseline year {base}; years with data: {', '.join(map(str, sorted(pov_years)))}"
        )
    cls_years = {int(y) for y in area.classification["year"]}
    class_years = (min(cls_years) if cls_years else None, latest_up_to(cls_years, year))
    return Period(
        year,
        pd.Timestamp(cutoff),
        base,
        latest_up_to(pov_years, year),
        class_years,
        latest_snapshot(area.finance, year, cutoff),
    )
