"""Word and Excel copies of a report, for pasting into the official report.

:func:`export_documents` writes, beside a report's HTML (``187-chi-lang.html``):

``187-chi-lang.docx``
    A4 portrait, the margins and type of Vietnamese administrative documents (Nghị định
    30/2020/NĐ-CP: Times New Roman, 13 pt body, bold centred headings, title in capitals),
    the written summary (:mod:`analysis.report.summaries.text`), the report's tables as real Word tables
    (numbers formatted as in the HTML, amounts in million VND), the charts and maps as
    300 dpi PNG with numbered captions, and the method notes.
``187-chi-lang.xlsx``
    The same tables, one sheet each, numbers as numbers (rates as fractions shown as
    percentages), headers in the report's language.

Both are built from a :class:`~analysis.report.notebook.ReportContext` in the calling process, with
the functions the notebook's cells call (never from the HTML), and written atomically: a
failure leaves the previous file, never half a file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.common.i18n import t
from analysis.common.spreadsheet_safe import as_text_cell
from analysis.common.storage import atomic_write_bytes
from analysis.config import PROCESSED_DIR
from analysis.report.tables import FORMATS

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from matplotlib.figure import Figure

    from analysis.report.notebook import ReportContext

#: Resolution of the pictures in the Word copy (print).
PRINT_DPI = 300
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
#: Excel number formats of the table column kinds (tables.FORMATS).
EXCEL_FORMATS = {"mvnd": "#,##0.000", "bvnd": "#,##0.00", "rate": "0.00%", "rate1": "0.0%",
                 "pp": "+0.0;-0.0;0.0", "int": "#,##0"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class ReportTable:
    """A table of a report: its data, its columns (``{column: (header, kind)}``) and names."""

    key: str
    title: str
    sheet: str
    frame: pd.DataFrame
    columns: dict[str, tuple[str, str]]
    total_row: bool = False


@dataclass
class ReportPicture:
    """A chart or map of a report as print-resolution PNG, with its caption."""

    title: str
    png: bytes
    kind: str = "map"  # "chart" or "map"


@dataclass
class ReportContent:
    """Everything the Word and Excel copies show, in order."""

    title: str
    subtitle: str
    notes: list[str]
    summary: list[str]
    tables: list[ReportTable]
    pictures: list[ReportPicture] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    lang: str = "vi"


# --- what a report holds -------------------------------------------------------------------------


def report_tables(ctx: ReportContext) -> list[ReportTable]:
    """The report's tables, from the functions its HTML tables come from.

    Headline (by capital type, by fund, total), headline detail (capital type × fund), by
    project, and by commune (district report) or by district (province overview).
    """
    from analysis.report import notebook as report

    lang = ctx.lang
    (headline, cols), (detail, detail_cols) = report.headline_frames(ctx)
    projects, project_cols = report.project_frame(ctx)
    units, unit_cols = report.units_frame(ctx)
    units_key = "units_commune" if ctx.level == "district" else "units_district"
    made = [
        ("headline", headline, cols, True),
        ("headline_detail", detail, detail_cols, False),
        ("projects", projects, project_cols, False),
        (units_key, units, unit_cols, False),
    ]
    return [ReportTable(key, t(f"table.{key}", lang), t(f"sheet.{key}", lang), frame.reset_index(drop=True),
                        dict(columns), total) for key, frame, columns, total in made]


def figure_png(figure: Figure, dpi: int = PRINT_DPI) -> bytes:
    """A report figure as PNG at ``dpi``, trimmed as the HTML report trims it."""
    from analysis.maps import choropleth as maps

    buf = io.BytesIO()
    with maps.map_style():
        figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    return buf.getvalue()


def report_pictures(ctx: ReportContext, dpi: int = PRINT_DPI) -> list[ReportPicture]:
    """The report's charts and maps (the notebook's order), drawn at ``dpi``."""
    from analysis.report import notebook as report

    out = []
    for kind, draw in (("chart", report.chart_projects), ("chart", report.chart_progress),
                       ("map", report.map_disbursement), ("map", report.map_poverty_change),
                       ("map", report.map_need_vs_money)):
        picture = draw(ctx)
        out.append(ReportPicture(picture.alt, figure_png(picture.figure, dpi), kind))
    return out


def report_content(ctx: ReportContext, *, pictures: bool = True, dpi: int = PRINT_DPI) -> ReportContent:
    """Everything the Word copy shows, built from the report's own functions.

    Parameters
    ----------
    ctx
        The report's context.
    pictures
        Draw the charts and maps (the slow part); ``False`` for the workbook alone.
    dpi
        Resolution of the pictures.
    """
    from analysis import __version__
    from analysis.report import notebook as report
    from analysis.report import quality as report_quality
    from analysis.report.summaries.text import write_summary

    lang = ctx.lang
    notes = [n for n in (report.coverage_note(ctx), *report_quality.coverage_notes(ctx)) if n]
    method = [
        t("report.method.snapshot", lang, as_of=report.shown_as_of(ctx)),
        t("report.method.rates", lang),
        t("report.method.poverty", lang),
        t("report.method.units", lang),
    ]
    if ctx.area.manifest.get("boundaries", {}).get("quality") == "approximate":
        method.append(t("report.method.approximate", lang))
    method.append(t("report.generated", lang, when=ctx.generated_at.strftime("%d/%m/%Y %H:%M UTC"),
                    version=__version__, prepared=report_quality.prepared_at(ctx.area.manifest)))
    return ReportContent(
        title=report.area_title(ctx),
        subtitle=t("report.subtitle", lang, year=ctx.year, as_of=report.shown_as_of(ctx)),
        notes=notes,
        summary=write_summary(ctx),
        tables=report_tables(ctx),
        pictures=report_pictures(ctx, dpi) if pictures else [],
        method=method,
        lang=lang,
    )


# --- Word ----------------------------------------------------------------------------------------


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


# --- Excel ---------------------------------------------------------------------------------------


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = _SHEET_FORBIDDEN.sub("-", name).strip("'")[:31] or "Sheet"
    candidate, i = base, 2
    while candidate.lower() in taken:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def _cell_value(value: object, kind: str) -> object:
    """A cell as Excel should hold it: numbers as numbers, missing as an empty cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "text":
        return str(value)
    if kind == "int":
        return int(value)
    return float(value)


