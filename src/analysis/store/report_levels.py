"""Report levels: the ``level`` parameter of the report notebooks, and the area it loads.

``level`` is ``""`` for the data's own units (the districts of data keyed to the old units;
the new communes of data converted with ``ntp-atlas convert --to 2025``), ``"district"`` for
the old districts explicitly, or ``"commune"`` for a report per new commune, which only
converted data has. Whether the data has a level is a question to its unit system
(:class:`analysis.catalog.unit_systems.UnitSystem`).
"""

from __future__ import annotations

from pathlib import Path

from analysis.catalog.unit_systems import CONVERTED_2025, unit_system_of
from analysis.errors import ParameterError
from analysis.store.area_data import AreaData
from analysis.store.areas import load_area
from analysis.store.prepared import load_manifest

__all__ = ["LEVELS", "check_level", "load_for_level"]

#: Values of the notebooks' ``level`` parameter: the data's own units, explicitly the old
#: districts, or the new communes.
LEVELS = ("", "district", "commune")


def check_level(level: str | None) -> str:
    """The ``level`` parameter, checked: ``""``, ``"district"`` or ``"commune"``.

    Raises
    ------
    ParameterError
        Any other value, with the ones there are.
    """
    text = (level or "").strip().lower()
    if text not in LEVELS:
        raise ParameterError(
            f"level must be '' (the data's own units), 'district' or 'commune' (a report per new commune, on data "
            f"converted with 'ntp-atlas convert --to {CONVERTED_2025.key}'), not {level!r}"
        )
    return text


def load_for_level(
    province: str, district: str | None, commune: str | None, level: str | None, data_dir: str | Path
) -> AreaData:
    """Load the area a report's parameters ask for, at the level they ask for.

    ``level="commune"`` needs data converted to the 2025 units and ignores ``district`` (the
    parameters cell of a district report has a default district); a ``commune`` alone implies
    it. ``level="district"`` needs data keyed to the old units.

    Raises
    ------
    ParameterError
        A level that the data does not have, an unknown or absent unit.
    """
    level = check_level(level)
    commune = None if commune in (None, "") else str(commune)
    district = None if district in (None, "") or level == "commune" else str(district)
    units = unit_system_of(load_manifest(data_dir))
    new = CONVERTED_2025.key  # the units a report per new commune needs
    if level == "commune" and level not in units.report_levels:
        raise ParameterError(
            f"level 'commune' (a report per new commune) needs data converted to the {new} units; {data_dir} "
            f"is keyed to the old units. Run 'ntp-atlas convert --to {new}' and give its folder as data_dir, "
            f"or render with 'ntp-atlas batch --units {new}'"
        )
    if level == "district" and not units.has("district"):
        raise ParameterError(
            f"{data_dir} is keyed to the units of 1/7/2025, which have no districts: use level 'commune' (a report "
            "per new commune) or '' (the province by new commune)"
        )
    return load_area(str(province), district, data_dir, commune=commune)
