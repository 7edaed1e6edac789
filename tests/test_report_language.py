"""Every string a reader sees is in the report's language, numbers in its format (issue #17).

Vietnamese reports carried English: reject reasons ("plan_mvnd is empty"), the data-quality
section's table and column names ("finance (finance.csv)", "plan_mvnd"), the time the data
was prepared in ISO format. Real reports are rendered (the ``report`` command, papermill and
nbconvert) of the sample and of hostile data: the hand-made data of ``tests/small_area.py``
with every bad row of the bad-input catalogues added, so that its data-quality section lists
every kind of reject. Their visible text, and the text drawn in their maps and charts, is
scanned for English words and English-format numbers (``tests/visible_text.py``).

Left aside, and said so: cells quoted as the user wrote them (in a reason, a header, and the
rejects' "value as written" column), codes and file names, and the rule warnings' detail
sentences, which the rules part of issue #17 rewrites from structured figures
(:func:`left_aside`).
"""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from analysis import report
from analysis.cli import main
from analysis.report import indicators as report_indicators
from analysis.report import quality as report_quality
from analysis.report.sections import indicators as indicator_sections
from tests.bad_inputs import CATALOGUE
from tests.bad_inputs_extra import HOSTILE
from tests.small_area import prepare_small
from tests.visible_text import english_in, visible_lines

#: Indicator rows of Sốp Cộp: two good ones, then a yes/no of 2, an unknown indicator, a
#: village code for a commune indicator, an unknown commune and a count of 1.5 works.
INDICATOR_ROWS = [
    "2023,31/12/2023,04225,commune_paved_road,1",
    "2023,31/12/2023,04228,commune_paved_road,0",
    "2023,31/12/2023,04231,commune_paved_road,2",
    "2023,31/12/2023,04231,đường xa,1",
    "2023,31/12/2023,04231-01,commune_paved_road,1",
    "2023,31/12/2023,04299,commune_paved_road,1",
    "2018,31/12/2018,04231,p135_works,1.5",
]


