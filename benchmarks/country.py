"""A national batch: every district report of the country, then the same run with nothing changed.

Uses the national prepared data of ``benchmarks/national.py`` (``data/interim/national_prepared/``,
made on the spot when missing) and runs the command a user would schedule::

    ntp-atlas batch --province all --year 2023 --jobs 2 --force --data DIR --out OUT

then the same without ``--force`` (every report unchanged: all skipped). Both are timed as
whole commands, in a child process whose peak memory (``ru_maxrss`` of the children, the
kernels included) is reported too. ``--provinces N`` runs the first N provinces only, for a
quick look; the figures then say so.

Goals (issue #5): the full batch under 15 minutes on the 2-core machine; the re-run under
5% of it.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREPARED = ROOT / "data" / "interim" / "national_prepared"
OUT = ROOT / "data" / "interim" / "national_reports"
NTP_ATLAS = Path(sys.executable).with_name("ntp-atlas")
SUMMARY = re.compile(r"country (\d+) \((\w+)\): (\d+) provinces, (\d+) reports rendered, (\d+) unchanged, skipped, "
                     r"(\d+) failed")


def _ensure_prepared() -> Path:
    if (PREPARED / "manifest.json").is_file():
        return PREPARED
    from benchmarks import national

    made = national.make_national(national.DATA_DIR)
    national.measure_prepare(made["prepare_kwargs"], PREPARED)
    return PREPARED


def _timed(argv: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = SUMMARY.search(proc.stdout)
    if found is None:
        raise RuntimeError(
            f"batch did not finish (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        )
    provinces, rendered, skipped, failed = map(int, found.groups()[2:])
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        "exit": proc.returncode,
        "provinces": provinces,
        "rendered": rendered,
        "skipped": skipped,
        "failed": failed,
        "unlisted": next((line for line in proc.stdout.splitlines() if line.startswith("districts with data")), ""),
    }


def run(repeat: int = 1, jobs: int = 2, provinces: int | None = None, out: Path = OUT) -> dict:
    """Time the national batch with ``--force``, then the unchanged re-run."""
    data = _ensure_prepared()
    argv = [str(NTP_ATLAS), "batch", "--province", "all", "--year", "2023", "--jobs", str(jobs),
            "--data", str(data), "--out", str(out)]
    if provinces:
        from analysis.run.country import provinces_with_data

        codes = provinces_with_data(data)["province_code"].tolist()[:provinces]
        out = out.with_name(out.name + f"-{provinces}")
        argv[argv.index("--out") + 1] = str(out)
        argv[argv.index("--province") + 1] = ",".join(codes) + ","  # a list, even of one: the country run
    full = _timed([*argv, "--force"])
    print(f"  full batch: {full['rendered']} reports rendered ({full['failed']} failed) in {full['provinces']} "
          f"provinces, {full['seconds']:.0f} s = {full['seconds'] / 60:.1f} min, "
          f"{full['seconds'] / max(full['rendered'], 1):.2f} s a report; peak RSS {full['peak_rss_mb']} MB")
    again = _timed(argv)
    share = again["seconds"] / full["seconds"]
    print(f"  unchanged re-run: {again['skipped']} skipped, {again['rendered']} rendered, {again['seconds']:.1f} s "
          f"= {100 * share:.1f}% of the full run")
    if full["unlisted"]:
        print(f"  {full['unlisted']}")
    goals = {"full_minutes": 15, "rerun_share": 0.05}
    met = {"full": full["seconds"] < 60 * goals["full_minutes"], "rerun": share < goals["rerun_share"]}
    print(f"  goals: full under 15 min {'met' if met['full'] else 'NOT met'}; "
          f"re-run under 5% {'met' if met['rerun'] else 'NOT met'}"
          + (f" (first {provinces} provinces only)" if provinces else ""))
    return {"jobs": jobs, "provinces_limit": provinces, "full": full, "rerun": again,
            "rerun_share": round(share, 4), "goals": goals, "met": met, "out": str(out)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="kernels (default 2)")
    parser.add_argument("--provinces", type=int, help="only the first N provinces (a quick look)")
    args = parser.parse_args(argv)
    print(json.dumps(run(jobs=args.jobs, provinces=args.provinces), indent=2, default=str))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
