"""A national run: synthetic programme data for every commune of the 2019 reference map.

:func:`make_national` writes, from ``../shared/reference/boundaries/vn_communes_2019.parquet``,
the inputs ``prepare`` takes, in the canonical format of ``data/sample/`` and at its density
(about 70 finance rows per commune, so some 750,000 rows for the country):

==================  ==========================================================================
``finance.csv``     2022 and 2023, cumulative snapshots each quarter (2022's year end on
                    31/01/2023), DA1…DA10 by commune plus district-level DA5/DA10 rows, both
                    capital types, current and (2023) carried-over funds; million VND written
                    ``1205.000`` as in the sample
``poverty.csv``     households by poverty status per commune, 2021–2023
``communes.csv``    khu vực I/II/III and thôn ĐBKK per commune, 2021 and 2023
``units.csv``       the 2019 unit list read from the parquet (the data's codes are 2019 codes,
                    which the official list of :func:`analysis.catalog.units.official_units` partly
                    lacks): pass it to ``prepare(units=...)``
==================  ==========================================================================

The boundaries are the parquet itself (code column ``commune_code``, district column
``district_code``); with ``provinces=`` a subset of it is written as ``boundaries.parquet``.
The parquet has 28 polygons without a GSO code: they get no data (and show in the match report
as boundaries without data).

Every amount is drawn with ``numpy.random.default_rng`` from a fixed seed, so the files are
the same on every run; the generator is vectorised over lines (a few seconds for the country).
Run ``python benchmarks/national.py --help`` for the prepare benchmark run on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
COMMUNES_PARQUET = ROOT.parent / "shared" / "reference" / "boundaries" / "vn_communes_2019.parquet"
DATA_DIR = ROOT / "data" / "interim" / "national"
SEED = 2019

INV, REC = "investment", "recurrent"
SNAPSHOTS = {
    2022: ("2022-06-30", "2022-09-30", "2023-01-31"),
    2023: ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"),
}
# (project, capital types, share of communes that have it, plan weight per capital type),
# as in analysis.store.sample; copied so that the benchmark data do not move when the sample does.
COMMUNE_PROJECTS = (
    ("DA1", (INV, REC), 0.7, (1.2, 1.0)),
    ("DA2", (INV,), 0.25, (1.5,)),
    ("DA3", (REC,), 0.8, (1.2,)),
    ("DA4", (INV, REC), 1.0, (3.0, 0.6)),
    ("DA5", (REC,), 0.45, (0.5,)),
    ("DA6", (INV, REC), 0.35, (0.8, 0.4)),
    ("DA7", (REC,), 0.5, (0.4,)),
    ("DA8", (REC,), 0.5, (0.3,)),
    ("DA9", (INV, REC), 0.06, (1.0, 0.6)),
)
DISTRICT_PROJECTS = (("DA5", INV, 4.0), ("DA5", REC, 3.0), ("DA10", REC, 1.5))
PROJECT_ORDER = ("DA1", "DA2", "DA3", "DA3.1", "DA3.2", "DA4", "DA5", "DA6", "DA7", "DA8", "DA9", "DA10")
UNIT_COLUMNS = ["province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name"]


def make_national(
    out_dir: str | Path = DATA_DIR,
    communes_parquet: str | Path = COMMUNES_PARQUET,
    *,
    provinces: Sequence[str] | None = None,
) -> dict:
    """Write synthetic national inputs for ``prepare`` from the 2019 commune map.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing).
    communes_parquet
        The reference GeoParquet of communes (``vn_communes_2019.parquet``).
    provinces
        GSO codes of the provinces to keep; all by default. With a subset, the boundaries
        of those provinces are written as ``boundaries.parquet``.

    Returns
    -------
    dict
        ``finance``, ``poverty``, ``communes``, ``units``, ``boundaries`` (paths), the keyword
        arguments for :func:`analysis.store.prepare.prepare` in ``prepare_kwargs``, and counts:
        ``n_communes``, ``n_districts``, ``dropped_without_code``, ``rows`` per table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gdf = gpd.read_parquet(communes_parquet)
    boundaries = Path(communes_parquet)
    if provinces is not None:
        gdf = gdf[gdf["province_code"].isin(list(provinces))].reset_index(drop=True)
        boundaries = out_dir / "boundaries.parquet"
        gdf.to_parquet(boundaries, index=False)
    no_code = gdf["commune_code"].isna()
    units = _units(gdf[~no_code])

    region = _regions(units)
    tables = {
        "finance": _finance(units),
        "poverty": _poverty(units, region),
        "communes": _classification(units, region),
        "units": units[UNIT_COLUMNS],
    }
    paths = {name: out_dir / f"{name}.csv" for name in tables}
    for name, frame in tables.items():
        _write_csv(frame, paths[name])
    return {
        **paths,
        "boundaries": boundaries,
        "prepare_kwargs": {
            "finance": paths["finance"],
            "poverty": paths["poverty"],
            "communes": paths["communes"],
            "boundaries": boundaries,
            "code_column": "commune_code",
            "district_column": "district_code",
            "units": paths["units"],
        },
        "n_communes": len(units),
        "n_districts": int(units["district_code"].nunique()),
        "dropped_without_code": int(no_code.sum()),
        "rows": {name: len(frame) for name, frame in tables.items()},
    }


