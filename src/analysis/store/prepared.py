"""Reading prepared data: each report reads only its own area.

Tables are read with a filter on ``province_code``/``district_code`` pushed down to the
Parquet reader, and checked against the manifest's hashes first, so a report never reads a
file that changed (or was cut short) since ``prepare`` wrote it.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import fsspec
import geopandas as gpd
import pandas as pd
from fsspec.implementations.local import LocalFileSystem

from analysis.catalog.units import official_units, resolve_district, resolve_province
from analysis.common.storage import recover, sha256_file
from analysis.config import PROCESSED_DIR
from analysis.errors import ParameterError, PreparedDataError


def _location(data_dir: str | Path) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem and root of a prepared-data folder: a local path or any fsspec URL
    (``file://``, ``s3://``, ``gs://``, ``http(s)://``…) that every worker can reach."""
    text = str(data_dir)
    if "://" in text:
        fs, root = fsspec.core.url_to_fs(text)
        return fs, root.rstrip("/")
    return fsspec.filesystem("file"), str(Path(text).absolute())


def load_manifest(data_dir: str | Path = PROCESSED_DIR) -> dict:
    """The manifest of a prepared-data folder (a path or an fsspec URL).

    Raises
    ------
    PreparedDataError
        No prepared data there.
    """
    fs, root = _location(data_dir)
    if isinstance(fs, LocalFileSystem):  # a run killed mid-swap left the previous output aside
        recover(root)
    path = f"{root}/manifest.json"
    if not fs.exists(path):
        raise PreparedDataError(
            f"no prepared data in {data_dir} (manifest.json missing). Run 'ntp-atlas prepare' first."
        )
    try:
        with fs.open(path, "rb") as fh:
            return json.loads(fh.read().decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PreparedDataError(f"{path} is damaged. Run 'ntp-atlas prepare' again.") from None


@lru_cache(maxsize=256)
def _verified(fs: fsspec.AbstractFileSystem, path: str, stamp: str, expected: str) -> bool:
    h = hashlib.sha256()
    with fs.open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest() == expected


def _check(fs: fsspec.AbstractFileSystem, root: str, name: str, manifest: dict) -> tuple[str, str]:
    """The path of a prepared file that matches the manifest, and its size:modification stamp."""
    path = f"{root}/{name}"
    expected = manifest.get("outputs", {}).get(name)
    if not fs.exists(path):
        raise PreparedDataError(f"{path} is missing. Run 'ntp-atlas prepare' again.")
    info = fs.info(path)
    # re-hash only when the file changed: size and modification stamp, whatever the filesystem calls it
    stamp = f"{info.get('size')}:{info.get('mtime') or info.get('LastModified') or info.get('ETag') or ''}"
    if expected and not _verified(fs, path, stamp, expected):
        raise PreparedDataError(
            f"{path} is corrupt (hash mismatch: it does not match the hash in manifest.json, so it changed or was "
            "cut short since prepare). Run 'ntp-atlas prepare' again."
        )
    return path, stamp


def damaged_files(data_dir: str | Path = PROCESSED_DIR, manifest: dict | None = None) -> list[str]:
    """The prepared files that are missing or whose bytes no longer match the manifest's hashes.

    Parameters
    ----------
    data_dir
        Prepared-data folder (a path or an fsspec URL).
    manifest
        Its manifest, if already read.

    Raises
    ------
    PreparedDataError
        No prepared data there, or a damaged manifest.
    """
    fs, root = _location(data_dir)
    manifest = manifest or load_manifest(data_dir)
    bad = []
    for name in sorted(manifest.get("outputs", {})):
        try:
            _check(fs, root, name, manifest)
        except PreparedDataError:
            bad.append(name)
    return bad


def _changed_inputs(manifest: dict) -> list[str]:
    """Inputs recorded in the manifest that are gone or whose bytes changed since prepare."""
    entries = [
        *manifest.get("inputs", {}).values(),
        manifest.get("boundaries") or {},
        (manifest.get("boundaries") or {}).get("crosswalk") or {},
        manifest.get("units_file") or {},
        (manifest.get("rules") or {}).get("file") or {},
    ]
    changed = []
    for entry in entries:
        if not entry.get("path"):
            continue
        path = Path(entry["path"])
        if not path.is_file() or sha256_file(path) != entry.get("sha256"):
            changed.append(str(path))
    return changed


def ensure_prepared(
    data_dir: str | Path = PROCESSED_DIR, *, rebuild: bool = True, log: Callable[[str], None] | None = None
) -> dict:
    """Check every prepared file against the manifest; rebuild damaged data from its inputs.

    A prepared file that is missing, changed or cut short (a disk error, a copy that stopped
    half way) is never read. When the inputs ``prepare`` was run on are still where they were
    and unchanged (their SHA-256 in the manifest), the prepared data is made again from them
    with the same options, so a batch carries on with exactly the data it would have had.
    Otherwise the message says which file is corrupt and which input changed.

    Parameters
    ----------
    data_dir
        Prepared-data folder; a URL (``s3://…``) is checked but never rebuilt.
    rebuild
        Rebuild when possible (``False``: only check).
    log
        Called with a sentence when files are found damaged and rebuilt (default: printed on
        stderr, so that a cron job's log says so).

    Returns
    -------
    dict
        The manifest of the intact (or rebuilt) data.

    Raises
    ------
    PreparedDataError
        Damaged and cannot be rebuilt: "data/processed/finance.parquet is corrupt (hash
        mismatch); run 'ntp-atlas prepare' again" with the reason it was not rebuilt.
    """
    manifest = load_manifest(data_dir)
    bad = damaged_files(data_dir, manifest)
    if not bad:
        return manifest
    listed = ", ".join(f"{data_dir}/{name}" for name in bad)
    problem = f"{listed} {'is' if len(bad) == 1 else 'are'} corrupt (hash mismatch with manifest.json)"
    arguments = manifest.get("arguments")
    why = None
    if not rebuild:
        why = "rebuilding was not asked for"
    elif "://" in str(data_dir):
        why = "prepared data at a URL is not rebuilt here"
    elif not arguments:
        why = "the manifest does not record how it was made (made by an older version)"
    elif changed := _changed_inputs(manifest):
        why = "the inputs it was made from have changed or moved since: " + ", ".join(changed)
    if why:
        raise PreparedDataError(f"{problem}; {why}. Run 'ntp-atlas prepare' again.")
    from analysis.store.prepare import prepare  # heavy (GDAL, pandera): only when a rebuild is due

    (log or (lambda msg: print(msg, file=sys.stderr)))(
        f"{problem}: rebuilding from the inputs recorded in the manifest"
    )
    return prepare(**arguments, out=data_dir).manifest


def read_table(
    data_dir: str | Path,
    name: str,
    *,
    province: str | None = None,
    district: str | None = None,
    manifest: dict | None = None,
    geometry: bool = True,
) -> pd.DataFrame:
    """Read one prepared table, filtered to an area.

    Parameters
    ----------
    data_dir
        Prepared-data folder: a path, or an fsspec URL that the reader can reach.
    name
        Table name without extension (``"finance"``, ``"communes"``…).
    province, district
        GSO codes to filter on (the columns ``province_code``/``district_code``).
    geometry
        Read a boundary table as a GeoDataFrame (default), or as a plain DataFrame with the
        geometries as stored (WKB bytes), which is much quicker when they are only hashed.
    """
    fs, root = _location(data_dir)
    manifest = manifest or load_manifest(data_dir)
    path, stamp = _check(fs, root, f"{name}.parquet", manifest)
    key = (fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0], path, stamp,
           manifest.get("outputs", {}).get(f"{name}.parquet"), province, district, geometry)
    with _READ_LOCK:
        frame = _READ_CACHE.pop(key, None)
    if frame is None:
        frame = _read(fs, path, geometry and name in _BOUNDARY_TABLES, province, district)
    with _READ_LOCK:
        _READ_CACHE[key] = frame  # most recently used last
        while len(_READ_CACHE) > READ_CACHE_SIZE:
            _READ_CACHE.pop(next(iter(_READ_CACHE)))
    return frame.copy()


