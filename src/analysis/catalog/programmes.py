"""The programme catalogue: each programme's projects and sub-projects, by code and by name.

One data file per programme in ``resources/programmes/<code>.json`` (NTP 1719, Programme 135,
Programme 30a, the sustainable poverty-reduction and the new-rural programmes) gives its code,
its names in Vietnamese and English, the words offices use for its projects (``Dự án 4``,
``Tiểu dự án 1 dự án 3``) and its projects with their sub-projects. An office adds a programme
by adding a file; nothing here names a project.

A project is found by its code (``DA4``, ``DA 3.1``), by its number written out
(``Dự án 4``, ``Tiểu dự án 1 dự án 3``), or by its Vietnamese or English name or an alias,
compared without diacritics, case, spaces or punctuation. A finance row's ``programme``
(``NTP 1719`` where the column is absent or the cell empty) says which catalogue its
``project`` is checked against: :func:`analysis.inputs.finance_projects.resolve_projects` is
the step of :func:`analysis.inputs.validate.validate_table` that does it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from analysis.common.text import fold
from analysis.errors import InputFileError, ParameterError

#: The programme of a finance row that names none, when its year says nothing (a year of
#: 2026 or later is the integrated programme's: :func:`default_programme`).
DEFAULT_PROGRAMME = "ntp1719"
_FOLDER = "programmes"


@dataclass(frozen=True)
class Project:
    """A project (dự án) or sub-project (tiểu dự án) of a programme."""

    code: str
    vi: str
    en: str
    #: The project a sub-project belongs to (``None`` for a project).
    parent: str | None = None
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "vi") -> str:
        """The name in ``lang`` (``"vi"`` or ``"en"``)."""
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Programme:
    """A programme of the catalogue, read from ``resources/programmes/<code>.json``."""

    code: str
    vi: str
    en: str
    short_vi: str
    short_en: str
    legal_basis: str
    period: tuple[int, int]
    aliases: tuple[str, ...]
    projects: tuple[Project, ...]
    path: str
    numbering: dict = field(default_factory=dict, compare=False, hash=False)
    #: text key of every code, name and alias -> project code
    keys: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    #: the numbered forms (``Dự án 4``) as a regular expression, when the programme numbers its projects
    pattern: re.Pattern | None = field(default=None, compare=False, hash=False, repr=False)
    #: the name a report's title gives it (``Chương trình MTQG 1719``); the short name when the file has none
    title_vi: str = ""
    title_en: str = ""
    #: The years whose finance rows without a programme are this programme's (``default_years``).
    default_years: tuple[int, int] | None = None
    #: Its contents are not the official list (``provisional`` in the file): reports say so.
    provisional: bool = False
    #: What its units of money are called (``project_kind``): ``"project"`` (dự án), or
    #: ``"component"`` (hợp phần) for the programme of 2026–2030; reports head their tables so.
    project_kind: str = "project"

    def label_key(self, key: str) -> str:
        """The label ``key`` (``"report.col.project"``) in this programme's words:
        ``"report.col.project.component"`` for a programme of components."""
        return key if self.project_kind == "project" else f"{key}.{self.project_kind}"

    def name(self, lang: str = "vi", short: bool = False) -> str:
        """The programme's name in ``lang``; ``short`` gives ``CTMTQG 1719`` / ``NTP 1719``."""
        if short:
            return self.short_en if lang == "en" else self.short_vi
        return self.en if lang == "en" else self.vi

    def title(self, lang: str = "vi") -> str:
        """The name a report's title gives the programme: ``Chương trình MTQG 1719``, ``Programme 135``."""
        return (self.title_en if lang == "en" else self.title_vi) or self.name(lang, short=True)

    @property
    def names(self) -> tuple[str, ...]:
        """Every text that names the programme: code, names, short names, titles, aliases."""
        texts = (self.code, self.vi, self.en, self.short_vi, self.short_en, self.title_vi, self.title_en, *self.aliases)
        return tuple(t for t in texts if t)

    @property
    def codes(self) -> list[str]:
        """Codes of the projects and sub-projects, in catalogue order."""
        return [p.code for p in self.projects]

    def sub_projects(self, code: str) -> list[Project]:
        """The sub-projects of project ``code`` (empty when it has none)."""
        return [p for p in self.projects if p.parent == code]

    def normalize(self, text: object) -> str | None:
        """The project code that ``text`` names in this programme, or ``None``.

        Examples
        --------
        >>> p = get_programme("ntp1719")
        >>> [p.normalize(x) for x in ("DA 4", "Dự án 3.1", "Tiểu dự án 2 thuộc dự án 5", "DA12")]
        ['DA4', 'DA3.1', 'DA5.2', None]
        """
        if text is None or (isinstance(text, float) and np.isnan(text)):
            return None
        code = self._numbered(str(text))
        if code is not None:
            return code if code in self.codes else None
        return self.keys.get(fold(text, keep=".", sep=""))

    def project(self, text: object) -> Project:
        """The project ``text`` names (code, number written out, name or alias).

        Raises
        ------
        ParameterError
            ``text`` names no project of this programme; the message lists the known codes
            and the catalogue file.
        """
        code = self.normalize(text)
        if code is None:
            raise ParameterError(f"{self.unknown_project(text)}; {self.project_fix()}")
        return next(p for p in self.projects if p.code == code)

    def unknown_project(self, text: object) -> str:
        """The reason given for a project this programme does not have."""
        return f"'{text}' is not a project code of {self.short_en} ({self.code})"

    def project_fix(self) -> str:
        """What to write instead of an unknown project: the hint and every known code."""
        hint = self.numbering.get("hint") or ", ".join(self.codes[:3]) + "…"
        return (
            f"write a project of {self.short_en}: {hint}, or its name; known codes: {', '.join(self.codes)} "
            f"(resources/programmes/{Path(self.path).name}); leave empty if not by project"
        )

    def _numbered(self, text: str) -> str | None:
        """``DA4``, ``Dự án 3.1``, ``Tiểu dự án 1 dự án 3`` read by number (``None`` if not so written)."""
        m = self.pattern.match(fold(text).replace("_", " ")) if self.pattern else None
        if not m:
            return None
        groups = m.groups()
        sub_a, num, sub_b = groups if len(groups) == 3 else (None, *groups)
        sub = sub_b or sub_a
        return f"{self.numbering['prefix']}{int(num)}" + (f".{int(sub)}" if sub else "")


