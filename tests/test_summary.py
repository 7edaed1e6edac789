"""Written summaries: golden sentences from the seed articles, every template in both languages.

Golden figures come from the seed articles (../shared/seeds/000 and 003, collected in
../shared/reference/published_figures.csv), which the sample data reproduces exactly for
Chi Lăng (187) as of 2023-08-04 and Sốp Cộp (127, Sơn La 14) as of 2023-11-30
(data/sample/README.md). The hand-made facts below have expected sentences worked out by
hand, figure by figure, in the comments.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from analysis import report
from analysis.common.numbers import format_percent
from analysis.metrics.coverage import Coverage
from analysis.report.summaries import gather, writer
from analysis.report.summaries import templates as summary_templates
from analysis.report.summaries.facts import (
    Amounts,
    IndicatorFigure,
    Position,
    Poverty,
    Previous,
    Regions,
    SummaryFacts,
    Units,
)
from analysis.report.summaries.formats import format_money
from analysis.report.summaries.templates import TEMPLATES, SummaryTemplateError, check_templates
from analysis.report.summaries.writer import summary_paragraphs, summary_sentences

# --- golden sentences from the seeds -------------------------------------------------------------


@pytest.fixture(scope="module")
def sop_cop(sample_prepared):
    return {lang: report.context("14", "127", 2023, "2023-11-30", lang, sample_prepared) for lang in ("vi", "en")}


@pytest.fixture(scope="module")
def chi_lang(sample_prepared):
    return {lang: report.context("20", "187", 2023, "2023-08-04", lang, sample_prepared) for lang in ("vi", "en")}


def sentence(ctx, key: str) -> str:
    found = [s.text for s in summary_sentences(gather.summary_facts(ctx), ctx.lang) if s.key == key]
    assert len(found) == 1, (key, [s.key for s in summary_sentences(gather.summary_facts(ctx), ctx.lang)])
    return found[0]


def test_sop_cop_funds_sentence_matches_seed_003(sop_cop):
    # seed 003: "Tính đến ngày 30/11/2023, đã giải ngân trên 2.791 triệu đồng vốn chuyển nguồn từ
    # năm 2022 sang năm 2023, đạt đạt 33,40 % kế hoạch vốn giao; đã giải ngân trên 35.215 triệu
    # đồng vốn giao năm 2023, đạt 42,99% kế hoạch vốn giao."  Above 1,000 million the prose says
    # tỷ đồng (2.791 → "trên 2,7 tỷ đồng"), with the table's exact million figure in brackets.
    text = sentence(sop_cop["vi"], "funds")
    assert text == (
        "Tính đến ngày 30/11/2023, đã giải ngân trên 2,7 tỷ đồng (2.791 triệu đồng) vốn chuyển nguồn từ năm 2022 "
        "sang năm 2023, đạt 33,40% kế hoạch vốn giao; đã giải ngân trên 35,2 tỷ đồng (35.215 triệu đồng) vốn giao "
        "năm 2023, đạt 42,99% kế hoạch vốn giao."
    )
    # each figure sits with its own fund
    assert re.search(r"2\.791 triệu đồng\) vốn chuyển nguồn từ năm 2022 sang năm 2023, đạt 33,40%", text)
    assert re.search(r"35\.215 triệu đồng\) vốn giao năm 2023, đạt 42,99%", text)


def test_sop_cop_funds_sentence_in_english(sop_cop):
    text = sentence(sop_cop["en"], "funds")
    assert "over 2.7 billion VND (2,791 million VND) of the funds carried over from 2022 into 2023" in text
    assert "33.40% of the allocated plan" in text
    assert "over 35.2 billion VND (35,215 million VND) of the 2023 allocation had been disbursed, 42.99%" in text


def test_chi_lang_capital_sentence_matches_seed_000(chi_lang):
    # seed 000: "Thanh toán vốn đầu tư được 29,72 tỷ đồng, đạt 37% kế hoạch; thanh toán vốn sự
    # nghiệp được trên 3,3 tỷ đồng, đạt 4,9% kế hoạch."  The capital type is named as the
    # report's tables name it ("vốn đầu tư phát triển").
    assert sentence(chi_lang["vi"], "capital") == (
        "Thanh toán vốn đầu tư phát triển được 29,72 tỷ đồng, đạt 37% kế hoạch; "
        "thanh toán vốn sự nghiệp được trên 3,3 tỷ đồng, đạt 4,9% kế hoạch."
    )


def test_chi_lang_capital_sentence_in_english(chi_lang):
    assert sentence(chi_lang["en"], "capital") == (
        "29.72 billion VND of development investment capital had been paid out, 37% of plan; "
        "over 3.3 billion VND of recurrent capital had been paid out, 4.9% of plan."
    )


def test_summary_figures_are_the_tables_figures(sop_cop, chi_lang):
    """Every rate in the funds and capital sentences is the rate printed in the headline table
    (same value, same two-decimal rounding)."""
    for ctx in (sop_cop["vi"], chi_lang["vi"], sop_cop["en"]):
        facts = gather.summary_facts(ctx)
        table = report.headline_figures(ctx).data
        for amounts in [*facts.funds.values(), *facts.capital.values(), facts.total]:
            assert format_percent(amounts.rate, ctx.lang) in table
    # Sốp Cộp's table shows 2.791,000 and 35.215,000 (million VND): the sentence's 2.791 and 35.215
    table = report.headline_figures(sop_cop["vi"]).data
    assert "2.791,000" in table and "35.215,000" in table


def test_lang_son_province_matches_seed_001(sample_prepared):
    # seed 001: "tỷ lệ hộ nghèo vùng đồng bào DTTS giảm khoảng 2,9%, có 11 xã khu vực III thoát
    # khỏi tình trạng đặc biệt khó khăn" (the sample's 2021 → 2023 change, data/sample/README.md)
    ctx = report.context("20", None, 2023, "2023-08-04", "vi", sample_prepared)
    text = " ".join(writer.write_summary(ctx))
    assert "bình quân mỗi năm tỷ lệ hộ nghèo đồng bào DTTS giảm 2,9 điểm phần trăm" in text
    assert "11 xã khu vực III năm 2021 đã thoát khỏi tình trạng đặc biệt khó khăn" in text
    # the overview names the districts furthest behind, not communes
    assert "Các đơn vị cấp huyện có tỷ lệ giải ngân thấp nhất là " in text


def test_district_against_its_province(chi_lang, sop_cop):
    ctx = chi_lang["vi"]
    text = sentence(ctx, "position.above")
    # the province rate is the overview's total at the same date
    overview = report.context("20", None, 2023, "2023-08-04", "vi", ctx.area.data_dir)
    province_rate = gather.summary_facts(overview).total.rate
    assert f"mức chung của tỉnh Lạng Sơn ({format_percent(province_rate, 'vi')})" in text
    assert "đứng thứ " in text and "/11 đơn vị cấp huyện có số liệu" in text
    # Sốp Cộp is the only district of Sơn La with data: no position to state
    keys = [s.key for s in summary_sentences(gather.summary_facts(sop_cop["vi"]), "vi")]
    assert not any(k.startswith("position") for k in keys)


def test_communes_furthest_behind_are_named(chi_lang):
    ctx = chi_lang["vi"]
    table = report.unit_table(ctx)
    planned = table[table["has_plan"].fillna(False).astype(bool)].sort_values("rate")
    text = sentence(ctx, "behind.many")
    for _, row in planned.head(3).iterrows():
        name = row["commune_name"][0].lower() + row["commune_name"][1:]  # "xã Chiến Thắng" inside a sentence
        assert f"{name} ({format_percent(row['rate'], 'vi')})" in text


def test_report_section_shows_the_summary(chi_lang):
    html = report.summary(chi_lang["vi"]).data
    assert html.count("<p>") == 4  # finance; communes; poverty and region III; indicators (as of 04/08/2023)
    assert "Tính đến ngày 30/06/2023, huyện đã thành lập Ban Chỉ đạo" in html
    assert "29,72 tỷ đồng" in html
    assert "Tóm tắt" in report.section(chi_lang["vi"], "summary").data
    assert "Summary" in report.section(chi_lang["en"], "summary").data


# --- every template, both languages, from hand-made facts -----------------------------------------

AS_OF = date(2023, 8, 4)
BEFORE = date(2023, 6, 30)


def amounts(plan: float, disbursed: float) -> Amounts:
    return Amounts(plan, disbursed, disbursed / plan if plan > 0 else None)


def facts_full() -> SummaryFacts:
    """A district with everything, growing, above its province."""
    return SummaryFacts(
        "district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF,
        total=amounts(2500.4, 1250),  # 1250 / 2500.4 = 0.49992 → 49,99%
        funds={"carried_over": amounts(500, 200), "current": amounts(2000.4, 1050)},  # 40,00%; 0.524895 → 52,49%
        capital={"investment": amounts(1500.4, 1000), "recurrent": amounts(1000, 250)},  # 0.666489 → 66,65%; 25%
        previous=Previous(BEFORE, 1000, 0.4),
        position=Position(0.45, 2, 5),
        units=Units("commune", 5, 4, (("Xã Một", 0.1), ("Xã Hai", 0.2), ("Xã Ba", 0.25))),
        poverty=Poverty(2023, 2021, 0.1, -3.0, 0.12, -6.2),  # −6,2 over two years: −3,1 a year
        regions=Regions(2023, 3, 2021, ("Xã Một", "Xã Hai")),
    )


def facts_province() -> SummaryFacts:
    """A province: money disbursed without a plan, nothing new since the last snapshot, rates up."""
    return SummaryFacts(
        "province", "Thử", "Thử", 2023, AS_OF,
        total=amounts(800, 430),  # 53,75%
        funds={"carried_over": amounts(0, 30), "current": amounts(800, 400)},
        capital={"investment": amounts(0, 30), "recurrent": amounts(800, 400)},
        previous=Previous(BEFORE, 430, 0.5375),
        units=Units("district", 3, 2, (("Huyện Một", 0.3),)),
        poverty=Poverty(2023, 2022, 0.2, 1.5, 0.25, 0.04),  # +0,04 shows as 0,0: unchanged
        regions=Regions(2023, 1, 2021, ("Xã Một",)),
    )


def facts_flat() -> SummaryFacts:
    """A district level with its province, a cut in disbursement, one poverty rate, no region III."""
    return SummaryFacts(
        "district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF,
        total=amounts(1000, 900),
        funds={"current": amounts(1000, 900)},
        capital={"investment": amounts(1000, 900)},
        previous=Previous(BEFORE, 950, 0.95),
        position=Position(0.9, 1, 3),
        units=Units("commune", 2, 2, (("Xã Một", 0.0),)),
        poverty=Poverty(2023, None, 0.3, None, None, None),
        regions=Regions(2023, 0, 2021, ()),
    )


def facts_behind() -> SummaryFacts:
    """Below its province; no breakdown, no previous snapshot, no units; many region III leavers."""
    return SummaryFacts(
        "district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF,
        total=amounts(10000, 3312),  # seed 000's 3.312 → "trên 3,3 tỷ đồng"; 33,12%
        position=Position(0.5, 4, 4),
        poverty=Poverty(2023, 2021, 0.2, -1.0, 0.3, 2.4),  # +2,4 over two years: +1,2 a year
        regions=Regions(2023, 7, 2021, tuple(f"Xã {i}" for i in range(1, 7))),
    )


def facts_indicators() -> SummaryFacts:
    """A province with every indicator of the catalogue on three dates; a denominator (said
    through its share) and a commune without data."""
    end23, mid23, end18 = date(2023, 12, 31), date(2023, 6, 30), date(2018, 12, 31)
    return SummaryFacts(
        "province", "Thử", "Thử", 2023, AS_OF,
        indicators=(
            IndicatorFigure("commune_paved_road", 2023, end23, 0.75, 3, 4, 1),  # 3/4, 1 decimal: 75,0%
            IndicatorFigure("households", 2023, end23, 1000.0),  # a denominator: no item of its own
            IndicatorFigure("households_electricity", 2023, end23, 0.999, 999, 1000),  # 2 decimals: 99,90%
            IndicatorFigure("facilities_solid", 2023, end23, 13 / 16, 13, 16),  # 0.8125, 0 decimals: 81%
            IndicatorFigure("district_steering_committee", 2023, mid23, 2 / 3, 2, 3),  # 66.7 → 67%
            IndicatorFigure("commune_steering_committee", 2023, mid23, 1.0, 4, 4),  # 100%
            IndicatorFigure("p135_commune", 2018, end18, 0.25, 1, 4),  # 25,0%
            IndicatorFigure("p135_village", 2018, end18, 1.0, 1, 1),  # one village: singular in English
            IndicatorFigure("p135_works", 2018, end18, 7.0),
            IndicatorFigure("p135_plan_mvnd", 2018, end18, 2345.6),  # 2,3456 tỷ, rounded: 2,3 tỷ đồng
            IndicatorFigure("p30a_disbursed_mvnd", 2018, end18, 0.5, 500, 1000),  # 0 decimals: 50%
        ),
    )


def facts_indicators_district() -> SummaryFacts:
    """A district's own yes and no, a small amount with villages without data, and a figure
    with no unit reported (left out: its date then has no sentence)."""
    return SummaryFacts(
        "district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF,
        indicators=(
            IndicatorFigure("households_electricity", 2023, date(2023, 12, 31), None, None, None, 3),
            IndicatorFigure("district_steering_committee", 2023, date(2023, 6, 30), 1.0, 1, 1),
            IndicatorFigure("district_steering_committee", 2022, date(2022, 6, 30), 0.0, 0, 1),
            # a 2018 figure standing at 31/01/2019: not the end of its year, so "as of"
            IndicatorFigure("p135_plan_mvnd", 2018, date(2019, 1, 31), 530.5, None, None, 2),
        ),
    )


def facts_partial() -> SummaryFacts:
    """Sốp Cộp with poverty data for 1 commune of 8 (issue #17: "47,62%" said as the district's
    rate), finance for 6 of 8 communes and a classification of 3 of 8 (tests/small_area.py)."""
    return SummaryFacts(
        "district", "Huyện Sốp Cộp", "Sơn La", 2023, date(2023, 12, 31),
        total=amounts(1000, 630),  # 63,00%
        coverage=Coverage(6, 8),
        # 100 poor of 210 households = 47,619%; 2021 110 of 200 = 55%: −7,38 points; ethnic
        # minority 95 of 190 = 50%, 2021 100 of 180 = 55,56%: −5,56, −2,78 a year
        poverty=Poverty(2023, 2021, 100 / 210, 100 * (100 / 210 - 0.55), 0.5, 100 * (0.5 - 100 / 180),
                        Coverage(1, 8)),
        regions=Regions(2023, 2, coverage=Coverage(3, 8)),
    )


EXPECTED_VI = {
    "full": [
        "Tổng kế hoạch vốn năm 2023 của huyện Thử Nghiệm là trên 2,5 tỷ đồng, trong đó: vốn chuyển nguồn từ năm "
        "2022 sang năm 2023 là 500 triệu đồng; vốn giao năm 2023 là trên 2 tỷ đồng.",
        "Tính đến ngày 04/08/2023, đã giải ngân 200 triệu đồng vốn chuyển nguồn từ năm 2022 sang năm 2023, đạt "
        "40,00% kế hoạch vốn giao; đã giải ngân 1,05 tỷ đồng (1.050 triệu đồng) vốn giao năm 2023, đạt 52,49% kế "
        "hoạch vốn giao.",
        "Thanh toán vốn đầu tư phát triển được 1 tỷ đồng, đạt 66,65% kế hoạch; thanh toán vốn sự nghiệp được 250 "
        "triệu đồng, đạt 25% kế hoạch.",
        "Tổng cộng đã giải ngân 1,25 tỷ đồng, đạt 49,99% tổng kế hoạch vốn.",
        "So với ngày 30/06/2023, vốn đã giải ngân tăng thêm 250 triệu đồng; tỷ lệ giải ngân là 49,99%, kỳ trước là "
        "40,00%.",
        "Tỷ lệ giải ngân của huyện Thử Nghiệm (49,99%) cao hơn mức chung của tỉnh Thử (45,00%), đứng thứ 2/5 đơn vị "
        "cấp huyện có số liệu.",
        "4/5 xã có kế hoạch vốn năm 2023.",
        "Các xã có tỷ lệ giải ngân thấp nhất là xã Một (10,00%), xã Hai (20,00%) và xã Ba (25,00%).",
        "Tỷ lệ hộ nghèo năm 2023 là 10,00%, giảm 3,0 điểm phần trăm so với năm 2021; tỷ lệ hộ nghèo đồng bào DTTS "
        "năm 2023 là 12,00%, giảm 6,2 điểm phần trăm so với năm 2021; bình quân mỗi năm tỷ lệ hộ nghèo đồng bào DTTS "
        "giảm 3,1 điểm phần trăm.",
        "Năm 2023, huyện Thử Nghiệm có 3 xã khu vực III; 2 xã khu vực III năm 2021 đã thoát khỏi tình trạng đặc biệt "
        "khó khăn: xã Một và xã Hai.",
    ],
    "province": [
        "Tổng kế hoạch vốn năm 2023 của tỉnh Thử là 800 triệu đồng.",
        "Tính đến ngày 04/08/2023, đã giải ngân 30 triệu đồng vốn chuyển nguồn từ năm 2022 sang năm 2023 khi chưa "
        "có kế hoạch vốn giao; đã giải ngân 400 triệu đồng vốn giao năm 2023, đạt 50,00% kế hoạch vốn giao.",
        "Thanh toán vốn đầu tư phát triển được 30 triệu đồng khi chưa có kế hoạch; thanh toán vốn sự nghiệp được 400 "
        "triệu đồng, đạt 50% kế hoạch.",
        "Tổng cộng đã giải ngân 430 triệu đồng, đạt 53,75% tổng kế hoạch vốn.",
        "Từ ngày 30/06/2023 đến ngày 04/08/2023, vốn đã giải ngân không thay đổi; tỷ lệ giải ngân là 53,75%.",
        "2/3 đơn vị cấp huyện có kế hoạch vốn năm 2023.",
        "Đơn vị cấp huyện có tỷ lệ giải ngân thấp nhất là huyện Một (30,00%).",
        "Tỷ lệ hộ nghèo năm 2023 là 20,00%, tăng 1,5 điểm phần trăm so với năm 2022; tỷ lệ hộ nghèo đồng bào DTTS "
        "năm 2023 là 25,00%, không thay đổi so với năm 2022.",
        "Năm 2023, tỉnh Thử có 1 xã khu vực III; 1 xã khu vực III năm 2021 đã thoát khỏi tình trạng đặc biệt khó "
        "khăn: xã Một.",
    ],
    "flat": [
        "Tổng kế hoạch vốn năm 2023 của huyện Thử Nghiệm là 1 tỷ đồng.",
        "Tính đến ngày 04/08/2023, đã giải ngân 900 triệu đồng vốn giao năm 2023, đạt 90,00% kế hoạch vốn giao.",
        "Thanh toán vốn đầu tư phát triển được 900 triệu đồng, đạt 90% kế hoạch.",
        "Tổng cộng đã giải ngân 900 triệu đồng, đạt 90,00% tổng kế hoạch vốn.",
        "So với ngày 30/06/2023, vốn đã giải ngân lũy kế giảm 50 triệu đồng; tỷ lệ giải ngân là 90,00%, kỳ trước là "
        "95,00%.",
        "Tỷ lệ giải ngân của huyện Thử Nghiệm (90,00%) bằng mức chung của tỉnh Thử, đứng thứ 1/3 đơn vị cấp huyện "
        "có số liệu.",
        "2/2 xã có kế hoạch vốn năm 2023.",
        "Xã có tỷ lệ giải ngân thấp nhất là xã Một (0,00%).",
        "Tỷ lệ hộ nghèo năm 2023 là 30,00%.",
        "Năm 2023, huyện Thử Nghiệm không có xã khu vực III; chưa có xã nào thoát khỏi khu vực III so với năm 2021.",
    ],
    "behind": [
        "Tổng kế hoạch vốn năm 2023 của huyện Thử Nghiệm là 10 tỷ đồng.",
        "Tổng cộng đã giải ngân trên 3,3 tỷ đồng, đạt 33,12% tổng kế hoạch vốn.",
        "Tỷ lệ giải ngân của huyện Thử Nghiệm (33,12%) thấp hơn mức chung của tỉnh Thử (50,00%), đứng thứ 4/4 đơn "
        "vị cấp huyện có số liệu.",
        "Tỷ lệ hộ nghèo năm 2023 là 20,00%, giảm 1,0 điểm phần trăm so với năm 2021; tỷ lệ hộ nghèo đồng bào DTTS "
        "năm 2023 là 30,00%, tăng 2,4 điểm phần trăm so với năm 2021; bình quân mỗi năm tỷ lệ hộ nghèo đồng bào DTTS "
        "tăng 1,2 điểm phần trăm.",
        "Năm 2023, huyện Thử Nghiệm có 7 xã khu vực III; 6 xã khu vực III năm 2021 đã thoát khỏi tình trạng đặc biệt "
        "khó khăn.",
    ],
    "indicators": [
        "Đến hết năm 2023, 3/4 xã (75,0%) có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông (1 xã chưa có số "
        "liệu); 99,90% số hộ được sử dụng điện lưới quốc gia và các nguồn điện khác phù hợp; 81% trường, lớp học và "
        "trạm y tế được xây dựng kiên cố.",
        "Tính đến ngày 30/06/2023, 2/3 huyện (67%) đã thành lập Ban Chỉ đạo các Chương trình MTQG cấp huyện; 4/4 xã "
        "(100%) đã thành lập, kiện toàn Ban Chỉ đạo cấp xã.",
        "Đến hết năm 2018, 1/4 xã (25,0%) được đầu tư từ Chương trình 135; 1/1 thôn (100,0%) đặc biệt khó khăn được "
        "đầu tư từ Chương trình 135; 7 công trình được đầu tư xây dựng từ Chương trình 135; kế hoạch vốn Chương trình "
        "135 là 2,3 tỷ đồng; 50% kế hoạch vốn Chương trình 30a đã được giải ngân.",
    ],
    "indicators_district": [
        "Tính đến ngày 30/06/2023, huyện đã thành lập Ban Chỉ đạo các Chương trình MTQG cấp huyện.",
        "Tính đến ngày 30/06/2022, huyện chưa đạt chỉ tiêu “Huyện đã thành lập Ban Chỉ đạo các Chương trình MTQG cấp "
        "huyện”.",
        "Tính đến ngày 31/01/2019, kế hoạch vốn Chương trình 135 là 530,5 triệu đồng (2 thôn chưa có số liệu).",
    ],
    "partial": [
        "Tổng kế hoạch vốn năm 2023 của huyện Sốp Cộp (6/8 xã có số liệu) là 1 tỷ đồng.",
        "Tổng cộng đã giải ngân 630 triệu đồng, đạt 63,00% tổng kế hoạch vốn.",
        "Tỷ lệ hộ nghèo năm 2023 là 47,62% (1/8 xã có số liệu), giảm 7,4 điểm phần trăm so với năm 2021; tỷ lệ hộ "
        "nghèo đồng bào DTTS năm 2023 là 50,00%, giảm 5,6 điểm phần trăm so với năm 2021; bình quân mỗi năm tỷ lệ hộ "
        "nghèo đồng bào DTTS giảm 2,8 điểm phần trăm.",
        "Năm 2023, huyện Sốp Cộp có 2 xã khu vực III (3/8 xã có số liệu).",
    ],
}

EXPECTED_EN = {
    "full": [
        "The 2023 capital plan of Thử Nghiệm district is over 2.5 billion VND, of which funds carried over from 2022 "
        "into 2023: 500 million VND; 2023 allocation: over 2 billion VND.",
        "As of 04/08/2023, 200 million VND of the funds carried over from 2022 into 2023 had been disbursed, 40.00% "
        "of the allocated plan; 1.05 billion VND (1,050 million VND) of the 2023 allocation had been disbursed, "
        "52.49% of the allocated plan.",
        "1 billion VND of development investment capital had been paid out, 66.65% of plan; 250 million VND of "
        "recurrent capital had been paid out, 25% of plan.",
        "In all, 1.25 billion VND had been disbursed, 49.99% of the total plan.",
        "Since 30/06/2023, disbursement has grown by 250 million VND; the rate is 49.99%, against 40.00% then.",
        "The disbursement rate of Thử Nghiệm district (49.99%) is above that of Thử province (45.00%), rank 2 of 5 "
        "districts with data.",
        "4 of 5 communes have a capital plan for 2023.",
        "The communes furthest behind are Một commune (10.00%), Hai commune (20.00%) and Ba commune (25.00%).",
        "The poverty rate was 10.00% in 2023, down 3.0 percentage points from 2021; the ethnic-minority poverty "
        "rate was 12.00% in 2023, down 6.2 percentage points from 2021; the ethnic-minority poverty rate fell by "
        "3.1 percentage points a year on average.",
        "In 2023, Thử Nghiệm district had 3 region III communes; 2 communes of region III in 2021 have left it: "
        "Một commune and Hai commune.",
    ],
    "province": [
        "The 2023 capital plan of Thử province is 800 million VND.",
        "As of 04/08/2023, 30 million VND of the funds carried over from 2022 into 2023 had been disbursed without "
        "an allocated plan; 400 million VND of the 2023 allocation had been disbursed, 50.00% of the allocated plan.",
        "30 million VND of development investment capital had been paid out without a plan; 400 million VND of "
        "recurrent capital had been paid out, 50% of plan.",
        "In all, 430 million VND had been disbursed, 53.75% of the total plan.",
        "Disbursement did not change between 30/06/2023 and 04/08/2023; the rate is 53.75%.",
        "2 of 3 districts have a capital plan for 2023.",
        "The district furthest behind is Một district (30.00%).",
        "The poverty rate was 20.00% in 2023, up 1.5 percentage points from 2022; the ethnic-minority poverty rate "
        "was 25.00% in 2023, unchanged from 2022.",
        "In 2023, Thử province had 1 region III commune; 1 commune of region III in 2021 has left it: Một commune.",
    ],
    "flat": [
        "The 2023 capital plan of Thử Nghiệm district is 1 billion VND.",
        "As of 04/08/2023, 900 million VND of the 2023 allocation had been disbursed, 90.00% of the allocated plan.",
        "900 million VND of development investment capital had been paid out, 90% of plan.",
        "In all, 900 million VND had been disbursed, 90.00% of the total plan.",
        "Since 30/06/2023, cumulative disbursement has fallen by 50 million VND; the rate is 90.00%, against 95.00% "
        "then.",
        "The disbursement rate of Thử Nghiệm district (90.00%) equals that of Thử province, rank 1 of 3 districts with "
        "data.",
        "2 of 2 communes have a capital plan for 2023.",
        "The commune furthest behind is Một commune (0.00%).",
        "The poverty rate was 30.00% in 2023.",
        "In 2023, Thử Nghiệm district had no region III commune; no commune has left region III since 2021.",
    ],
    "behind": [
        "The 2023 capital plan of Thử Nghiệm district is 10 billion VND.",
        "In all, over 3.3 billion VND had been disbursed, 33.12% of the total plan.",
        "The disbursement rate of Thử Nghiệm district (33.12%) is below that of Thử province (50.00%), rank 4 of 4 "
        "districts with data.",
        "The poverty rate was 20.00% in 2023, down 1.0 percentage points from 2021; the ethnic-minority poverty "
        "rate was 30.00% in 2023, up 2.4 percentage points from 2021; the ethnic-minority poverty rate rose by 1.2 "
        "percentage points a year on average.",
        "In 2023, Thử Nghiệm district had 7 region III communes; 6 communes of region III in 2021 have left it.",
    ],
    "indicators": [
        "By the end of 2023, 3 of 4 communes (75.0%) had an asphalt or concrete road to the commune centre (1 commune "
        "without data); 99.90% of households used grid or other suitable electricity; 81% of schools, classrooms and "
        "health stations were of solid construction.",
        "As of 30/06/2023, 2 of 3 districts (67%) had set up a steering committee for the national target programmes; "
        "4 of 4 communes (100%) had set up a commune steering committee.",
        "By the end of 2018, 1 of 4 communes (25.0%) were covered by Programme 135; 1 of 1 village (100.0%) were "
        "covered by Programme 135 as especially difficult villages; 7 works were built by Programme 135; the "
        "Programme 135 capital plan was 2.3 billion VND; 50% of the Programme 30a capital plan had been disbursed.",
    ],
    "indicators_district": [
        "As of 30/06/2023, the district had set up a steering committee for the national target programmes.",
        "As of 30/06/2022, the district is not among “Districts that set up a steering committee for the national "
        "target programmes”.",
        "As of 31/01/2019, the Programme 135 capital plan was 530.5 million VND (2 villages without data).",
    ],
    "partial": [
        "The 2023 capital plan of Sốp Cộp district (6 of 8 communes with data) is 1 billion VND.",
        "In all, 630 million VND had been disbursed, 63.00% of the total plan.",
        "The poverty rate was 47.62% in 2023 (1 of 8 communes with data), down 7.4 percentage points from 2021; the "
        "ethnic-minority poverty rate was 50.00% in 2023, down 5.6 percentage points from 2021; the ethnic-minority "
        "poverty rate fell by 2.8 percentage points a year on average.",
        "In 2023, Sốp Cộp district had 2 region III communes (3 of 8 communes with data).",
    ],
}

HAND_MADE = {"full": facts_full, "province": facts_province, "flat": facts_flat, "behind": facts_behind,
             "indicators": facts_indicators, "indicators_district": facts_indicators_district,
             "partial": facts_partial}


@pytest.mark.parametrize("lang, expected", [("vi", EXPECTED_VI), ("en", EXPECTED_EN)])
@pytest.mark.parametrize("case", list(HAND_MADE))
def test_hand_made_sentences(case, lang, expected):
    assert [s.text for s in summary_sentences(HAND_MADE[case](), lang)] == expected[case]


class _Recording(dict):
    """Templates that remember which of them were used."""

    def __init__(self, data, used):
        super().__init__(data)
        self.used = used

    def __getitem__(self, key):
        self.used.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_template_is_exercised(lang, monkeypatch):
    used: set[str] = set()
    real = summary_templates.templates(lang)
    monkeypatch.setattr(writer, "templates", lambda _lang: _Recording(real, used))
    for make in HAND_MADE.values():
        summary_sentences(make(), lang)
    assert sorted(set(TEMPLATES) - used) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_missing_data_leaves_sentences_out(lang):
    bare = SummaryFacts("district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF)
    assert summary_sentences(bare, lang) == []
    assert summary_paragraphs(bare, lang) == []
    # no plan at all and nothing disbursed: no plan, fund, capital, total or change sentence
    zero = SummaryFacts(
        "district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF, total=amounts(0, 0),
        funds={"current": amounts(0, 0)}, capital={"recurrent": amounts(0, 0)},
        previous=Previous(BEFORE, 0, None), units=Units("commune", 1, 0),
        poverty=Poverty(2023, 2021, None, None, None, None),
    )
    assert summary_sentences(zero, lang) == []
    # the previous snapshot had no plan: no change sentence, the rest stays
    no_previous_plan = facts_full()
    no_previous_plan = SummaryFacts(**{**no_previous_plan.__dict__, "previous": Previous(BEFORE, 0, None)})
    keys = [s.key for s in summary_sentences(no_previous_plan, lang)]
    assert not any(k.startswith("change") for k in keys) and "total" in keys
    # one commune with a plan among several: nobody is "furthest behind"
    alone = SummaryFacts(**{**facts_full().__dict__, "units": Units("commune", 5, 1)})
    keys = [s.key for s in summary_sentences(alone, lang)]
    assert "units.with_plan" in keys and not any(k.startswith("behind") for k in keys)


def test_report_without_figures_says_so(chi_lang, monkeypatch):
    monkeypatch.setattr(writer, "summary_facts",
                        lambda ctx: SummaryFacts("district", "Huyện Thử Nghiệm", "Thử", 2023, AS_OF))
    assert "Không đủ số liệu để viết tóm tắt." in report.summary(chi_lang["vi"]).data
    assert "Not enough data for a summary." in report.summary(chi_lang["en"]).data


# --- money and names ---------------------------------------------------------------------------


def test_money_in_the_offices_units():
    # seed 000: 29.720 million → "29,72 tỷ đồng"; 3.312 million → "trên 3,3 tỷ đồng"
    assert format_money(29720, "vi") == "29,72 tỷ đồng"
    assert format_money(3312, "vi") == "trên 3,3 tỷ đồng"
    assert format_money(29720, "en") == "29.72 billion VND"
    assert format_money(3312, "en") == "over 3.3 billion VND"
    # below 1,000 million: million VND as the tables round it (three decimals), zeros dropped
    assert format_money(541.305, "vi") == "541,305 triệu đồng"
    assert format_money(999.9996, "vi") == "1 tỷ đồng"  # rounds to 1.000,000 million in the tables
    assert format_money(2791, "vi", "mvnd") == "2.791 triệu đồng"
    assert format_money(8356.336, "vi", "mvnd") == "8.356,336 triệu đồng"
    assert format_money(8356.336, "vi", "bvnd") == "trên 8,3 tỷ đồng"
    assert format_money(541.305, "vi", "bvnd") == "trên 0,5 tỷ đồng"
    assert format_money(2791, "vi", "both") == "trên 2,7 tỷ đồng (2.791 triệu đồng)"
    assert format_money(541.305, "vi", "both") == "541,305 triệu đồng"


# --- the template files --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_shipped_templates_are_complete(lang):
    assert set(summary_templates.templates(lang)) == set(TEMPLATES)


def _vi() -> dict[str, str]:
    return dict(summary_templates.templates("vi"))


def test_unknown_placeholder_fails_clearly():
    bad = _vi() | {"total": "Tổng cộng đã giải ngân {disbursed}, đạt {ti_le}."}
    with pytest.raises(SummaryTemplateError) as err:
        check_templates(bad, "summaries/vi.json")
    message = str(err.value)
    assert "summaries/vi.json" in message and "'total'" in message and "{ti_le}" in message
    assert "{disbursed}" in message and "{rate}" in message  # what it may use


def test_unknown_format_fails_clearly():
    with pytest.raises(SummaryTemplateError, match=r"writes \{rate:pct\}; \{rate\} is a rate and may be written "
                                                   r"\{rate\}, \{rate:short\}"):
        check_templates(_vi() | {"total": "{disbursed}, {rate:pct}"})
    with pytest.raises(SummaryTemplateError, match=r"writes \{year!r\}"):
        check_templates(_vi() | {"plan.total": "{year!r} {plan}"})


def test_missing_unknown_and_broken_templates_fail_clearly():
    with pytest.raises(SummaryTemplateError, match="template 'regions.none' is missing"):
        check_templates({k: v for k, v in _vi().items() if k != "regions.none"})
    with pytest.raises(SummaryTemplateError, match="unknown template 'totla'"):
        check_templates(_vi() | {"totla": "x"})
    with pytest.raises(SummaryTemplateError, match="template 'total': .*write \\{\\{ and \\}\\} for a brace"):
        check_templates(_vi() | {"total": "Tổng {disbursed"})
    with pytest.raises(SummaryTemplateError, match="template 'total' must be text"):
        check_templates(_vi() | {"total": 3})


def test_template_files_have_the_same_templates():
    from importlib import resources

    folder = resources.files("analysis").joinpath("resources", "summaries")
    keys = {lang: set(json.loads(folder.joinpath(f"{lang}.json").read_text("utf-8"))["templates"])
            for lang in ("vi", "en")}
    assert keys["vi"] == keys["en"] == set(TEMPLATES)
