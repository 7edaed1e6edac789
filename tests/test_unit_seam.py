"""The unit system as a seam: every place whose behaviour depends on the units data is keyed
to looks the system up in one table keyed like ``catalog.unit_systems.SYSTEMS``, and nothing
else in the package reads the manifest's ``units`` entry or tests its value.

So adding a unit system is a new ``UnitSystem`` and one entry in each table below; a table
that lacks the new system fails here, before any report does.
"""

import ast
from pathlib import Path

import pytest

from analysis.catalog.unit_systems import CONVERTED_2025, OLD_UNITS, SYSTEMS
from analysis.report.sections.summary import SUMMARY_WRITERS
from analysis.report.unit_views import VIEWS, ConvertedView, UnitView
from analysis.run.batch_plan import PLANNERS, BatchPlan
from analysis.store.areas import AREA_LOADERS

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"


@pytest.mark.parametrize("table", [AREA_LOADERS, VIEWS, PLANNERS, SUMMARY_WRITERS],
                         ids=["area loaders", "report views", "batch planners", "summary writers"])
def test_every_unit_system_has_its_entry_in_each_table(table):
    assert set(table) == set(SYSTEMS)


def test_the_views_of_the_two_systems():
    assert type(VIEWS[OLD_UNITS.key]) is UnitView and isinstance(VIEWS[CONVERTED_2025.key], ConvertedView)
    assert not VIEWS[OLD_UNITS.key].draws_maps_alone and VIEWS[CONVERTED_2025.key].draws_maps_alone


def test_a_batch_plan_speaks_of_its_units_by_the_system():
    # Hand-checked: the old units' reports are per district in <province>/, the 2025 units'
    # per new commune in <province>-2025/, with level="commune" and the district emptied.
    old = BatchPlan("20", "Lạng Sơn", 2023, [("187", "Huyện Chi Lăng")])
    new = BatchPlan("20", "Lạng Sơn", 2025, [("06001", "Xã A")], system=CONVERTED_2025)
    assert (old.folder_suffix, old.unit_kind, old.unit_parameters("187")) == ("", "district", {"district": "187"})
    assert (new.folder_suffix, new.unit_kind) == ("-2025", "new commune")
    assert new.unit_parameters("06001") == {"level": "commune", "district": "", "commune": "06001"}
    assert (old.overview_parameters(), new.overview_parameters()) == ({}, {"level": "commune"})


def _reads_units_entry(source: str) -> list[int]:
    """Lines that read the manifest's "units" entry (``m.get("units")``, ``m["units"]``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "units":
            found.append(node.lineno)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == "units" \
                and isinstance(node.ctx, ast.Load):
            found.append(node.lineno)
    return found


def test_the_checker_finds_a_read_of_the_units_entry():
    assert _reads_units_entry('if manifest.get("units") == "2025":\n    pass\n') == [1]
    assert _reads_units_entry('x = m["units"]\n') == [1]
    assert _reads_units_entry('m["units"] = "2025"\n') == []  # writing it is prepare's and convert's job


def test_only_the_unit_systems_module_reads_the_units_entry():
    """Everything else asks ``unit_system_of(manifest)`` (or ``area.units``)."""
    readers = {
        path.relative_to(PACKAGE).as_posix(): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _reads_units_entry(path.read_text(encoding="utf-8")))
    }
    assert set(readers) == {"catalog/unit_systems.py"}, readers
