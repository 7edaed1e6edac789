"""Loading an area of prepared data keyed to the old units (before 1/7/2025): a province, or
one of its districts, with the rejects, warnings and match report of its districts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.catalog.units import official_units, resolve_district, resolve_province
from analysis.config import PROCESSED_DIR
from analysis.errors import ParameterError
from analysis.store.area_data import AreaData
from analysis.store.prepared import load_manifest, read_prepared

__all__ = ["area_districts", "load_area_old_units"]


def load_area_old_units(
    province: str, district: str | None, commune: str | None, data_dir: str | Path, manifest: dict
) -> AreaData:
    """Load a province, or one of its districts, from data keyed to the old units.

    Parameters
    ----------
    province
        GSO code or name of the province.
    district
        GSO code or name of the district; ``None`` for the whole province.
    commune
        Must be empty: a report by new commune needs data converted to the 2025 units.
    data_dir
        Prepared-data folder.
    manifest
        Its manifest.

    Raises
    ------
    ParameterError
        Unknown province or district, one with no prepared data, or a new commune asked for.
    """
    if commune not in (None, ""):
        raise ParameterError(
            f"a report by new commune needs data converted to the 2025 units; {data_dir} is keyed to the old "
            "units. Run 'ntp-atlas convert --to 2025' and use its folder, or 'ntp-atlas batch --units 2025'"
        )
    pcode, pname = resolve_province(province)
    if pcode not in manifest.get("provinces", []):
        raise ParameterError(
            f"province {pname} ({pcode}) has no prepared data in {data_dir}; "
            f"provinces there: {', '.join(manifest.get('provinces', [])) or 'none'}"
        )
    dcode = dname = None
    if district is not None:
        dcode, dname = resolve_district(district, pcode)
        if dcode not in manifest.get("districts", []):
            raise ParameterError(
                f"district {dname} ({dcode}) has no data in {data_dir}; "
                f"districts of {pname} with data: "
                + ", ".join(d for d in manifest["districts"] if d in _districts_of(pcode))
            )

    def rd(name: str, province: str | None = None, district: str | None = None) -> pd.DataFrame:
        # The province's table (or the country's), kept by read_prepared for the province's
        # next district, then the district's rows of it.
        frame = read_prepared(data_dir, name, manifest=manifest, province=province)
        if district is not None and "district_code" in frame.columns:
            frame = frame[frame["district_code"] == district].reset_index(drop=True)
        return frame

    area = {"province": pcode, "district": dcode}
    official = _districts_of(pcode)
    with_data = [d for d in manifest["districts"] if d in official]
    coverage = {"districts_official": len(official), "districts_with_data": len(with_data)}
    return AreaData(
        data_dir=data_dir,
        manifest=manifest,
        province_code=pcode,
        province_name=pname,
        district_code=dcode,
        district_name=dname,
        finance=rd("finance", **area),
        poverty=rd("poverty", **area),
        classification=rd("classification", **area),
        communes=rd("communes", **area),
        districts=rd("districts", province=pcode),
        province=rd("provinces", province=pcode),
        province_communes=rd("communes", province=pcode),
        rejects=rd("rejects", district=dcode) if dcode else _province_rows(rd("rejects"), official),
        warnings=rd("warnings", district=dcode) if dcode else _province_rows(rd("warnings"), official),
        match_report=rd("match_report", district=dcode) if dcode else _province_rows(rd("match_report"), official),
        coverage=coverage,
    )


def _districts_of(province_code: str) -> list[str]:
    u = official_units()
    return sorted(u.loc[u["province_code"] == province_code, "district_code"].unique())


def _province_rows(frame: pd.DataFrame, districts: list[str]) -> pd.DataFrame:
    return frame[frame["district_code"].isin(districts)] if "district_code" in frame.columns else frame


def area_districts(province: str, data_dir: str | Path = PROCESSED_DIR) -> pd.DataFrame:
    """Districts of a province that have prepared data: ``district_code``, ``district_name``.

    Parameters
    ----------
    province
        GSO code or name.
    data_dir
        Prepared data keyed to the old units.
    """
    manifest = load_manifest(data_dir)
    pcode, _ = resolve_province(province)
    u = official_units()
    u = u[(u["province_code"] == pcode) & u["district_code"].isin(manifest.get("districts", []))]
    return u[["district_code", "district_name"]].drop_duplicates().sort_values("district_code").reset_index(drop=True)
