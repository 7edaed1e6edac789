"""This year's data for the whole country: the 3,321 communes of 1/7/2025, prepared and rendered.

Synthetic 2026 tables keyed to the new communes (``province_code``, ``commune_code``, no
district) for every commune of the 2025 list (34 provinces), written deterministically into
``data/interim/national_2026/`` (git-ignored):

=================  ==========================================================================
``finance.csv``    the programme of 2026–2030 (no programme column: the year's), components
                   HP1 and HP2, both capital types, current and carried-over funds, at four
                   quarterly snapshots: 32 rows a commune, about 106,000
``poverty.csv``    households, poor, near-poor, EM households and EM poor, 2025 and 2026
``communes.csv``   the 2026–2030 classification: region, villages, thôn ĐBKK
=================  ==========================================================================

The boundaries are the reference map of the communes before the reform
(``../shared/reference/boundaries/vn_communes_2019.parquet``), which prepare dissolves into the
new communes through the crosswalk: the cost a user with an old boundary file pays. Then, as
for the old units (``benchmarks/country.py``): ``ntp-atlas prepare`` timed in a child process
with its peak memory, ``ntp-atlas batch --province all --year 2026 --force``, and the unchanged
re-run. ``--provinces N`` renders the first N provinces only (a quick look; the figures say so).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import country, national  # noqa: E402

DATA_DIR = ROOT / "data" / "interim" / "national_2026"
PREPARED = ROOT / "data" / "interim" / "national_2026_prepared"
OUT = ROOT / "data" / "interim" / "national_2026_reports"
SNAPSHOTS = ("2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31")
SEED = 2026


def _rng(label: str) -> np.random.Generator:
    return np.random.default_rng([SEED, sum(map(ord, label))])


def make_national_2026(out: Path = DATA_DIR) -> dict:
    """Write the three tables for every commune of 1/7/2025; the prepare arguments and row counts."""
    from analysis.catalog.units_2025 import new_units

    out.mkdir(parents=True, exist_ok=True)
    units = new_units().sort_values("commune_code").reset_index(drop=True)
    n = len(units)
    rng = _rng("classification")
    region = rng.choice(np.array(["I", "II", "III"]), n, p=[0.3, 0.25, 0.45])
    villages = rng.integers(4, 40, n)
    dbkk = np.where(region == "III", np.minimum(rng.integers(0, 12, n), villages), 0)
    classification = pd.DataFrame({"year": 2026, "commune_code": units["commune_code"], "region": region,
                                   "villages": villages, "dbkk_villages": dbkk})  # fmt: skip
    rng = _rng("poverty")
    households = rng.integers(1_500, 9_000, n)
    rate = np.select([region == "III", region == "II"], [0.16, 0.07], 0.02) * rng.uniform(0.6, 1.4, n)
    em = np.round(households * rng.uniform(0.3, 0.98, n)).astype(int)
    frames = []
    for year, fall in ((2025, 0.0), (2026, 0.2)):
        poor = np.round(households * rate * (1 - fall)).astype(int)
        frames.append(pd.DataFrame({
            "year": year, "commune_code": units["commune_code"], "households": households, "poor_households": poor,
            "near_poor_households": np.round(poor * 0.8).astype(int), "em_households": em,
            "em_poor_households": np.minimum(np.round(poor * 0.9).astype(int), em),
        }))  # fmt: skip
    poverty = pd.concat(frames, ignore_index=True)
    rng = _rng("finance")
    parts = []
    for component in ("HP1", "HP2"):
        for capital in ("investment", "recurrent"):
            for fund in ("current", "carried_over"):
                plan = np.round(rng.uniform(1e5, 2e6, n), -3).astype(np.int64)  # thousand VND
                for k, as_of in enumerate(SNAPSHOTS):
                    done = np.round(plan * min(1.0, 0.2 * (k + 1)) * rng.uniform(0.7, 1.0, n), -1).astype(np.int64)
                    parts.append(pd.DataFrame({
                        "year": 2026, "as_of": as_of, "province_code": units["province_code"],
                        "commune_code": units["commune_code"], "project": component, "capital_type": capital,
                        "fund": fund, "plan_thousand": plan, "disbursed_thousand": done,
                    }))  # fmt: skip
    finance = pd.concat(parts, ignore_index=True)
    # cumulative: a snapshot never below the one before it
    key = ["commune_code", "project", "capital_type", "fund"]
    finance["disbursed_thousand"] = finance.groupby(key)["disbursed_thousand"].cummax()
    for col in ("plan", "disbursed"):
        thousands = finance.pop(f"{col}_thousand")
        finance[f"{col}_mvnd"] = (thousands // 1000).astype(str) + "." + (thousands % 1000).astype(str).str.zfill(3)
    paths = {name: out / f"{name}.csv" for name in ("finance", "poverty", "communes")}
    for name, frame in (("finance", finance), ("poverty", poverty), ("communes", classification)):
        frame.to_csv(paths[name], index=False, encoding="utf-8", lineterminator="\n")
    return {
        "communes": n,
        "provinces": int(units["province_code"].nunique()),
        "rows": {"finance": len(finance), "poverty": len(poverty), "communes": len(classification)},
        "prepare_kwargs": {
            "finance": paths["finance"], "poverty": paths["poverty"], "communes": paths["communes"],
            "indicators": None, "boundaries": national.COMMUNES_PARQUET, "code_column": "commune_code",
            "units": "2025",
        },
    }


def run(jobs: int = 2, provinces: int | None = None, repeat: int = 1) -> dict:
    """Generate, prepare (timed, peak memory), render the country and re-run unchanged."""
    if not national.COMMUNES_PARQUET.is_file():
        raise SystemExit(f"the reference map is not at {national.COMMUNES_PARQUET} (see ../shared/reference/README.md)")
    t0 = time.perf_counter()
    made = make_national_2026()
    print(f"national 2026 data: {made['communes']:,} communes of 1/7/2025 in {made['provinces']} provinces, "
          + ", ".join(f"{k} {v:,} rows" for k, v in made["rows"].items())
          + f"; generated in {time.perf_counter() - t0:.1f} s into {DATA_DIR}")
    runs = []
    for i in range(repeat):
        r = national.measure_prepare({k: v for k, v in made["prepare_kwargs"].items() if v is not None}, PREPARED)
        runs.append(r)
        print(f"  prepare run {i + 1}: {r['seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB; steps {r['steps']}")
    argv = [str(country.NTP_ATLAS), "batch", "--province", "all", "--year", "2026", "--jobs", str(jobs),
            "--data", str(PREPARED), "--out", str(OUT)]
    out = OUT
    if provinces:
        from analysis.run.country import provinces_with_data

        codes = provinces_with_data(PREPARED)["province_code"].tolist()[:provinces]
        out = OUT.with_name(OUT.name + f"-{provinces}")
        argv[argv.index("--out") + 1] = str(out)
        argv[argv.index("--province") + 1] = ",".join(codes) + ","  # a list, even of one: the country run
    full = country._timed([*argv, "--force"])
    each = full["seconds"] / max(full["rendered"], 1)
    print(f"  full batch: {full['rendered']} reports ({full['failed']} failed) in {full['provinces']} provinces, "
          f"{full['seconds']:.0f} s = {full['seconds'] / 60:.1f} min, {each:.2f} s a report; peak RSS "
          f"{full['peak_rss_mb']} MB" + (f" (first {provinces} provinces)" if provinces else ""))
    again = country._timed(argv)
    print(f"  unchanged re-run: {again['skipped']} skipped, {again['rendered']} rendered, {again['seconds']:.1f} s "
          f"= {100 * again['seconds'] / full['seconds']:.1f}% of the full run")
    return {"made": {k: v for k, v in made.items() if k != "prepare_kwargs"}, "prepare": runs, "full": full,
            "rerun": again, "provinces_limit": provinces, "out": str(out)}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="kernels (default 2)")
    parser.add_argument("--provinces", type=int, help="render only the first N provinces (a quick look)")
    parser.add_argument("--repeat", type=int, default=1, help="prepare runs (default 1)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.jobs, args.provinces, args.repeat), indent=2, default=str))


if __name__ == "__main__":
    main()