#: Tables kept in memory by :func:`read_table`, most recently used last. A report kernel
#: serves one province's districts one after another, and each reads the same province
#: tables; the key holds the file's size, modification stamp and manifest hash, so a file
#: that changed is read again. Callers get a deep copy: what one report does to its frames
#: never reaches the next.
READ_CACHE_SIZE = 32
_READ_CACHE: dict[tuple, pd.DataFrame] = {}
_READ_LOCK = threading.Lock()


#: Prepared tables with polygons (GeoParquet).
_BOUNDARY_TABLES = ("communes", "districts", "provinces")


def _read(fs, path: str, geo: bool, province: str | None, district: str | None) -> pd.DataFrame:
    filters = []
    if province is not None:
        filters.append(("province_code", "==", province))
    if district is not None:
        filters.append(("district_code", "==", district))
    reader = gpd.read_parquet if geo else pd.read_parquet
    if filters:
        try:
            return reader(path, filters=filters, filesystem=fs)
        except Exception:  # a table without those columns (empty tables): filter after reading
            frame = reader(path, filesystem=fs)
            for col, _, value in filters:
                if col in frame.columns:
                    frame = frame[frame[col] == value]
            return frame
    return reader(path, filesystem=fs)


@dataclass
class AreaData:
    """Everything a report needs about one province, or one district of it."""

    data_dir: Path | str
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
    #: A new commune (data converted to the 2025 units): its report (:mod:`analysis.store.levels`).
    commune_code: str | None = None
    commune_name: str | None = None

    @property
    def level(self) -> str:
        if self.commune_code:
            return "commune"
        return "district" if self.district_code else "province"

    @property
    def name(self) -> str:
        if self.commune_code:
            return self.commune_name
        return self.district_name if self.district_code else self.province_name

    def years(self) -> list[int]:
        """Years with finance data in the area."""
        return sorted(int(y) for y in self.finance["year"].unique())


