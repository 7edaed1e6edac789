"""Rendering one report: papermill runs the notebook, nbconvert writes offline HTML.

:func:`render_report` executes a parameterized notebook with papermill (every parameter as
a string, so a code such as ``"00004"`` keeps its leading zeros) and exports the executed
notebook to one self-contained HTML file: code hidden, analyst notes and parameter cells
left out, images embedded, and nothing loaded from the internet (the ``ntp`` template in
``resources/templates``). The executed notebook is kept beside the HTML for audit.

Outputs are replaced only when a run succeeds: a failed run leaves the previous report as
it was, saves what it executed as ``<name>.failed.ipynb`` and raises a :class:`ReportError`
that names the cell that failed and the error.

With a :class:`~analysis.run.engine.KernelPool` the notebook runs on one of the pool's warm
kernels instead of a new one; the executed notebook and the errors are papermill's either
way, and everything after the run (HTML, atomic writes, failure messages) is shared. A
batch records the fingerprint of a report's inputs at the end of its page
(:func:`stamp_page`), which is how it knows a report is still up to date
(:func:`page_inputs`).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import html
import os
import re
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from analysis.catalog.units import ascii_words
from analysis.common.ownership import check_replaceable, file_problem
from analysis.common.storage import commit, make_folder, make_readable, remove_output, stage_bytes
from analysis.config import DEFAULT_LANGUAGE, LANGUAGES, NOTEBOOKS_DIR, PROCESSED_DIR
from analysis.errors import NtpAtlasError, OutputError, ParameterError, ReportError
from analysis.run.engine import KERNEL_ARGUMENTS, KernelPool

#: The report notebooks in ``notebooks/``, by name.
NOTEBOOK_NAMES = ("district_report", "province_overview", "explore")
#: Cells with these tags never reach the HTML.
REMOVED_TAGS = ("analyst-note", "parameters", "injected-parameters")
#: nbconvert template folder (holds ``ntp/``: the lab template without CDN scripts).
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "resources" / "templates"
TEMPLATE_NAME = "ntp"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SLUG_MAX = 60
#: Names Windows gives to devices: a folder or file so named cannot be created there.
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))]
)
# The last line of a page rendered by a batch: the fingerprint of its inputs and the SHA-256
# of every byte before that line (a page edited or cut short since no longer matches).
_STAMP = re.compile(rb"<!-- ntp-atlas inputs=([0-9a-f]{64}) sha256=([0-9a-f]{64}) -->\n\Z")


def slug(name: str) -> str:
    """A file-name part made from a unit name: ASCII, lowercase, ``[a-z0-9-]`` only.

    The type prefix is dropped, and the result is never empty and never contains ``/`` or
    ``..``, so no name from a data file can write outside the output folder.

    Examples
    --------
    >>> slug("Huyện Chi Lăng")
    'chi-lang'
    >>> slug("Thành phố Lạng Sơn")
    'lang-son'
    >>> slug("../../etc/passwd")
    'etc-passwd'
    >>> slug("")
    'unnamed'
    >>> slug("CON")  # a name Windows reserves for a device
    'con-unit'
    """
    words = ascii_words(name)
    text = "-".join(words)[:_SLUG_MAX].strip("-")
    if text in _WINDOWS_RESERVED:
        text += "-unit"
    return text or "unnamed"


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
        Warm kernels to run the notebook on (:class:`analysis.run.engine.KernelPool`); without
        one, papermill starts a new kernel for this report.
    inputs
        Fingerprint of the report's inputs (64 hex digits), recorded at the end of the page
        (:func:`stamp_page`) so that a batch can tell the page is up to date.
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
    from papermill.exceptions import PapermillExecutionError

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


#: Report notebooks as papermill loads them, by path, size and modification time: a batch
#: reads and validates the same notebook for each of its reports otherwise. The pool works
#: on a copy (``KernelPool.execute``), so the one kept is never changed.
_LOADED: dict[Path, tuple[tuple[int, int], object]] = {}
_LOADED_LOCK = threading.Lock()


def _loaded(source: Path):
    """``papermill.iorw.load_notebook_node(source)``, read again only when the file changed."""
    from papermill.iorw import load_notebook_node

    st = source.stat()
    stamp = (st.st_size, st.st_mtime_ns)
    with _LOADED_LOCK:
        kept = _LOADED.get(source)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    nb = load_notebook_node(str(source))
    with _LOADED_LOCK:
        _LOADED[source] = (stamp, nb)
    return nb


def _execute(source: Path, tmp_nb: Path, params: dict[str, str], *, pool: KernelPool | None, timeout: int,
             kernel_name: str):
    """Run the notebook, on a pool's warm kernel or on a new one; either way the executed
    notebook is written to ``tmp_nb`` and a failing cell raises papermill's error."""
    if pool is not None:
        return pool.execute(_loaded(source), params, cwd=source.parent, input_path=str(source),
                            output_path=tmp_nb, timeout=timeout)
    import papermill

    # The kernel starts in the notebook's folder through nbclient's resources path rather
    # than papermill's ``cwd=``, which calls os.chdir() for the whole process and would
    # race when a batch runs several reports in threads.
    return papermill.execute_notebook(
        str(source), str(tmp_nb), parameters=params, kernel_name=kernel_name,
        progress_bar=False, execution_timeout=timeout, extra_arguments=list(KERNEL_ARGUMENTS),
        resources={"metadata": {"path": str(source.parent)}},
    )


