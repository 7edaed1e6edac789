"""Indicators: unit-level figures of any programme, and how they add up the hierarchy.

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

What a report shows of them (figures written out, tables by unit, map values) is in
:mod:`analysis.report.indicator_figures`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalog.programmes import find_programme
from analysis.common.text import fold
from analysis.errors import InputFileError, ParameterError
from analysis.inputs.readers import ROW
from analysis.inputs.schema import INDICATORS

LEVELS = ("village", "commune", "district", "province")
_DEPTH = {level: i for i, level in enumerate(LEVELS)}
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
_VILLAGE = re.compile(r"^(\d{4,5})-(\d{1,3})$")
#: Columns of a prepared indicators table.
PREPARED_COLUMNS = [*INDICATORS.names, "level", "province_code", "district_code", "commune_code"]
#: Columns of :func:`aggregate`'s result.
AGGREGATE_COLUMNS = [
    "year",
    "as_of",
    "indicator",
    "level",
    "unit_code",
    "unit_name",
    "value",
    "numerator",
    "denominator",
    "n_units",
    "units_missing",
    "unit_level",
]


def village_code(commune_code: str, number: int) -> str:
    """The code of a village: commune code, ``-``, its number in the commune (two digits at least).

    >>> village_code("06481", 3)
    '06481-03'
    """
    return f"{commune_code}-{int(number):02d}"


# --- the catalogue ------------------------------------------------------------------------


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
    if also and (kind == "yes_no" or any(_DEPTH[lv] <= _DEPTH[level] for lv in also)):
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


# --- validation: the resolver of validate_table ------------------------------------------


@dataclass
class _Units:
    communes: pd.Series  # commune -> district
    districts: pd.Series  # district -> province
    provinces: set[str]

    @classmethod
    def of(cls, units: pd.DataFrame) -> _Units:
        c = units.drop_duplicates("commune_code").set_index("commune_code")["district_code"]
        d = units.drop_duplicates("district_code").set_index("district_code")["province_code"]
        return cls(c, d, set(units["province_code"]))


def _lost_zero(s: str, width: int, level: str, code: str, pad: bool) -> tuple[str | None, tuple | None]:
    if pad:
        return s.zfill(width), None
    return None, (
        f"unit_code '{s}' has {len(s)} digits; {code} is reported by {level} ({width}-digit codes): "
        "the leading zero was probably lost (e.g. by Excel)",
        f"format the column as Text and write '{s.zfill(width)}', or re-run with --pad-codes",
    )


def _read_unit(text: str, ind: Indicator, units: _Units, pad: bool) -> tuple[str | None, str | None, tuple | None]:
    """``(code, level, None)`` or ``(None, None, (reason, fix))`` for one written unit code."""
    s = str(text).strip()
    if re.fullmatch(r"\d+\.0", s):  # a number cell of a workbook
        s = s[:-2]
    levels = " or ".join(ind.levels)
    m = _VILLAGE.match(s)
    if m:
        if "village" not in ind.levels:
            return None, None, (f"'{s}' is a village code; {ind.code} is reported by {levels}", _level_fix(ind))
        commune, number = m.groups()
        if len(commune) == 4:
            commune, problem = _lost_zero(commune, 5, "village", ind.code, pad)
            if problem:
                return None, None, problem
        if int(number) == 0:
            return None, None, (f"village number 0 in '{s}'; villages are numbered from 1", _level_fix(ind))
        if commune not in units.communes.index:
            return None, None, (f"unknown commune code '{commune}' in village code '{s}'", _UNKNOWN)
        return village_code(commune, int(number)), "village", None
    if not s.isdigit():
        return None, None, (f"unit_code '{s}' is not a unit code", _level_fix(ind))
    by_width = {w: lv for lv, w in WIDTHS.items()}
    level = by_width.get(len(s))
    if level is not None and level not in ind.levels:
        return None, None, (f"'{s}' is a {level} code; {ind.code} is reported by {levels}", _level_fix(ind))
    if level is None:
        wider = [lv for lv in ind.levels if lv in WIDTHS and WIDTHS[lv] > len(s)]
        if len(wider) != 1:
            return None, None, (f"unit_code '{s}' has {len(s)} digits; {ind.code} is reported by {levels}",
                                _level_fix(ind))  # fmt: skip
        level = wider[0]
        s, problem = _lost_zero(s, WIDTHS[level], level, ind.code, pad)
        if problem:
            return None, None, problem
    known = {"commune": units.communes.index, "district": units.districts.index, "province": units.provinces}
    if s not in known[level]:
        return None, None, (f"unknown {level} code '{s}'", _UNKNOWN)
    return s, level, None


_UNKNOWN = "check the code against the GSO unit list; for units of another vintage pass --units FILE"


def _level_fix(ind: Indicator) -> str:
    forms = {"village": "06481-03", "commune": "06481", "district": "187", "province": "20"}
    return f"write one row per {' or '.join(ind.levels)}: " + ", ".join(
        f"{lv} code such as {forms[lv]}" for lv in ind.levels
    )


def resolve_rows(parsed: pd.DataFrame, units: pd.DataFrame, rejects, *, pad_codes: bool = False) -> None:
    """The step of :func:`analysis.inputs.validate.validate_table` that reads indicators and their units.

    Turns ``indicator`` into its code and ``unit_code`` into the canonical code of a unit at the
    indicator's level, adds ``level``, ``commune_code``, ``district_code``, ``province_code``,
    and rejects an unknown indicator or unit, a unit of the wrong level, a yes/no value other
    than 0 or 1, a fractional count, and a numerator above its denominator.

    Parameters
    ----------
    parsed
        The parsed table, changed in place.
    units
        The unit list (``province_code``, ``district_code``, ``commune_code``).
    rejects
        The collector of :mod:`analysis.inputs.validate` (``add(row, column, value, reason, fix)``).
    pad_codes
        Restore leading zeros lost by Excel (when the indicator's level leaves one reading).
    """
    cat, known = load_catalogue(), _Units.of(units)
    rows, n = parsed[ROW].to_numpy(), len(parsed)
    written = parsed["indicator"].astype(object).to_numpy()
    codes = np.full(n, None, dtype=object)
    for text in pd.unique(written[pd.notna(written)]):
        at = np.flatnonzero(written == text)
        ind = cat.find(text)
        codes[at] = ind.code if ind else None
        for i in at if ind is None else ():
            rejects.add(rows[i], "indicator", text, f"'{text}' is not a known indicator", cat.fix())
    unit_text = parsed["unit_code"].astype(object).to_numpy()
    out = {k: np.full(n, None, dtype=object) for k in ("unit_code", "level", "commune_code")}
    seen: dict[tuple, tuple] = {}
    for i in np.flatnonzero(pd.notna(codes) & pd.notna(unit_text)):
        key = (codes[i], unit_text[i])
        if key not in seen:
            seen[key] = _read_unit(unit_text[i], cat[codes[i]], known, pad_codes)
        code, level, problem = seen[key]
        if problem:
            rejects.add(rows[i], "unit_code", unit_text[i], *problem)
            continue
        out["unit_code"][i], out["level"][i] = code, level
        out["commune_code"][i] = code[:5] if level in ("village", "commune") else None
    commune = pd.Series(out["commune_code"], dtype=object)
    district = commune.map(known.communes).astype(object)
    own = pd.Series(out["level"]) == "district"
    district[own] = pd.Series(out["unit_code"])[own]
    province = district.map(known.districts).astype(object)
    own = pd.Series(out["level"]) == "province"
    province[own] = pd.Series(out["unit_code"])[own]
    parsed["indicator"] = codes
    for k, v in out.items():
        parsed[k] = v
    parsed["district_code"] = district.where(district.notna(), None).to_numpy()
    parsed["province_code"] = province.where(province.notna(), None).to_numpy()
    _check_values(parsed, cat, rejects)


def value_units(parsed: pd.DataFrame) -> pd.Series:
    """What each row's value counts (``households``, ``works``, ``million_vnd``; ``None`` for a
    yes/no indicator or an unknown one): the bound of :mod:`analysis.inputs.bounds` it must fall in.

    Read by :func:`analysis.inputs.validate.validate_table` after :func:`resolve_rows` (the table's
    ``extra["bound_units"]``).
    """
    cat = load_catalogue()
    units = {code: (None if ind.kind == "yes_no" else ind.unit) for code, ind in cat.indicators.items()}
    return parsed["indicator"].map(units).astype(object)


def _check_values(parsed: pd.DataFrame, cat: Catalogue, rejects) -> None:
    value = parsed["value"].astype(float)
    kinds = parsed["indicator"].map(lambda c: cat[c].kind if c in cat else None)
    whole = parsed["indicator"].map(lambda c: c in cat and cat[c].kind != "yes_no" and not cat[c].is_amount)
    rows, codes = parsed[ROW].to_numpy(), parsed["indicator"].to_numpy()
    for i in np.flatnonzero((kinds == "yes_no") & value.notna() & ~value.isin([0.0, 1.0])):
        v = f"{value.iat[i]:g}"
        fix = "write 1 for yes, 0 for no; leave the cell empty when it is not known"
        rejects.add(rows[i], "value", v, f"{codes[i]} is yes/no: {v} is not 1 (yes) or 0 (no)", fix)
    for i in np.flatnonzero(whole & value.notna() & (value != np.floor(value))):
        v = f"{value.iat[i]:g}"
        reason = f"{codes[i]} counts {cat[codes[i]].unit}: {v} is not a whole number"
        rejects.add(rows[i], "value", v, reason, "write a whole number")
    keys = ["year", "as_of", "unit_code"]
    frame = parsed[[ROW, *keys, "indicator"]].assign(value=value)
    for ind in (i for i in cat.indicators.values() if i.kind == "numerator"):
        num = frame[frame["indicator"] == ind.code]
        den = frame[frame["indicator"] == ind.denominator]
        both = num.merge(den, on=keys, suffixes=("", "_den")).dropna(subset=["unit_code"])
        for r in both[both["value"] > both["value_den"]].to_dict("records"):
            rejects.add(
                r[ROW],
                "value",
                f"{r['value']:g}",
                f"{ind.code} ({r['value']:g}) exceeds {ind.denominator} ({r['value_den']:g}) of the same unit and date "
                f"(row {r[ROW + '_den']})",
                f"check both figures: {ind.code} counts part of {ind.denominator}",
            )


# --- reading prepared data ----------------------------------------------------------------


def empty_indicators() -> pd.DataFrame:
    """A prepared indicators table with no rows (what ``prepare`` writes when given none)."""
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in PREPARED_COLUMNS})
    frame["year"] = frame["year"].astype("int64")
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["value"] = frame["value"].astype("float64")
    frame[ROW] = pd.Series(dtype="int64")
    return frame


def load_indicators(data_dir: str | Path, province: str, district: str | None = None) -> pd.DataFrame:
    """The prepared indicators of a province, or of one district (its villages and communes and itself).

    Prepared data from before indicators existed gives an empty table.
    """
    from analysis.store.prepared import load_manifest, read_table

    manifest = load_manifest(data_dir)
    if "indicators.parquet" not in manifest.get("outputs", {}):
        return empty_indicators()
    return read_table(data_dir, "indicators", province=province, district=district, manifest=manifest)


def locate(indicators: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add ``level``, ``commune_code``, ``district_code``, ``province_code`` where they are missing.

    Prepared tables have them; a hand-made table of canonical codes gets them from the code's
    shape and the unit list.
    """
    if {"level", "commune_code", "district_code", "province_code"} <= set(indicators.columns):
        return indicators
    known = _Units.of(units)
    out = indicators.copy()
    code = out["unit_code"].astype(str)
    out["level"] = np.select(
        [code.str.contains("-"), code.str.len() == 5, code.str.len() == 3], ["village", "commune", "district"],
        "province")  # fmt: skip
    out["commune_code"] = code.str[:5].where(out["level"].isin(["village", "commune"]))
    out["district_code"] = out["commune_code"].map(known.communes).where(out["level"] != "district", code)
    out["province_code"] = out["district_code"].map(known.districts).where(out["level"] != "province", code)
    return out


