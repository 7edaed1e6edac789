"""An executed report notebook as one self-contained, offline HTML page.

Code hidden, analyst notes and parameter cells left out, images embedded, and nothing
loaded from the internet: nbconvert's HTML exporter with the ``ntp`` template in
``resources/templates`` (the lab template without CDN scripts), lent out from a pool of
exporters so that a batch does not compile the templates for every page.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import re
import threading
from pathlib import Path

from traitlets.config import Config

from analysis.config import DEFAULT_LANGUAGE
from analysis.run.notebook_libraries import load_notebook_libraries

#: Cells with these tags never reach the HTML.
REMOVED_TAGS = ("analyst-note", "parameters", "injected-parameters")
#: nbconvert template folder (holds ``ntp/``: the lab template without CDN scripts).
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "resources" / "templates"
TEMPLATE_NAME = "ntp"


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
    load_notebook_libraries()  # nbconvert, imported when the first page is exported
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
