"""The units a row of a report form names: its code cells, its label, and whether they agree.

Part of the form importer (:mod:`analysis.inputs.forms.importer`). A row can name its commune or district
by a code column (``Mã xã``, ``Mã huyện``), by its label ("Xã Chiến Thắng", "Huyện Chi
Lăng"), or both. When it gives both, they must name the same unit: a code copied from the
row above moves the figures to another commune without any subtotal noticing, so a code
contradicted by its name is refused, naming the commune the name belongs to.

Names are compared as elsewhere in ntp-atlas (:func:`analysis.catalog.units.unit_key` with
its marks, then without): insensitive to tone-mark placement, Unicode form, case and
the type prefix, and, failing that, to missing diacritics. A prefix the label does carry
still tells "Xã Chi Lăng" from "Thị trấn Chi Lăng" (two communes of district 187).
"""

from __future__ import annotations

from functools import lru_cache, partial

import pandas as pd

from analysis.catalog.units import official_units, resolve_district, unit_key
from analysis.common.text import fold
from analysis.errors import ParameterError
from analysis.inputs.forms import labels as fl
from analysis.inputs.forms.grid import Grid, addr

__all__ = ["UNIT_FIX", "row_units", "units_list"]

UNIT_FIX = "add a 'Mã xã' (or 'Mã huyện') column with the GSO codes, or give --district"
#: column of :func:`_keyed` -> its key; the exact key first: 'Tân Lập' is not 'Tấn Lập' when both exist
_KEYS = {"exact_key": partial(unit_key, marks=True), "loose_key": partial(unit_key, marks=False)}


def units_list() -> pd.DataFrame:
    """The official unit list (:func:`analysis.catalog.units.official_units`)."""
    return official_units()


@lru_cache(maxsize=1)
def _keyed() -> pd.DataFrame:
    """The communes with their comparison keys, worked out once (about 10,000 names)."""
    units = units_list()
    out = units[["province_code", "district_code", "district_name", "commune_code", "commune_name"]].copy()
    out["commune_type"] = units["commune_type"].map(lambda t: fold(str(t)))
    for column, key in _KEYS.items():
        out[column] = units["commune_name"].map(key)
    return out


def _named(candidates: pd.DataFrame, label: str) -> pd.DataFrame:
    """Communes among ``candidates`` that ``label`` names; its type prefix, if any, narrows them."""
    prefix = fl.unit_prefix(label)
    for column, key in _KEYS.items():
        hit = candidates[candidates[column] == key(label)]
        if len(hit):
            typed = hit[hit["commune_type"] == prefix]
            return typed if len(typed) else hit
    return candidates.iloc[:0]


def _owners(label: str, district: str, province: str) -> pd.DataFrame:
    """The communes called ``label``: in ``district`` if any there, else in the province, else anywhere."""
    keyed = _keyed()
    for scope in (keyed["district_code"] == district, keyed["province_code"] == province, None):
        hit = _named(keyed if scope is None else keyed[scope], label)
        if len(hit):
            return hit
    return keyed.iloc[:0]


def _commune(row) -> str:
    return f"{row.commune_code} ({row.commune_name}, {row.district_name})"


def _check_commune(grid: Grid, code: str, code_cell: str, label: str, where: str) -> None:
    """Refuse a row whose commune code and name are two different communes."""
    keyed = _keyed()
    own = keyed[keyed["commune_code"] == code]
    if not label or not len(own):
        return  # no name to compare, or an unknown code (``prepare`` refuses it, naming it)
    mine = own.iloc[0]
    owners = _owners(label, mine.district_code, mine.province_code)
    if code in set(owners["commune_code"]):
        return
    if not len(owners) and fl.is_unit_name(label) != "commune":
        return  # a label that names no commune at all ("Bản Lề") says nothing against the code
    if len(owners):
        whose = "that of " + ("commune " if len(owners) == 1 else "communes ")
        whose += ", ".join(_commune(o) for o in owners.itertuples())
        fix = f"{code} is {mine.commune_name}; " + "; ".join(
            f"{o.commune_name} is {o.commune_code}" for o in owners.itertuples()
        )
    else:
        whose = "the name of no commune in the official unit list"
        fix = f"{code} is {mine.commune_name}"
    raise grid.error(
        where,
        f"the code {code} in {code_cell} is {mine.commune_name} ({mine.district_name}), but the name '{label}' in "
        f"{where} is {whose}; "
        "one of the two is wrong, and the row's figures would be counted for the wrong commune",
        f"correct the code or the name so that both are the same commune ({fix})",
    )


