"""The prepared indicators table read back for an area.

:mod:`analysis.store.prepare` writes ``indicators.parquet`` (the rows
:mod:`analysis.inputs.indicators` resolved, or :func:`analysis.inputs.indicators.empty_indicators`
when given none); :func:`load_indicators` reads it for an area.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.inputs.indicators import empty_indicators
from analysis.store.prepared import load_manifest, read_prepared


def load_indicators(data_dir: str | Path, province: str, district: str | None = None) -> pd.DataFrame:
    """The prepared indicators of a province, or of one district (its villages and communes and itself).

    Prepared data from before indicators existed gives an empty table.
    """
    manifest = load_manifest(data_dir)
    if "indicators.parquet" not in manifest.get("outputs", {}):
        return empty_indicators()
    return read_prepared(data_dir, "indicators", province=province, district=district, manifest=manifest)