def catalogue_rows(table: str) -> list[str]:
    """The data rows (header left out) of every bad input of ``table`` that rejects rows."""
    rows = []
    for bad in [*CATALOGUE, *HOSTILE]:
        if bad.table == table and bad.row is not None and bad.suffix == ".csv" and bad.encoding is None:
            rows += bad.text.splitlines()[1:]
    return rows


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hand-made data with the catalogues' bad finance and poverty rows (the poverty rows
    moved to another commune and year, so that they do not clash with the good ones)."""
    poverty = [r.replace(",04231,", ",04234,").replace("2023,", "2022,", 1) for r in catalogue_rows("poverty")]
    return prepare_small(tmp_path_factory.mktemp("hostile"), catalogue_rows("finance"), poverty, INDICATOR_ROWS)


def left_aside(data_dir, province: str, district: str | None) -> set[str]:
    """What the scan leaves out: the detail sentences of the rule warnings (the rules part's)
    and the rejected cells as the user wrote them."""
    area = report.context(province, district, "2023", "", "vi", data_dir).area
    return set(area.warnings.get("message", [])) | set(area.rejects["value"].astype(str))


def english_lines(lines: list[str], allowed: set[str] = frozenset()) -> list[tuple[str, list[str]]]:
    return [(line, found) for line in lines if line not in allowed and (found := english_in(line))]


def rendered(data_dir, tmp_path, province: str, district: str, lang: str = "vi") -> list[str]:
    assert main(["report", "--province", province, "--district", district, "--lang", lang, "--data", str(data_dir),
                 "--out", str(tmp_path)]) == 0
    page = next((tmp_path / "2023").glob(f"*/{district}-*.html"))
    return visible_lines(page.read_text("utf-8"))


def test_vietnamese_report_of_hostile_data_is_in_vietnamese(hostile, tmp_path):
    lines = rendered(hostile, tmp_path, "14", "127")
    rejects = report.context("14", "127", "2023", "", "vi", hostile).area.rejects
    assert len(set(rejects["reason_key"])) >= 15  # the section shows every kind of reject
    assert english_lines(lines, left_aside(hostile, "14", "127")) == []
    # what it says instead (tests/bad_inputs.py: the empty disbursed amount, the unknown commune)
    assert "cột Giải ngân để trống" in lines and "mã xã '99999' không có trong danh mục đơn vị hành chính" in lines
    assert "Giải ngân (“disbursed_mvnd”)" in lines  # the column, and its header in the file
    assert "Kế hoạch và giải ngân vốn (finance.csv)" in lines and "Chỉ tiêu theo đơn vị (indicators.csv)" in lines


def test_every_reject_of_the_province_reads_in_vietnamese(hostile):
    # the page shows the first 30 rejects; every reject of the province, each reason and column
    ctx = report.context("14", None, "2023", "", "vi", hostile)
    frame, _ = report_quality.rejects_frame(ctx)
    assert len(frame) == len(ctx.area.rejects) >= 25
    assert [(r, english_in(r)) for r in frame["reason"] if english_in(r)] == []
    assert [(c, english_in(c)) for c in frame["column"] if english_in(c)] == []
    # the English text of each stays in rejects.csv
    assert set(ctx.area.rejects["reason"]) >= {"disbursed_mvnd is empty", "plan is negative"}


def test_the_scan_finds_what_it_must(hostile, tmp_path):
    # the English report of the same data has all of it: the scan is not blind
    lines = rendered(hostile, tmp_path, "14", "127", "en")
    found = {word for _, words in english_lines(lines) for word in words}
    assert {"disbursed_mvnd", "empty"} & found == {"empty"}  # identifiers are left aside, words are not
    assert "disbursed_mvnd is empty" in lines and "Finance (finance.csv)" in lines
    assert english_in("tỷ lệ 42.99%, ngày 2026-12-07") == ["42.99", "2026-12-07"]
    assert english_in("tỷ lệ 42,99%; 90.279,336 triệu đồng; 2.791; '1.5' như ghi trong tệp") == []


def test_vietnamese_sample_report_is_in_vietnamese(sample_prepared, tmp_path):
    lines = rendered(sample_prepared, tmp_path, "20", "187")
    assert english_lines(lines, left_aside(sample_prepared, "20", "187")) == []
    assert any(line.startswith("Tạo lúc ") and "số liệu chuẩn bị lúc " in line and " UTC." in line
               for line in lines)  # the time the data was prepared, dd/mm/yyyy hh:mm, no ISO stamp


@pytest.mark.parametrize("where", [("20", None), ("14", None)], ids=["Lạng Sơn overview", "Sơn La overview"])
def test_vietnamese_province_overview_is_in_vietnamese(sample_prepared, hostile, where):
    # the overview's sections, as its notebook calls them (tests/test_render.py runs the notebook)
    province, district = where
    data = sample_prepared if province == "20" else hostile
    ctx = report.context(province, district, "2023", "", "vi", data)
    sections = [report.title(ctx), report.summary(ctx), report.headline_figures(ctx), report.project_table(ctx),
                report.units_table(ctx), report.data_quality(ctx), report.sources(ctx),
                report_indicators.figures(ctx), report_indicators.units_table(ctx)]
    lines = [line for s in sections if s is not None for line in visible_lines(s.data)]
    assert english_lines(lines, left_aside(data, province, district)) == []


def drawn_texts(picture) -> list[str]:
    figure = picture.figure
    FigureCanvasAgg(figure).draw()  # tick labels exist once drawn
    return [a.get_text() for a in figure.findobj(Text) if a.get_visible() and a.get_text()]


def test_maps_and_charts_are_drawn_in_vietnamese(hostile):
    ctx = report.context("14", "127", "2023", "", "vi", hostile)
    pictures = [report.map_disbursement(ctx), report.map_poverty_change(ctx), report.map_need_vs_money(ctx),
                report.chart_projects(ctx), report.chart_progress(ctx)]
    drawn, _ = indicator_sections._candidates(ctx)
    pictures += [indicator_sections.map_indicator(ctx, code, values) for code, values in drawn.items()]
    texts = [text for p in pictures for text in drawn_texts(p)]
    assert "Tỷ lệ giải ngân theo xã" in texts
    assert [(x, english_in(x)) for x in texts if english_in(x)] == []
