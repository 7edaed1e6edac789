"""The facts of a written summary: the figures of a report that its sentences may state.

A figure that is not there stays ``None``, and a sentence whose figures are missing is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from analysis.metrics.coverage import Coverage
from analysis.report.period import DataDates

#: Units named as furthest behind, at most; and region III leavers named, at most.
MAX_BEHIND = 3
MAX_EXITS_NAMED = 5


@dataclass(frozen=True)
class Amounts:
    """Plan and disbursed (million VND) and the rate as the tables compute it (None: no plan)."""

    plan: float
    disbursed: float
    rate: float | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Amounts:
        """From a row of :func:`analysis.metrics.finance.disbursement`."""
        rate = float(row["rate"]) if bool(row["has_plan"]) else None
        return cls(float(row["plan_mvnd"]), float(row["disbursed_mvnd"]), rate)


@dataclass(frozen=True)
class Previous:
    """The area's totals at the snapshot before the report's."""

    as_of: date
    disbursed: float
    rate: float | None


@dataclass(frozen=True)
class Position:
    """A district against its province at the same date (rank 1: the highest rate)."""

    province_rate: float
    rank: int
    n: int


@dataclass(frozen=True)
class Units:
    """The report's units (communes of a district, districts of a province)."""

    kind: str  # "commune" or "district"
    total: int
    with_plan: int
    #: The lowest disbursement rates, lowest first: (name, rate).
    lowest: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Poverty:
    """Poverty and ethnic-minority poverty rates and their change since the baseline year."""

    year: int
    base_year: int | None
    rate: float | None
    change_pp: float | None
    em_rate: float | None
    em_change_pp: float | None
    #: The communes the rates are computed from (those with data in both years).
    coverage: Coverage | None = None


@dataclass(frozen=True)
class Regions:
    """Region III communes in the latest list, and those that left region III since the first."""

    year: int
    n_iii: int
    base_year: int | None = None
    exits: tuple[str, ...] | None = None  # None: no earlier list to compare with
    #: The communes classified in ``year``.
    coverage: Coverage | None = None


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator of the area at its latest date, as :func:`analysis.inputs.indicators.aggregate` adds it up.

    ``value`` is the share (yes/no, numerator) or the sum (count, amount); ``numerator`` and
    ``denominator`` its n and N; ``units_missing`` the units in scope without a figure.
    """

    code: str  # an indicator of resources/indicators.json
    year: int
    as_of: date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    units_missing: int = 0


@dataclass(frozen=True)
class SummaryFacts:
    """Everything a summary says, each figure as the report's tables compute it.

    Anything ``None`` (or empty) is missing, and the sentences that need it are left out.
    """

    level: str  # "district" or "province"
    area: str
    province: str
    year: int
    as_of: date
    total: Amounts | None = None
    funds: dict[str, Amounts] = field(default_factory=dict)
    capital: dict[str, Amounts] = field(default_factory=dict)
    previous: Previous | None = None
    position: Position | None = None
    units: Units | None = None
    poverty: Poverty | None = None
    regions: Regions | None = None
    indicators: tuple[IndicatorFigure, ...] = ()
    #: The units the finance figures are summed over (districts of a province, communes).
    coverage: Coverage | None = None
    #: The dates of the finance figures (each district's snapshot); the finance sentences say
    #: them instead of ``as_of`` when the data does not run to the date asked for.
    dates: DataDates | None = None