# --- helpers ----------------------------------------------------------------------------


def _rng(label: str) -> np.random.Generator:
    # one stream per table, so that changing one leaves the others alone
    return np.random.default_rng([SEED, zlib.crc32(label.encode())])


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table of plain values (no comma, quote or line break in any cell) as CSV.

    About 1 s for the 750,000 finance rows, where ``DataFrame.to_csv`` takes some 7 s.
    """
    text = {c: frame[c].astype(str) for c in frame.columns}
    if any(t.str.contains(r'[,"\r\n]').any() for t in text.values()):
        raise ValueError(f"{path.name}: a cell would need quoting")
    cells = [t.astype(object).to_numpy() for t in text.values()]
    lines = [",".join(row) for row in zip(*cells, strict=True)]
    path.write_text("\n".join([",".join(frame.columns), *lines, ""]), encoding="utf-8")


def _units(gdf: pd.DataFrame) -> pd.DataFrame:
    units = pd.DataFrame({c: gdf[c].astype(str).to_numpy() for c in UNIT_COLUMNS})
    # the official list writes province names without "Tỉnh" / "Thành phố"
    units["province_name"] = units["province_name"].str.replace(r"^(Tỉnh|Thành phố)\s+", "", regex=True)
    urban = gdf["commune_type"].isin(["phường", "thị trấn"]).to_numpy()
    units["_urban"] = urban
    return units.sort_values("commune_code").reset_index(drop=True)


def _regions(units: pd.DataFrame) -> np.ndarray:
    """Khu vực of each commune in 2021: mostly III in the countryside, I in towns."""
    u = _rng("region").random(len(units))
    rural = np.where(u < 0.45, "III", np.where(u < 0.8, "II", "I"))
    return np.where(units["_urban"].to_numpy(), np.where(u < 0.5, "I", "II"), rural)


def _classification(units: pd.DataFrame, region: np.ndarray) -> pd.DataFrame:
    rng, n = _rng("classification"), len(units)
    later = np.where((region == "III") & (rng.random(n) < 0.12), "II", region)  # some leave khu vực III
    villages = np.where(region == "III", rng.integers(2, 12, n), np.where(region == "II", rng.integers(0, 4, n), 0))
    frames = [
        pd.DataFrame({"year": year, "commune_code": units["commune_code"], "region": r, "dbkk_villages": villages})
        for year, r in ((2021, region), (2023, later))
    ]
    return pd.concat(frames, ignore_index=True)


def _poverty(units: pd.DataFrame, region: np.ndarray) -> pd.DataFrame:
    """Households by status; every count fits inside the one it is part of."""
    rng, n = _rng("poverty"), len(units)
    urban = units["_urban"].to_numpy()
    hh = np.where(urban, rng.integers(1500, 6001, n), rng.integers(500, 3001, n))
    em_share = np.where(urban, rng.uniform(0.0, 0.4, n), rng.uniform(0.1, 0.99, n))
    rate = np.select([region == "III", region == "II"], [0.3, 0.12], 0.03) * rng.uniform(0.6, 1.4, n)
    frames = []
    for year in (2021, 2022, 2023):
        if year > 2021:
            rate = rate * rng.uniform(0.7, 1.05, n)
            hh = np.round(hh * rng.uniform(1.0, 1.02, n)).astype(np.int64)
        poor = np.round(hh * rate).astype(np.int64)
        near = np.round(hh * rate * rng.uniform(0.4, 0.9, n)).astype(np.int64)
        em = np.round(hh * em_share).astype(np.int64)
        em_poor = np.minimum(np.round(em * rate * 1.3).astype(np.int64), np.minimum(poor, em))
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "commune_code": units["commune_code"],
                    "households": hh,
                    "poor_households": poor,
                    "near_poor_households": np.minimum(near, hh - poor),
                    "em_households": em,
                    "em_poor_households": em_poor,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _catalogue(units: pd.DataFrame) -> pd.DataFrame:
    """The lines of the programme: (district, commune, project, capital type, weight)."""
    rng, n = _rng("catalogue"), len(units)
    has = rng.random((n, len(COMMUNE_PROJECTS))) < np.array([p[2] for p in COMMUNE_PROJECTS])
    split = rng.random(n) < 0.12  # these communes report DA3 as DA3.1 and DA3.2
    parts = []
    for k, (project, caps, _, weights) in enumerate(COMMUNE_PROJECTS):
        idx = np.flatnonzero(has[:, k])
        names = [(project, idx)]
        if project == "DA3":
            names = [("DA3", idx[~split[idx]]), ("DA3.1", idx[split[idx]]), ("DA3.2", idx[split[idx]])]
        for name, rows in names:
            for cap, w in zip(caps, weights, strict=True):
                share = 0.5 if name in ("DA3.1", "DA3.2") else 1.0
                parts.append(pd.DataFrame({"unit": rows, "project": name, "capital_type": cap, "weight": w * share}))
    lines = pd.concat(parts, ignore_index=True)
    lines["district_code"] = units["district_code"].to_numpy()[lines["unit"]]
    lines["commune_code"] = units["commune_code"].to_numpy()[lines["unit"]]
    districts = np.unique(units["district_code"])
    for project, cap, w in DISTRICT_PROJECTS:  # district-level lines have no commune
        extra = pd.DataFrame({"district_code": districts, "commune_code": "", "unit": -1})
        lines = pd.concat([lines, extra.assign(project=project, capital_type=cap, weight=w)], ignore_index=True)
    return lines.drop(columns="unit")


def _disbursed(plan: np.ndarray, ratio: np.ndarray, expo: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cumulative disbursement, lines x snapshots: ``plan * ratio * t ** expo``, never decreasing."""
    return np.floor(np.floor(plan * ratio)[:, None] * t[None, :] ** expo[:, None]).astype(np.int64)


