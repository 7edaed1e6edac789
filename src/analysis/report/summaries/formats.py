"""How the summaries write figures: money in the unit the offices use in prose, rates, changes in
percentage points, and the names of units inside a sentence (see :mod:`analysis.report.summaries.templates`).
"""

from __future__ import annotations

import math

from babel.numbers import get_decimal_symbol

from analysis.common.i18n import t
from analysis.common.numbers import LOCALES, format_number
from analysis.report.summaries.templates import SummaryTemplateError, templates

#: Vietnamese unit-type prefixes, written in lower case inside a sentence ("tại huyện Chi Lăng").
_PREFIXES = ("Huyện ", "Quận ", "Thị xã ", "Thành phố ", "Xã ", "Phường ", "Thị trấn ", "Tỉnh ")


def strip_zeros(text: str, lang: str) -> str:
    """``37,00`` → ``37``, ``4,90`` → ``4,9``, ``2.791,000`` → ``2.791`` (Vietnamese marks)."""
    mark = get_decimal_symbol(LOCALES[lang])
    if mark not in text:
        return text
    return text.rstrip("0").rstrip(mark)


#: The unit type after the name in English prose: ``Huyện Sốp Cộp`` → ``Sốp Cộp district``.
_ENGLISH_TYPES = {"Huyện ": "district", "Quận ": "urban district", "Thị xã ": "town", "Thành phố ": "city",
                  "Xã ": "commune", "Phường ": "ward", "Thị trấn ": "township", "Tỉnh ": "province"}


def running_name(name: str, lang: str) -> str:
    """A unit's name inside a sentence: ``Huyện Chi Lăng`` → ``huyện Chi Lăng`` in Vietnamese,
    ``Chi Lăng district`` in English."""
    if not name.startswith(_PREFIXES):
        return name
    if lang == "vi":
        return name[0].lower() + name[1:]
    prefix = next(p for p in _PREFIXES if name.startswith(p))
    return f"{name[len(prefix):]} {_ENGLISH_TYPES[prefix]}"


class Money:
    """An amount in million VND that a template formats (see the module docstring)."""

    def __init__(self, mvnd: float, lang: str, over: str) -> None:
        self.mvnd = round(abs(float(mvnd)), 3)  # as the tables round it
        self.lang = lang
        self.over = over

    def _million(self) -> str:
        return f"{strip_zeros(format_number(self.mvnd, self.lang, 3), self.lang)} {t('money.million_vnd', self.lang)}"

    def _billion(self) -> str:
        b = self.mvnd / 1000.0
        unit = t("money.billion_vnd", self.lang)
        if abs(b - round(b, 2)) < 5e-9:
            return f"{strip_zeros(format_number(round(b, 2), self.lang, 2), self.lang)} {unit}"
        cut = math.floor(b * 10 + 1e-9) / 10
        amount = f"{strip_zeros(format_number(cut, self.lang, 1), self.lang)} {unit}"
        return self.over.format(amount=amount)

    def _rounded(self) -> str:
        b = round(self.mvnd / 1000.0, 1)
        return f"{strip_zeros(format_number(b, self.lang, 1), self.lang)} {t('money.billion_vnd', self.lang)}"

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
    return format(Money(mvnd, lang, templates(lang)["money.over"]), spec)


class Rate:
    """A rate (a fraction) formatted as the tables show it, or ``short`` without trailing zeros."""

    def __init__(self, rate: float, lang: str) -> None:
        self.rate = float(rate)
        self.lang = lang

    def __format__(self, spec: str) -> str:
        text = format_number(100.0 * self.rate, self.lang, 2)
        if spec == "short":
            text = strip_zeros(text, self.lang)
        elif spec:
            raise SummaryTemplateError(f"unknown rate format {spec!r}; use {{x}} or {{x:short}}")
        return text + "%"


def unsigned_points(pp: float, lang: str) -> str:
    """A change in percentage points without its sign, one decimal (the template says which way)."""
    return format_number(abs(float(pp)), lang, 1)


def points_are_zero(pp: float) -> bool:
    """A change that shows as 0,0 points (one decimal, as the reports print changes)."""
    return round(abs(float(pp)), 1) == 0
