"""The rule checks at the scale of the country: each check timed on the national data.

The synthetic national inputs of :mod:`benchmarks.national` (about 750,000 finance rows for
the 11,135 coded communes of 2019) are validated once, then each check of
:func:`analysis.metrics.rules.run_rules` runs on them ``--repeat`` times (the best run is reported,
the machine may be shared), and the geometry checks on the 11,163 polygons of
``vn_communes_2019.parquet``::

    .venv/bin/python benchmarks/rules.py                 # inputs in a temporary folder
    .venv/bin/python benchmarks/rules.py --repeat 3 --keep data/interim/national

Prints one line per check (seconds, warnings) and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks.national, run from the repository root or not


def _best(repeat: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    import geopandas as gpd

    from analysis.catalog.units import load_unit_list
    from analysis.inputs.schema import FINANCE, POVERTY
    from analysis.inputs.validate import validate_table
    from analysis.metrics.rules import finance, geometry, outliers, units
    from analysis.metrics.rules.settings import default_settings
    from benchmarks.national import COMMUNES_PARQUET, make_national

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="folder for the national inputs (default: temporary)")
    args = parser.parse_args(argv)
    s = default_settings()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="ntp-rules-") as tmp:
        made = make_national(args.keep or Path(tmp) / "national")
        unit_list = load_unit_list(made["units"])
        start = time.perf_counter()
        fin_table = validate_table(made["finance"], FINANCE, unit_list)
        fin = fin_table.accepted
        pov = validate_table(made["poverty"], POVERTY, unit_list).accepted
        print(f"validate finance ({len(fin):,} rows) and poverty: {time.perf_counter() - start:.1f} s "
              f"(subtotals found at the door: {len(fin_table.found.get('subtotals', []))})")
        polygons = gpd.read_parquet(COMMUNES_PARQUET)
        checks = {
            "district_rows_equal_to_communes": lambda: finance.district_rows_equal_to_communes(fin),
            "snapshot_falls": lambda: finance.snapshot_falls(fin, s.snapshot_tolerance_mvnd),
            "disbursed_above_plan": lambda: finance.disbursed_above_plan(fin),
            "plan_not_disbursed": lambda: finance.plan_not_disbursed(fin),
            "plan_outliers": lambda: outliers.plan_outliers(fin, s.outlier_threshold, s.outlier_min_group,
                                                            s.outlier_scale),
            "value_ranges": lambda: units.value_ranges({"poverty": pov}, s.ranges),
            "coverage": lambda: units.coverage(fin, pov),
            f"geometry ({len(polygons):,} polygons)": lambda: geometry.geometry_rules(
                polygons, same_polygon_iou=s.same_polygon_iou, overlap_share=s.overlap_share,
                covers_district_share=s.covers_district_share),
        }
        total = 0.0
        for name, fn in checks.items():
            seconds, warnings = _best(args.repeat, fn)
            total += seconds
            print(f"{name:40s} {seconds:7.2f} s  {len(warnings):6,d} warnings")
        print(f"{'all':40s} {total:7.2f} s")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
