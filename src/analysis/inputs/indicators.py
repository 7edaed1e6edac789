"""Indicator rows as offices write them: their indicator and unit codes read and checked.

The step of :func:`analysis.inputs.validate.validate_table` for the canonical **indicators**
table (:data:`analysis.inputs.schema.INDICATORS`, ``extra["resolve"]`` and
``extra["bound_units"]``): each row's indicator is found in the catalogue
(:mod:`analysis.catalog.indicators`) and its ``unit_code`` read as a unit of the indicator's
level. Unit codes: province (2 digits), district (3), commune (5), and **village**: the commune
code, a hyphen and the village's number in the commune (``06481-03``). The resolved rows are
what ``prepare`` writes (:data:`PREPARED_COLUMNS`; :func:`empty_indicators` when there are none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalog.indicators import WIDTHS, Catalogue, Indicator, load_catalogue, village_code
from analysis.inputs.readers import ROW
from analysis.inputs.schema import INDICATORS

_VILLAGE = re.compile(r"^(\d{4,5})-(\d{1,3})$")


@dataclass
class UnitParents:
    """The parent of each commune and district of a unit list, and its provinces."""

    communes: pd.Series  # commune -> district
    districts: pd.Series  # district -> province
    provinces: set[str]

    @classmethod
    def of(cls, units: pd.DataFrame) -> UnitParents:
        """The parents in ``units`` (``province_code``, ``district_code``, ``commune_code``)."""
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


def _read_unit(text: str, ind: Indicator, units: UnitParents, pad: bool) -> tuple[str | None, str | None, tuple | None]:
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
    cat, known = load_catalogue(), UnitParents.of(units)
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


#: Columns of a prepared indicators table.
PREPARED_COLUMNS = [*INDICATORS.names, "level", "province_code", "district_code", "commune_code"]


def empty_indicators() -> pd.DataFrame:
    """A prepared indicators table with no rows (what ``prepare`` writes when given none)."""
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in PREPARED_COLUMNS})
    frame["year"] = frame["year"].astype("int64")
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["value"] = frame["value"].astype("float64")
    frame[ROW] = pd.Series(dtype="int64")
    return frame
