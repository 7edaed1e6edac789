"""Tests of analysis.catalog.unit_systems: which units data is keyed to, and how they nest.

The nesting is the law's: before 1/7/2025 province → district → commune → village (Luật Tổ
chức chính quyền địa phương 2015); from 1/7/2025 province → commune → village, no districts
(Nghị quyết 202/2025/QH15, Luật Tổ chức chính quyền địa phương 2025).
"""

import pytest

from analysis.catalog.unit_systems import CONVERTED_2025, OLD_UNITS, unit_system_of
from analysis.errors import PreparedDataError


def test_a_manifest_without_units_is_keyed_to_the_old_units():
    assert unit_system_of({}) is OLD_UNITS
    assert unit_system_of({"units": ""}) is OLD_UNITS
    assert unit_system_of({"units": None}) is OLD_UNITS


def test_converted_data_is_keyed_to_the_units_of_2025():
    assert unit_system_of({"units": "2025"}) is CONVERTED_2025
    assert CONVERTED_2025.derived and not OLD_UNITS.derived


def test_only_the_old_units_have_districts():
    assert OLD_UNITS.has("district") and not CONVERTED_2025.has("district")
    assert OLD_UNITS.levels == ("province", "district", "commune", "village")
    assert CONVERTED_2025.levels == ("province", "commune", "village")
    assert (OLD_UNITS.batch_level, CONVERTED_2025.batch_level) == ("district", "commune")


def test_an_unknown_system_is_refused_naming_the_known_ones():
    with pytest.raises(PreparedDataError, match=r"units '2030'.*'', '2025'"):
        unit_system_of({"units": "2030"})


def test_names_in_both_languages():
    assert "1/7/2025" in CONVERTED_2025.name("vi") and "1 July 2025" in CONVERTED_2025.name("en")
