"""Writing a report's Word and Excel copies beside its HTML, for one report or a batch's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.common.storage import atomic_write_bytes
from analysis.config import PROCESSED_DIR
from analysis.errors import NtpAtlasError
from analysis.report.area import context
from analysis.report.copies.content import report_content
from analysis.report.copies.excel import workbook_bytes
from analysis.report.copies.word import document_bytes

if TYPE_CHECKING:

    from analysis.report.area import ReportContext


def document_paths(html: str | Path) -> tuple[Path, Path]:
    """The Word and Excel files beside a report's HTML: ``187-chi-lang.docx``, ``.xlsx``."""
    html = Path(html)
    return html.with_suffix(".docx"), html.with_suffix(".xlsx")


def export_documents(ctx: ReportContext, html: str | Path, *, docx: bool = True, xlsx: bool = True) -> list[Path]:
    """Write the Word and/or Excel copy of a report beside its HTML.

    Parameters
    ----------
    ctx
        The report's context (:func:`analysis.report.area.context`), with the parameters the
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
    """The :class:`~analysis.report.area.ReportContext` of a report's notebook parameters."""
    def get(key: str) -> str | None:
        value = parameters.get(key)
        return None if value in (None, "") else str(value)

    return context(get("province"), get("district"), get("year"), get("as_of"), get("lang") or "vi",
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