# --- aggregation ----------------------------------------------------------------------------


def area_units(units: pd.DataFrame, level: str, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The units of ``level`` in ``units`` (``unit_code``, ``unit_name``); villages: those of
    ``rows`` (located indicator rows, needed for villages only)."""
    if level == "village":
        if rows is None:
            raise ValueError("the villages of an area are those of its indicator rows: pass rows")
        v = rows.loc[(rows["level"] == "village") & rows["commune_code"].isin(units["commune_code"]), "unit_code"]
        return pd.DataFrame({"unit_code": sorted(v.unique()), "unit_name": None})
    name = f"{level}_name"
    cols = [f"{level}_code"] + ([name] if name in units.columns else [])
    out = units[cols].drop_duplicates(f"{level}_code").rename(columns={f"{level}_code": "unit_code", name: "unit_name"})
    if "unit_name" not in out.columns:
        out["unit_name"] = None
    return out.sort_values("unit_code").reset_index(drop=True)


def _target_of(rows: pd.DataFrame, level: str) -> pd.Series:
    """The unit of ``level`` each row falls in (NaN for a row about a larger unit)."""
    if level == "village":
        return rows["unit_code"].where(rows["level"] == "village")
    inside = rows["level"].map(_DEPTH) <= _DEPTH[level]
    return rows[f"{level}_code"].where(inside)


def _summed(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = rows.groupby(by, observed=True)["value"]
    out = pd.DataFrame({"value": g.sum(min_count=1), "n_units": g.count(), "units_missing": g.size() - g.count()})
    return out.reset_index()


def _share(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = rows.groupby(by, observed=True)["value"]
    out = pd.DataFrame({"numerator": g.sum(), "denominator": g.count(), "units_missing": g.size() - g.count()})
    out["n_units"] = out["denominator"]
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out.reset_index()


def _ratio(num: pd.DataFrame, den: pd.DataFrame, by: list[str], code: str) -> pd.DataFrame:
    keys = ["year", "as_of", "unit_code", "target"]
    both = num[[*keys, "value"]].merge(den[[*keys, "value"]], on=keys, how="outer", suffixes=("", "_den"))
    both["indicator"] = code
    ok = both["value"].notna() & both["value_den"].notna()  # a unit counts only with both figures
    both["num"], both["den"], both["ok"] = both["value"].where(ok, 0.0), both["value_den"].where(ok, 0.0), ok
    g = both.groupby(by, observed=True)
    out = pd.DataFrame({"numerator": g["num"].sum(), "denominator": g["den"].sum(), "n_units": g["ok"].sum()})
    out["units_missing"] = g.size() - out["n_units"]
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out.reset_index()


def aggregate(
    indicators: pd.DataFrame, units: pd.DataFrame, level: str, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Roll indicators up to the units of ``level``: villages to communes, communes to districts…

    Parameters
    ----------
    indicators
        Indicator rows (prepared, or canonical ``year, as_of, unit_code, indicator, value``).
    units
        The area's units (``province_code``, ``district_code``, ``commune_code`` and optionally
        ``*_name``): every unit of ``level`` among them gets a row per indicator and date, with
        ``value`` NaN when nothing is known there. Rows outside these units are left out.
    level
        ``"village"``, ``"commune"``, ``"district"`` or ``"province"``. Indicators reported
        above this level (a district indicator, for communes) are left out.
    catalogue
        Default: :func:`load_catalogue`.

    Returns
    -------
    pandas.DataFrame
        :data:`AGGREGATE_COLUMNS`. ``value``: the sum (count, amount, denominator), the share
        of units with yes (yes_no) or Σ numerator / Σ denominator (numerator), NaN when no unit
        of the scope has a figure. ``numerator``/``denominator``: n and N of units with yes, or
        the two sums. ``n_units``: units (of the indicator's level) whose figure went in;
        ``units_missing``: units in scope without a figure, left out, never counted as zero.
    """
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    cat = catalogue or load_catalogue()
    rows = locate(indicators, units).copy()
    rows["as_of"] = pd.to_datetime(rows["as_of"])
    rows["value"] = rows["value"].astype(float)
    rows["target"] = _target_of(rows, level)
    targets = area_units(units, level, rows)
    rows = rows[rows["target"].isin(targets["unit_code"])]
    by = ["year", "as_of", "indicator", "target"]
    parts = []
    for code in [c for c in cat.codes if c in set(rows["indicator"])]:
        ind = cat[code]
        if _DEPTH[ind.level] > _DEPTH[level]:
            continue
        mine = rows[rows["indicator"] == code]
        if ind.kind == "yes_no":
            part = _share(mine, by)
        elif ind.kind == "numerator":
            part = _ratio(mine, rows[rows["indicator"] == ind.denominator], by, code)
        else:
            part = _summed(mine, by)
        parts.append(part.assign(unit_level=ind.level))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in AGGREGATE_COLUMNS})
    agg = pd.concat(parts, ignore_index=True).rename(columns={"target": "unit_code"})
    # every unit of the area, for every indicator and date: missing data stays visible
    keys = agg[["year", "as_of", "indicator", "unit_level"]].drop_duplicates()
    full = keys.merge(targets, how="cross").merge(agg.drop(columns="unit_level"), how="left",
                                                  on=["year", "as_of", "indicator", "unit_code"])  # fmt: skip
    full[["n_units", "units_missing"]] = full[["n_units", "units_missing"]].fillna(0).astype("int64")
    full["level"] = level
    order = {c: i for i, c in enumerate(cat.codes)}
    full = full.sort_values(["indicator", "year", "as_of", "unit_code"], key=lambda s: s.map(order) if
                            s.name == "indicator" else s, kind="stable")  # fmt: skip
    return full.reindex(columns=AGGREGATE_COLUMNS).reset_index(drop=True)


def latest(aggregated: pd.DataFrame, year: int | None = None, as_of=None) -> pd.DataFrame:
    """Each indicator's rows at its latest date (in ``year``, at or before ``as_of``, when given)."""
    rows = aggregated
    if year is not None:
        rows = rows[rows["year"] == int(year)]
    if as_of is not None:
        rows = rows[rows["as_of"] <= pd.Timestamp(as_of)]
    if rows.empty:
        return rows
    # the latest year first, then its latest date
    last = rows.merge(rows.groupby("indicator")["year"].max().reset_index(), on=["indicator", "year"])
    last = last.groupby(["indicator", "year"])["as_of"].max().reset_index()
    return rows.merge(last, on=["indicator", "year", "as_of"]).reset_index(drop=True)