def _year_fraction(year: int, dates: Sequence[str]) -> np.ndarray:
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    return np.minimum(np.array([(pd.Timestamp(d) - start).days for d in dates]) / (end - start).days, 1.0)


def _finance(units: pd.DataFrame) -> pd.DataFrame:
    rng = _rng("finance")
    lines = _catalogue(units)
    n_communes = units.groupby("district_code").size()
    frames = []
    carried = None
    for year in (2022, 2023):
        # a district's plan: 2.5-5.5 billion VND per commune, split over its lines by weight
        per_district = n_communes * rng.uniform(2.5e6, 5.5e6, len(n_communes)) * (1.15 if year == 2023 else 1.0)
        weight = lines["weight"].to_numpy() * rng.lognormal(0.0, 0.6, len(lines))
        share = weight / pd.Series(weight).groupby(lines["district_code"].to_numpy()).transform("sum").to_numpy()
        plan = 1000 * np.floor(share * lines["district_code"].map(per_district).to_numpy() / 1000).astype(np.int64)
        year_lines = lines.assign(fund="current", plan=plan)
        if carried is not None:
            year_lines = pd.concat([year_lines, carried], ignore_index=True)
        n = len(year_lines)
        ratio = np.clip(rng.uniform(0.6, 1.0, n) * rng.uniform(0.85, 1.15, n), 0, 1)
        ratio[rng.random(n) < 0.3] = 1.0  # fully disbursed: nothing carried over
        ratio[rng.random(n) < 0.02] = 0.0  # nothing disbursed all year (a rule warning)
        t = _year_fraction(year, SNAPSHOTS[year])
        disb = _disbursed(year_lines["plan"].to_numpy(), ratio, rng.uniform(1.2, 2.6, n), t)
        if year == 2022:  # what is left at the year end is carried over into 2023
            left = year_lines["plan"].to_numpy() - disb[:, -1]
            carried = year_lines[left > 0].assign(fund="carried_over", plan=left[left > 0])
        snaps = len(SNAPSHOTS[year])
        frame = year_lines.loc[year_lines.index.repeat(snaps)].reset_index(drop=True)
        frame["year"] = year
        frame["as_of"] = np.tile(SNAPSHOTS[year], n)
        frame["disbursed"] = disb.reshape(-1)
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    province = units.drop_duplicates("district_code").set_index("district_code")["province_code"]
    df["province_code"] = df["district_code"].map(province)
    # the sample's order: projects DA1…DA10, current before carried over
    df["project"] = pd.Categorical(df["project"], categories=PROJECT_ORDER, ordered=True)
    df["fund"] = pd.Categorical(df["fund"], categories=["current", "carried_over"], ordered=True)
    df = df.sort_values(["year", "as_of", "district_code", "commune_code", "project", "capital_type", "fund"])
    df["plan_mvnd"], df["disbursed_mvnd"] = _mvnd(df["plan"]), _mvnd(df["disbursed"])
    columns = ["year", "as_of", "province_code", "district_code", "commune_code", "project", "capital_type", "fund"]
    return df[[*columns, "plan_mvnd", "disbursed_mvnd"]].reset_index(drop=True)


