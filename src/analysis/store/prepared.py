"""Reading prepared data: the manifest, and one prepared table filtered to an area.

Tables are read with a filter on ``province_code``/``district_code`` pushed down to the
Parquet reader, and checked against the manifest's hashes first, so a report never reads a
file that changed (or was cut short) since ``prepare`` wrote it. This module only reads:
making the data (and making it again when damaged) is :mod:`analysis.store.prepare`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

import fsspec
import geopandas as gpd
import pandas as pd
from fsspec.implementations.local import LocalFileSystem

from analysis.common.storage import recover
from analysis.config import PROCESSED_DIR
from analysis.errors import PreparedDataError

__all__ = ["READ_CACHE_SIZE", "damaged_files", "load_manifest", "read_prepared"]



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



def read_prepared(
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


#: Tables kept in memory by :func:`read_prepared`, most recently used last. A report kernel
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