def _keys_of(projects: list[Project]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in projects:
        for text in (p.code, p.vi, p.en, *p.aliases):
            out.setdefault(fold(text, keep=".", sep=""), p.code)
    return out


def _pattern_of(numbering: dict) -> re.Pattern | None:
    """``Dự án 4``, ``DA 3.1``, ``Tiểu dự án 1 thuộc dự án 3`` from the words of the programme file."""
    if not numbering.get("project_words"):
        return None

    def words(key: str) -> str:
        folded = sorted({fold(w).replace(" ", r"\s*") for w in numbering.get(key, ())}, key=len, reverse=True)
        return "|".join(folded)

    sub, join = words("sub_project_words"), words("joiners")
    head = ""
    if sub:
        head = rf"(?:(?:{sub})\s*(\d{{1,2}})\s*" + (rf"(?:(?:{join})\s*)?" if join else "") + ")?"
    return re.compile(rf"^{head}(?:{words('project_words')})\s*(\d{{1,2}})(?:\s*[.]\s*(\d{{1,2}}))?$")


def _fail(path: Path, problem: str) -> InputFileError:
    return InputFileError(
        path, problem, "correct the programme file (see the other files in resources/programmes/ for the shape)"
    )


def _read(path: Path) -> Programme:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise _fail(path, f"not valid JSON ({err.msg} at line {err.lineno})") from None
    for key in ("code", "vi", "en", "short", "projects"):
        if key not in data:
            raise _fail(path, f"no '{key}'")
    if data["code"] != path.stem:
        raise _fail(path, f"code '{data['code']}' differs from the file name '{path.stem}'")
    projects: list[Project] = []
    for i, entry in enumerate(data["projects"]):
        for sub in (None, *entry.get("sub_projects", ())):
            item = entry if sub is None else sub
            missing = [k for k in ("code", "vi", "en") if not item.get(k)]
            if missing:
                raise _fail(path, f"project {i + 1} ({item.get('code', '?')}) has no {', '.join(missing)}")
            parent = None if sub is None else entry["code"]
            projects.append(Project(item["code"], item["vi"], item["en"], parent, tuple(item.get("aliases", ()))))
    codes = [p.code for p in projects]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise _fail(path, f"project code(s) listed twice: {', '.join(twice)}")
    return Programme(
        code=data["code"],
        vi=data["vi"],
        en=data["en"],
        short_vi=data["short"]["vi"],
        short_en=data["short"]["en"],
        legal_basis=data.get("legal_basis", ""),
        period=tuple(data.get("period", (None, None))),
        aliases=tuple(data.get("aliases", ())),
        projects=tuple(projects),
        path=str(path),
        numbering=dict(data.get("numbering", {})),
        keys=_keys_of(projects),
        pattern=_pattern_of(data.get("numbering", {})),
        title_vi=data.get("title", {}).get("vi", ""),
        title_en=data.get("title", {}).get("en", ""),
        default_years=tuple(data["default_years"]) if data.get("default_years") else None,
        provisional=bool(data.get("provisional", False)),
        project_kind=str(data.get("project_kind", "project")),
    )


@cache
def _catalogue() -> dict[str, Programme]:
    """Every programme file, read once; a name or alias naming two programmes is an error."""
    folder = resources.files("analysis").joinpath("resources", _FOLDER)
    files = sorted((Path(str(f)) for f in folder.iterdir() if f.name.endswith(".json")), key=lambda p: p.name)
    out = {}
    keys: dict[str, str] = {}
    for path in files:
        prog = _read(path)
        for text in prog.names:
            key = fold(text, keep=".", sep="")
            if keys.setdefault(key, prog.code) != prog.code:
                raise _fail(path, f"'{text}' also names programme {keys[key]}; a name or alias can mean one programme")
        out[prog.code] = prog
    return out


@cache
def _keys() -> dict[str, str]:
    """Text key of every programme code, name and alias -> programme code."""
    return {
        fold(text, keep=".", sep=""): prog.code
        for prog in _catalogue().values()
        for text in prog.names
    }


def list_programmes() -> list[Programme]:
    """Every programme of the catalogue, NTP 1719 first, then by code."""
    progs = _catalogue()
    return [progs[DEFAULT_PROGRAMME], *(p for c, p in progs.items() if c != DEFAULT_PROGRAMME)]


def default_programme(year: object = None) -> str:
    """The programme of a finance row of ``year`` that names none: NTP 1719 for 2021–2025, the
    integrated programme of 2026–2030 from 2026 (each file's ``default_years``); NTP 1719 when
    the year is unknown.

    Examples
    --------
    >>> default_programme(2023), default_programme("2026"), default_programme(None)
    ('ntp1719', 'ntp2026', 'ntp1719')
    """
    try:
        y = int(year)
    except (TypeError, ValueError):
        return DEFAULT_PROGRAMME
    for prog in list_programmes():
        if prog.default_years and prog.default_years[0] <= y <= prog.default_years[1]:
            return prog.code
    return DEFAULT_PROGRAMME


def find_programme(text: object) -> Programme | None:
    """The programme ``text`` names (code, name, short name or alias), or ``None``."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    code = _keys().get(fold(text, keep=".", sep=""))
    return _catalogue()[code] if code else None


def known_programmes() -> str:
    """``ntp1719 (NTP 1719), p135 (Programme 135), …``: the codes an error message offers."""
    return ", ".join(f"{p.code} ({p.short_en})" for p in list_programmes())


def get_programme(text: object = DEFAULT_PROGRAMME) -> Programme:
    """The programme ``text`` names.

    Raises
    ------
    ParameterError
        No such programme; the message lists the known ones.

    Examples
    --------
    >>> get_programme("Chương trình 135").code
    'p135'
    """
    prog = find_programme(text)
    if prog is None:
        raise ParameterError(
            f"unknown programme '{text}'; known programmes: {known_programmes()} "
            "(one file each in src/analysis/resources/programmes/)"
        )
    return prog


def find_project(text: object, programme: object = DEFAULT_PROGRAMME) -> Project:
    """The project ``text`` names in ``programme`` (see :meth:`Programme.project`).

    Examples
    --------
    >>> find_project("Essential infrastructure for production and daily life").code
    'DA4.1'
    >>> find_project("Tiểu dự án 1", "p135").name("en")
    'Infrastructure of especially difficult, border and safe-zone communes and villages'
    """
    return get_programme(programme).project(text)
