"""The prepared data of one area (a province, one of its districts, or a new commune), as a
report reads it: :class:`AreaData`, made by the loader of the data's unit system
(:mod:`analysis.store.areas`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.catalog.unit_systems import UnitSystem, unit_system_of

__all__ = ["AreaData"]


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
    #: A new commune (data converted to the 2025 units): its report (:mod:`analysis.store.new_unit_areas`).
    commune_code: str | None = None
    commune_name: str | None = None

    @property
    def units(self) -> UnitSystem:
        """The unit system the data is keyed to (:func:`analysis.catalog.unit_systems.unit_system_of`)."""
        return unit_system_of(self.manifest)

    @property
    def level(self) -> str:
        """``"commune"``, ``"district"`` or ``"province"``: the level of the area."""
        if self.commune_code:
            return "commune"
        return "district" if self.district_code else "province"

    @property
    def name(self) -> str:
        """The area's name."""
        if self.commune_code:
            return self.commune_name
        return self.district_name if self.district_code else self.province_name

    def years(self) -> list[int]:
        """Years with finance data in the area."""
        return sorted(int(y) for y in self.finance["year"].unique())
