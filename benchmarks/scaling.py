"""How cost grows with the number of communes: map render time and report compute time.

Two measures, each on three areas of the national prepared data (:mod:`benchmarks.national`):

* **map**: one choropleth of the disbursement rate by commune (:func:`analysis.maps.choropleth.choropleth`)
  saved as PNG at 150 dpi (:func:`analysis.maps.choropleth.save_map`), for a district (Chi Lăng, 187,
  about 20 communes), a province (Lạng Sơn, 20, about 200) and the country (about 11,000);
* **report**: the district report's functions (:mod:`analysis.report`, the calls of
  ``notebooks/district_report.ipynb`` in order, without a kernel), from :func:`report.context`
  (reading the area's prepared data) to every figure encoded as the PNG the notebook embeds:
  the district report of Chi Lăng and the province overview of Lạng Sơn. There is no report
  of the whole country, so the country has a map figure only.

Each figure is the best of ``repeat`` runs (the machine is shared; the best run is the one
least disturbed); every run is kept in the JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PREPARED = ROOT / "data" / "interim" / "national_prepared"
PROVINCE, DISTRICT = "20", "187"  # Lạng Sơn, Chi Lăng
#: The district report notebook's calls, in order (``section`` headings left out: plain text).
REPORT_SECTIONS = (
    "title",
    "headline_figures",
    "project_table",
    "chart_projects",
    "chart_progress",
    "map_disbursement",
    "map_poverty_change",
    "map_need_vs_money",
    "units_table",
    "flagged_units",
    "data_quality",
    "sources",
)


def _best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(round(time.perf_counter() - start, 3))
    return min(runs), runs


def commune_rates(prepared: Path) -> gpd.GeoDataFrame:
    """Every prepared commune with its disbursement rate at the latest snapshot of the last year."""
    from analysis.metrics.finance import disbursement, latest_snapshot

    communes = gpd.read_parquet(prepared / "communes.parquet")
    finance = pd.read_parquet(prepared / "finance.parquet")
    snap = latest_snapshot(finance, int(finance["year"].max()))
    rates = disbursement(snap[snap["commune_code"].notna()], "commune_code")
    out = communes.merge(rates, on="commune_code", how="left")
    out["no_plan"] = out["has_plan"].eq(False) & out["plan_mvnd"].notna()
    return out


def render_map(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """One choropleth, saved as PNG at 150 dpi, as an analyst would make it."""
    import matplotlib.pyplot as plt

    from analysis.maps import choropleth as maps
    from analysis.maps import textmetrics
    from analysis.maps.style import save_map

    textmetrics.install()  # as a report or a print-map export does
    ax = maps.choropleth(gdf, "rate", "disbursement_rate", no_plan_column="no_plan", lang="vi")
    save_map(ax, path, dpi=150)
    plt.close(ax.figure)


def compute_report(prepared: Path, province: str, district: str | None) -> dict[str, float]:
    """Seconds per step of one report: ``context``, each section, and the PNG encoding."""
    from analysis import report

    times: dict[str, float] = {}
    start = time.perf_counter()
    ctx = report.context(province, district, data_dir=prepared)
    times["context"] = time.perf_counter() - start
    pictures = []
    for name in REPORT_SECTIONS:
        start = time.perf_counter()
        out = getattr(report, name)(ctx)
        times[name] = time.perf_counter() - start
        if isinstance(out, report.Picture):
            pictures.append(out)
    start = time.perf_counter()
    for picture in pictures:  # what Jupyter does to display a figure
        picture._repr_png_()
    times["png"] = time.perf_counter() - start
    return {k: round(v, 3) for k, v in times.items()}


def run(repeat: int = 2, prepared: Path = PREPARED) -> dict:
    """Time the maps and the reports of a district, a province and the country."""
    if not (prepared / "manifest.json").exists():
        from analysis.store.prepare import prepare
        from benchmarks.national import make_national

        print(f"no national prepared data in {prepared}: generating and preparing it")
        made = make_national()
        prepare(**made["prepare_kwargs"], out=prepared)

    gdf = commune_rates(prepared)
    _warm_up(prepared, gdf[gdf["district_code"] == DISTRICT])
    areas = {
        f"district {DISTRICT}": gdf[gdf["district_code"] == DISTRICT],
        f"province {PROVINCE}": gdf[gdf["province_code"] == PROVINCE],
        "country": gdf,
    }
    results: dict[str, dict] = {"map": {}, "report": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, area in areas.items():
            best, runs = _best_of(repeat, lambda area=area: render_map(area, Path(tmp) / "map.png"))
            results["map"][name] = {"communes": len(area), "seconds": best, "runs": runs}
    for name, district in ((f"district {DISTRICT}", DISTRICT), (f"province {PROVINCE}", None)):
        steps = [compute_report(prepared, PROVINCE, district) for _ in range(repeat)]
        totals = [round(sum(s.values()), 3) for s in steps]
        best = steps[totals.index(min(totals))]
        results["report"][name] = {
            "communes": len(areas[name]),
            "seconds": min(totals),
            "runs": totals,
            "steps": best,
        }
    _print_table(results)
    return results


def _warm_up(prepared: Path, gdf: gpd.GeoDataFrame) -> None:
    """Pay once, untimed, what only the first call pays: imports, the unit list, font caches."""
    with tempfile.TemporaryDirectory() as tmp:
        render_map(gdf, Path(tmp) / "map.png")
    compute_report(prepared, PROVINCE, DISTRICT)


def _print_table(results: dict) -> None:
    print(f"{'':22}{'communes':>9}{'map (s)':>10}{'report (s)':>12}")
    for name, m in results["map"].items():
        rep = results["report"].get(name)
        report_s = f"{rep['seconds']:>12.2f}" if rep else f"{'–':>12}"
        print(f"{name:22}{m['communes']:>9,}{m['seconds']:>10.2f}{report_s}")
    for name, rep in results["report"].items():
        slow = sorted(rep["steps"].items(), key=lambda kv: -kv[1])[:3]
        print(f"  {name}, slowest report steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in slow))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measure (default 2)")
    parser.add_argument("--prepared", type=Path, default=PREPARED, help="national prepared data")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.repeat, args.prepared), indent=2))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    main()