def workbook_bytes(tables: Iterable[ReportTable], title: str = "") -> bytes:
    """The tables as an ``.xlsx`` workbook, a sheet per table, numbers as numbers.

    Rates are fractions with a percentage format (``0.4299`` shows as ``42.99%``), amounts
    million VND with three decimals, changes percentage points; headers in the report's
    language, the header row frozen.
    """
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for table in tables:
            columns = list(table.columns.items())
            rows = [[_cell_value(row.get(col), kind) for col, (_, kind) in columns]
                    for _, row in table.frame.iterrows()]
            frame = pd.DataFrame(rows, columns=[header for _, (header, _) in columns], dtype=object)
            name = _sheet_name(table.sheet, taken)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for j, (_, (header, kind)) in enumerate(columns, start=1):
                letter = get_column_letter(j)
                sheet.column_dimensions[letter].width = min(max(len(header), 12) + 2, 48)
                if kind in EXCEL_FORMATS:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                        cell.number_format = EXCEL_FORMATS[kind]
                elif kind == "text":  # a name or cell from the data that starts with "=" stays text
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                        as_text_cell(cell)
        if title:
            writer.book.properties.title = title
    return buf.getvalue()


# --- writing -------------------------------------------------------------------------------------


def document_paths(html: str | Path) -> tuple[Path, Path]:
    """The Word and Excel files beside a report's HTML: ``187-chi-lang.docx``, ``.xlsx``."""
    html = Path(html)
    return html.with_suffix(".docx"), html.with_suffix(".xlsx")


