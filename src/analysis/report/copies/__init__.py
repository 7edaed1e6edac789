"""Word and Excel copies of a report, for pasting into the official report.

:func:`analysis.report.copies.export.export_documents` writes, beside a report's HTML (``187-chi-lang.html``):

``187-chi-lang.docx``
    A4 portrait, the margins and type of Vietnamese administrative documents (Nghị định
    30/2020/NĐ-CP: Times New Roman, 13 pt body, bold centred headings, title in capitals),
    the written summary (:mod:`analysis.report.summaries`), the report's tables as real Word tables
    (numbers formatted as in the HTML, amounts in million VND), the charts and maps as
    300 dpi PNG with numbered captions, and the method notes.
``187-chi-lang.xlsx``
    The same tables, one sheet each, numbers as numbers (rates as fractions shown as
    percentages), headers in the report's language.

Both are built from a :class:`~analysis.report.area.ReportContext` in the calling process, with
the functions the notebook's cells call (never from the HTML), and written atomically: a
failure leaves the previous file, never half a file.

The package holds what a copy shows (:mod:`~analysis.report.copies.content`), the Word document
(:mod:`~analysis.report.copies.word`), the workbook (:mod:`~analysis.report.copies.excel`) and writing
the copies beside a report or a batch (:mod:`~analysis.report.copies.export`).

May import the sections (:mod:`analysis.report.sections`), the summaries and the rest of
:mod:`analysis.report`, and what the report layer may import; nothing in the report imports it.
"""
