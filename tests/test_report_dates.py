"""A report says the date of the figures it shows, not only the date asked for (issue #17).

``report --as-of 2030-01-01`` over data that ends 31/12/2023 wrote "số liệu tính đến ngày
01/01/2030". The hand-made data of ``tests/small_area.py``: Sốp Cộp's snapshots are 30/06 and
31/12/2023; in Lạng Sơn, Chi Lăng's last is 31/12/2023 and Đình Lập's 30/09/2023.
"""

from __future__ import annotations

import pytest
from matplotlib.text import Text

from analysis import report
from analysis.cli import main
from analysis.report.mapdata import map_data
from analysis.report.summaries.gather import summary_facts
from analysis.report.summaries.writer import summary_sentences
from analysis.run.print_figures import map_subtitle
from analysis.store.areas import load_area
from tests.small_area import prepare_small
from tests.visible_text import visible_text

LATEST_2030 = "31/12/2023 (ngày mới nhất có số liệu; đã yêu cầu 01/01/2030)"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return prepare_small(tmp_path_factory.mktemp("small"))


def figure_texts(picture) -> list[str]:
    return [a.get_text() for a in picture.figure.findobj(Text)]


def test_report_as_of_2030_says_the_data_ends_31_12_2023(small, tmp_path, capsys):
    # the real command, as the issue ran it
    assert main(["report", "--province", "14", "--district", "127", "--as-of", "2030-01-01", "--data", str(small),
                 "--out", str(tmp_path)]) == 0
    text = visible_text((tmp_path / "2023" / "son-la" / "127-sop-cop.html").read_text("utf-8"))
    assert f"Năm 2023 · số liệu tính đến ngày {LATEST_2030}" in text  # the header
    # the summary: plan 1.000, disbursed 630 at 31/12 (tests/small_area.py)
    assert (f"Tính đến ngày {LATEST_2030}, đã giải ngân 630 triệu đồng vốn giao năm 2023, đạt 63,00% kế hoạch "
            "vốn giao.") in text
    # the method note; and the date asked for is never given as the date of the figures
    assert f"Số liệu vốn là số lũy kế đến ngày {LATEST_2030}" in text
    assert text.count("01/01/2030") == text.count("đã yêu cầu 01/01/2030")


def test_map_subtitles_and_sources_say_the_date_of_the_data(small):
    ctx = report.context("14", "127", "2023", "2030-01-01", "vi", small)
    texts = figure_texts(report.map_disbursement(ctx))
    assert f"Năm 2023 · số liệu tính đến ngày {LATEST_2030}" in texts
    assert "Nguồn: Chương trình MTQG 1719, số liệu đến 31/12/2023" in texts  # the source line: the latest date
    assert not any("01/01/2030" in x for x in texts if "đã yêu cầu" not in x)
    en = report.context("14", "127", "2023", "2030-01-01", "en", small)
    assert report.shown_as_of(en) == "31/12/2023 (the latest date with figures; 01/01/2030 was asked for)"


def test_a_date_between_snapshots_names_the_snapshot_used(small):
    # 04/08/2023 asked for: Sốp Cộp's latest snapshot by then is 30/06 (disbursed 210 of 1.000)
    ctx = report.context("14", "127", "2023", "2023-08-04", "vi", small)
    assert report.shown_as_of(ctx) == "30/06/2023 (ngày mới nhất có số liệu; đã yêu cầu 04/08/2023)"
    funds = next(s.text for s in summary_sentences(summary_facts(ctx), "vi") if s.key == "funds")
    assert funds.startswith("Tính đến ngày 30/06/2023 (ngày mới nhất có số liệu; đã yêu cầu 04/08/2023), "
                            "đã giải ngân 210 triệu đồng")
    # a date the data has is written alone, as before
    exact = report.context("14", "127", "2023", "2023-06-30", "vi", small)
    assert report.shown_as_of(exact) == "30/06/2023"
    assert "Năm 2023 · số liệu tính đến ngày 30/06/2023</div>" in report.title(exact).data


def test_districts_with_different_dates_are_each_given_theirs(small):
    # Lạng Sơn at the year's latest snapshot (31/12/2023): Chi Lăng has it, Đình Lập stops at 30/09
    ctx = report.context("20", None, "2023", "", "vi", small)
    dated = ("30/09/2023 (Huyện Đình Lập) và 31/12/2023 (Huyện Chi Lăng), kỳ báo cáo mới nhất của mỗi huyện đến "
             "ngày 31/12/2023")
    assert report.shown_as_of(ctx) == dated
    assert f"số liệu tính đến ngày {dated}" in report.title(ctx).data
    # plan 600 + 300 = 900, disbursed 480 + 150 = 630 (70,00%)
    total = next(s.text for s in summary_sentences(summary_facts(ctx), "vi") if s.key == "total")
    assert total == "Tổng cộng đã giải ngân 630 triệu đồng, đạt 70,00% tổng kế hoạch vốn."
    en = report.context("20", None, "2023", "", "en", small)
    assert report.shown_as_of(en) == ("30/09/2023 (Huyện Đình Lập) and 31/12/2023 (Huyện Chi Lăng), each "
                                      "district's latest snapshot up to 31/12/2023")


def test_print_maps_say_each_districts_date(small):
    # ntp-atlas maps: the province's map gives both dates, Đình Lập's own map its 30/09
    data = map_data(load_area("20", None, small), 2023)
    assert map_subtitle(data, "disbursement_rate", "vi", "189").endswith(
        "30/09/2023 (ngày mới nhất có số liệu; đã yêu cầu 31/12/2023)")
    assert map_subtitle(data, "disbursement_rate", "vi", "187").endswith("năm 2023, số liệu đến ngày 31/12/2023")
    assert "30/09/2023 (Huyện Đình Lập) và 31/12/2023 (Huyện Chi Lăng)" in map_subtitle(
        data, "disbursement_rate", "vi", None)
