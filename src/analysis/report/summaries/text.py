"""Written summaries: the paragraphs that open every report, written from its figures.

The offices write their reports as sentences of figures ("Tính đến ngày 30/11/2023, đã giải
ngân trên 2.791 triệu đồng vốn chuyển nguồn từ năm 2022 sang năm 2023, đạt 33,40% kế hoạch
vốn giao…"). This module writes those sentences in two steps:

1. :func:`summary_facts` gathers the figures of a :class:`~analysis.report.notebook.ReportContext`
   with the functions the report's tables use (:func:`analysis.metrics.finance.headline`,
   :func:`analysis.report.notebook.unit_table`, :func:`analysis.metrics.poverty.poverty_change`…), so a
   sentence can only say what a table shows. A figure that is not there stays ``None``.
2. :func:`summary_sentences` fills deterministic templates with them. A sentence whose
   figures are missing is left out, never filled with a guess. No network, no model.

The wording lives in ``resources/summaries/<lang>.json`` (one file per language) so that an
office can change it without touching code. Each template may use the placeholders that
:data:`TEMPLATES` lists for it, with these formats:

``{amount}``
    money, in the unit the offices use in prose: ``triệu đồng`` below 1,000 million, else
    ``tỷ đồng`` written exactly when two decimals hold it (29.720 triệu → ``29,72 tỷ đồng``)
    and otherwise as "over" the figure cut to one decimal (3.312 → ``trên 3,3 tỷ đồng``;
    the word comes from the ``money.over`` template).
``{amount:mvnd}``
    money in million VND as the tables show it (three decimals), trailing zeros dropped
    (``2.791 triệu đồng``, ``8.356,336 triệu đồng``).
``{amount:bvnd}``
    money in billion VND by the rule above, whatever its size.
``{amount:both}``
    as ``{amount}``, followed by the exact million-VND figure in brackets when the prose
    says billions: ``trên 2,7 tỷ đồng (2.791 triệu đồng)``, but ``541,305 triệu đồng``.
``{amount:round}``
    billion VND rounded to one decimal from 1,000 million (226.284,5 triệu →
    ``226,3 tỷ đồng``, as seed 002 and the indicator tables write it), else million VND.
``{rate}``
    a rate as the tables show it (``33,40%``); ``{rate:short}`` the same rounded figure
    with trailing zeros dropped (``37%``, ``4,9%``).
``{change}``
    a change in percentage points, one decimal, without sign (the template says which way).

A template file with a missing or unknown template, or a placeholder or format a template
may not use, is refused with a :class:`SummaryTemplateError` that names the file, the
template and what it may use.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel.numbers import get_decimal_symbol

from analysis.catalog.indicators import load_catalogue
from analysis.common.i18n import t
from analysis.common.numbers import LOCALES, format_date, format_number, format_percent
from analysis.config import LANGUAGES
from analysis.errors import NtpAtlasError
from analysis.inputs.schema import CAPITAL_TYPES, FUNDS
from analysis.metrics.coverage import Coverage, area_coverage
from analysis.metrics.finance import disbursement, latest_snapshot, progress
from analysis.metrics.poverty import region_counts, region_iii_exits
from analysis.report.period import DataDates, as_of_text

if TYPE_CHECKING:
    from analysis.report.notebook import ReportContext

#: Folder (inside the package) of the template files, one ``<lang>.json`` per language.
TEMPLATE_FOLDER = "resources/summaries"

_M, _R, _P, _T = "money", "rate", "points", "text"
#: Format specifications a placeholder of each kind accepts.
SPECS = {_M: ("", "mvnd", "bvnd", "both", "round"), _R: ("", "short"), _P: ("",), _T: ("",)}
_CHANGE = {"previous_as_of": _T, "as_of": _T, "delta": _M, "rate": _R, "previous_rate": _R}
_POSITION = {"area": _T, "rate": _R, "province": _T, "province_rate": _R, "rank": _T, "n": _T}
_POVERTY = {"what": _T, "year": _T, "rate": _R, "change": _P, "base_year": _T, "coverage": _T}
_REGIONS = {"year": _T, "area": _T, "n": _T, "coverage": _T}
_INDICATOR = {"phrase": _T, "name": _T}

#: Every template and the placeholders (name: kind) it may use.
TEMPLATES: dict[str, dict[str, str]] = {
    # pieces used inside sentences
    "join.items": {},
    "join.names": {},
    "join.last": {},
    "money.over": {"amount": _T},
    "area.district": {"name": _T},
    "area.province": {"name": _T},
    "fund.carried_over": {"year": _T, "previous_year": _T},
    "fund.current": {"year": _T},
    "unit.commune.one": {},
    "unit.commune.many": {},
    "unit.district.one": {},
    "unit.district.many": {},
    "rate.poverty": {},
    "rate.em_poverty": {},
    #: beside a figure computed from part of the area's units ("(1/8 xã có số liệu)")
    "coverage": {"n": _T, "total": _T, "units": _T},
    # plan and disbursement
    "plan": {"year": _T, "area": _T, "plan": _M, "parts": _T, "coverage": _T},
    "plan.total": {"year": _T, "area": _T, "plan": _M, "coverage": _T},
    "plan.part": {"fund": _T, "plan": _M},
    "funds": {"as_of": _T, "items": _T},
    "funds.item": {"fund": _T, "disbursed": _M, "plan": _M, "rate": _R},
    "funds.item_no_plan": {"fund": _T, "disbursed": _M},
    "capital": {"as_of": _T, "items": _T},
    "capital.item": {"capital": _T, "disbursed": _M, "plan": _M, "rate": _R},
    "capital.item_no_plan": {"capital": _T, "disbursed": _M},
    "total": {"area": _T, "as_of": _T, "disbursed": _M, "plan": _M, "rate": _R},
    # since the previous snapshot, and against the province
    "change.up": _CHANGE,
    "change.down": _CHANGE,
    "change.same": _CHANGE,
    "position.above": _POSITION,
    "position.below": _POSITION,
    "position.equal": _POSITION,
    # the units furthest behind
    "units.with_plan": {"n": _T, "total": _T, "units": _T, "year": _T},
    "behind.one": {"unit": _T, "names": _T},
    "behind.many": {"units": _T, "names": _T},
    "behind.item": {"name": _T, "rate": _R},
    # poverty and region III
    "poverty": {"clauses": _T},
    "poverty.down": _POVERTY,
    "poverty.up": _POVERTY,
    "poverty.same": _POVERTY,
    "poverty.level": _POVERTY,
    "poverty.per_year.down": {"what": _T, "change": _P},
    "poverty.per_year.up": {"what": _T, "change": _P},
    "regions": {"clauses": _T},
    "regions.count": _REGIONS,
    "regions.count_one": _REGIONS,
    "regions.none": _REGIONS,
    "regions.exits": {"n": _T, "base_year": _T, "names": _T},
    "regions.exits_one": {"n": _T, "base_year": _T, "names": _T},
    "regions.exits_unnamed": {"n": _T, "base_year": _T},
    "regions.no_exits": {"base_year": _T},
    # unit-level indicators (analysis.catalog.indicators): a sentence per date, an item per indicator
    "indicators.year_end": {"year": _T, "area": _T, "items": _T},
    "indicators.as_of": {"as_of": _T, "area": _T, "items": _T},
    "indicator.share": {"n": _T, "total": _T, "units": _T, "share": _T, **_INDICATOR},
    "indicator.ratio": {"share": _T, "num": _T, "den": _T, "unit": _T, **_INDICATOR},
    "indicator.count": {"n": _T, "unit": _T, **_INDICATOR},
    "indicator.amount": {"amount": _M, **_INDICATOR},
    "indicator.own_yes": {"unit": _T, **_INDICATOR},
    "indicator.own_no": {"unit": _T, **_INDICATOR},
    "indicator.missing": {"item": _T, "n": _T, "units": _T},
    # what each indicator of the catalogue says, in the sentence's own words: a new indicator needs one
    **{f"phrase.{code}": {} for code, ind in load_catalogue().indicators.items() if ind.kind != "denominator"},
}

#: Units named as furthest behind, at most; and region III leavers named, at most.
MAX_BEHIND = 3
MAX_EXITS_NAMED = 5
#: Vietnamese unit-type prefixes, written in lower case inside a sentence ("tại huyện Chi Lăng").
_PREFIXES = ("Huyện ", "Quận ", "Thị xã ", "Thành phố ", "Xã ", "Phường ", "Thị trấn ", "Tỉnh ")


class SummaryTemplateError(NtpAtlasError, ValueError):
    """A summary template file cannot be used: what is wrong, where, and what would do."""


# --- the facts ---------------------------------------------------------------------------------


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
    """One indicator of the area at its latest date, as :func:`analysis.metrics.indicators.aggregate` adds it up.

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