def write_docx(ctx: ReportContext, path: str | Path) -> Path:
    """Write the Word copy of a report, atomically."""
    path = Path(path)
    atomic_write_bytes(path, document_bytes(report_content(ctx)))
    return path


def write_xlsx(ctx: ReportContext, path: str | Path) -> Path:
    """Write the tables of a report as an Excel workbook, atomically."""
    from analysis.report import notebook as report

    path = Path(path)
    atomic_write_bytes(path, workbook_bytes(report_tables(ctx), report.area_title(ctx)))
    return path


def export_documents(ctx: ReportContext, html: str | Path, *, docx: bool = True, xlsx: bool = True) -> list[Path]:
    """Write the Word and/or Excel copy of a report beside its HTML.

    Parameters
    ----------
    ctx
        The report's context (:func:`analysis.report.notebook.context`), with the parameters the
        HTML was rendered with.
    html
        The report's HTML file; the copies take its name (``.docx``, ``.xlsx``).
    docx, xlsx
        Which copies to write.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    docx_path, xlsx_path = document_paths(html)
    written = []
    if docx or xlsx:
        content = report_content(ctx, pictures=docx)
        staged = []
        if docx:
            staged.append((docx_path, document_bytes(content)))
        if xlsx:
            staged.append((xlsx_path, workbook_bytes(content.tables, content.title)))
        for path, data in staged:  # both built before either is written
            atomic_write_bytes(path, data)
            written.append(path)
    return written


def context_for(parameters: Mapping[str, object]):
    """The :class:`~analysis.report.notebook.ReportContext` of a report's notebook parameters."""
    from analysis.report import notebook as report

    def get(key: str) -> str | None:
        value = parameters.get(key)
        return None if value in (None, "") else str(value)

    return report.context(get("province"), get("district"), get("year"), get("as_of"), get("lang") or "vi",
                          parameters.get("data_dir") or PROCESSED_DIR, get("baseline_year"),
                          programme=get("programme"))


def export_for_parameters(parameters: Mapping[str, object], html: str | Path, *, docx: bool = True,
                          xlsx: bool = True) -> list[Path]:
    """:func:`export_documents` for a report given by its notebook parameters (as the batch has them)."""
    return export_documents(context_for(parameters), html, docx=docx, xlsx=xlsx)


def _up_to_date(html: Path, paths: list[Path]) -> bool:
    try:
        stamp = html.stat().st_mtime
        return all(p.stat().st_mtime >= stamp for p in paths)
    except OSError:
        return False


def export_batch(reports: list, parameters: Mapping[Path, Mapping[str, object]], *, docx: bool = True,
                 xlsx: bool = True, force: bool = False, progress: bool = False) -> None:
    """Word and Excel copies of a batch's reports, in this process, after they rendered.

    A report skipped by the batch (inputs unchanged) keeps copies that are newer than its
    page; ``force`` rebuilds them all. A copy that fails marks its report failed (the HTML
    stays), with the reason, so that the batch's exit status says so.

    Parameters
    ----------
    reports
        The batch's :class:`~analysis.run.batch.ReportOutcome` list (changed in place on failure).
    parameters
        Notebook parameters by HTML path.
    """
    from tqdm.auto import tqdm

    from analysis.errors import NtpAtlasError

    todo = []
    for r in reports:
        if not r.ok or r.html not in parameters:
            continue
        wanted = [p for p, on in zip(document_paths(r.html), (docx, xlsx), strict=True) if on]
        if r.skipped and not force and _up_to_date(r.html, wanted):
            continue
        todo.append(r)
    for r in tqdm(todo, desc="Word/Excel", unit="report", disable=None if progress else True):
        try:
            export_for_parameters(parameters[r.html], r.html, docx=docx, xlsx=xlsx)
        except Exception as exc:  # one report's copy must not stop the others
            reason = str(exc) if isinstance(exc, NtpAtlasError) else f"{type(exc).__name__}: {exc}"
            r.ok, r.skipped = False, False
            r.message = f"{r.html.name} was written, but its Word/Excel copy failed: {reason}"
