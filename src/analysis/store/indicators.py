"""The prepared indicators table: its columns, its empty form, and reading it back.

:mod:`analysis.store.prepare` writes ``indicators.parquet`` (the rows
:mod:`analysis.inputs.indicators` resolved); :func:`load_indicators` reads it for an area.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.inputs.readers import ROW
from analysis.inputs.schema import INDICATORS
from analysis.store.prepared import load_manifest, read_table

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


def load_indicators(data_dir: str | Path, province: str, district: str | None = None) -> pd.DataFrame:
    """The prepared indicators of a province, or of one district (its villages and communes and itself).

    Prepared data from before indicators existed gives an empty table.
    """
    manifest = load_manifest(data_dir)
    if "indicators.parquet" not in manifest.get("outputs", {}):
        return empty_indicators()
    return read_table(data_dir, "indicators", province=province, district=district, manifest=manifest)
