"""Finance metrics. Every expected number is worked out by hand in the comment beside it."""

import math

import pandas as pd
import pytest

from analysis.metrics.finance import disbursement, headline, latest_snapshot, progress


def _rows():
    # Two districts, cumulative snapshots. District 187 reports 30/6 and 30/9; district 188
    # reports only 30/6. Commune A (187): investment plan 100; commune B (187): recurrent plan
    # 50 and a district-level row with plan 0 (no plan). District 188: investment plan 200.
    recs = [
        # year, as_of, district, commune, project, capital_type, fund, plan, disbursed
        (2023, "2023-06-30", "187", "A", "DA1", "investment", "current", 100.0, 20.0),
        (2023, "2023-06-30", "187", "B", "DA3", "recurrent", "carried_over", 50.0, 5.0),
        (2023, "2023-06-30", "187", None, "DA10", "recurrent", "current", 0.0, 0.0),
        (2023, "2023-09-30", "187", "A", "DA1", "investment", "current", 100.0, 45.0),
        (2023, "2023-09-30", "187", "B", "DA3", "recurrent", "carried_over", 50.0, 10.0),
        (2023, "2023-09-30", "187", None, "DA10", "recurrent", "current", 0.0, 0.0),
        (2023, "2023-06-30", "188", "C", "DA1", "investment", "current", 200.0, 80.0),
        (2022, "2023-01-31", "187", "A", "DA1", "investment", "current", 90.0, 90.0),
    ]
    cols = [
        "year",
        "as_of",
        "district_code",
        "commune_code",
        "project",
        "capital_type",
        "fund",
        "plan_mvnd",
        "disbursed_mvnd",
    ]
    df = pd.DataFrame(recs, columns=cols)
    df["as_of"] = pd.to_datetime(df["as_of"])
    return df


def test_latest_snapshot_per_district_never_adds_snapshots():
    snap = latest_snapshot(_rows(), 2023)
    # 187 -> its 30/9 rows (3), 188 -> its 30/6 row (1)
    assert len(snap) == 4
    total = disbursement(snap)
    # plan 100 + 50 + 0 + 200 = 350; disbursed 45 + 10 + 0 + 80 = 135; rate 135/350
    assert total["plan_mvnd"].iloc[0] == 350.0
    assert total["disbursed_mvnd"].iloc[0] == 135.0
    assert total["rate"].iloc[0] == pytest.approx(135 / 350)


def test_snapshot_at_a_date():
    snap = latest_snapshot(_rows(), 2023, "2023-08-04")
    # both districts at 30/6: disbursed 20 + 5 + 0 + 80 = 105
    assert disbursement(snap)["disbursed_mvnd"].iloc[0] == 105.0
    assert latest_snapshot(_rows(), 2023, "2023-01-01").empty


def test_rate_from_sums_not_average_of_rates():
    snap = latest_snapshot(_rows(), 2023)
    by_type = disbursement(snap, "capital_type").set_index("capital_type")
    # investment: (45 + 80) / (100 + 200) = 125/300 = 0.41667; the mean of the two rates
    # (0.45 and 0.40) would be 0.425 - wrong.
    assert by_type.loc["investment", "rate"] == pytest.approx(125 / 300)
    # recurrent: 10 / (50 + 0) = 0.2
    assert by_type.loc["recurrent", "rate"] == pytest.approx(0.2)


def test_zero_plan_is_no_plan_not_zero_or_infinity():
    snap = latest_snapshot(_rows(), 2023)
    by_project = disbursement(snap, "project").set_index("project")
    assert not by_project.loc["DA10", "has_plan"]
    assert math.isnan(by_project.loc["DA10", "rate"])
    assert by_project.loc["DA3", "has_plan"]


def test_fund_split():
    snap = latest_snapshot(_rows(), 2023)
    by_fund = headline(snap)["fund"].set_index("fund")
    # carried_over: 10 / 50; current: (45 + 0 + 80) / (100 + 0 + 200)
    assert by_fund.loc["carried_over", "rate"] == pytest.approx(0.2)
    assert by_fund.loc["current", "rate"] == pytest.approx(125 / 300)


def test_progress_series_uses_latest_per_district():
    prog = progress(_rows(), 2023)
    # dates 30/6 and 30/9. At 30/9 district 188 still counts its 30/6 figures:
    # 30/6: 20 + 5 + 80 = 105; 30/9: 45 + 10 + 80 = 135
    assert prog["as_of"].dt.strftime("%m-%d").tolist() == ["06-30", "09-30"]
    assert prog["disbursed_mvnd"].tolist() == [105.0, 135.0]


def test_commune_level_and_district_rows():
    snap = latest_snapshot(_rows(), 2023)
    by_commune = disbursement(snap[snap["district_code"] == "187"], "commune_code")
    # A: 45/100, B: 10/50, district-level (no commune): plan 0 -> no plan
    rates = dict(zip(by_commune["commune_code"].fillna("district"), by_commune["rate"], strict=True))
    assert rates["A"] == pytest.approx(0.45)
    assert rates["B"] == pytest.approx(0.2)
    assert math.isnan(rates["district"])
