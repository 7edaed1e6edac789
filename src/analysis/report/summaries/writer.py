"""Writing a summary's sentences: deterministic templates filled with its facts. A sentence whose
figures are missing is left out, never filled with a guess. No network, no model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.indicators import load_catalogue
from analysis.common.i18n import t
from analysis.common.numbers import format_date, format_number, format_percent
from analysis.metrics.coverage import Coverage
from analysis.report.period import as_of_text
from analysis.report.summaries.facts import MAX_EXITS_NAMED, Amounts, IndicatorFigure, SummaryFacts
from analysis.report.summaries.formats import Money, Rate, points_are_zero, running_name, unsigned_points
from analysis.report.summaries.gather import summary_facts
from analysis.report.summaries.templates import templates

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


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

    def money(self, mvnd: float) -> Money:
        return Money(mvnd, self.lang, self.tpl["money.over"])

    def rate(self, rate: float) -> Rate:
        return Rate(rate, self.lang)

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
            return self.fill("area.district", name=running_name(f.area, self.lang))
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
        names = self.names([self.fill("behind.item", name=running_name(n, self.lang), rate=self.rate(r))
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
                key = "poverty.same" if points_are_zero(change) else ("poverty.down" if change < 0 else "poverty.up")
            used.append(key)
            clauses.append(self.fill(key, what=self.tpl[what], year=p.year, rate=self.rate(rate),
                                     change=unsigned_points(change or 0.0, self.lang), base_year=p.base_year or "",
                                     coverage=coverage))
            coverage = ""
        # the programme's target is a yearly fall in the ethnic-minority rate: say it per year
        if p.em_rate is not None and p.em_change_pp is not None and p.base_year and p.year - p.base_year > 1:
            per_year = p.em_change_pp / (p.year - p.base_year)
            if not points_are_zero(per_year):
                key = "poverty.per_year.down" if per_year < 0 else "poverty.per_year.up"
                used.append(key)
                clauses.append(self.fill(key, what=self.tpl["rate.em_poverty"],
                                         change=unsigned_points(per_year, self.lang)))
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
                                     names=self.names([running_name(x, self.lang) for x in r.exits])))
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