def load_area(
    province: str, district: str | None = None, data_dir: str | Path = PROCESSED_DIR, commune: str | None = None
) -> AreaData:
    """Load the prepared data of a province, or of one of its districts.

    Data converted to the 2025 units (manifest ``units: "2025"``) is read by
    :func:`analysis.store.levels.load_area_2025`: new provinces and communes, no districts.

    Parameters
    ----------
    province
        GSO code or name of the province.
    district
        GSO code or name of the district; ``None`` for the whole province.
    data_dir
        Prepared-data folder.
    commune
        GSO code or name of a new commune, in data converted to the 2025 units; ``None`` for
        the whole province.

    Raises
    ------
    ParameterError
        Unknown province or district, or one with no prepared data.
    PreparedDataError
        Prepared data missing or damaged.
    """
    data_dir = data_dir if "://" in str(data_dir) else Path(data_dir)
    manifest = load_manifest(data_dir)
    if manifest.get("units") == "2025":  # from ntp-atlas convert --to 2025: new provinces and communes
        from analysis.store.levels import load_area_2025

        return load_area_2025(province, district, commune, data_dir, manifest)
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
        # The province's table (or the country's), kept by read_table for the province's
        # next district, then the district's rows of it.
        frame = read_table(data_dir, name, manifest=manifest, province=province)
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
    """Districts of a province that have prepared data: ``district_code``, ``district_name``."""
    manifest = load_manifest(data_dir)
    pcode, _ = resolve_province(province)
    u = official_units()
    u = u[(u["province_code"] == pcode) & u["district_code"].isin(manifest.get("districts", []))]
    return u[["district_code", "district_name"]].drop_duplicates().sort_values("district_code").reset_index(drop=True)
