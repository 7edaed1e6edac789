"""The indicator catalogue: the unit-level indicators a programme reports, and their levels.

The canonical **indicators** table (:data:`analysis.inputs.schema.INDICATORS`) holds one figure per
``year, as_of, unit_code, indicator``. The indicator catalogue, ``resources/indicators.json``,
says for each indicator its names, its kind, the level its rows are about, and how it
aggregates:

============  ==================================  ===========================================
kind          a row's value                       up the hierarchy
============  ==================================  ===========================================
yes_no        1 (yes) or 0 (no) for the unit      share of units: *n of N units*, n/N
count         a whole number                      sum
amount        million VND                         sum
numerator     a count or amount, part of its      ratio of sums: Σ numerator / Σ denominator,
              ``denominator`` indicator's figure  over the units that have both
denominator   a count or amount                   sum
============  ==================================  ===========================================

Unit codes: province (2 digits), district (3), commune (5), and **village**: the commune code,
a hyphen and the village's number in the commune's list of villages (thôn, bản), at least two
digits: ``06481-03``. GSO codes stop at communes, so the village number is the commune's own.

Missing stays visible: a unit that has a row with an empty value is *in scope but without
data*. It is left out of a share's denominator (and out of a sum) and counted in
``units_missing``, never counted as zero. A unit with no row at all is not in the
indicator's scope (the wards, for a figure about rural communes): nothing is said about it.

The catalogue is read here (:func:`load_catalogue`); indicator rows are read and resolved in
:mod:`analysis.inputs.indicators`, added up the hierarchy in :mod:`analysis.metrics.indicators`,
read from prepared data by :mod:`analysis.store.indicators`, and shown by
:mod:`analysis.report.indicator_figures`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from analysis.catalog.programmes import find_programme
from analysis.common.text import fold
from analysis.errors import InputFileError, ParameterError

#: The levels an indicator row may be about, from the smallest unit up.
LEVELS = ("village", "commune", "district", "province")
#: The rank of each level, from the village (0) up to the province (3).
LEVEL_DEPTH = {level: i for i, level in enumerate(LEVELS)}
#: Digits of the GSO code of each level (villages: ``<commune>-<number>``).
WIDTHS = {"province": 2, "district": 3, "commune": 5}
#: kind -> how it aggregates
AGGREGATIONS = {
    "yes_no": "share_of_units",
    "count": "sum",
    "amount": "sum",
    "denominator": "sum",
    "numerator": "ratio_of_sums",
}

def village_code(commune_code: str, number: int) -> str:
    """The code of a village: commune code, ``-``, its number in the commune (two digits at least).

    >>> village_code("06481", 3)
    '06481-03'
    """
    return f"{commune_code}-{int(number):02d}"



@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue."""

    code: str
    vi: str
    en: str
    kind: str
    level: str
    aggregation: str
    unit: str | None = None
    decimals: int = 1
    denominator: str | None = None
    also_at: tuple[str, ...] = ()
    programme: str | None = None
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "vi") -> str:
        """The name in ``lang``."""
        return self.en if lang == "en" else self.vi

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels rows may be about: :attr:`level`, then :attr:`also_at`."""
        return (self.level, *self.also_at)

    @property
    def is_amount(self) -> bool:
        """Values are million VND (formatted with three decimals, billions in prose)."""
        return self.unit == "million_vnd"


@dataclass(frozen=True)
class Catalogue:
    """The indicators of a catalogue file, by code."""

    indicators: dict[str, Indicator]
    path: str
    keys: dict[str, str] = field(default_factory=dict, repr=False)

    def __getitem__(self, code: str) -> Indicator:
        return self.indicators[code]

    def __contains__(self, code: object) -> bool:
        return code in self.indicators

    @property
    def codes(self) -> list[str]:
        """Indicator codes in catalogue order."""
        return list(self.indicators)

    def find(self, text: object) -> Indicator | None:
        """The indicator ``text`` names (code, Vietnamese or English name, alias), or ``None``."""
        if text is None or (isinstance(text, float) and np.isnan(text)):
            return None
        code = self.keys.get(fold(text, keep=".", sep=""))
        return self.indicators[code] if code else None

    def get(self, text: object) -> Indicator:
        """The indicator ``text`` names.

        Raises
        ------
        ParameterError
            No such indicator; the message lists the known codes and the file.
        """
        found = self.find(text)
        if found is None:
            raise ParameterError(f"unknown indicator '{text}'; {self.fix()}")
        return found

    def fix(self) -> str:
        """What to write instead of an unknown indicator."""
        return f"known indicators: {', '.join(self.codes)} (in {Path(self.path).name}; add new ones there)"


def _check_entry(code: str, e: dict, path: Path, entries: dict) -> Indicator:
    def fail(problem: str) -> InputFileError:
        return InputFileError(
            path, f"indicator '{code}': {problem}", "correct the catalogue (its '_about' says what each field means)"
        )

    missing = [k for k in ("vi", "en", "kind", "level", "aggregation") if not e.get(k)]
    if missing:
        raise fail(f"no {', '.join(missing)}")
    kind, level = e["kind"], e["level"]
    if kind not in AGGREGATIONS:
        raise fail(f"kind '{kind}' is not one of {', '.join(AGGREGATIONS)}")
    if e["aggregation"] != AGGREGATIONS[kind]:
        raise fail(f"a {kind} indicator aggregates by {AGGREGATIONS[kind]}, not {e['aggregation']}")
    also = tuple(e.get("also_at", ()))
    for lv in (level, *also):
        if lv not in LEVELS:
            raise fail(f"level '{lv}' is not one of {', '.join(LEVELS)}")
    if also and (kind == "yes_no" or any(LEVEL_DEPTH[lv] <= LEVEL_DEPTH[level] for lv in also)):
        raise fail("also_at is for summed indicators, and names levels above 'level'")
    if kind != "yes_no" and not e.get("unit"):
        raise fail("no unit (what is counted, e.g. households, works, million_vnd)")
    if kind == "amount" and e.get("unit") != "million_vnd":
        raise fail("amounts are in million VND: unit must be million_vnd")
    den = e.get("denominator")
    if kind == "numerator":
        other = entries.get(den or "")
        if other is None or other.get("kind") != "denominator":
            raise fail(f"its denominator '{den}' is not a denominator indicator of the catalogue")
        if (other.get("level"), tuple(other.get("also_at", ())), other.get("unit")) != (level, also, e.get("unit")):
            raise fail(f"it and its denominator '{den}' must have the same level, also_at and unit")
    elif den:
        raise fail("only a numerator has a denominator")
    if e.get("programme") and find_programme(e["programme"]) is None:
        raise fail(f"unknown programme '{e['programme']}'")
    return Indicator(
        code=code,
        vi=e["vi"],
        en=e["en"],
        kind=kind,
        level=level,
        aggregation=e["aggregation"],
        unit=e.get("unit"),
        decimals=int(e.get("decimals", 1)),
        denominator=den,
        also_at=also,
        programme=e.get("programme"),
        aliases=tuple(e.get("aliases", ())),
    )


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The indicator catalogue: ``resources/indicators.json``, or the file at ``path``.

    Raises
    ------
    InputFileError
        The file is not valid JSON, or an entry is incomplete or inconsistent (the message
        names the indicator and the field).
    """
    if path is None:
        return _default_catalogue()
    return _read_catalogue(Path(path))


@cache
def _default_catalogue() -> Catalogue:
    return _read_catalogue(Path(str(resources.files("analysis").joinpath("resources", "indicators.json"))))


def _read_catalogue(path: Path) -> Catalogue:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["indicators"]
    except (json.JSONDecodeError, KeyError) as err:
        raise InputFileError(path, f"not an indicator catalogue ({err})", "see resources/indicators.json") from None
    indicators = {code: _check_entry(code, e, path, entries) for code, e in entries.items()}
    keys: dict[str, str] = {}
    for ind in indicators.values():
        for text in (ind.code, ind.vi, ind.en, *ind.aliases):
            key = fold(text, keep=".", sep="")
            if keys.setdefault(key, ind.code) != ind.code:
                raise InputFileError(path, f"'{text}' names both {keys[key]} and {ind.code}", "give each its own names")
    return Catalogue(indicators, str(path), keys)
