"""Numbers in Vietnamese and English formats. Expected values are worked out by hand."""

import pytest

from analysis.numbers import (
    classify_number,
    detect_convention,
    format_date,
    format_number,
    format_percent,
    format_points,
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