def summary_facts(ctx: ReportContext) -> SummaryFacts:
    """The figures of a report's summary, computed with the functions of its tables.

    Parameters
    ----------
    ctx
        The report's context (:func:`analysis.report.notebook.context`).

    Returns
    -------
    SummaryFacts
    """
    from analysis.report.notebook import area_headline, shown_dates, unit_table  # report imports this module

    a = ctx.area
    h = area_headline(ctx)
    total = Amounts.from_row(h["total"].iloc[0]) if len(ctx.snapshot) else None
    by_fund = h["fund"].set_index("fund")
    by_capital = h["capital_type"].set_index("capital_type")
    return SummaryFacts(
        level=ctx.level,
        area=a.name,
        province=a.province_name,
        year=ctx.year,
        as_of=ctx.as_of.date(),
        total=total,
        funds={f: Amounts.from_row(by_fund.loc[f]) for f in _ordered(by_fund.index, FUNDS[::-1])},
        capital={c: Amounts.from_row(by_capital.loc[c]) for c in _ordered(by_capital.index, CAPITAL_TYPES)},
        previous=_previous(ctx),
        position=_position(ctx, total),
        units=_units(ctx, unit_table(ctx)),
        poverty=_poverty(ctx),
        regions=_regions(ctx),
        indicators=_indicators(ctx),
        dates=shown_dates(ctx),
        coverage=area_coverage(ctx).finance,
    )


