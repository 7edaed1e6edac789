"""The Word copy of a report: A4 portrait, the margins and type of Vietnamese administrative documents
(Nghị định 30/2020/NĐ-CP), the summary, the tables as real Word tables, the pictures with numbered
captions and the method notes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.common.i18n import t
from analysis.common.storage import atomic_write_bytes
from analysis.report.copies.content import ReportContent, ReportTable, report_content
from analysis.report.tables import FORMATS

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from analysis.report.area import ReportContext


#: Typeface and body size of Vietnamese administrative documents (13-14 pt).
FONT = "Times New Roman"
BODY_PT = 13
TITLE_PT = 14
#: A4 page and margins in millimetres (Nghị định 30/2020/NĐ-CP, Phụ lục I: top and bottom
#: 20-25 mm, left 30-35 mm, right 15-20 mm).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
#: Tables with more columns than this go on a landscape page, in a smaller size.
WIDE_TABLE = 6
#: Tables of at most this many rows are kept on one page (with their caption).
KEEP_TOGETHER_ROWS = 15


def _set_font(element, size_pt: float | None = None, bold: bool | None = None) -> None:
    """Times New Roman for every script of a style or run (no theme fonts, which would win)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _setup_styles(doc: DocxDocument) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _set_font(normal.element)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    specs = {
        "Title": (TITLE_PT, True, WD_ALIGN_PARAGRAPH.CENTER),
        "Subtitle": (BODY_PT, False, WD_ALIGN_PARAGRAPH.CENTER),
        "Heading 1": (BODY_PT, True, WD_ALIGN_PARAGRAPH.CENTER),
        "Heading 2": (BODY_PT, True, WD_ALIGN_PARAGRAPH.CENTER),
        "Caption": (12, True, WD_ALIGN_PARAGRAPH.CENTER),
    }
    for name, (size, bold, align) in specs.items():
        style = styles[name]
        style.font.name = FONT
        _set_font(style.element)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = name == "Subtitle"
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.alignment = align
        style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(6)
    styles["Caption"].paragraph_format.keep_with_next = True  # a table's title stays with it
    styles["Title"].font.all_caps = True
    # the default Title has a coloured rule under it: not in an administrative document
    ppr = styles["Title"].element.pPr
    if ppr is not None:
        from docx.oxml.ns import qn

        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def _setup_page(section, landscape: bool = False) -> None:
    """A4 with the administrative margins, portrait or landscape (for wide tables)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    width, height = (PAGE_MM[1], PAGE_MM[0]) if landscape else PAGE_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])


def _orientation(doc: DocxDocument, landscape: bool) -> None:
    """Continue on a new page in that orientation, unless the current page already has it."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    if (current.orientation == WD_ORIENT.LANDSCAPE) != landscape:
        _setup_page(doc.add_section(WD_SECTION.NEW_PAGE), landscape)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (page number, caption number) with its current value shown, written as
    Word writes it (begin, instruction, separate, value, end), so the value is plain text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _page_number(paragraph) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, " PAGE ", "1")


def _caption(doc: DocxDocument, word: str, n: int, title: str) -> None:
    """``Bảng 1. Title`` / ``Hình 1. Title`` with a numbering field Word can update."""
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{word} ")
    _field(p, f" SEQ {word} \\* ARABIC ", str(n))
    p.add_run(f". {title}")