def _check_district(grid: Grid, code: str, code_cell: str, label: str, province: str | None, where: str) -> None:
    """Refuse a row whose district code and district name are two different districts."""
    units = units_list()
    own = units.loc[units["district_code"] == code, ["district_name", "province_code"]]
    if not len(own):
        return
    name, province = own.iloc[0]["district_name"], province or own.iloc[0]["province_code"]
    try:
        named, named_name = resolve_district(label, province)
    except ParameterError:
        named, named_name = None, None
    if named == code:
        return
    whose = f"that of district {named} ({named_name})" if named else "the name of no district of the province"
    raise grid.error(
        where,
        f"the code {code} in {code_cell} is {name}, but the name '{label}' in {where} is {whose}; "
        "one of the two is wrong, and the row's figures would be counted for the wrong district",
        "correct the code or the name so that both are the same district",
    )


def resolve_name(grid: Grid, name: str, district: str | None, province: str | None, where: str) -> dict:
    """Commune or district of a row labelled with its name only ("Xã Chiến Thắng", "Huyện Chi Lăng")."""
    if fl.is_unit_name(name) == "district":
        try:
            code, _ = resolve_district(name, province)
        except ParameterError as exc:
            raise grid.error(where, f"district '{name}' is not in the official unit list: {exc}", UNIT_FIX) from None
        return {"district": code}
    if district is None:
        raise grid.error(where, f"the commune '{name}' has no code and the form does not say its district", UNIT_FIX)
    keyed = _keyed()
    hit = _named(keyed[keyed["district_code"] == district], name)
    if len(hit) != 1:
        raise grid.error(
            where,
            f"'{name}' is not a commune of district {district} in the official unit list"
            + (f" (it could be {', '.join(_commune(h) for h in hit.itertuples())})" if len(hit) else ""),
            "check the name, or " + UNIT_FIX,
        )
    return {"commune": hit.iloc[0]["commune_code"], "district": district}


def read_code(grid: Grid, r: int, c: int, width: int) -> str | None:
    """The GSO code in a cell, as text; a code typed as a number gets its leading zeros back."""
    v = grid.own(r, c)
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if not s.isdigit():
        raise grid.error(addr(r, c), f"'{s}' is not a GSO code", "write the code with its digits only, as text")
    if isinstance(v, int) and len(s) < width:  # a code typed as a number lost its leading zeros
        grid.padded += 1
        return s.zfill(width)
    return s


def row_units(
    grid: Grid, r: int, keys: dict[str, int], label: str, district: str | None, province: str | None, where: str
) -> dict:
    """The units a row names: by its code columns, or by its label ("Xã Chiến Thắng").

    A row with both a code and a unit name is refused when they are not the same unit.
    """
    out: dict[str, str] = {}
    cells: dict[str, str] = {}
    for kind, width in (("commune", 5), ("district", 3), ("province", 2), ("unit", 0)):
        if kind in keys:
            code = read_code(grid, r, keys[kind], width or 5)
            if code:
                dim = "commune" if kind == "unit" and len(code) == 5 else "district" if kind == "unit" else kind
                out[dim] = code
                cells[dim] = addr(r, keys[kind])
    if not out and fl.is_unit_name(label):
        return resolve_name(grid, label, district, province, where)
    if "commune" in out:
        _check_commune(grid, out["commune"], cells["commune"], label, where)
    elif "district" in out and fl.is_unit_name(label) == "district":
        _check_district(grid, out["district"], cells["district"], label, province, where)
    if "commune" in out and "district" not in out:
        units = units_list()
        hit = units.loc[units["commune_code"] == out["commune"], "district_code"]
        if len(hit):
            out["district"] = hit.iloc[0]
    return out
