"""Poverty metrics and classification. Expected numbers worked out by hand beside each."""

import math

import pandas as pd
import pytest

from analysis.metrics.poverty import annual_change_pp, poverty_change, poverty_rates, region_counts, region_iii_exits


def _poverty():
    cols = [
        "year",
        "district_code",
        "commune_code",
        "households",
        "poor_households",
        "near_poor_households",
        "em_households",
        "em_poor_households",
    ]
    recs = [
        (2021, "187", "A", 1000, 200, 100, 800, 180),
        (2021, "187", "B", 500, 50, 40, 100, 20),
        (2023, "187", "A", 1000, 150, 90, 800, 130),
        (2023, "187", "B", 500, 40, 30, 100, 10),
        (2023, "187", "C", 300, 30, 10, 0, 0),  # only in 2023; no ethnic-minority households
    ]
    return pd.DataFrame(recs, columns=cols)


def test_rates_aggregate_from_counts():
    r = poverty_rates(_poverty(), ["year"]).set_index("year")
    # 2021: poor (200+50)/(1000+500) = 250/1500; em (180+20)/(800+100) = 200/900
    assert r.loc[2021, "poverty_rate"] == pytest.approx(250 / 1500)
    assert r.loc[2021, "em_poverty_rate"] == pytest.approx(200 / 900)
    # 2023 includes C: poor (150+40+30)/1800 = 220/1800; near-poor (90+30+10)/1800
    assert r.loc[2023, "poverty_rate"] == pytest.approx(220 / 1800)
    assert r.loc[2023, "near_poor_rate"] == pytest.approx(130 / 1800)
    assert r.loc[2023, "n_communes"] == 3


def test_zero_denominator_is_missing():
    r = poverty_rates(_poverty(), ["year", "commune_code"])
    c = r[(r["year"] == 2023) & (r["commune_code"] == "C")].iloc[0]
    assert math.isnan(c["em_poverty_rate"])


def test_change_in_points_compares_like_with_like():
    ch = poverty_change(_poverty(), 2021, 2023)
    # C (2023 only) is left out: 2023 poor (150+40)/1500 = 190/1500; 2021 250/1500
    # change = 100 * (190 - 250)/1500 = -4.0 points
    assert ch["poverty_rate_change_pp"].iloc[0] == pytest.approx(-4.0)
    # em: 2021 200/900, 2023 140/900 -> 100 * (-60/900) = -6.667 points
    assert ch["em_poverty_rate_change_pp"].iloc[0] == pytest.approx(-600 / 90)
    assert ch["n_communes"].iloc[0] == 2
    # per year over two years: -3.333
    assert annual_change_pp(_poverty(), 2021, 2023) == pytest.approx(-300 / 90)


def test_change_by_commune():
    ch = poverty_change(_poverty(), 2021, 2023, "commune_code").set_index("commune_code")
    # A: 15% -> 20% ... poor 200/1000 = 20% -> 150/1000 = 15%: -5 points
    assert ch.loc["A", "poverty_rate_change_pp"] == pytest.approx(-5.0)
    assert "C" not in ch.index


def _classification():
    return pd.DataFrame(
        {
            "year": [2021, 2021, 2021, 2023, 2023, 2023],
            "commune_code": ["A", "B", "C", "A", "B", "C"],
            "region": ["III", "III", "I", "II", "III", "I"],
        }
    )


def test_region_counts_and_exits():
    counts = region_counts(_classification(), 2021)
    assert counts.iloc[0].to_dict() == {"I": 1, "II": 0, "III": 2}
    exits = region_iii_exits(_classification(), 2021, 2023)
    assert exits["commune_code"].tolist() == ["A"]
