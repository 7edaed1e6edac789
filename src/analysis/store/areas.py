"""Loading one area's prepared data: the loader of the data's unit system.

The manifest says which unit system the data is keyed to
(:func:`analysis.catalog.unit_systems.unit_system_of`); :data:`AREA_LOADERS` maps each
system's key to the function that loads an area of it. A new unit system is a new
:class:`~analysis.catalog.unit_systems.UnitSystem` and a new loader here, not new branches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.catalog.unit_systems import CONVERTED_2025, NATIVE_2025, OLD_UNITS, unit_system_of
from analysis.config import PROCESSED_DIR
from analysis.store.area_data import AreaData
from analysis.store.new_unit_areas import load_area_2025
from analysis.store.old_unit_areas import load_area_old_units
from analysis.store.prepared import load_manifest

__all__ = ["AREA_LOADERS", "AreaLoader", "load_area"]

#: ``(province, district, commune, data_dir, manifest) -> AreaData``: loads one area of data
#: keyed to one unit system, raising :class:`~analysis.errors.ParameterError` for a unit the
#: system or the data does not have.
AreaLoader = Callable[[str, str | None, str | None, "str | Path", dict], AreaData]

#: The loader of each unit system, by the system's manifest key.
AREA_LOADERS: dict[str, AreaLoader] = {
    OLD_UNITS.key: load_area_old_units,  # provinces and districts
    CONVERTED_2025.key: load_area_2025,  # from ntp-atlas convert --to 2025: new provinces and communes
    NATIVE_2025.key: load_area_2025,  # keyed to the new units from the start: the same folder shape
}


def load_area(
    province: str, district: str | None = None, data_dir: str | Path = PROCESSED_DIR, commune: str | None = None
) -> AreaData:
    """Load the prepared data of a province, or of one of its districts or new communes.

    Data keyed to the old units is read by
    :func:`analysis.store.old_unit_areas.load_area_old_units` (provinces and districts), data
    converted to the 2025 units by :func:`analysis.store.new_unit_areas.load_area_2025` (new
    provinces and communes, no districts).

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
        Prepared data missing or damaged, or keyed to a unit system this version does not know.
    """
    data_dir = data_dir if "://" in str(data_dir) else Path(data_dir)
    manifest = load_manifest(data_dir)
    loader = AREA_LOADERS[unit_system_of(manifest).key]
    return loader(province, district, commune, data_dir, manifest)