def _mvnd(thousands: pd.Series) -> pd.Series:
    """Thousand VND as million VND with three decimals: 1205000 -> ``1205.000``."""
    whole, rest = np.divmod(thousands.to_numpy(dtype=np.int64), 1000)
    return (
        pd.Series(whole, index=thousands.index).astype(str) + "." + pd.Series(rest).astype(str).str.zfill(3).to_numpy()
    )


# --- the benchmark ----------------------------------------------------------------------


def _peak_rss_mb() -> float:
    """Peak resident memory of this process, MB.

    Linux's VmHWM, where there is one: ``ru_maxrss`` of a child started by a big parent keeps
    the parent's peak (the kernel carries it over the ``exec``), which is not prepare's.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _prepare_in_this_process(data: dict, out: Path) -> dict:
    """Run prepare once and measure it: wall time per step, peak RSS of this process."""
    from analysis.store.prepare import prepare

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    result = prepare(**data, out=out, step=lambda msg: marks.append((msg, time.perf_counter())))
    end = time.perf_counter()
    bounds = [*marks, ("end", end)]
    steps = {name: round(bounds[i + 1][1] - t0, 2) for i, (name, t0) in enumerate(marks)}
    return {
        "seconds": round(end - start, 2),
        "steps": steps,
        "peak_rss_mb": _peak_rss_mb(),
        "rows_read": {name: t.n_read for name, t in result.tables.items()},
        "rows_accepted": {name: t.n_accepted for name, t in result.tables.items()},
        "reconciles": all(t.reconciles() for t in result.tables.values()),
        "match": result.manifest["match"],
        "warnings": len(result.warnings),
    }


def measure_prepare(data: dict, out: Path) -> dict:
    """Run prepare in a fresh child process, so that its peak memory is its own."""
    args = {k: str(v) for k, v in data.items()}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(args), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"prepare failed in the child process:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(repeat: int = 2, data_dir: Path = DATA_DIR, out: Path | None = None) -> dict:
    """Generate the national data and time ``prepare`` on it ``repeat`` times."""
    out = out or data_dir.parent / "national_prepared"
    t0 = time.perf_counter()
    made = make_national(data_dir)
    generate = time.perf_counter() - t0
    print(
        f"national data: {made['n_communes']:,} communes in {made['n_districts']} districts "
        f"({made['dropped_without_code']} polygons without a commune code dropped), "
        + ", ".join(f"{k} {v:,} rows" for k, v in made["rows"].items())
        + f"; generated in {generate:.1f} s into {data_dir}"
    )
    runs = []
    for i in range(repeat):
        r = measure_prepare(made["prepare_kwargs"], out)
        runs.append(r)
        print(f"  prepare run {i + 1}: {r['seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB; steps {r['steps']}")
    best = min(runs, key=lambda r: r["seconds"])
    goal = {"seconds": 60, "peak_rss_mb": 2048}
    ok = all(r["seconds"] < goal["seconds"] and r["peak_rss_mb"] < goal["peak_rss_mb"] for r in runs)
    print(
        f"prepare, national: best {best['seconds']:.1f} s, peak RSS up to "
        f"{max(r['peak_rss_mb'] for r in runs):.0f} MB; goal under 60 s and 2 GB: {'met' if ok else 'NOT met'}"
    )
    return {
        "communes": made["n_communes"],
        "districts": made["n_districts"],
        "dropped_without_code": made["dropped_without_code"],
        "rows": made["rows"],
        "generate_seconds": round(generate, 2),
        "prepared_dir": str(out),
        "runs": runs,
        "goal": goal,
        "goal_met": ok,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("ARGS_JSON", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=2, help="prepare runs (default 2)")
    args = parser.parse_args(argv)
    if args.child:
        data, out = json.loads(args.child[0]), Path(args.child[1])
        print(json.dumps(_prepare_in_this_process(data, out)))
        return
    print(json.dumps(run(args.repeat), indent=2, default=str))


if __name__ == "__main__":
    main()
