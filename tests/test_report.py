"""Report content functions, called directly (the notebooks call the same functions).

Expected figures come from the published articles (../shared/reference/published_figures.csv)
or are worked out by hand from the sample's documented structure (data/sample/README.md).
"""

from __future__ import annotations

import pytest

from analysis import report
from analysis.errors import ParameterError
from analysis.report import area as report_area


@pytest.fixture(scope="module")
def sop_cop(sample_prepared):
    return report.context("14", "127", "2023", "2023-11-30", "vi", sample_prepared)


def test_parameters_are_checked(sample_prepared):
    with pytest.raises(ParameterError, match="unknown district 'Xyz'"):
        report.context("20", "Xyz", "2023", "", "vi", sample_prepared)
    with pytest.raises(ParameterError, match="no finance data for 2025; years with data: 2022, 2023"):
        report.context("20", "187", "2025", "", "vi", sample_prepared)
    with pytest.raises(ParameterError, match="the first snapshot is 31/03/2023"):
        report.context("20", "187", "2023", "2023-01-15", "vi", sample_prepared)
    with pytest.raises(ParameterError, match="lang must be one of vi, en"):
        report.context("20", "187", "2023", "", "fr", sample_prepared)
    with pytest.raises(ParameterError, match="is in Sơn La"):
        report.context("20", "127", "2023", "", "vi", sample_prepared)


def test_names_and_codes_both_work(sample_prepared):
    by_name = report.context("Lạng Sơn", "Chi Lăng", 2023, "04/08/2023", "vi", sample_prepared)
    by_code = report.context("20", "187", "2023", "2023-08-04", "vi", sample_prepared)
    assert (by_name.area.district_code, by_name.as_of) == (by_code.area.district_code, by_code.as_of)


def test_default_as_of_is_latest_snapshot(sample_prepared):
    # data/sample/README.md: Sốp Cộp's 2023 snapshots end 31/12
    ctx = report.context("14", "127", "2023", "", "vi", sample_prepared)
    assert f"{ctx.as_of:%Y-%m-%d}" == "2023-12-31"


def test_sop_cop_headline_in_vietnamese(sop_cop):
    html = report.headline_figures(sop_cop).data
    # seed 003: 90.279,336 total plan; 8.356,336 carried over (33,40%); 81.923,000 current (42,99%)
    for text in ("90.279,336", "8.356,336", "2.791,000", "33,40%", "81.923,000", "35.215,000", "42,99%"):
        assert text in html, text


def test_chi_lang_headline_in_english(sample_prepared):
    ctx = report.context("20", "187", "2023", "2023-08-04", "en", sample_prepared)
    html = report.headline_figures(ctx).data
    # seed 000: investment 29.72 billion VND = 37% of plan; recurrent 3.3 billion = 4.9%
    for text in ("29,720.000", "37.00%", "3,312.000", "4.90%", "development investment capital"):
        assert text in html, text


def test_partial_coverage_is_said(sample_prepared):
    # Sơn La has 12 districts (official list); the sample holds only Sốp Cộp
    ctx = report.context("14", None, "2023", "", "vi", sample_prepared)
    assert report.coverage_note(ctx) == (
        "Số liệu chỉ bao gồm 1/12 huyện của tỉnh: các số tổng không phải của toàn tỉnh."
    )
    en = report.context("14", None, "2023", "", "en", sample_prepared)
    assert "1 of 12 districts" in report.coverage_note(en)
    full = report.context("20", None, "2023", "", "vi", sample_prepared)
    assert report.coverage_note(full) == ""


def test_unit_table_keeps_every_commune(sample_prepared):
    ctx = report.context("20", "187", "2023", "", "vi", sample_prepared)
    table = report.unit_table(ctx)
    # Chi Lăng has 20 communes in the official list (vietnamadminunits)
    assert len(table) == 20
    assert table["commune_code"].is_unique


def test_missing_poverty_stays_visible(sample_prepared):
    # data/sample/README.md: Xã Lâm Ca (06640, Đình Lập) has no 2023 poverty row
    ctx = report.context("20", "189", "2023", "", "vi", sample_prepared)
    row = report.unit_table(ctx).set_index("commune_code").loc["06640"]
    assert row["plan_mvnd"] > 0
    assert row["poverty_rate"] != row["poverty_rate"]  # NaN: shown as "–", never 0
    assert "–" in report.units_table(ctx).data


def test_maps_are_embedded_pngs(sop_cop):
    pic = report.map_disbursement(sop_cop)
    png = pic.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert pic._repr_html_().startswith('<img src="data:image/png;base64,')
    assert 'alt="Tỷ lệ giải ngân theo xã"' in pic._repr_html_()
    assert pic.png() is png  # drawn once, not again for every representation
    # The notebook gets the picture once, as HTML with its alt text (no second image/png copy).
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(pic)
    assert set(data) == {"text/plain", "text/html"}


def test_unit_names_are_escaped(sop_cop):
    ctx = sop_cop
    ctx.area.communes.loc[ctx.area.communes.index[0], "commune_name"] = "<script>alert(1)</script>"
    html = report.units_table(ctx).data
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_data_quality_reconciles(sop_cop):
    html = report.data_quality(sop_cop).data
    assert "khớp ✓" in html and "KHÔNG KHỚP" not in html
    # data/sample/README.md: finance.csv has 14,245 rows, 3 rejected
    assert "14.245" in html and "14.242" in html


