"""Run the benchmarks: ``python benchmarks/run.py`` runs every part, a flag runs only some.

Each part prints a small table and its figures are written as JSON to ``benchmarks/results/``
(git-ignored), one file per part, with the machine they ran on. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable


def _national(repeat: int) -> dict:
    from benchmarks import national

    return national.run(repeat)


def _scaling(repeat: int) -> dict:
    from benchmarks import scaling

    return scaling.run(repeat)


def _country(repeat: int) -> dict:
    from benchmarks import country

    return country.run(repeat)


def _national_2026(repeat: int) -> dict:
    from benchmarks import national_2026

    return national_2026.run(repeat=repeat)


def _batch(repeat: int) -> dict:
    from benchmarks import batch

    return batch.run(repeat)


#: The parts, in the order they run; each takes the number of repeats and returns its figures.
#: To add one: a function here and a line in PARTS.
PARTS: dict[str, tuple[Callable[[int], dict], str]] = {
    "national": (_national, "prepare on synthetic data for every commune: time and peak memory"),
    "scaling": (_scaling, "map render and report compute time: a district, a province, the country"),
    "batch": (_batch, "a province's reports: naive papermill + nbconvert against ntp-atlas batch, and the floor"),
    "country": (_country, "every district report of the country (--province all), then the unchanged re-run"),
    "national-2026": (_national_2026, "this year's data by the 3,321 communes of 1/7/2025: prepare (time, memory), "
                      "every commune report of the country, the unchanged re-run"),
}


def _machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, (_, help_text) in PARTS.items():
        parser.add_argument(f"--{name}", action="store_true", help=help_text)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measure, the best is reported (default 2)")
    args = parser.parse_args(argv)
    chosen = [name for name in PARTS if getattr(args, name.replace("-", "_"))] or list(PARTS)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        print(f"\n== {name}: {PARTS[name][1]}")
        figures = PARTS[name][0](args.repeat)
        record = {"part": name, "run_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": _machine()}
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(record | {"results": figures}, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"-> {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
