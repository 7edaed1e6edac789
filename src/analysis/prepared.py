"""Reading prepared data: each report reads only its own area.

Tables are read with a filter on ``province_code``/``district_code`` pushed down to the
Parquet reader, and checked against the manifest's hashes first, so a report never reads a
file that changed (or was cut short) since ``prepare`` wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.config import PROCESSED_DIR
from analysis.errors import ParameterError, PreparedDataError
from analysis.storage import recover, sha256_file
from analysis.units import official_units, resolve_district, resolve_province


def load_manifest(data_dir: str | Path = PROCESSED_DIR) -> dict:
    """The manifest of a prepared-data folder.

    Raises
    ------
    PreparedDataError
        No prepared data there.
    """
    data_dir = Path(data_dir)
    recover(data_dir)
    path = data_dir / "manifest.json"
    if not path.exists():
        raise PreparedDataError(
            f"no prepared data in {data_dir} (manifest.json missing). Run 'ntp-atlas prepare' first."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise PreparedDataError(f"{path} is damaged. Run 'ntp-atlas prepare' again.") from None


@lru_cache(maxsize=64)
def _verified(path: str, mtime_ns: int, size: int, expected: str) -> bool:
    return sha256_file(path) == expected


def _check(data_dir: Path, name: str, manifest: dict) -> Path:
    path = data_dir / name
    expected = manifest.get("outputs", {}).get(name)
    if not path.exists():
        raise PreparedDataError(f"{path} is missing. Run 'ntp-atlas prepare' again.")
    st = path.stat()
    if expected and not _verified(str(path), st.st_mtime_ns, st.st_size, expected):
        raise PreparedDataError(
            f"{path} does not match the hash in manifest.json (changed or damaged since prepare). "
            "Run 'ntp-atlas prepare' again."
        )
    return path


def read_table(
    data_dir: str | Path,
    name: str,
    *,
    province: str | None = None,
    district: str | None = None,
    manifest: dict | None = None,
) -> pd.DataFrame:
    """Read one prepared table, filtered to an area.

    Parameters
    ----------
    data_dir
        Prepared-data folder.
    name
        Table name without extension (``"finance"``, ``"communes"``…).
    province, district
        GSO codes to filter on (the columns ``province_code``/``district_code``).
    """
    data_dir = Path(data_dir)
    manifest = manifest or load_manifest(data_dir)
    path = _check(data_dir, f"{name}.parquet", manifest)
    filters = []
    if province is not None:
        filters.append(("province_code", "==", province))
    if district is not None:
        filters.append(("district_code", "==", district))
    geo = name in ("communes", "districts", "provinces")
    reader = gpd.read_parquet if geo else pd.read_parquet
    if filters:
        try:
            return reader(path, filters=filters)
        except Exception:  # a table without those columns (empty tables): filter after reading
            frame = reader(path)
            for col, _, value in filters:
                if col in frame.columns:
                    frame = frame[frame[col] == value]
            return frame
    return reader(path)


@dataclass
class AreaData:
    """Everything a report needs about one province, or one district of it."""

    data_dir: Path
    manifest: dict
    province_code: str
    province_name: str
    district_code: str | None
    district_name: str | None
    finance: pd.DataFrame
    poverty: pd.DataFrame
    classification: pd.DataFrame
    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    province: gpd.GeoDataFrame
    province_communes: gpd.GeoDataFrame
    rejects: pd.DataFrame
    warnings: pd.DataFrame
    match_report: pd.DataFrame
    coverage: dict = field(default_factory=dict)

    @property
    def level(self) -> str:
        return "district" if self.district_code else "province"

    @property
    def name(self) -> str:
        return self.district_name if self.district_code else self.province_name

    def years(self) -> list[int]:
        """Years with finance data in the area."""
        return sorted(int(y) for y in self.finance["year"].unique())


def load_area(province: str, district: str | None = None, data_dir: str | Path = PROCESSED_DIR) -> AreaData:
    """Load the prepared data of a province, or of one of its districts.

    Parameters
    ----------
    province
        GSO code or name of the province.
    district
        GSO code or name of the district; ``None`` for the whole province.
    data_dir
        Prepared-data folder.

    Raises
    ------
    ParameterError
        Unknown province or district, or one with no prepared data.
    PreparedDataError
        Prepared data missing or damaged.
    """
    data_dir = Path(data_dir)
    manifest = load_manifest(data_dir)
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

    def rd(name: str, **kw) -> pd.DataFrame:
        return read_table(data_dir, name, manifest=manifest, **kw)

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
    """Districts of a province that have prepared data: ``district_code``, ``district_name``."""
    manifest = load_manifest(data_dir)
    pcode, _ = resolve_province(province)
    u = official_units()
    u = u[(u["province_code"] == pcode) & u["district_code"].isin(manifest.get("districts", []))]
    return u[["district_code", "district_name"]].drop_duplicates().sort_values("district_code").reset_index(drop=True)