def test_flagged_units_write_each_warning_in_the_report_language(sample_prepared):
    # data/sample/README.md: Na Sầm (06124, Văn Lãng 182) disbursed 541.305 of a plan of 523.000
    # million VND as of 31/01/2023; a Vietnamese reader reads "523.000" as 523 thousand, so the
    # Vietnamese report writes 523,000 and the English one 523.000
    vi = report.flagged_units(report.context("20", "182", "2023", "", "vi", sample_prepared)).data
    assert "giải ngân 541,305 vượt kế hoạch 523,000 triệu đồng (dòng " in vi
    assert "million VND" not in vi and "nothing disbursed" not in vi
    en = report.flagged_units(report.context("20", "182", "2023", "", "en", sample_prepared)).data
    assert "disbursed 541.305 above plan 523.000 million VND (row " in en
    # the rules that make a total wrong come first (not the alphabet's order): above plan before
    # plan with nothing disbursed, in the counts and in the list
    above, nothing = "Giải ngân vượt kế hoạch</td>", "Có kế hoạch nhưng chưa giải ngân</td>"
    assert vi.index(above) < vi.index(nothing)
    assert vi.rindex(above) < vi.rindex(nothing)


def test_english_sections(sample_prepared):
    ctx = report.context("14", "127", "2023", "", "en", sample_prepared)
    assert "By commune" in report.section(ctx, "units").data
    assert "Sources and method" in report.section(ctx, "sources").data
    assert "approximate" in report.sources(ctx).data


def test_the_three_maps_drawn_in_turn_equal_each_map_drawn_alone(sample_prepared):
    # The report draws its three commune maps on one figure in turn (maps.restyle) and makes
    # each PNG before the next; each picture's .figure draws that map alone on a new figure.
    # The PNGs must be the same pixels.
    import io

    import numpy as np
    from PIL import Image

    ctx = report.context("20", "187", "2023", "2023-08-04", "en", sample_prepared)
    pictures = [report.map_disbursement(ctx), report.map_poverty_change(ctx), report.map_need_vs_money(ctx)]
    pixels = [np.asarray(Image.open(io.BytesIO(p.png()))) for p in pictures]
    for pic, shared in zip(pictures, pixels, strict=True):
        alone = np.asarray(Image.open(io.BytesIO(report.Picture(pic.figure, pic.alt).png())))
        assert shared.shape == alone.shape, pic.alt
        assert (shared == alone).all(), pic.alt
    assert not any(a.shape == b.shape and (a == b).all() for a, b in zip(pixels, pixels[1:], strict=False))


@pytest.mark.parametrize("district", ["187", ""])
def test_indicator_maps_drawn_on_the_report_figure_equal_each_drawn_alone(sample_prepared, district):
    # The indicator maps of a report are drawn on the figure of its commune maps too (same
    # communes, same labels: names in a district report, none in the province overview),
    # with their own title, subtitle, source and legend: the PNGs must be the pixels of each
    # map drawn alone.
    import io

    import numpy as np
    from PIL import Image

    from analysis.report.sections import indicators as indicator_sections

    def pixels(png: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(png)))

    ctx = report.context("20", district, "2023", "", "en", sample_prepared)
    report.map_disbursement(ctx)
    drawn, _ = indicator_sections._candidates(ctx)
    assert len(drawn) >= 3  # the sample maps several indicators here (5 on 23 Nov 2026)
    for code, values in drawn.items():
        pic = indicator_sections.map_indicator(ctx, code, values)
        assert (pixels(pic.png()) == pixels(report.Picture(pic.figure, pic.alt).png())).all(), code
    assert len(ctx._map_bases) == 1  # drawn in turn, not each on its own figure


def test_headline_and_poverty_change_worked_out_once_and_handed_out_as_copies(sample_prepared, monkeypatch):
    # The summary and the headline section both use them; each gets its own copy, so one
    # changing what it got cannot change the other's figures.
    from analysis.metrics import finance, poverty

    ctx = report.context("20", "187", "2023", "2023-08-04", "vi", sample_prepared)
    calls = []
    monkeypatch.setattr(report_area, "headline", lambda rows: calls.append("headline") or finance.headline(rows))
    monkeypatch.setattr(report_area, "poverty_change",  # the area's change; the table by commune asks for its own
                        lambda *a: (len(a) == 3 and calls.append("poverty")) or poverty.poverty_change(*a))
    first, change = report.area_headline(ctx), report.area_poverty_change(ctx)
    expected = finance.headline(ctx.snapshot)
    first["total"]["plan_mvnd"] = -1.0
    change["poverty_rate_now"] = -1.0
    report.summary(ctx)
    report.headline_figures(ctx)
    again = report.area_headline(ctx)
    assert sorted(calls) == ["headline", "poverty"]
    assert set(again) == set(expected) and all(again[k].equals(expected[k]) for k in expected)
    assert report.area_poverty_change(ctx)["poverty_rate_now"] == pytest.approx(
        poverty.poverty_change(ctx.area.poverty, ctx.baseline_year, ctx.poverty_year).iloc[0]["poverty_rate_now"])