def stamp_page(page: bytes, inputs: str) -> bytes:
    """A page with the fingerprint of its inputs appended as a last line (an HTML comment,
    which browsers ignore), together with the SHA-256 of the page before it."""
    if not re.fullmatch(r"[0-9a-f]{64}", inputs):
        raise ValueError(f"inputs must be a SHA-256 in hex, not {inputs!r}")
    if not page.endswith(b"\n"):
        page += b"\n"
    digest = hashlib.sha256(page).hexdigest()
    return page + f"<!-- ntp-atlas inputs={inputs} sha256={digest} -->\n".encode("ascii")


def page_inputs(path: str | Path) -> str | None:
    """The inputs fingerprint :func:`stamp_page` recorded in a page, or ``None`` if the page
    is missing, has none, or was changed since (its bytes no longer match the hash)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    match = _STAMP.search(data, max(0, len(data) - 200))
    if match is None or hashlib.sha256(data[: match.start()]).hexdigest() != match.group(2).decode():
        return None
    return match.group(1).decode()


def notebook_to_html(nb, *, lang: str = DEFAULT_LANGUAGE, title: str | None = None) -> str:
    """Export an executed notebook as one self-contained, offline HTML page.

    Code and prompts are hidden, cells tagged :data:`REMOVED_TAGS` are left out, images are
    embedded, and the page declares ``lang`` and ``title``.
    """
    if title:  # on a copy of the notebook's top level (the exporter copies the rest itself)
        nb = copy.copy(nb)
        nb.metadata = copy.deepcopy(nb.metadata)
        nb.metadata["title"] = title
    with _exporter(lang) as exporter:
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or "report"}})
    return body


# --- helpers -------------------------------------------------------------------------------

#: What nbconvert's HTMLExporter does to a page after rendering it, done without parsing the
#: page: output and input areas made focusable, and a text for images without one.
_FOCUSABLE = re.compile(r'<div class="(jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"')
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")


def _accessible(page: str) -> str:
    page = _FOCUSABLE.sub(lambda m: f'<div class="{m.group(1)}" tabindex="0"', page)
    return _IMG_WITHOUT_ALT.sub('<img alt="No description has been provided for this image"', page)


@functools.cache
def _page_exporter_class():
    """nbconvert's HTML exporter without its last pass through BeautifulSoup.

    That pass parses the whole page (a report is about a megabyte, nearly all of it its
    images) to add ``tabindex`` to the output areas and alt text to images without one, and
    writes it out again: a fifth of a second per report, in the batch process that every
    report waits on. :func:`_accessible` makes the same two changes on the text.
    ``tests/test_render.py`` checks that a real report's page has the same document tree as
    nbconvert's own exporter gives; a newer nbconvert that this does not fit falls back to it.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            try:  # HTMLExporter.from_notebook_node (nbconvert 7.16), up to its BeautifulSoup pass
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
                resources = self._init_resources(resources)
                data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                  resources=resources)
                self.register_filter("highlight_code", highlight_code)
                self.register_filter("filter_data_type", data_type)
            except (AttributeError, TypeError):  # an nbconvert whose internals moved
                return super().from_notebook_node(nb, resources, **kw)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(page), resources

    return PageExporter


#: HTML exporters not in use, by language. Building one compiles the Jinja templates again
#: (about a third of a second) and a batch exports hundreds of pages from short-lived
#: threads, so exporters are lent out and given back rather than made per call or per thread.
_EXPORTERS: dict[str, list] = {}
_EXPORTERS_LOCK = threading.Lock()


@contextlib.contextmanager
def _exporter(lang: str):
    """An HTML exporter for ``lang``, for one page at a time."""
    with _EXPORTERS_LOCK:
        free = _EXPORTERS.setdefault(lang, [])
        exporter = free.pop() if free else None
    if exporter is None:
        exporter = _new_exporter(lang)
    try:
        yield exporter
    finally:
        with _EXPORTERS_LOCK:
            _EXPORTERS.setdefault(lang, []).append(exporter)


def _new_exporter(lang: str):
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_TAGS)
    return _page_exporter_class()(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        # nbformat validates the page's notebook (a megabyte of images) once, after the last
        # of its twelve preprocessors, rather than after each: 0.1 s a page
        optimistic_validation=True,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code=lang,
    )


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
        from analysis.catalog.units import resolve_district, resolve_province
        from analysis.common.i18n import t

        if params.get("province"):
            pcode, pname = resolve_province(params["province"])
            if params.get("district"):
                _, dname = resolve_district(params["district"], pcode)
                return t("report.title_district", lang, district=dname, province=pname)
            return t("report.title_province", lang, province=pname)
    except (NtpAtlasError, ValueError):
        pass
    return source.stem