def _cell_text(cell, text: str, *, size_pt: float, bold: bool = False, align=None, keep: bool = False) -> None:
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.keep_with_next = keep
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(size_pt)
    run.bold = bold or None


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def add_table(doc: DocxDocument, table: ReportTable, lang: str):
    """A report table as a Word table: header row repeated on each page, numbers right-aligned
    and formatted as in the HTML report, the total row in bold."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    columns = list(table.columns.items())
    size = 9 if len(columns) > WIDE_TABLE else 11
    word_table = doc.add_table(rows=1, cols=len(columns))
    word_table.style = doc.styles["Table Grid"]
    word_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = word_table.rows[0]
    _repeat_header(header)
    n = len(table.frame)
    together = n <= KEEP_TOGETHER_ROWS  # a short table is not split across pages
    for cell, (_, (title, _)) in zip(header.cells, columns, strict=True):
        _cell_text(cell, title, size_pt=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=together and n > 0)
    for i, (_, row) in enumerate(table.frame.iterrows()):
        cells = word_table.add_row().cells
        bold = table.total_row and i == n - 1
        for cell, (col, (_, kind)) in zip(cells, columns, strict=True):
            align = WD_ALIGN_PARAGRAPH.LEFT if kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _cell_text(cell, FORMATS[kind](row.get(col), lang), size_pt=size, bold=bold, align=align,
                       keep=together and i < n - 1)
    return word_table


def document(content: ReportContent) -> DocxDocument:
    """The Word document of a report's content (see the module docstring for its layout)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm

    lang = content.lang
    doc = docx.Document()
    _setup_styles(doc)
    _setup_page(doc.sections[0])
    _page_number(doc.sections[0].footer.paragraphs[0])  # later sections share the footer
    doc.core_properties.title = content.title
    doc.core_properties.subject = content.subtitle
    doc.core_properties.language = lang
    doc.add_paragraph(content.title, style="Title")
    doc.add_paragraph(content.subtitle, style="Subtitle")
    for note in content.notes:
        doc.add_paragraph(note).runs[0].italic = True

    numbering = iter(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"))

    def heading(key: str) -> None:
        doc.add_heading(f"{next(numbering)}. {t(key, lang)}", level=1)

    def body(text: str) -> None:
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)

    heading("report.section.summary")
    for paragraph in content.summary or [t("report.no_summary", lang)]:
        body(paragraph)

    tables = {tbl.key: tbl for tbl in content.tables}
    n_table = 0

    def wide(key: str) -> bool:
        return key in tables and len(tables[key].columns) > WIDE_TABLE

    def table(key: str) -> None:
        nonlocal n_table
        if key not in tables:
            return
        n_table += 1
        _caption(doc, t("docx.table_word", lang), n_table, tables[key].title)
        unit = doc.add_paragraph(t("docx.unit_note", lang))
        unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        unit.paragraph_format.keep_with_next = True
        unit.runs[0].italic = True
        add_table(doc, tables[key], lang)
        doc.add_paragraph()

    n_picture = 0
    width = Mm(PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"])  # pictures on portrait pages

    def pictures(kind: str) -> None:
        nonlocal n_picture
        for picture in (p for p in content.pictures if p.kind == kind):
            n_picture += 1
            doc.add_picture(io.BytesIO(picture.png), width=width)
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.paragraphs[-1].paragraph_format.keep_with_next = True  # a figure's caption goes under it
            _caption(doc, t("docx.figure_word", lang), n_picture, picture.title)
            doc.paragraphs[-1].paragraph_format.keep_with_next = False

    heading("report.section.headline")
    table("headline")
    table("headline_detail")
    # wide tables (by project, by unit) on landscape pages, as the offices' appendices are
    _orientation(doc, wide("projects"))
    heading("report.section.projects")
    table("projects")
    _orientation(doc, False)
    pictures("chart")
    if any(p.kind == "map" for p in content.pictures):
        heading("report.section.maps")
        pictures("map")
    units_key = next((k for k in tables if k.startswith("units_")), None)
    if units_key:
        _orientation(doc, wide(units_key))
        heading("report.section." + units_key)
        table(units_key)
        _orientation(doc, False)
    heading("report.section.sources")
    for line in content.method:
        doc.add_paragraph(line, style="List Bullet")
    return doc


def document_bytes(content: ReportContent) -> bytes:
    """The Word document as ``.docx`` bytes."""
    buf = io.BytesIO()
    document(content).save(buf)
    return buf.getvalue()


def write_docx(ctx: ReportContext, path: str | Path) -> Path:
    """Write the Word copy of a report, atomically."""
    path = Path(path)
    atomic_write_bytes(path, document_bytes(report_content(ctx)))
    return path
