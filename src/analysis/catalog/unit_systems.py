"""Unit systems: which administrative units data is keyed to, and how they nest.

Before the reform of 1/7/2025 Vietnam's units nest province → district → commune (→ village);
after it province → commune (→ village). Prepared data says which system it is keyed to in its
manifest (``"units"``); everything that depends on it (loading an area, the reports of a batch,
the notes a report adds, the print maps, the Word copy) asks the :class:`UnitSystem` of the
data, instead of testing a flag. Adding a unit system is a new instance here and its loader in
:mod:`analysis.store`, not new branches.

Today's systems:

* :data:`OLD_UNITS`: the units before 1/7/2025, as the 2021–2025 programme reported them;
* :data:`CONVERTED_2025`: the 34 provinces and 3,321 communes of 1/7/2025, reached by converting
  old-unit data through the crosswalk (``ntp-atlas convert --to 2025``): merged communes summed,
  split ones allocated and marked estimated;
* :data:`NATIVE_2025`: the same units, in data keyed to them from the start (``ntp-atlas
  prepare --units 2025``, or detected from the files' codes and dates): this year's figures,
  nothing estimated.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.errors import PreparedDataError

__all__ = ["CONVERTED_2025", "NATIVE_2025", "OLD_UNITS", "SYSTEMS", "UnitSystem", "unit_system_of"]


@dataclass(frozen=True)
class UnitSystem:
    """One system of administrative units, as data can be keyed to it.

    Attributes
    ----------
    key
        The value of the manifest's ``"units"`` entry for data keyed to this system
        (``""`` for the old units, which older manifests leave out).
    vintage
        The date the units are those of, as ISO text (``"2025-07-01"``), or ``""`` for the
        units before the reform.
    levels
        The levels of the system, from the largest unit down (``"province"``, ``"district"``,
        ``"commune"``, ``"village"``).
    report_levels
        The levels a report can be of, the province's overview last.
    batch_level
        The level of the reports a province's batch renders beside its overview.
    derived
        True when data reaches these units by conversion from another system (figures of
        split units are estimates, boundaries are dissolved from the old communes).
    names
        The system's name in each report language.
    """

    key: str
    vintage: str
    levels: tuple[str, ...]
    report_levels: tuple[str, ...]
    batch_level: str
    derived: bool
    names: dict[str, str]

    def has(self, level: str) -> bool:
        """True when the system has units of ``level`` (``"district"`` is only before the reform)."""
        return level in self.levels

    @property
    def after_reform(self) -> bool:
        """True for the units of 1/7/2025 (no districts), whether converted or native."""
        return bool(self.vintage)

    def name(self, lang: str) -> str:
        """The system's name in ``lang`` (``"vi"`` or ``"en"``)."""
        return self.names[lang]


OLD_UNITS = UnitSystem(
    key="",
    vintage="",
    levels=("province", "district", "commune", "village"),
    report_levels=("district", "province"),
    batch_level="district",
    derived=False,
    names={"vi": "đơn vị hành chính trước 1/7/2025", "en": "administrative units before 1 July 2025"},
)

CONVERTED_2025 = UnitSystem(
    key="2025",
    vintage="2025-07-01",
    levels=("province", "commune", "village"),
    report_levels=("commune", "province"),
    batch_level="commune",
    derived=True,
    names={"vi": "đơn vị hành chính từ 1/7/2025 (quy đổi)", "en": "administrative units from 1 July 2025 (converted)"},
)

NATIVE_2025 = UnitSystem(
    key="2025-native",
    vintage="2025-07-01",
    levels=("province", "commune", "village"),
    report_levels=("commune", "province"),
    batch_level="commune",
    derived=False,
    names={"vi": "đơn vị hành chính từ 1/7/2025", "en": "administrative units from 1 July 2025"},
)

#: Every system, by its manifest key.
SYSTEMS: dict[str, UnitSystem] = {system.key: system for system in (OLD_UNITS, CONVERTED_2025, NATIVE_2025)}


def unit_system_of(manifest: dict) -> UnitSystem:
    """The unit system prepared data is keyed to, from its manifest.

    Parameters
    ----------
    manifest
        The prepared data's manifest (``manifest.json``); a manifest without ``"units"`` is
        keyed to the old units.

    Raises
    ------
    PreparedDataError
        A ``"units"`` entry that names no known system, with the ones there are.
    """
    key = str(manifest.get("units") or "")
    try:
        return SYSTEMS[key]
    except KeyError:
        known = ", ".join(repr(k) for k in SYSTEMS)
        raise PreparedDataError(
            f"manifest.json: units {key!r} names no unit system ntp-atlas knows ({known}); "
            "prepare the data again with this version"
        ) from None