def _ordered(present, order) -> list[str]:
    """Codes in the offices' order (carried-over funds before the year's, as seed 003 does)."""
    present = [str(p) for p in present]
    return [c for c in order if c in present] + sorted(c for c in present if c not in order)


def _previous(ctx: ReportContext) -> Previous | None:
    """Totals at the snapshot before the report's, as the progress chart computes them."""
    prog = progress(ctx.area.finance[ctx.area.finance["as_of"] <= ctx.as_of], ctx.year)
    if len(prog) < 2:
        return None
    row = prog.iloc[-2]
    return Previous(pd.Timestamp(row["as_of"]).date(), float(row["disbursed_mvnd"]),
                    float(row["rate"]) if bool(row["has_plan"]) else None)


def _position(ctx: ReportContext, total: Amounts | None) -> Position | None:
    """Where a district stands among its province's districts at the same date."""
    if ctx.level != "district" or total is None or total.rate is None:
        return None
    from analysis.catalog.programmes import programme_finance
    from analysis.store.prepared import read_prepared

    a = ctx.area
    finance = read_prepared(a.data_dir, "finance", province=a.province_code, manifest=a.manifest)
    finance = programme_finance(finance, ctx.programme)[1]  # the report's programme only
    snap = latest_snapshot(finance, ctx.year, ctx.as_of)
    by_district = disbursement(snap, "district_code")
    by_district = by_district[by_district["has_plan"]]
    if len(by_district) < 2 or a.district_code not in set(by_district["district_code"]):
        return None
    province = disbursement(snap).iloc[0]
    if not bool(province["has_plan"]):
        return None
    ours = float(by_district.loc[by_district["district_code"] == a.district_code, "rate"].iloc[0])
    rank = 1 + int((by_district["rate"] > ours).sum())
    return Position(float(province["rate"]), rank, len(by_district))


def _units(ctx: ReportContext, table: pd.DataFrame) -> Units | None:
    if not len(table):
        return None
    kind = "commune" if ctx.level == "district" else "district"
    name = f"{kind}_name"
    has_plan = table["has_plan"].fillna(False).astype(bool)
    planned = table[has_plan].sort_values(["rate", name])
    n_named = min(MAX_BEHIND, len(planned) - 1)
    lowest = tuple((str(r[name]), float(r["rate"])) for _, r in planned.head(max(n_named, 0)).iterrows())
    return Units(kind, len(table), int(has_plan.sum()), lowest)


def _poverty(ctx: ReportContext) -> Poverty | None:
    """The rates of the headline cards: :func:`analysis.metrics.poverty.poverty_change` of the area."""
    if ctx.poverty_year is None or ctx.baseline_year is None or not len(ctx.area.poverty):
        return None
    from analysis.report.notebook import area_poverty_change  # report imports this module

    ch = area_poverty_change(ctx)
    same = ctx.baseline_year == ctx.poverty_year
    return Poverty(
        ctx.poverty_year,
        None if same else ctx.baseline_year,
        _number(ch["poverty_rate_now"]),
        None if same else _number(ch["poverty_rate_change_pp"]),
        _number(ch["em_poverty_rate_now"]),
        None if same else _number(ch["em_poverty_rate_change_pp"]),
        area_coverage(ctx).poverty,
    )


