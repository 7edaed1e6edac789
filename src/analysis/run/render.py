"""Rendering one report: papermill runs the notebook, nbconvert writes offline HTML.

:func:`render_report` executes a parameterized notebook with papermill (every parameter as
a string, so a code such as ``"00004"`` keeps its leading zeros) and exports the executed
notebook to one self-contained HTML file (:mod:`analysis.run.html_page`). The executed
notebook is kept beside the HTML for audit.

Outputs are replaced only when a run succeeds: a failed run leaves the previous report as
it was, saves what it executed as ``<name>.failed.ipynb`` and raises a :class:`ReportError`
that names the cell that failed and the error.

With a :class:`~analysis.run.kernel_pool.KernelPool` the notebook runs on one of the pool's
warm kernels (papermill's ``ntp-atlas-warm`` engine, :mod:`analysis.run.engine`) instead of
a new one; the executed notebook and the errors are papermill's either way, and everything
after the run (HTML, atomic writes, failure messages) is shared. A batch records the
fingerprint of a report's inputs at the end of its page
(:func:`analysis.run.page_stamp.stamp_page`).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from analysis.catalog.units import resolve_district, resolve_province
from analysis.common.i18n import t
from analysis.common.ownership import check_replaceable, file_problem
from analysis.common.storage import commit, make_folder, make_readable, remove_output, stage_bytes
from analysis.config import DEFAULT_LANGUAGE, LANGUAGES, NOTEBOOKS_DIR, PROCESSED_DIR
from analysis.errors import NtpAtlasError, OutputError, ParameterError, ReportError
from analysis.run.engine import ENGINE_NAME, register_engine
from analysis.run.html_page import notebook_to_html
from analysis.run.kernel_pool import KERNEL_ARGUMENTS, KernelPool
from analysis.run.notebook_libraries import load_notebook_libraries
from analysis.run.page_stamp import stamp_page

#: The report notebooks in ``notebooks/``, by name.
NOTEBOOK_NAMES = ("district_report", "province_overview", "explore")

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def notebook_path(notebook: str | Path) -> Path:
    """The notebook file for a report name (``"district_report"``…) or a path.

    Raises
    ------
    ParameterError
        No such notebook.
    """
    path = Path(notebook)
    if path.suffix != ".ipynb" and len(path.parts) == 1:
        path = NOTEBOOKS_DIR / f"{notebook}.ipynb"
    if not path.is_file():
        raise ParameterError(f"notebook {str(notebook)!r} not found ({path}); "
                             f"the report notebooks are {', '.join(NOTEBOOK_NAMES)}, or give a path to an .ipynb file")
    return path.resolve()


def render_report(
    notebook: str | Path,
    parameters: Mapping[str, object],
    out_html: str | Path,
    *,
    timeout: int = 600,
    kernel_name: str = "python3",
    pool: KernelPool | None = None,
    inputs: str | None = None,
    check: Callable[[], None] | None = None,
) -> Path:
    """Execute a report notebook with parameters and write it as offline HTML.

    Parameters
    ----------
    notebook
        ``"district_report"``, ``"province_overview"``, ``"explore"`` (in ``notebooks/``)
        or the path of a notebook with a ``parameters``-tagged cell.
    parameters
        Values for the parameters cell; each is passed as a string (``None`` as ``""``).
        ``data_dir`` is made absolute (empty means ``data/processed``).
    out_html
        The HTML file to write. The executed notebook goes beside it with the same stem
        (``187-chi-lang.html`` and ``187-chi-lang.ipynb``).
    timeout
        Seconds one cell may run before the report fails.
    kernel_name
        Jupyter kernel to run the notebook in (without a pool; a pool has its own).
    pool
        Warm kernels to run the notebook on (:class:`analysis.run.kernel_pool.KernelPool`); without
        one, papermill starts a new kernel for this report.
    inputs
        Fingerprint of the report's inputs (64 hex digits), recorded at the end of the page
        (:func:`analysis.run.page_stamp.stamp_page`) so that a batch can tell the page is up to date.
    check
        Called before the notebook runs and again just before its files replace the previous
        report; raising keeps the previous report (a batch checks that the prepared data is
        still the version it started with, :class:`analysis.common.locks.DataVersion`).

    Returns
    -------
    pathlib.Path
        ``out_html``, absolute.

    Raises
    ------
    ReportError
        The notebook failed (the message names the code cell and the error; the executed
        notebook is saved as ``<stem>.failed.ipynb``) or the kernel died. The previous
        HTML and notebook are left untouched.
    ParameterError
        Unknown notebook.
    OutputError
        A file ntp-atlas did not write is where the page or its notebook goes
        (:func:`analysis.common.ownership.check_replaceable`), or the folder cannot be written.
    """
    source = notebook_path(notebook)
    # Absolute paths throughout: papermill's file I/O changes the process's working folder
    # for the duration of each read and write.
    out_html = Path(out_html).expanduser().resolve()
    params = _string_parameters(parameters)
    folder = make_folder(out_html.parent)
    ipynb = out_html.with_name(out_html.stem + ".ipynb")
    failed = out_html.with_name(out_html.stem + ".failed.ipynb")
    what = _describe(source, params)
    for path in (out_html, ipynb):  # a user's file there: refused before the notebook runs
        check_replaceable(path)
    if check is not None:
        check()

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out_html.stem}.", suffix=".tmp.ipynb", dir=folder)
    except OSError as exc:
        raise OutputError.from_os_error(exc, out_html) from None
    os.close(fd)
    tmp_nb = Path(tmp_name)
    load_notebook_libraries()  # papermill, nbformat, nbconvert: imported when a notebook first runs
    from papermill.exceptions import PapermillExecutionError

    try:
        try:
            nb = _execute(source, tmp_nb, params, pool=pool, timeout=timeout, kernel_name=kernel_name)
        except PapermillExecutionError as exc:
            saved = _keep_failed(tmp_nb, failed)
            raise ReportError(_cell_failure(what, exc, saved) + _saved_note(saved)) from None
        except Exception as exc:  # dead kernel, timeout, unreadable notebook
            saved = _keep_failed(tmp_nb, failed)
            text = _clean(str(exc)).strip().splitlines()
            raise ReportError(f"{what} failed: {type(exc).__name__}: {text[0] if text else ''}"
                              + _saved_note(saved)) from exc

        lang = params.get("lang") if params.get("lang") in LANGUAGES else DEFAULT_LANGUAGE
        page = notebook_to_html(nb, lang=lang, title=_title(nb, params, source, lang)).encode("utf-8")
        tmp_html = stage_bytes(out_html, stamp_page(page, inputs) if inputs else page)
        try:
            if check is not None:
                check()  # the data changed while the notebook ran: keep the previous report
            make_readable(tmp_nb)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_html.unlink()
            raise
        commit((tmp_nb, ipynb), (tmp_html, out_html))
        remove_output(failed)  # a stale failure beside a good report would mislead
        return out_html
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_nb.unlink()


def _execute(source: Path, tmp_nb: Path, params: dict[str, str], *, pool: KernelPool | None, timeout: int,
             kernel_name: str):
    """Run the notebook with papermill, on a pool's warm kernel (the ``ntp-atlas-warm``
    engine, :mod:`analysis.run.engine`) or on a new one; either way the executed notebook is
    written to ``tmp_nb`` and a failing cell raises papermill's error."""
    # The kernel starts in the notebook's folder through nbclient's resources path rather
    # than papermill's ``cwd=``, which calls os.chdir() for the whole process and would
    # race when a batch runs several reports in threads.
    import papermill

    if pool is not None:
        register_engine()  # the ntp-atlas-warm engine in papermill's registry, once
    on_pool = {"engine_name": ENGINE_NAME, "pool": pool} if pool is not None else {}
    return papermill.execute_notebook(
        str(source), str(tmp_nb), parameters=params, kernel_name=kernel_name,
        progress_bar=False, execution_timeout=timeout, extra_arguments=list(KERNEL_ARGUMENTS),
        resources={"metadata": {"path": str(source.parent)}}, **on_pool,
    )


