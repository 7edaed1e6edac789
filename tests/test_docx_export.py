"""Word and Excel copies of a report, read back: python-docx, openpyxl, and LibreOffice to PDF.

The PDF test uses Debian's LibreOffice (``soffice``) and poppler's ``pdftotext``. Without
them it skips with the reason, except in CI (env CI=true), where it fails. Figures: Chi Lăng
(187) as of 2023-08-04, whose published totals the sample reproduces (seed 000).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from analysis import report
from analysis.common.ownership import LEDGER
from analysis.report.copies import content, excel, export
from analysis.report.summaries.writer import write_summary
from analysis.run.options import RunOptions
from tests.conftest import IN_CI

LIBREOFFICE_TIMEOUT = 240


@pytest.fixture(scope="module")
def chi_lang(sample_prepared):
    return report.context("20", "187", 2023, "2023-08-04", "vi", sample_prepared)


@pytest.fixture(scope="module")
def exported(chi_lang, tmp_path_factory):
    html = tmp_path_factory.mktemp("docx") / "187-chi-lang.html"
    written = export.export_documents(chi_lang, html)
    return {p.suffix: p for p in written}


@pytest.fixture(scope="module")
def word(exported):
    return docx.Document(exported[".docx"])


def _close(length, mm: float) -> bool:
    return abs(length - Mm(mm)) < Mm(0.5)


def test_files_go_beside_the_html(exported):
    assert sorted(p.name for p in exported.values()) == ["187-chi-lang.docx", "187-chi-lang.xlsx"]
    folder = exported[".docx"].parent
    # no temporary file left; the folder's list of the files ntp-atlas wrote is there (analysis.common.ownership)
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == [LEDGER]


def test_pages_are_a4_with_administrative_margins(word):
    for section in word.sections:
        landscape = section.orientation == WD_ORIENT.LANDSCAPE
        width, height = (297, 210) if landscape else (210, 297)
        assert _close(section.page_width, width) and _close(section.page_height, height)
        assert _close(section.left_margin, 30) and _close(section.right_margin, 15)
        assert _close(section.top_margin, 20) and _close(section.bottom_margin, 20)
    assert word.sections[0].orientation == WD_ORIENT.PORTRAIT
    # the wide tables (by project, by commune) are on landscape pages
    assert sum(s.orientation == WD_ORIENT.LANDSCAPE for s in word.sections) == 2


def test_times_new_roman_and_administrative_headings(word):
    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    for name in ("Normal", "Title", "Heading 1", "Caption"):
        fonts = word.styles[name].element.rPr.find(qn("w:rFonts"))
        # no theme font, which Word would use instead of Times New Roman
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:ascii")) == "Times New Roman"
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
    for name in ("Title", "Heading 1"):
        style = word.styles[name]
        assert style.font.bold and style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert 13 <= style.font.size.pt <= 14
    assert word.styles["Title"].font.all_caps
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "I. Tóm tắt" and headings[1] == "II. Số liệu chính"
    title = [p.text for p in word.paragraphs if p.style.name == "Title"]
    assert title == ["Chương trình MTQG 1719: Huyện Chi Lăng, tỉnh Lạng Sơn"]


def test_summary_opens_the_document(word, chi_lang):
    texts = [p.text for p in word.paragraphs]
    start = texts.index("I. Tóm tắt")
    paragraphs = write_summary(chi_lang)
    assert texts[start + 1:start + 1 + len(paragraphs)] == paragraphs
    assert "thanh toán vốn sự nghiệp được trên 3,3 tỷ đồng, đạt 4,9% kế hoạch" in paragraphs[0]


def test_tables_are_real_word_tables(word, chi_lang):
    assert len(word.tables) == 4  # headline, headline detail, by project, by commune
    headline = word.tables[0]
    header = [c.text for c in headline.rows[0].cells]
    assert header == ["Loại vốn", "Nguồn vốn", "Kế hoạch vốn (triệu đồng)", "Giải ngân (triệu đồng)",
                      "Tỷ lệ giải ngân"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in headline.rows[1:]}
    # seed 000 / data/sample/README.md: investment 29,720.000 of 80,324.324 (37%); recurrent 3,312.000 (4.9%)
    assert rows["vốn đầu tư phát triển"][2:] == ["80.324,324", "29.720,000", "37,00%"]
    assert rows["vốn sự nghiệp"][3:] == ["3.312,000", "4,90%"]
    total = headline.rows[-1]
    assert total.cells[0].text == "Tổng cộng" and total.cells[0].paragraphs[0].runs[0].bold
    assert headline.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeats on each page
    # the commune table has every commune of Chi Lăng (20 in the official list) and a header row
    units = word.tables[3]
    assert len(units.rows) == 1 + 20
    assert [c.text for c in units.rows[0].cells][0] == "Xã"
    # the same cells as the HTML table
    html = report.units_table(chi_lang).data
    for row in units.rows[1:4]:
        for cell in row.cells:
            assert f">{cell.text}<" in html


def test_maps_and_charts_at_print_resolution_with_captions(word):
    shapes = word.inline_shapes
    assert len(shapes) == 5  # two charts, three maps
    for shape in shapes:
        image = word.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].image
        assert image.content_type == "image/png"
        assert (image.horz_dpi, image.vert_dpi) == (300, 300)
        assert image.px_width >= 1500  # drawn for print, not scaled up from the screen image
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    figures = [c for c in captions if c.startswith("Hình ")]
    assert figures[2] == "Hình 3. Tỷ lệ giải ngân theo xã"
    assert [c.split(".")[0] for c in figures] == [f"Hình {i}" for i in range(1, 6)]
    assert [c.split(".")[0] for c in captions if c.startswith("Bảng ")] == [f"Bảng {i}" for i in range(1, 5)]


def test_workbook_has_a_sheet_per_table_numbers_as_numbers(exported):
    book = openpyxl.load_workbook(exported[".xlsx"])
    assert book.sheetnames == ["Tổng hợp", "Loại vốn - nguồn vốn", "Theo dự án", "Theo xã"]
    sheet = book["Tổng hợp"]
    header = [c.value for c in sheet[1]]
    assert header == ["Loại vốn", "Nguồn vốn", "Kế hoạch vốn (triệu đồng)", "Giải ngân (triệu đồng)",
                      "Tỷ lệ giải ngân"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    investment = rows["vốn đầu tư phát triển"]
    assert investment[2].value == pytest.approx(80324.324) and investment[3].value == pytest.approx(29720)
    assert isinstance(investment[4].value, float) and investment[4].value == pytest.approx(0.37, abs=5e-5)
    assert investment[2].number_format == "#,##0.000" and investment[4].number_format == "0.00%"
    # every non-text cell holds a number or nothing (a missing figure is an empty cell, never "–")
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                assert cell.value != "–"
    communes = book["Theo xã"]
    assert communes.max_row == 1 + 20
    rates = [r[4].value for r in communes.iter_rows(min_row=2)]
    assert all(isinstance(v, float) for v in rates)
    projects = book["Theo dự án"]
    da2 = next(r for r in projects.iter_rows(min_row=2) if r[0].value == "DA2")
    assert da2[4].value is None  # DA2 has no recurrent capital: an empty cell, as "–" in the HTML


def test_english_workbook(sample_prepared, tmp_path):
    ctx = report.context("14", "127", 2023, "2023-11-30", "en", sample_prepared)
    written = export.export_documents(ctx, tmp_path / "127-sop-cop.en.html", docx=False)
    assert [p.name for p in written] == ["127-sop-cop.en.xlsx"]
    book = openpyxl.load_workbook(written[0])
    assert book.sheetnames == ["Headline", "Capital type and fund", "By project", "By commune"]
    rows = {(r[0].value, r[1].value): r for r in book["Headline"].iter_rows(min_row=2)}
    # seed 003: 2,791 of 8,356.336 million VND carried over
    carried = rows[("all capital types", "funds carried over")]
    assert (carried[2].value, carried[3].value) == (pytest.approx(8356.336), pytest.approx(2791))


def test_a_failed_export_keeps_the_previous_files(exported, chi_lang, monkeypatch):
    before = {p: p.read_bytes() for p in exported.values()}

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(content, "report_pictures", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        export.export_documents(chi_lang, exported[".docx"].with_suffix(".html"))
    assert {p: p.read_bytes() for p in exported.values()} == before
    assert [p.name for p in exported[".docx"].parent.iterdir() if p.name.startswith(".")] == [LEDGER]


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert excel._sheet_name("Loại vốn / nguồn vốn: chi tiết [2023]?", taken) == "Loại vốn - nguồn vốn- chi tiết "
    assert excel._sheet_name("Theo xã", taken) == "Theo xã"
    assert excel._sheet_name("theo xã", taken) == "theo xã (2)"


# --- LibreOffice: the document opens and prints --------------------------------------------------


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.slow
def test_libreoffice_converts_it_to_pdf_with_the_summary(exported, chi_lang, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        _unavailable("LibreOffice (soffice) not found: install Debian's libreoffice-writer (make system-deps)")
    if shutil.which("pdftotext") is None:
        _unavailable("pdftotext not found: install Debian's poppler-utils (make system-deps)")
    profile = tmp_path / "lo-profile"  # a fresh profile: no first-start dialogs, no lock held by another run
    out = tmp_path / "pdf"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(exported[".docx"])],
        capture_output=True, text=True, timeout=LIBREOFFICE_TIMEOUT, env=os.environ | {"HOME": str(tmp_path)},
    )
    pdf = out / "187-chi-lang.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which(
        "pdfinfo") else ""
    if info:
        assert "(A4)" in info
    text = _normal(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout)
    for paragraph in write_summary(chi_lang):
        assert _normal(paragraph) in text
    assert "Bảng 1. Kế hoạch vốn và giải ngân theo loại vốn và nguồn vốn" in text
    assert "29.720,000" in text


# --- from the command line and in a batch --------------------------------------------------------


def test_command_line_flags():
    from analysis.cli import build_parser

    args = build_parser().parse_args(["report", "--province", "20", "--district", "187", "--docx", "--xlsx"])
    assert (args.docx, args.xlsx) == (True, True)
    args = build_parser().parse_args(["batch", "--province", "20", "--docx"])
    assert (args.docx, args.xlsx) == (True, False)
    args = build_parser().parse_args(["batch", "--province", "20"])
    assert (args.docx, args.xlsx) == (False, False)


@pytest.mark.slow
def test_batch_writes_the_copies_beside_every_report(sample_prepared, tmp_path, monkeypatch):
    from analysis.run import fingerprint
    from analysis.run.batch import run_batch

    # the same code for the three runs, whatever else is edited in the working tree meanwhile
    monkeypatch.setattr(fingerprint, "code_digest", lambda: "0" * 64)

    # Sơn La in the sample: Sốp Cộp and the overview
    result = run_batch("14", 2023,
                       options=RunOptions(lang="vi", jobs=1, data_dir=sample_prepared, out_dir=tmp_path,
                                          as_of="2023-11-30", progress=False, docx=True, xlsx=True))
    assert result.ok, [r.message for r in result.failed]
    names = sorted(p.name for p in result.folder.iterdir() if p.name != LEDGER)
    assert names == ["127-sop-cop.docx", "127-sop-cop.html", "127-sop-cop.ipynb", "127-sop-cop.xlsx", "index.html",
                     "overview.docx", "overview.html", "overview.ipynb", "overview.xlsx"]
    text = " ".join(p.text for p in docx.Document(result.folder / "127-sop-cop.docx").paragraphs)
    assert "2.791 triệu đồng) vốn chuyển nguồn từ năm 2022 sang năm 2023, đạt 33,40%" in text
    overview = docx.Document(result.folder / "overview.docx")
    assert [c.text for c in overview.tables[3].rows[0].cells][0] == "Huyện"  # by district
    # the summary opens the HTML report too
    page = (result.folder / "127-sop-cop.html").read_text(encoding="utf-8")
    assert page.index("Tóm tắt") < page.index("Số liệu chính")
    assert "35.215 triệu đồng) vốn giao năm 2023, đạt 42,99%" in page
    # a re-run skips the unchanged reports and keeps their copies as they are
    stamps = {p: p.stat().st_mtime_ns for p in result.folder.glob("*.docx")}
    again = run_batch("14", 2023,
                      options=RunOptions(lang="vi", jobs=1, data_dir=sample_prepared, out_dir=tmp_path,
                                         as_of="2023-11-30", progress=False, docx=True, xlsx=True))
    assert again.ok and len(again.skipped) == 2
    assert {p: p.stat().st_mtime_ns for p in result.folder.glob("*.docx")} == stamps
    # a copy that is missing is written again, even for a skipped report
    (result.folder / "overview.xlsx").unlink()
    run_batch("14", 2023,
              options=RunOptions(lang="vi", jobs=1, data_dir=sample_prepared, out_dir=tmp_path, as_of="2023-11-30",
                                 progress=False, xlsx=True))
    assert (result.folder / "overview.xlsx").exists()


def test_batch_marks_a_report_whose_copy_failed(tmp_path, monkeypatch):
    from analysis.run.outcomes import ReportOutcome

    html = tmp_path / "187-chi-lang.html"
    html.write_text("<html></html>", encoding="utf-8")
    outcome = ReportOutcome("Huyện Chi Lăng", "district_report", html, True, district_code="187")

    def broken(*args, **kwargs):
        raise RuntimeError("no room on the disk")

    monkeypatch.setattr(export, "export_for_parameters", broken)
    export.export_batch([outcome], {html: {"province": "20", "district": "187"}}, docx=True, xlsx=True)
    assert not outcome.ok and not outcome.skipped
    assert outcome.message == ("187-chi-lang.html was written, but its Word/Excel copy failed: "
                               "RuntimeError: no room on the disk")
