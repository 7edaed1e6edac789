"""Reading and writing numbers the Vietnamese way and the English way.

Vietnamese writes ``90.279,336`` (dot for thousands, comma for decimals); English writes
``90,279.336``. A cell such as ``2.791`` is ambiguous on its own (2791 or 2.791): it is read
with the convention the rest of the file shows, and is an error when the file shows none.
Nothing is guessed. In a column of counts (households, villages) a cell can also be read by
what a count allows: ``1.234`` households is 1234 (the English reading, 1.234, is not whole),
so the cell shows the Vietnamese convention (:meth:`ParsedCell.as_count`).

Only the ASCII digits 0-9 are digits here: ``١٢٣`` (Arabic-Indic), ``１２３`` (full width),
``1_000``, ``0x1F``, ``1e400``, ``inf`` and ``nan`` are not figures an office writes, and
:func:`why_not_a_number` says what each one is.
"""

from __future__ import annotations

import decimal
import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import NumberPattern, parse_pattern

#: Babel locales of the report languages.
LOCALES = {"vi": "vi_VN", "en": "en_GB"}

# re.ASCII: \d is 0-9 only (Python's float() also reads "١٢٣" and "１２３" as 123)
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_PLAIN = re.compile(r"^-?\d+$", re.ASCII)
_ONE_SEP = re.compile(r"^-?(\d+)([.,])(\d+)$", re.ASCII)
_VI_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$", re.ASCII)
_EN_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_SPACE_GROUPED = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$", re.ASCII)


@dataclass(frozen=True)
class ParsedCell:
    """How one text cell reads.

    ``style`` is ``"plain"`` (no separator), ``"vi"`` or ``"en"`` (only one reading is
    possible), ``"ambiguous"`` (both readings possible; ``vi_value`` and ``en_value`` differ)
    or ``"invalid"``.
    """

    style: str
    vi_value: float | None = None
    en_value: float | None = None

    def value(self, convention: str | None) -> float | None:
        """The cell's value under a file convention (``"vi"``, ``"en"`` or ``None``)."""
        if self.style == "plain":
            return self.vi_value
        if self.style == "vi":
            return self.vi_value if convention in (None, "vi") else None
        if self.style == "en":
            return self.en_value if convention in (None, "en") else None
        if self.style == "ambiguous" and convention == "vi":
            return self.vi_value
        if self.style == "ambiguous" and convention == "en":
            return self.en_value
        return None

    def as_count(self) -> ParsedCell:
        """The cell as read in a column of counts (households, villages).

        An ambiguous cell one of whose readings is not a whole number can only be the other:
        ``1.234`` households is 1234 (Vietnamese), ``1,234`` is 1234 (English). ``1.000`` stays
        ambiguous (1000 or 1, both whole).

        Examples
        --------
        >>> classify_number("1.234").as_count()
        ParsedCell(style='vi', vi_value=1234.0, en_value=1234.0)
        >>> classify_number("2.000").as_count().style
        'ambiguous'
        """
        if self.style != "ambiguous":
            return self
        vi_whole, en_whole = float(self.vi_value).is_integer(), float(self.en_value).is_integer()
        if vi_whole == en_whole:
            return self
        style, value = ("vi", self.vi_value) if vi_whole else ("en", self.en_value)
        return ParsedCell(style, value, value)


def classify_number(text: str) -> ParsedCell:
    """Classify a text cell as a number in Vietnamese, English or either format.

    Parameters
    ----------
    text
        The cell as written, for example ``"90.279,336"``, ``"42,99"`` or ``"2.791"``.

    Returns
    -------
    ParsedCell

    Examples
    --------
    >>> classify_number("90.279,336").vi_value
    90279.336
    >>> classify_number("2.791").style
    'ambiguous'
    """
    s = text.strip()
    if _SPACE_GROUPED.match(s):
        # "90 279,336" or "90 279.336": spaces group thousands; the remaining separator is
        # the decimal mark whatever the convention.
        s2 = _SPACES.sub("", s)
        v = float(s2.replace(",", "."))
        return ParsedCell("plain", v, v)
    s = _SPACES.sub("", s)
    if not s:
        return ParsedCell("invalid")
    if _PLAIN.match(s):
        v = float(s)
        return ParsedCell("plain", v, v)
    m = _ONE_SEP.match(s)
    if m:
        head, sep, tail = m.groups()
        sign = -1.0 if s.startswith("-") else 1.0
        as_decimal = sign * float(f"{head}.{tail}")
        as_thousands = sign * float(head + tail)
        thousands_possible = len(tail) == 3 and 1 <= len(head) <= 3
        if not thousands_possible:
            return ParsedCell("vi" if sep == "," else "en", as_decimal, as_decimal)
        if sep == ",":
            return ParsedCell("ambiguous", vi_value=as_decimal, en_value=as_thousands)
        return ParsedCell("ambiguous", vi_value=as_thousands, en_value=as_decimal)
    if _VI_GROUPED.match(s):
        v = float(s.replace(".", "").replace(",", "."))
        return ParsedCell("vi", v, v)
    if _EN_GROUPED.match(s):
        v = float(s.replace(",", ""))
        return ParsedCell("en", v, v)
    return ParsedCell("invalid")


