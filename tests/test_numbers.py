"""Numbers in Vietnamese and English formats. Expected values are worked out by hand."""

import pytest

from analysis.common.numbers import (
    classify_number,
    detect_convention,
    format_date,
    format_number,
    format_percent,
    format_points,
    why_not_a_number,
)


@pytest.mark.parametrize(
    ("text", "style", "vi", "en"),
    [
        ("90.279,336", "vi", 90279.336, 90279.336),  # seed 003, Vietnamese grouping and decimals
        ("90,279.336", "en", 90279.336, 90279.336),
        ("42,99", "vi", 42.99, 42.99),  # two decimals after a comma cannot be a thousands group
        ("3.3", "en", 3.3, 3.3),
        ("2.791", "ambiguous", 2791.0, 2.791),  # seed 003's "2.791 triệu đồng" read alone
        ("1,234", "ambiguous", 1.234, 1234.0),
        ("1.234.567", "vi", 1234567.0, 1234567.0),
        ("12345.678", "en", 12345.678, 12345.678),  # five digits before the dot: not a group
        ("90 279,336", "plain", 90279.336, 90279.336),
        ("-5", "plain", -5.0, -5.0),
        ("abc", "invalid", None, None),
        ("1.2.3", "invalid", None, None),
    ],
)
def test_classify_number(text, style, vi, en):
    cell = classify_number(text)
    assert cell.style == style
    assert cell.vi_value == vi
    assert cell.en_value == en


def test_convention_decides_ambiguous_cells():
    cells = [classify_number(s) for s in ("2.791", "8.356,336")]
    assert detect_convention(cells) == "vi"
    assert cells[0].value("vi") == 2791.0
    assert detect_convention([classify_number("2.791")]) is None


def test_a_cell_in_the_other_format_has_no_value():
    assert classify_number("3.3").value("vi") is None


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (90279.336, "vi", 3, "90.279,336"),  # seed 003
        (90279.336, "en", 3, "90,279.336"),
        (2791, "vi", 0, "2.791"),
        (35215, "en", 0, "35,215"),
        (None, "vi", 0, "–"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang, decimals) == expected


def test_format_percent_and_points():
    # 35.215 / 81.923 = 0.429855...; seed 003 writes 42,99%
    assert format_percent(35215 / 81923, "vi") == "42,99%"
    assert format_percent(35215 / 81923, "en") == "42.99%"
    assert format_points(-2.9, "vi") == "−2,9"
    assert format_points(1.25, "en", 2) == "+1.25"
    assert format_points(0.0, "en") == "0.0"


def test_format_date():
    assert format_date("2023-11-30", "vi") == "30/11/2023"
    assert format_date("2023-08-04", "en") == "04/08/2023"


# --- counts, digits, and figures too large to format -------------------------------------------


@pytest.mark.parametrize(
    ("text", "style", "value"),
    [
        ("1.234", "vi", 1234.0),  # docs/data-format.md's households: 1.234 households is not a count
        ("1,234", "en", 1234.0),  # 1,234 the Vietnamese way is 1.234: not a count either
        ("1.100", "vi", 1100.0),  # 1.1 is not whole
        ("2.000", "ambiguous", None),  # 2000 or 2.0: both whole, nothing decides
        ("12,5", "vi", 12.5),  # already Vietnamese only; not whole, rejected as a count later
        ("210", "plain", 210.0),
    ],
)
def test_a_count_is_read_by_what_a_count_allows(text, style, value):
    cell = classify_number(text).as_count()
    assert cell.style == style
    if value is not None:
        assert cell.value("vi" if style == "vi" else "en") == value
        assert cell.value(None) == value  # the only reading, whatever the file shows


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("١٢٣", "has digits other than 0-9 (١٢٣)"),  # Arabic-Indic: float() reads 123
        ("１２３", "has digits other than 0-9 (１２３)"),  # full-width, as an IME types them
        ("1.٢٣٤", "has digits other than 0-9 (٢٣٤)"),
        ("0x1F", "is written in hexadecimal"),
        ("1_000", "groups its digits with '_'"),  # float() reads 1000
        ("1e400", "is in scientific notation"),  # float() reads inf
        ("1,5E+03", "is in scientific notation"),
        ("inf", "is not a finite number"),
        ("NaN", "is not a finite number"),
        ("∞", "is not a finite number"),
        ("một trăm", "is not written as a number"),
    ],
)
def test_what_is_not_a_number_says_why(text, why):
    assert classify_number(text).style == "invalid"
    assert why_not_a_number(text) == f"'{text}' {why}"


def test_huge_figures_format_instead_of_raising():
    # babel quantized in a 28-digit decimal context: 1e25 with three decimals raised
    # InvalidOperation (the 1e28 plan that crashed a report). 10**25 is "10" and 24 zeros.
    assert format_number(1e25, "vi", 0) == "10" + ".000" * 8
    assert format_number(1e25, "en", 3) == "10" + ",000" * 8 + ".000"
    assert format_number(1e28, "vi", 1).endswith(".000,0")
    assert format_number(float("inf"), "vi") == "∞"