# --- helpers -------------------------------------------------------------------------------


def _string_parameters(parameters: Mapping[str, object]) -> dict[str, str]:
    params = {str(k): "" if v is None else str(v) for k, v in parameters.items()}
    if "data_dir" in params and "://" not in params["data_dir"]:  # URLs (fsspec) are passed as they are
        params["data_dir"] = str(Path(params["data_dir"] or PROCESSED_DIR).expanduser().resolve())
    return params


def _describe(source: Path, params: dict[str, str]) -> str:
    area = params.get("district") or params.get("province")
    return f"report for {area} ({source.name})" if area else f"report {source.name}"


def _clean(text: str) -> str:
    return _ANSI.sub("", text)


def _keep_failed(tmp_nb: Path, failed: Path) -> Path | None:
    if tmp_nb.exists() and tmp_nb.stat().st_size > 0 and file_problem(failed) is None:
        make_readable(tmp_nb)
        try:
            commit((tmp_nb, failed))
        except OutputError:  # a full disk: the failure is reported all the same
            return None
        return failed
    return None


def _saved_note(saved: Path | None) -> str:
    return f"\n  the executed notebook is in {saved}" if saved else ""


def _cell_failure(what: str, exc, saved: Path | None) -> str:
    number, source = _failed_code_cell(saved, exc)
    error = f"{exc.ename}: {_clean(str(exc.evalue))}".rstrip(": ")
    return f"{what} failed in code cell {number} ({_first_line(source)}): {error}"


def _failed_code_cell(saved: Path | None, exc) -> tuple[int | str, str]:
    """Number (1-based, among the code cells of the source notebook) and source of the cell
    that failed. papermill's own index counts markdown cells and the injected cell."""
    if saved is not None:
        import nbformat

        try:
            nb = nbformat.read(saved, as_version=4)
        except Exception:  # unreadable: fall back to papermill's index below
            nb = None
        if nb is not None:
            number = 0
            for cell in nb.cells:
                if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
                    continue
                number += 1
                errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
                if errored or cell.metadata.get("papermill", {}).get("exception"):
                    return number, cell.source
    return f"at index {exc.cell_index}", exc.source or ""


def _first_line(source: str) -> str:
    """The line that says what a cell does: the first that is not blank, a comment or an
    import; long call arguments shortened to ``(...)``."""
    lines = [ln.strip() for ln in str(source).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("#", "import ", "from "))]
    line = (useful or lines or [""])[0]
    if len(line) > 40:
        line = re.sub(r"\(.*\)", "(...)", line, count=1)
    return line if len(line) <= 80 else line[:79] + "…"


def _title(nb, params: dict[str, str], source: Path, lang: str) -> str:
    """The report's own title (its first ``<h1>``), else one made from the area."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html")
            if text:
                match = _H1.search("".join(text) if isinstance(text, list) else text)
                if match:
                    return html.unescape(_TAG.sub("", match.group(1))).strip()
    try:
        if params.get("province"):
            pcode, pname = resolve_province(params["province"])
            if params.get("district"):
                _, dname = resolve_district(params["district"], pcode)
                return t("report.title_district", lang, district=dname, province=pname)
            return t("report.title_province", lang, province=pname)
    except (NtpAtlasError, ValueError):
        pass
    return source.stem
