"""Every figure a report adds up over units says its coverage when it is partial (issue #17).

"Tỷ lệ hộ nghèo năm 2023 là 47,62%" was written from 1 commune of Sốp Cộp's 8, with the
data-quality table showing "khớp ✓". The hand-made data of ``tests/small_area.py`` has
exactly that: poverty for Xã Sốp Cộp only (100 poor of 210 households = 47,62%), a
classification of 3 of the 8 communes, finance for all 8; in Lạng Sơn, finance for 2 of its 11
districts (Chi Lăng: 2 of 20 communes; Đình Lập: 3 of 12) and poverty for 1 of its communes.
"""

from __future__ import annotations

import pytest

from analysis import report
from analysis.cli import main
from analysis.metrics.coverage import Coverage, area_coverage, beside
from analysis.report.summaries.gather import summary_facts
from analysis.report.summaries.writer import summary_sentences
from tests.small_area import prepare_small
from tests.visible_text import visible_lines


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return prepare_small(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def sop_cop(small):
    return {lang: report.context("14", "127", "2023", "", lang, small) for lang in ("vi", "en")}


def sentences(ctx) -> dict[str, str]:
    return {s.key.split(":")[0]: s.text for s in summary_sentences(summary_facts(ctx), ctx.lang)}


def test_coverage_by_hand():
    assert Coverage(1, 8).text("vi") == "1/8 xã có số liệu"
    assert Coverage(1, 8).text("en") == "1 of 8 communes with data"
    assert Coverage(0, 1, "district").text("en") == "0 of 1 district with data"
    assert Coverage(2, 11, "district").text("vi") == "2/11 huyện có số liệu"
    assert Coverage(1, 8).partial and not Coverage(8, 8).partial and Coverage(0, 8).partial
    assert Coverage(8, 8).note("vi") == "" and beside("giải ngân 1/2 tỷ đồng", Coverage(8, 8), "vi") == (
        "giải ngân 1/2 tỷ đồng")
    with pytest.raises(ValueError, match="unit must be one of commune, district, not 'village'"):
        Coverage(1, 2, "village")


def test_the_area_coverage_of_sop_cop(sop_cop):
    c = area_coverage(sop_cop["vi"])
    # poverty in 2021 and 2023 for 04231 only; classification for 04225, 04228, 04231; finance for all 8
    assert (c.poverty, c.classification, c.finance) == (Coverage(1, 8), Coverage(3, 8), Coverage(8, 8))
    assert set(c.partial) == {"poverty", "classification"}


def test_summary_says_poverty_of_1_commune_of_8(sop_cop):
    said = sentences(sop_cop["vi"])
    assert said["poverty"] == (
        "Tỷ lệ hộ nghèo năm 2023 là 47,62% (1/8 xã có số liệu), giảm 7,4 điểm phần trăm so với năm 2021; tỷ lệ hộ "
        "nghèo đồng bào DTTS năm 2023 là 50,00%, giảm 5,6 điểm phần trăm so với năm 2021; bình quân mỗi năm tỷ lệ hộ "
        "nghèo đồng bào DTTS giảm 2,8 điểm phần trăm.")
    assert said["regions"] == "Năm 2023, huyện Sốp Cộp có 2 xã khu vực III (3/8 xã có số liệu)."
    # finance covers every commune: its sentences say nothing of coverage
    assert said["plan.total"] == "Tổng kế hoạch vốn năm 2023 của huyện Sốp Cộp là 1 tỷ đồng."
    en = sentences(sop_cop["en"])
    assert en["poverty"].startswith("The poverty rate was 47.62% in 2023 (1 of 8 communes with data), down 7.4 ")
    assert en["regions"] == "In 2023, Sốp Cộp district had 2 region III communes (3 of 8 communes with data)."


def test_headline_cards_say_their_coverage(sop_cop):
    html = report.headline_figures(sop_cop["vi"]).data
    assert ('<div class="value">47,62%</div><div class="ntp-note">−7,4 điểm % so với năm 2021 · 1/8 xã có số '
            "liệu</div>") in html
    assert '<div class="value">2</div><div class="ntp-note">3/8 xã có số liệu</div>' in html
    assert "giải ngân 0,63/1,00 tỷ đồng</div>" in html  # all 8 communes: nothing beside it
    assert "Số tổng của" not in html


def test_data_quality_flags_partial_coverage(sop_cop):
    lines = visible_lines(report.data_quality(sop_cop["vi"]).data)
    # the inputs table: each table reconciles, and says how much of the district it covers
    assert lines[:6] == ["Đầu vào", "Dòng đọc", "Dòng dùng", "Dòng loại", "Đơn vị của Huyện Sốp Cộp có số liệu",
                         "Phân loại xã (communes.csv)"]
    assert ["Hộ nghèo (poverty.csv)", "3", "3", "0", "khớp ✓", "1/8 xã: THIẾU 7 xã"] == lines[
        lines.index("Hộ nghèo (poverty.csv)"):lines.index("Hộ nghèo (poverty.csv)") + 6]
    assert "8/8 xã ✓" in lines and "3/8 xã: THIẾU 5 xã" in lines
    assert ("Số liệu hộ nghèo (năm 2021 và 2023) chỉ có ở 1/8 xã của Huyện Sốp Cộp: các tỷ lệ hộ nghèo của báo "
            "cáo là của các xã này.") in lines
    en = visible_lines(report.data_quality(sop_cop["en"]).data)
    assert "1 of 8 communes: 7 communes MISSING" in en and "Poverty (poverty.csv)" in en


def test_province_overview_finance_by_district_says_its_communes(small):
    ctx = report.context("20", None, "2023", "", "vi", small)
    # 2 of Lạng Sơn's 11 districts: every finance card and the totals say so
    html = report.headline_figures(ctx).data
    assert "giải ngân 0,63/0,90 tỷ đồng · 2/11 huyện có số liệu" in html
    assert "Số tổng của 2/11 huyện có số liệu; đơn vị chưa có số liệu không được tính vào." in html
    assert "Số tổng của 2/11 huyện có số liệu" in report.project_table(ctx).data
    assert sentences(ctx)["plan.total"] == (
        "Tổng kế hoạch vốn năm 2023 của tỉnh Lạng Sơn (2/11 đơn vị cấp huyện có số liệu) là 900 triệu đồng.")
    # the table by district: all 11 listed; each district's sums say how many of its communes they hold
    df, cols = report.units_frame(ctx)
    assert len(df) == 11
    assert cols["finance_communes"][0] == "Xã có số liệu vốn"
    rows = df.set_index("district_code")
    assert rows.loc["187", "finance_communes"] == "2/20" and rows.loc["189", "finance_communes"] == "3/12"
    assert rows.loc["187", "poverty_communes"] == "1/20"
    assert rows.loc["181", "finance_communes"] == "0/19" and rows.loc["181", "plan_mvnd"] != rows.loc[
        "181", "plan_mvnd"]  # Bình Gia: no data, listed with "–", never 0
    # the province's poverty rate: 1 commune of the province's 194 (the official list)
    assert "Tỷ lệ hộ nghèo năm 2023 là 10,00% (1/194 xã có số liệu)" in sentences(ctx)["poverty"]


def test_full_coverage_says_nothing(sample_prepared):
    # the sample: Chi Lăng's 20 communes all have finance, poverty and a classification
    ctx = report.context("20", "187", "2023", "2023-08-04", "vi", sample_prepared)
    assert area_coverage(ctx).partial == {}
    text = " ".join(sentences(ctx).values()) + report.headline_figures(ctx).data
    assert "có số liệu)" not in text and "xã có số liệu" not in text
    assert "THIẾU" not in report.data_quality(ctx).data


def test_the_real_report_of_1_commune_of_8(small, tmp_path):
    assert main(["report", "--province", "14", "--district", "127", "--data", str(small), "--out",
                 str(tmp_path)]) == 0
    lines = visible_lines((tmp_path / "2023" / "son-la" / "127-sop-cop.html").read_text("utf-8"))
    summary = next(line for line in lines if line.startswith("Tỷ lệ hộ nghèo năm 2023"))
    assert summary.startswith("Tỷ lệ hộ nghèo năm 2023 là 47,62% (1/8 xã có số liệu), giảm 7,4 điểm")
    card = lines.index("Tỷ lệ hộ nghèo 2023")
    assert lines[card:card + 3] == ["Tỷ lệ hộ nghèo 2023", "47,62%", "−7,4 điểm % so với năm 2021 · 1/8 xã có số liệu"]
    assert "1/8 xã: THIẾU 7 xã" in lines
