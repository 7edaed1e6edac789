"""Chart axes: nice steps and tick labels that are true, in the report's number format.

The expected ticks are worked out by hand from matplotlib's MaxNLocator rules (the comments
give each step), for the bar chart's own figure (9 × 4.6 in, axes 80% of the height).
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from analysis.maps import charts
from analysis.maps.ticks import NumberFormatter, decimals_for, nice_locator


def shown_ticks(axis) -> list[str]:
    """The tick labels drawn on an axis: those inside its view limits, after a draw."""
    FigureCanvasAgg(axis.axes.figure).draw()
    lo, hi = sorted(axis.get_view_interval())
    return [t.get_text() for t, v in zip(axis.get_ticklabels(), axis.get_ticklocs(), strict=True)
            if lo - 1e-9 <= v <= hi + 1e-9]


def projects(max_bvnd: float) -> pd.DataFrame:
    """Two projects; the tallest bar is a plan of ``max_bvnd`` billion VND."""
    return pd.DataFrame({"project": ["DA1", "DA4"], "capital_type": ["investment", "recurrent"],
                         "plan_mvnd": [max_bvnd * 1000, max_bvnd * 400], "disbursed_mvnd": [max_bvnd * 500, 10.0]})


def test_project_chart_of_17_5_billion_steps_by_2_5_with_one_decimal():
    # By hand: bars start at 0 and the top margin is 5%, so the axis runs 0 to 18.375. The axis
    # is 3.68 in = 265 pt long, room for 13 labels of 10 pt twice their size apart, and "auto"
    # caps it at 9 intervals: a raw step of 18.375 / 9 = 2.04, and the first nice step above it
    # is 2.5. Ticks 0, 2.5, …, 17.5 (20 is beyond 18.375). A step of 2.5 needs one decimal.
    # (The old labels, rounded to whole numbers, read 0 2 5 8 10 12 15 18: issue #17.)
    ax = charts.projects_chart(projects(17.5), "vi")
    assert shown_ticks(ax.yaxis) == ["0,0", "2,5", "5,0", "7,5", "10,0", "12,5", "15,0", "17,5"]
    ax = charts.projects_chart(projects(17.5), "en")
    assert shown_ticks(ax.yaxis) == ["0.0", "2.5", "5.0", "7.5", "10.0", "12.5", "15.0", "17.5"]


def test_project_chart_of_a_small_commune_steps_by_0_2():
    # By hand: 0 to 1.2 × 1.05 = 1.26; raw step 1.26 / 9 = 0.14, the nice steps at this scale
    # are 0.1, 0.2, 0.25, 0.5, 1: the first above 0.14 is 0.2. Ticks 0, 0.2, …, 1.2 with one
    # decimal (whole numbers read 0 0 0 1 1 1 1).
    ax = charts.projects_chart(projects(1.2), "vi")
    assert shown_ticks(ax.yaxis) == ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0", "1,2"]


def test_whole_steps_keep_whole_labels_with_thousands_in_the_language():
    # 0 to 2,400 billion × 1.05 = 2,520; raw step 280, nice steps 100, 200, 250, 500: 500.
    # Ticks 0, 500, …, 2,500 need no decimals; thousands grouped the Vietnamese way.
    ax = charts.projects_chart(projects(2400), "vi")
    assert shown_ticks(ax.yaxis) == ["0", "500", "1.000", "1.500", "2.000", "2.500"]


def test_progress_chart_writes_percent_ticks_in_the_language():
    # Rates up to 80%: the axis runs 0 to 100% (at least the whole plan), ticks every 20%.
    prog = pd.DataFrame({"as_of": pd.to_datetime(["2023-06-30", "2023-12-31"]), "capital_type": "investment",
                         "rate": [0.25, 0.8]})
    ax = charts.progress_chart(prog, "vi")
    assert shown_ticks(ax.yaxis) == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert sorted(t.get_text() for t in ax.texts) == ["25,0%", "80,0%"]  # each point's rate


def test_poverty_trend_chart_gives_half_points_a_decimal():
    # One commune at 4% then 2%, the whole area the same: the axis runs from 0 to 4% plus 5% of
    # the data's range (4.1%); 4 in = 288 pt of axis, capped at 9 intervals: a raw step of
    # 0.46%, and the nice step above it is 0.5%: 0,0% 0,5% … 4,0%.
    poverty = pd.DataFrame({"year": [2021, 2023], "district_code": "001", "commune_code": "1", "households": 100,
                            "poor_households": [4, 2], "near_poor_households": 0, "em_households": 0,
                            "em_poor_households": 0})
    ax = charts.poverty_trend_chart(poverty, "district", "vi", names={"001": "Huyện A"})
    assert shown_ticks(ax.yaxis) == ["0,0%", "0,5%", "1,0%", "1,5%", "2,0%", "2,5%", "3,0%", "3,5%", "4,0%"]


def test_scatter_chart_points_axis_is_signed_with_the_steps_decimals():
    frame = pd.DataFrame({"poverty_rate_change_pp": [-5.0, -1.0, 0.5], "rate": [0.5, 0.7, 0.9],
                          "district_name": ["Huyện A", "Huyện B", "Huyện C"]})
    ax = charts.scatter_chart(frame, "vi")
    # By hand: x runs from −5 − 0.12 × 5.5 = −5.66 to 0.5 + 0.66 = 1.16; raw step 6.82 / 9 = 0.76,
    # the nice step is 1: −5 … +1, whole points. y from 0.5 − 0.06 = 0.44 to 0.96: a raw step of
    # 0.52 / 9 = 0.058, above 0.05, so 0.1: 50% … 90%.
    assert shown_ticks(ax.xaxis) == ["−5", "−4", "−3", "−2", "−1", "0", "+1"]
    assert shown_ticks(ax.yaxis) == ["50%", "60%", "70%", "80%", "90%"]


def test_formatter_and_locator_by_hand():
    assert decimals_for([0, 0.25, 0.5, 0.75]) == 2
    assert decimals_for([0.30000000000000004, 0.6]) == 1  # floating-point noise of a tick
    assert NumberFormatter("en").format_ticks([0, 1250, 2500]) == ["0", "1,250", "2,500"]
    assert NumberFormatter("vi", "percent").format_ticks([0, 0.025, 0.05]) == ["0,0%", "2,5%", "5,0%"]
    with pytest.raises(ValueError, match="kind must be one of number, percent, points"):
        NumberFormatter("vi", "money")
    # counts: whole ticks only, even where a step of 0.5 would fit
    assert list(nice_locator(integer=True).tick_values(0, 3)) == [0, 1, 2, 3]
    assert list(nice_locator().tick_values(0, 1.8)) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6,
                                                                     1.8])