_EXPONENT = re.compile(r"^[-+]?\d+([.,]\d+)?[eE][-+]?\d+$", re.ASCII)
_NOT_FINITE = {"inf", "-inf", "+inf", "infinity", "-infinity", "nan", "-nan", "∞", "-∞"}


def why_not_a_number(text: str) -> str:
    """Why a cell that :func:`classify_number` finds ``"invalid"`` is not a figure, in a phrase.

    Examples
    --------
    >>> why_not_a_number("0x1F")
    "'0x1F' is written in hexadecimal"
    >>> why_not_a_number("1e400")
    "'1e400' is in scientific notation"
    """
    s = _SPACES.sub("", str(text))
    other_digits = sorted({ch for ch in s if ch.isdigit() and not ("0" <= ch <= "9")})
    if other_digits:
        return f"'{text}' has digits other than 0-9 ({''.join(other_digits)})"
    if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", s):
        return f"'{text}' is written in hexadecimal"
    if re.fullmatch(r"[-+]?[0-9]+(_[0-9]+)+([.,][0-9]+)?", s):
        return f"'{text}' groups its digits with '_'"
    if _EXPONENT.match(s):
        return f"'{text}' is in scientific notation"
    if s.lower() in _NOT_FINITE:
        return f"'{text}' is not a finite number"
    return f"'{text}' is not written as a number"


#: How each convention writes a number, for messages.
CONVENTION_NAMES = {"vi": "Vietnamese (1.234,5)", "en": "English (1,234.5)"}


def detect_convention(cells: list[ParsedCell]) -> str | None:
    """The number convention a file shows: ``"vi"``, ``"en"`` or ``None`` if it shows none.

    When both appear, the one shown by more cells wins; cells of the other are then errors.
    """
    return convention_of(sum(c.style == "vi" for c in cells), sum(c.style == "en" for c in cells))


def convention_of(n_vi: int, n_en: int) -> str | None:
    """The convention shown by ``n_vi`` Vietnamese-only and ``n_en`` English-only cells."""
    if n_vi == 0 and n_en == 0:
        return None
    return "vi" if n_vi >= n_en else "en"


# --- writing --------------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    if lang not in LOCALES:
        raise ValueError(f"language must be one of {sorted(LOCALES)}, not {lang!r}")
    return LOCALES[lang]


def _is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_number(x: float | int | None, lang: str = "vi", decimals: int = 0, missing: str = "–") -> str:
    """Format a number in the language's own way.

    Examples
    --------
    >>> format_number(90279.336, "vi", 3)
    '90.279,336'
    >>> format_number(90279.336, "en", 3)
    '90,279.336'
    """
    locale = _check_lang(lang)
    if _is_missing(x):
        return missing
    # babel's format_decimal(x, format=pattern, locale=locale), with the pattern and locale
    # parsed once: a report formats a few hundred numbers (tables, ticks at every draw)
    # babel quantizes in the current decimal context (28 digits): 1e25 with three decimals
    # would raise InvalidOperation; a context as wide as any float keeps every value printable
    with decimal.localcontext(_WIDE):
        return _pattern(decimals).apply(x, _locale(locale), decimal_quantization=True)


#: 309 digits of the largest float, plus decimals: no value can overflow it.
_WIDE = decimal.Context(prec=400, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


@functools.cache
def _pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@functools.cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def format_percent(rate: float | None, lang: str = "vi", decimals: int = 2, missing: str = "–") -> str:
    """Format a rate (a fraction, 0.4299) as a percentage: ``42,99%`` or ``42.99%``."""
    if _is_missing(rate):
        return missing
    return format_number(100.0 * float(rate), lang, decimals) + "%"


def format_points(delta: float | None, lang: str = "vi", decimals: int = 1, missing: str = "–") -> str:
    """Format a change in percentage points with its sign: ``-2,9`` / ``+1.5``."""
    if _is_missing(delta):
        return missing
    text = format_number(abs(float(delta)), lang, decimals)
    if round(float(delta), decimals) == 0:
        return text
    return ("+" if delta > 0 else "−") + text


def format_date(d: date | datetime | str, lang: str = "vi") -> str:
    """Format a date as ``dd/mm/yyyy`` in both languages (the offices' usage)."""
    locale = _check_lang(lang)
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = d.date()
    return _babel_format_date(d, format="dd/MM/yyyy", locale=locale)
