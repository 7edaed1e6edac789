"""Where a run's outputs go: the folder of a province's reports and the file name of each.

Outputs go under ``<out_dir>/<year>/<province-slug>/``::

    187-chi-lang.html       district report (+ 187-chi-lang.ipynb, the executed notebook)
    overview.html           province overview (+ overview.ipynb)
    index.html              links, figures by district, the disbursement map, failures

English outputs carry ``.en`` before the suffix (``187-chi-lang.en.html``,
``overview.en.html``, ``index.en.html``) so both languages live side by side; reports of a
programme other than NTP 1719 carry its code before that (``187-chi-lang.p135.html``,
``overview.p135.en.html``, ``index.p135.html``), so programmes never overwrite each other.
Every name is made of :func:`slug` parts, so no name from a data file
can write outside the output folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.catalog.programmes import DEFAULT_PROGRAMME, default_programme, get_programme
from analysis.catalog.units import ascii_words
from analysis.config import LANGUAGES
from analysis.errors import ParameterError

_SLUG_MAX = 60
#: Names Windows gives to devices: a folder or file so named cannot be created there.
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))]
)


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


def lang_suffix(lang: str) -> str:
    """The file-name suffix of a report language: ``""`` for Vietnamese, ``".en"`` for English.

    Raises
    ------
    ParameterError
        An unknown language.
    """
    if lang not in LANGUAGES:
        raise ParameterError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return "" if lang == "vi" else f".{lang}"


def programme_suffix(programme: str | None, year: int | str | None = None) -> str:
    """``""`` for the programme of the year (NTP 1719 to 2025, the programme of 2026–2030 from
    2026: :func:`~analysis.catalog.programmes.default_programme`; names as they always were),
    else ``.<code>`` (``.p135``)."""
    default = default_programme(year)
    code = get_programme(programme or default).code
    return "" if code == default else f".{code}"


def batch_folder(out_dir: str | Path, year: int | str, province_name: str, suffix: str = "") -> Path:
    """``<out_dir>/<year>/<province-slug><suffix>``: the folder of a province's reports
    (``suffix`` ``"-2025"`` for reports by the new units)."""
    return Path(out_dir).expanduser().resolve() / str(int(year)) / (slug(province_name) + suffix)


def report_filename(district_code: str | None = None, district_name: str | None = None, *,
                    lang: str = "vi", notebook: str = "district_report", programme: str | None = DEFAULT_PROGRAMME,
                    year: int | str | None = None) -> str:
    """File name of a report: ``187-chi-lang.html``, ``overview.en.html``,
    ``187-chi-lang.explore.html``; ``.en`` before the suffix for English, and the programme's
    code before that for a programme other than the year's (``187-chi-lang.p135.en.html``)."""
    if district_code:
        code = district_code if re.fullmatch(r"[0-9]{1,5}", str(district_code)) else slug(district_code)
        stem = f"{code}-{slug(district_name or '')}" if district_name else code
    else:
        stem = "overview"
    variant = "" if notebook in ("district_report", "province_overview") else f".{slug(notebook)}"
    return f"{stem}{variant}{programme_suffix(programme, year)}{lang_suffix(lang)}.html"


def index_filename(
    *, lang: str = "vi", programme: str | None = DEFAULT_PROGRAMME, year: int | str | None = None
) -> str:
    """File name of a province's index page: ``index.html``, ``index.p135.en.html``."""
    return f"index{programme_suffix(programme, year)}{lang_suffix(lang)}.html"