def _regions(ctx: ReportContext) -> Regions | None:
    base_y, now_y = ctx.class_years
    cls = ctx.area.classification
    if now_y is None or not len(cls[cls["year"] == now_y]):
        return None
    n3 = int(region_counts(cls, now_y)["III"].iloc[0])
    coverage = area_coverage(ctx).classification
    if base_y is None or base_y == now_y:
        return Regions(now_y, n3, coverage=coverage)
    names = ctx.area.province_communes.set_index("commune_code")["commune_name"]
    exits = region_iii_exits(cls, base_y, now_y)
    return Regions(now_y, n3, base_y, tuple(str(names.get(c, c)) for c in sorted(exits["commune_code"])), coverage)


def _indicators(ctx: ReportContext) -> tuple[IndicatorFigure, ...]:
    """The area's indicators at their latest dates (:func:`analysis.report.indicators_section.summary_figures`)."""
    from analysis.report.indicators_section import summary_figures

    return summary_figures(ctx)


def _number(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


# --- the templates -----------------------------------------------------------------------------


def template_path(lang: str) -> str:
    """Where the templates of a language are, for messages: ``src/analysis/resources/summaries/vi.json``."""
    return f"src/analysis/{TEMPLATE_FOLDER}/{lang}.json"


@cache
def templates(lang: str) -> dict[str, str]:
    """The checked templates of a language, read once from ``resources/summaries/<lang>.json``.

    Raises
    ------
    SummaryTemplateError
        Unknown language, unreadable file, or a template missing, unknown, or using a
        placeholder or format it may not.
    """
    if lang not in LANGUAGES:
        raise SummaryTemplateError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    where = template_path(lang)
    source = resources.files("analysis").joinpath(TEMPLATE_FOLDER, f"{lang}.json")
    try:
        data = json.loads(source.read_text("utf-8"))
    except FileNotFoundError:
        raise SummaryTemplateError(f"{where} is missing: every report language needs its summary templates") from None
    except json.JSONDecodeError as exc:
        raise SummaryTemplateError(f"{where} is not valid JSON: {exc}") from None
    found = data.get("templates") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise SummaryTemplateError(f'{where}: expected an object {{"templates": {{name: text, ...}}}}')
    return check_templates(found, where)


def check_templates(found: Mapping[str, object], where: str = "templates") -> dict[str, str]:
    """Check a set of templates against :data:`TEMPLATES` and return it.

    Parameters
    ----------
    found
        ``{template name: text}``.
    where
        Where they come from, for the messages (a file name).

    Raises
    ------
    SummaryTemplateError
        A template missing, unknown, not text, with unbalanced braces, or using a
        placeholder or a format it may not.
    """
    missing = [k for k in TEMPLATES if k not in found]
    if missing:
        raise SummaryTemplateError(f"{where}: template {missing[0]!r} is missing"
                                   + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    unknown = [k for k in found if k not in TEMPLATES]
    if unknown:
        raise SummaryTemplateError(f"{where}: unknown template {unknown[0]!r}; the templates are "
                                   + ", ".join(TEMPLATES))
    out = {}
    for key, text in found.items():
        if not isinstance(text, str):
            raise SummaryTemplateError(f"{where}: template {key!r} must be text, not {type(text).__name__}")
        allowed = TEMPLATES[key]
        may_use = ", ".join("{" + p + "}" for p in allowed) or "no placeholders"
        try:
            fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise SummaryTemplateError(f"{where}: template {key!r}: {exc} (write {{{{ and }}}} for a brace)") from None
        for name, spec, conv in fields:
            if name not in allowed:
                raise SummaryTemplateError(
                    f"{where}: template {key!r} uses the unknown placeholder {{{name}}}; it may use {may_use}"
                )
            if conv or spec not in SPECS[allowed[name]]:
                specs = ", ".join(f"{{{name}:{s}}}" if s else f"{{{name}}}" for s in SPECS[allowed[name]])
                raise SummaryTemplateError(
                    f"{where}: template {key!r} writes {{{name}{'!' + conv if conv else ''}"
                    f"{':' + spec if spec else ''}}}; {{{name}}} is a {allowed[name]} and may be written {specs}"
                )
        out[key] = text
    return out


# --- formatting the figures ----------------------------------------------------------------------


def _strip_zeros(text: str, lang: str) -> str:
    """``37,00`` → ``37``, ``4,90`` → ``4,9``, ``2.791,000`` → ``2.791`` (Vietnamese marks)."""
    mark = get_decimal_symbol(LOCALES[lang])
    if mark not in text:
        return text
    return text.rstrip("0").rstrip(mark)


#: The unit type after the name in English prose: ``Huyện Sốp Cộp`` → ``Sốp Cộp district``.
_ENGLISH_TYPES = {"Huyện ": "district", "Quận ": "urban district", "Thị xã ": "town", "Thành phố ": "city",
                  "Xã ": "commune", "Phường ": "ward", "Thị trấn ": "township", "Tỉnh ": "province"}


def _running_name(name: str, lang: str) -> str:
    """A unit's name inside a sentence: ``Huyện Chi Lăng`` → ``huyện Chi Lăng`` in Vietnamese,
    ``Chi Lăng district`` in English."""
    if not name.startswith(_PREFIXES):
        return name
    if lang == "vi":
        return name[0].lower() + name[1:]
    prefix = next(p for p in _PREFIXES if name.startswith(p))
    return f"{name[len(prefix):]} {_ENGLISH_TYPES[prefix]}"


class _Money:
    """An amount in million VND that a template formats (see the module docstring)."""

    def __init__(self, mvnd: float, lang: str, over: str) -> None:
        self.mvnd = round(abs(float(mvnd)), 3)  # as the tables round it
        self.lang = lang
        self.over = over

    def _million(self) -> str:
        return f"{_strip_zeros(format_number(self.mvnd, self.lang, 3), self.lang)} {t('money.million_vnd', self.lang)}"

    def _billion(self) -> str:
        b = self.mvnd / 1000.0
        unit = t("money.billion_vnd", self.lang)
        if abs(b - round(b, 2)) < 5e-9:
            return f"{_strip_zeros(format_number(round(b, 2), self.lang, 2), self.lang)} {unit}"
        cut = math.floor(b * 10 + 1e-9) / 10
        amount = f"{_strip_zeros(format_number(cut, self.lang, 1), self.lang)} {unit}"
        return self.over.format(amount=amount)

    def _rounded(self) -> str:
        b = round(self.mvnd / 1000.0, 1)
        return f"{_strip_zeros(format_number(b, self.lang, 1), self.lang)} {t('money.billion_vnd', self.lang)}"

    def __format__(self, spec: str) -> str:
        prose = self.mvnd >= 1000.0
        if spec == "mvnd" or (spec in ("", "both", "round") and not prose):
            return self._million()
        if spec == "round":
            return self._rounded()
        if spec in ("", "bvnd"):
            return self._billion()
        if spec == "both":
            return f"{self._billion()} ({self._million()})"
        raise SummaryTemplateError(
            f"unknown money format {spec!r}; use {{x}}, {{x:mvnd}}, {{x:bvnd}}, {{x:both}} or {{x:round}}"
        )


def format_money(mvnd: float, lang: str = "vi", spec: str = "") -> str:
    """An amount in million VND as the summaries write it (see the module docstring).

    Examples
    --------
    >>> format_money(29720, "vi"), format_money(3312, "vi"), format_money(541.305, "vi")
    ('29,72 tỷ đồng', 'trên 3,3 tỷ đồng', '541,305 triệu đồng')
    >>> format_money(2791, "en", "both")
    'over 2.7 billion VND (2,791 million VND)'
    """
    return format(_Money(mvnd, lang, templates(lang)["money.over"]), spec)


class _Rate:
    """A rate (a fraction) formatted as the tables show it, or ``short`` without trailing zeros."""

    def __init__(self, rate: float, lang: str) -> None:
        self.rate = float(rate)
        self.lang = lang

    def __format__(self, spec: str) -> str:
        text = format_number(100.0 * self.rate, self.lang, 2)
        if spec == "short":
            text = _strip_zeros(text, self.lang)
        elif spec:
            raise SummaryTemplateError(f"unknown rate format {spec!r}; use {{x}} or {{x:short}}")
        return text + "%"


def _points(pp: float, lang: str) -> str:
    return format_number(abs(float(pp)), lang, 1)


def _points_zero(pp: float) -> bool:
    """A change that shows as 0,0 points (one decimal, as the reports print changes)."""
    return round(abs(float(pp)), 1) == 0


# --- writing the sentences -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence of a summary: which template wrote it, its text, its paragraph."""

    key: str
    text: str
    paragraph: str  # "finance", "units", "poverty" or "indicators"


class _Writer:
    def __init__(self, facts: SummaryFacts, lang: str) -> None:
        self.f = facts
        self.lang = lang
        self.tpl = templates(lang)

    # helpers
    def fill(self, key: str, **values: object) -> str:
        return self.tpl[key].format(**values)

    def money(self, mvnd: float) -> _Money:
        return _Money(mvnd, self.lang, self.tpl["money.over"])

    def rate(self, rate: float) -> _Rate:
        return _Rate(rate, self.lang)

    def date(self, d: date) -> str:
        return format_date(d, self.lang)

    def as_of(self) -> str:
        """The date of the finance figures: the report's, or those the data has (:func:`as_of_text`)."""
        return as_of_text(self.f.dates, self.lang) if self.f.dates is not None else self.date(self.f.as_of)

    def names(self, names: list[str]) -> str:
        if len(names) <= 1:
            return "".join(names)
        return self.tpl["join.names"].join(names[:-1]) + self.tpl["join.last"] + names[-1]

    def coverage(self, c: Coverage | None) -> str:
        """``" (1/8 xã có số liệu)"`` beside a figure of part of the area; nothing for the whole."""
        if c is None or not c.partial:
            return ""
        units = self.tpl[f"unit.{c.unit}.{'one' if c.total == 1 else 'many'}"]
        return self.fill("coverage", n=format_number(c.covered, self.lang), total=format_number(c.total, self.lang),
                         units=units)

    def area(self) -> str:
        f = self.f
        if f.level == "district":
            return self.fill("area.district", name=_running_name(f.area, self.lang))
        return self.fill("area.province", name=f.area)

    def fund(self, code: str) -> str:
        key = f"fund.{code}"
        if key in self.tpl:
            return self.fill(key, year=self.f.year, previous_year=self.f.year - 1)
        return t(key, self.lang)

    # sentences, each None when its figures are missing
    def plan(self) -> tuple[str, str] | None:
        f = self.f
        if f.total is None or f.total.plan <= 0:
            return None
        parts = [self.fill("plan.part", fund=self.fund(c), plan=self.money(a.plan))
                 for c, a in f.funds.items() if a.plan > 0]
        common = {"year": f.year, "area": self.area(), "plan": self.money(f.total.plan),
                  "coverage": self.coverage(f.coverage)}
        if len(parts) >= 2:
            return "plan", self.fill("plan", parts=self.tpl["join.items"].join(parts), **common)
        return "plan.total", self.fill("plan.total", **common)

    def _items(self, prefix: str, field_name: str, what: dict[str, Amounts], label) -> str | None:
        """``funds.item``/``capital.item`` for each code with a plan; ``…item_no_plan`` for money
        disbursed without one; nothing for a code with neither."""
        items = []
        for code, a in what.items():
            common = {field_name: label(code), "disbursed": self.money(a.disbursed)}
            if a.rate is not None:
                items.append(self.fill(f"{prefix}.item", plan=self.money(a.plan), rate=self.rate(a.rate), **common))
            elif a.disbursed > 0:
                items.append(self.fill(f"{prefix}.item_no_plan", **common))
        return self.tpl["join.items"].join(items) if items else None

    def funds(self) -> tuple[str, str] | None:
        items = self._items("funds", "fund", self.f.funds, self.fund)
        return ("funds", self.fill("funds", as_of=self.as_of(), items=items)) if items else None

    def capital(self) -> tuple[str, str] | None:
        items = self._items("capital", "capital", self.f.capital, lambda c: t(f"capital.{c}", self.lang))
        return ("capital", self.fill("capital", as_of=self.as_of(), items=items)) if items else None

    def total(self) -> tuple[str, str] | None:
        f = self.f
        if f.total is None or f.total.rate is None:
            return None
        return "total", self.fill("total", area=self.area(), as_of=self.as_of(), disbursed=self.money(
            f.total.disbursed), plan=self.money(f.total.plan), rate=self.rate(f.total.rate))

    def change(self) -> tuple[str, str] | None:
        f, p = self.f, self.f.previous
        if p is None or f.total is None or p.rate is None or f.total.rate is None:
            return None
        delta = round(f.total.disbursed, 3) - round(p.disbursed, 3)
        key = "change.same" if abs(delta) < 5e-4 else ("change.up" if delta > 0 else "change.down")
        return key, self.fill(key, previous_as_of=self.date(p.as_of), as_of=self.as_of(),
                              delta=self.money(delta), rate=self.rate(f.total.rate), previous_rate=self.rate(p.rate))

    def position(self) -> tuple[str, str] | None:
        f, p = self.f, self.f.position
        if p is None or f.total is None or f.total.rate is None:
            return None
        ours, theirs = round(100 * f.total.rate, 2), round(100 * p.province_rate, 2)  # as printed
        key = "position.equal" if ours == theirs else ("position.above" if ours > theirs else "position.below")
        return key, self.fill(key, area=self.area(), rate=self.rate(f.total.rate), province=f.province,
                              province_rate=self.rate(p.province_rate), rank=p.rank, n=p.n)

    def units_with_plan(self) -> tuple[str, str] | None:
        u = self.f.units
        if u is None or u.total < 2:  # "1/1" says nothing
            return None
        return "units.with_plan", self.fill("units.with_plan", n=u.with_plan, total=u.total, year=self.f.year,
                                            units=self.tpl[f"unit.{u.kind}.many"])

    def behind(self) -> tuple[str, str] | None:
        u = self.f.units
        if u is None or not u.lowest:
            return None
        names = self.names([self.fill("behind.item", name=_running_name(n, self.lang), rate=self.rate(r))
                            for n, r in u.lowest])
        if len(u.lowest) == 1:
            return "behind.one", self.fill("behind.one", unit=self.tpl[f"unit.{u.kind}.one"], names=names)
        return "behind.many", self.fill("behind.many", units=self.tpl[f"unit.{u.kind}.many"], names=names)

    def poverty(self) -> tuple[str, str] | None:
        p = self.f.poverty
        if p is None:
            return None
        clauses, used = [], []
        coverage = self.coverage(p.coverage)  # said once, beside the first rate: both are of the same communes
        for what, rate, change in (("rate.poverty", p.rate, p.change_pp), ("rate.em_poverty", p.em_rate,
                                                                          p.em_change_pp)):
            if rate is None:
                continue
            if change is None or p.base_year is None:
                key = "poverty.level"
            else:
                key = "poverty.same" if _points_zero(change) else ("poverty.down" if change < 0 else "poverty.up")
            used.append(key)
            clauses.append(self.fill(key, what=self.tpl[what], year=p.year, rate=self.rate(rate),
                                     change=_points(change or 0.0, self.lang), base_year=p.base_year or "",
                                     coverage=coverage))
            coverage = ""
        # the programme's target is a yearly fall in the ethnic-minority rate: say it per year
        if p.em_rate is not None and p.em_change_pp is not None and p.base_year and p.year - p.base_year > 1:
            per_year = p.em_change_pp / (p.year - p.base_year)
            if not _points_zero(per_year):
                key = "poverty.per_year.down" if per_year < 0 else "poverty.per_year.up"
                used.append(key)
                clauses.append(self.fill(key, what=self.tpl["rate.em_poverty"], change=_points(per_year, self.lang)))
        if not clauses:
            return None
        return "poverty:" + ",".join(used), self.fill("poverty", clauses=self.tpl["join.items"].join(clauses))

    def regions(self) -> tuple[str, str] | None:
        r = self.f.regions
        if r is None:
            return None
        key = "regions.none" if r.n_iii == 0 else ("regions.count_one" if r.n_iii == 1 else "regions.count")
        used = [key]
        clauses = [self.fill(key, year=r.year, area=self.area(), n=r.n_iii, coverage=self.coverage(r.coverage))]
        if r.exits is not None and r.base_year is not None:
            n = len(r.exits)
            if n == 0:
                key = "regions.no_exits"
            elif n > MAX_EXITS_NAMED:
                key = "regions.exits_unnamed"
            else:
                key = "regions.exits_one" if n == 1 else "regions.exits"
            used.append(key)
            clauses.append(self.fill(key, n=n, base_year=r.base_year,
                                     names=self.names([_running_name(x, self.lang) for x in r.exits])))
        return "regions:" + ",".join(used), self.fill("regions", clauses=self.tpl["join.items"].join(clauses))

    def indicators(self) -> list[tuple[str, str]] | None:
        """A sentence per date the area's indicators stand at, latest first; an item per indicator."""
        groups: dict[tuple[date, int], list[IndicatorFigure]] = {}
        for fig in self.f.indicators:
            groups.setdefault((fig.as_of, fig.year), []).append(fig)
        out = []
        for (as_of, year), figures in sorted(groups.items(), reverse=True):
            made = [m for m in map(self.indicator, figures) if m is not None]
            if not made:
                continue
            year_end = (as_of.year, as_of.month, as_of.day) == (year, 12, 31)  # "Đến hết năm 2023"
            key = "indicators.year_end" if year_end else "indicators.as_of"
            items = self.tpl["join.items"].join(text for _, text in made)
            text = self.fill(key, year=year, as_of=self.date(as_of), area=self.area(), items=items)
            out.append((f"indicators:{key}," + ",".join(k for k, _ in made), text))
        return out or None

    def indicator(self, fig: IndicatorFigure) -> tuple[str, str] | None:
        """One indicator's item (``174/181 xã (96,1%) có đường ô tô…``); None for a denominator or no figure."""
        ind, lang = load_catalogue()[fig.code], self.lang
        if ind.kind == "denominator" or fig.value is None or pd.isna(fig.value):
            return None
        common = {"phrase": self.tpl[f"phrase.{ind.code}"], "name": ind.name(lang)}
        if ind.kind == "yes_no" and ind.level == self.f.level:  # the area's own yes or no
            key = "indicator.own_yes" if fig.value >= 1 else "indicator.own_no"
            text = self.fill(key, unit=_noun("level", ind.level, 1, lang), **common)
        elif ind.kind == "yes_no":
            key = "indicator.share"
            text = self.fill(key, n=format_number(fig.numerator, lang), total=format_number(fig.denominator, lang),
                             units=_noun("level", ind.level, fig.denominator, lang),
                             share=format_percent(fig.value, lang, ind.decimals), **common)
        elif ind.kind == "numerator":
            key = "indicator.ratio"
            if ind.is_amount:
                num, den = (format_number(x / 1000.0, lang, 1) for x in (fig.numerator, fig.denominator))
                unit = t("indicator.unit.billion_vnd", lang)
            else:
                num, den = format_number(fig.numerator, lang), format_number(fig.denominator, lang)
                unit = _noun("unit", ind.unit, fig.denominator, lang)
            text = self.fill(key, share=format_percent(fig.value, lang, ind.decimals), num=num, den=den, unit=unit,
                             **common)
        elif ind.is_amount:
            key = "indicator.amount"
            text = self.fill(key, amount=self.money(fig.value), **common)
        else:
            key = "indicator.count"
            text = self.fill(key, n=format_number(fig.value, lang), unit=_noun("unit", ind.unit, fig.value, lang),
                             **common)
        if fig.units_missing:
            text = self.fill("indicator.missing", item=text, n=format_number(fig.units_missing, lang),
                             units=_noun("level", ind.level, fig.units_missing, lang))
            key += ",indicator.missing"
        return key, text


def _noun(kind: str, what: str | None, n: float | None, lang: str) -> str:
    """``xã``, ``hộ``; in English ``commune`` for one, ``communes`` for more (labels-indicators.json)."""
    return t(f"indicator.{kind}{'_one' if n == 1 else ''}.{what}", lang)


#: The sentences of a summary in order, with the paragraph each belongs to.
ORDER = (
    ("plan", "finance"),
    ("funds", "finance"),
    ("capital", "finance"),
    ("total", "finance"),
    ("change", "finance"),
    ("position", "finance"),
    ("units_with_plan", "units"),
    ("behind", "units"),
    ("poverty", "poverty"),
    ("regions", "poverty"),
    ("indicators", "indicators"),
)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def summary_sentences(facts: SummaryFacts, lang: str = "vi") -> list[Sentence]:
    """The summary's sentences, in order; those whose figures are missing are left out.

    Parameters
    ----------
    facts
        From :func:`summary_facts` (or made by hand).
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    list of Sentence
        ``key`` names the template that wrote it (``"poverty:poverty.down,…"`` for a
        sentence made of several clauses).
    """
    writer = _Writer(facts, lang)
    out = []
    for name, paragraph in ORDER:
        made = getattr(writer, name)()
        for key, text in [made] if isinstance(made, tuple) else made or ():  # indicators: a sentence per date
            out.append(Sentence(key, _capitalise(text), paragraph))
    return out


def summary_paragraphs(facts: SummaryFacts, lang: str = "vi") -> list[str]:
    """The summary as paragraphs of text (finance; units; poverty and region III)."""
    paragraphs: dict[str, list[str]] = {}
    for s in summary_sentences(facts, lang):
        paragraphs.setdefault(s.paragraph, []).append(s.text)
    return [" ".join(texts) for texts in paragraphs.values()]


def write_summary(ctx: ReportContext) -> list[str]:
    """The written summary of a report, as paragraphs in the report's language."""
    return summary_paragraphs(summary_facts(ctx), ctx.lang)
