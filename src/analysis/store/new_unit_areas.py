"""Loading an area of prepared data converted to the 2025 units: a new province, or one of its
new communes (``ntp-atlas convert --to 2025``; manifest ``units: "2025"``).

Data converted to the 2025 units has 34 provinces and 3,321 communes and no districts. Codes
and names come from :func:`analysis.catalog.units_2025.new_units`; rejects and warnings are
filtered by the new province, the old districts are a reference layer only. A province or
commune named as it was before 1/7/2025 is answered with the new unit it is part of.

What the reports say about converted data (notes, marks, maps) is in
:mod:`analysis.report.reform_notes`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.catalog.unit_systems import CONVERTED_2025
from analysis.catalog.units import code_name_choices, official_units, resolve_choice, resolve_province
from analysis.catalog.units_2025 import new_province_of_old, new_units
from analysis.errors import ParameterError
from analysis.store.area_data import AreaData
from analysis.store.prepared import load_manifest, read_prepared

__all__ = ["load_area_2025", "old_codes", "provinces_2025", "resolve_new_commune", "resolve_new_province"]

def resolve_new_province(text: str) -> tuple[str, str]:
    """A province of the 2025 list by GSO code or name: ``(code, name)``.

    Raises
    ------
    ParameterError
        Unknown; for a province merged into another on 1/7/2025 ("Hà Giang"), the message
        names the new province it is part of.
    """
    try:
        return resolve_province(text, new_units())
    except ParameterError as unknown:
        try:
            old_code, old_name = resolve_province(text)
        except ParameterError:
            raise unknown from None
        new_code = new_province_of_old().get(old_code)
        if new_code is None:
            raise unknown from None
        names = new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
        raise ParameterError(
            f"province {old_name} ({old_code}) became part of {names[new_code]} ({new_code}) on 1/7/2025; data "
            f"converted to the {CONVERTED_2025.key} units is by the new provinces: use {new_code} or "
            f"'{names[new_code]}'"
        ) from None


def old_codes(communes: pd.DataFrame) -> pd.DataFrame:
    """``(old_code, commune_code)`` pairs of converted communes (``old_commune_codes``): a divided
    old commune is paired with each of the new communes it went into. Communes of data keyed to
    the 2025 units from the start (no ``old_commune_codes``) are paired with themselves: their
    warnings and figures are keyed to them."""
    if "old_commune_codes" not in communes.columns:
        codes = communes["commune_code"].astype("string").reset_index(drop=True)
        return pd.DataFrame({"old_code": codes, "commune_code": codes})
    pairs = communes[["commune_code", "old_commune_codes"]].dropna()
    pairs = pairs.assign(old_code=pairs["old_commune_codes"].str.split(";")).explode("old_code")
    return pairs[["old_code", "commune_code"]].reset_index(drop=True)


def resolve_new_commune(text: str, province_code: str, communes: pd.DataFrame | None = None) -> tuple[str, str]:
    """A commune of the 2025 list in a new province, by GSO code or name: ``(code, name)``.

    Parameters
    ----------
    text
        Code (``"06517"``) or name (``"Xã Quan Sơn"``, ``"Hồng Phong"``).
    province_code
        The new province.
    communes
        The province's converted communes (with ``old_commune_codes``), to say which new
        commune a former commune is part of when ``text`` names one.

    Raises
    ------
    ParameterError
        Unknown or ambiguous; a former commune's code or name says which new commune(s) it
        is part of now.
    """
    units = new_units()
    inside = units[units["province_code"] == province_code]
    try:
        return resolve_choice(text, code_name_choices(inside, "commune_code", "commune_name"), "commune")
    except ParameterError as unknown:
        if communes is None or "old_commune_codes" not in communes.columns:
            raise
        old = official_units()
        old = old[old["province_code"].map(new_province_of_old()) == province_code]
        try:
            code, name = resolve_choice(text, code_name_choices(old, "commune_code", "commune_name"), "commune")
        except ParameterError:
            raise unknown from None
        pairs = old_codes(communes)
        now = communes.set_index("commune_code").loc[pairs.loc[pairs["old_code"] == code, "commune_code"]]
        if not len(now):
            raise unknown from None
        parts = ", ".join(f"{n} ({c})" for c, n in now["commune_name"].items())
        raise ParameterError(
            f"{name} ({code}) is a former commune (before 1/7/2025); it is part of {parts} now: give the new commune"
        ) from None


def load_area_2025(
    province: str,
    district: str | None,
    commune: str | None,
    data_dir: str | Path,
    manifest: dict,
) -> AreaData:
    """Load a new province, or one of its new communes, from data converted to the 2025 units.

    ``districts`` holds the old districts (a reference layer, ``reference_only``); the finance,
    poverty and classification rows are the commune's (or the province's, district-level
    finance rows included); rejects and warnings are filtered by the new province code, and
    for a commune the warnings are those of the old communes it was formed from. ``coverage``
    counts the province's communes in the 2025 list and those with data.

    Raises
    ------
    ParameterError
        Unknown province or commune, one without data, or a district asked for (there are
        none after the reform).
    """
    pcode, pname = resolve_new_province(province)
    if pcode not in manifest.get("provinces", []):
        raise ParameterError(
            f"province {pname} ({pcode}) has no data in {data_dir}; provinces there: "
            f"{', '.join(manifest.get('provinces', [])) or 'none'}"
        )
    if district not in (None, ""):
        raise ParameterError(
            f"{data_dir} is keyed to the units of 1/7/2025, which have no districts (district {district!r} asked for): "
            "give a new commune (level 'commune') or none for the whole province; the former districts are a "
            "reference layer only"
        )

    def rd(name: str, **kw) -> pd.DataFrame:
        return read_prepared(data_dir, name, manifest=manifest, **kw)

    province_communes = rd("communes", province=pcode).reset_index(drop=True)
    ccode = cname = None
    if commune not in (None, ""):
        ccode, cname = resolve_new_commune(str(commune), pcode, province_communes)
        if ccode not in set(province_communes["commune_code"]):
            raise ParameterError(
                f"new commune {cname} ({ccode}) has no data in {data_dir}; {len(province_communes)} communes of "
                f"{pname} have data"
            )

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if ccode is None or "commune_code" not in frame.columns:
            return frame
        return frame[frame["commune_code"] == ccode].reset_index(drop=True)

    warnings = rd("warnings", province=pcode)
    if ccode is not None and "commune_code" in warnings.columns:
        pairs = old_codes(province_communes)
        warnings = warnings[warnings["commune_code"].isin(pairs.loc[pairs["commune_code"] == ccode, "old_code"])]
    match_report = rd("match_report")
    if "commune_code" in match_report.columns:
        keep = [ccode] if ccode else list(province_communes["commune_code"])
        match_report = match_report[match_report["commune_code"].isin(keep)].reset_index(drop=True)
    flags = [c for c in ("has_finance", "has_poverty") if c in province_communes.columns]
    coverage = {
        "communes_official": int((new_units()["province_code"] == pcode).sum()),
        "communes_with_data": int(province_communes[flags].any(axis=1).sum()) if flags else len(province_communes),
    }
    return AreaData(
        data_dir=data_dir,
        manifest=manifest,
        province_code=pcode,
        province_name=pname,
        district_code=None,
        district_name=None,
        finance=mine(rd("finance", province=pcode)),
        poverty=mine(rd("poverty", province=pcode)),
        classification=mine(rd("classification", province=pcode)),
        communes=mine(province_communes),
        districts=rd("districts", province=pcode),
        province=rd("provinces", province=pcode),
        province_communes=province_communes,
        rejects=rd("rejects", province=pcode).reset_index(drop=True),
        warnings=warnings.reset_index(drop=True),
        match_report=match_report,
        coverage=coverage,
        commune_code=ccode,
        commune_name=cname,
    )


def provinces_2025(data_dir: str | Path) -> pd.DataFrame:
    """Provinces of converted data: ``province_code``, ``province_name`` (new), by code.

    Parameters
    ----------
    data_dir
        Prepared data converted to the 2025 units.
    """
    manifest = load_manifest(data_dir)
    names = new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
    codes = sorted(manifest.get("provinces", []))
    return pd.DataFrame({"province_code": codes, "province_name": [names.get(c, c) for c in codes]})
