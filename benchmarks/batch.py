"""A province's reports: the naive papermill + nbconvert pipeline against ``ntp-atlas batch``.

One run, side by side, on the sample province (Lạng Sơn, 20; 11 districts; 2023), its data
prepared from ``data/sample/`` into a temporary folder (``data/processed/`` is not touched):

* **(a) naive**: for each district, one after the other, the ``papermill`` command
  (every parameter with ``-r``, raw strings, so codes stay text) and then
  ``jupyter nbconvert --to html --no-input``, both as subprocesses;
* **(b)** ``ntp-atlas batch --jobs 1 --force`` (a subprocess, the whole command);
* **(c)** the same with ``--jobs 2``;
* **(d)** the same command again without ``--force``, nothing changed: every report skipped;
* **the floor**: the same machinery on a notebook that does nothing (the parameters cell and
  one cell ``pass``), 11 times: **(a′)** papermill + nbconvert commands, **(b′)** a warm
  :class:`analysis.run.kernel_pool.KernelPool` and :func:`analysis.run.render.render_report` in this
  process, kernel start included. What a report costs over its floor is its own work.

The batch writes more than the naive pipeline: the 11 district reports, the province
overview and ``index.html``; its speed-up is computed on the totals all the same. Each
measure runs once (``repeat`` does not apply: one measure is already 11 or more reports); the
load average before and after each is recorded. Goal (issue #5): ``ntp-atlas batch`` at least
3× faster than the naive pipeline with one job.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtual environment's scripts: papermill, jupyter, ntp-atlas
NOTEBOOK = ROOT / "notebooks" / "district_report.ipynb"
PROVINCE, YEAR = "20", "2023"  # Lạng Sơn, the sample's province
GOAL = "ntp-atlas batch at least 3× faster than the naive pipeline with one job"
#: The district report's parameters cell, for the trivial notebook of the floor.
PARAMETERS = ("province", "district", "year", "as_of", "lang", "data_dir", "baseline_year")


def _env() -> dict[str, str]:
    """The environment of the commands: the virtual environment's scripts first on PATH."""
    return os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _run(cmd: list[str], cwd: Path = ROOT) -> tuple[float, str]:
    """Run a command; its wall time in seconds and its standard output. Fails loudly."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    return seconds, proc.stdout


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def trivial_notebook(path: Path) -> Path:
    """A notebook that does nothing: the district report's parameters cell and one cell ``pass``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("\n".join(f'{name}: str = ""' for name in PARAMETERS))
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return path


def naive(notebook: Path, districts: Sequence[str], data_dir: Path, out: Path) -> dict:
    """For each district in turn: the ``papermill`` command, then ``jupyter nbconvert``."""
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    start = time.perf_counter()
    for code in districts:
        executed = out / f"{code}.ipynb"
        params = {"province": PROVINCE, "district": code, "year": YEAR, "data_dir": str(data_dir)}
        cmd = [str(BIN / "papermill"), str(notebook), str(executed)]
        for name, value in params.items():
            cmd += ["-r", name, value]  # raw strings: "00004" stays "00004"
        pm, _ = _run(cmd)
        nbc, _ = _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        if not executed.with_suffix(".html").is_file():
            raise RuntimeError(f"nbconvert wrote no {executed.with_suffix('.html')}")
        runs.append({"district": code, "papermill": round(pm, 2), "nbconvert": round(nbc, 2)})
    return {"seconds": round(time.perf_counter() - start, 2), "reports": len(districts), "runs": runs}


def batch_command(data_dir: Path, out: Path, jobs: int, force: bool) -> dict:
    """One ``ntp-atlas batch`` command for the province: wall time and what it did."""
    cmd = [str(BIN / "ntp-atlas"), "batch", "--province", PROVINCE, "--year", YEAR, "--jobs", str(jobs),
           "--data", str(data_dir), "--out", str(out)] + (["--force"] if force else [])
    seconds, stdout = _run(cmd)
    done = re.search(r"(\d+) unchanged, skipped; (\d+) rendered", stdout)
    failed = re.search(r"failed\s+(\d+)", stdout)
    if not done or not failed or int(failed.group(1)):
        raise RuntimeError(f"{' '.join(cmd)}: unexpected summary:\n{stdout}")
    skipped, rendered = int(done.group(1)), int(done.group(2))
    return {"seconds": round(seconds, 2), "reports": rendered + skipped, "rendered": rendered,
            "skipped": skipped, "index_unchanged": "(unchanged)" in stdout, "command": " ".join(cmd[1:])}


def floor_pool(notebook: Path, districts: Sequence[str], data_dir: Path, out: Path) -> dict:
    """The trivial notebook on one warm kernel, once per district, in this process; the
    kernel's start and warm imports (paid by the first report) included."""
    from analysis.run.kernel_pool import KernelPool
    from analysis.run.render import render_report

    runs = []
    start = time.perf_counter()
    with KernelPool(1) as pool:
        for code in districts:
            t = time.perf_counter()
            params = {"province": PROVINCE, "district": code, "year": YEAR, "as_of": "", "lang": "vi",
                      "data_dir": data_dir, "baseline_year": ""}
            render_report(notebook, params, out / f"{code}.html", pool=pool)
            runs.append(round(time.perf_counter() - t, 2))
    return {"seconds": round(time.perf_counter() - start, 2), "reports": len(districts), "runs": runs}


def _measure(name: str, fn, *args) -> dict:
    print(f"  {name} …", end="", flush=True)
    before = _load()
    figures = fn(*args)
    figures["load_average"] = [before, _load()]
    print(f" {figures['seconds']:.1f} s")
    return figures


def run(repeat: int = 1, work: Path | None = None) -> dict:
    """Prepare the sample, then time (a′, b′) the floor, (a) naive, (b, c, d) the batch."""
    del repeat  # one run of each measure: see the module's docstring
    with tempfile.TemporaryDirectory(prefix="ntp-atlas-batch-bench-") as tmp:
        return _run_all(Path(work).resolve() if work else Path(tmp))


def _run_all(work: Path) -> dict:
    from analysis.store.old_unit_areas import area_districts
    from analysis.store.prepare import prepare

    data_dir = work / "prepared"
    start = time.perf_counter()
    prepare(out=data_dir)
    print(f"  sample prepared in {data_dir} ({time.perf_counter() - start:.1f} s)")
    districts = list(area_districts(PROVINCE, data_dir)["district_code"])
    print(f"  province {PROVINCE}, {YEAR}: {len(districts)} districts ({', '.join(districts)})")
    trivial = trivial_notebook(work / "trivial.ipynb")

    # Untimed warm-up: the first papermill and nbconvert commands ever, and this process's
    # imports, pay disk and font caches that no later command pays.
    naive(trivial, districts[:1], data_dir, work / "warm-up")
    import analysis.run.kernel_pool  # noqa: F401
    import analysis.run.render  # noqa: F401

    results = {
        "province": PROVINCE,
        "year": int(YEAR),
        "districts": districts,
        "goal": GOAL,
        "floor_naive": _measure("(a′) floor: papermill + nbconvert, trivial notebook", naive, trivial, districts,
                                data_dir, work / "floor-naive"),
        "floor_pool": _measure("(b′) floor: KernelPool + render_report, trivial notebook", floor_pool, trivial,
                               districts, data_dir, work / "floor-pool"),
        "naive": _measure("(a) naive: papermill + nbconvert, district report", naive, NOTEBOOK, districts,
                          data_dir, work / "naive"),
        "batch_jobs1": _measure("(b) ntp-atlas batch --jobs 1 --force", batch_command, data_dir,
                                work / "reports", 1, True),
        "batch_jobs2": _measure("(c) ntp-atlas batch --jobs 2 --force", batch_command, data_dir,
                                work / "reports", 2, True),
        "batch_again": _measure("(d) ntp-atlas batch again, nothing changed", batch_command, data_dir,
                                work / "reports", 1, False),
    }
    results["summary"] = _summary(results)
    _print_table(results)
    return results


def _summary(r: dict) -> dict:
    naive_s = r["naive"]["seconds"]
    per = {k: r[k]["seconds"] / r[k]["reports"] for k in ("naive", "batch_jobs1", "floor_naive", "floor_pool")}
    speedup = round(naive_s / r["batch_jobs1"]["seconds"], 2)
    pages = r["batch_jobs1"]["reports"]
    return {
        "speedup_jobs1": speedup,
        "speedup_jobs1_per_report": round(per["naive"] / per["batch_jobs1"], 2),
        "speedup_jobs2": round(naive_s / r["batch_jobs2"]["seconds"], 2),
        "speedup_again": round(naive_s / r["batch_again"]["seconds"], 1),
        "goal_met": speedup >= 3,
        "seconds_per_report": {k: round(v, 2) for k, v in per.items()},
        # over the floor: the naive figure includes the kernel's imports of pandas, geopandas
        # and matplotlib (the trivial notebook makes none); the warm kernel has them already
        "own_work_per_report_naive": round(per["naive"] - per["floor_naive"], 2),
        "own_work_per_report_batch": round(per["batch_jobs1"] - per["floor_pool"], 2),
        # what --jobs 1 would need for the goal, per page of the batch
        "goal_seconds_per_report": round(naive_s / 3 / pages, 2),
    }


def _print_table(r: dict) -> None:
    s = r["summary"]
    rows = [
        ("(a)  naive: papermill + nbconvert, one by one", r["naive"], r["naive"]["reports"], "naive"),
        ("(b)  ntp-atlas batch --jobs 1 --force", r["batch_jobs1"], r["batch_jobs1"]["rendered"], "naive"),
        ("(c)  ntp-atlas batch --jobs 2 --force", r["batch_jobs2"], r["batch_jobs2"]["rendered"], "naive"),
        ("(d)  ntp-atlas batch again, nothing changed", r["batch_again"], r["batch_again"]["reports"], "naive"),
        ("(a′) floor: papermill + nbconvert, `pass` ×11", r["floor_naive"], r["floor_naive"]["reports"], "floor_naive"),
        ("(b′) floor: warm KernelPool, `pass` ×11", r["floor_pool"], r["floor_pool"]["reports"], "floor_naive"),
    ]
    print(f"\nGoal: {GOAL}.")
    print(f"{'':48}{'reports':>9}{'total (s)':>11}{'per report (s)':>16}{'speed-up':>10}")
    for label, m, reports, base in rows:
        what = f"{reports}" if "skipped" not in m or not m["skipped"] else f"{m['skipped']} skip"
        per = m["seconds"] / m["reports"]
        print(f"{label:48}{what:>9}{m['seconds']:>11.1f}{per:>16.2f}{r[base]['seconds'] / m['seconds']:>9.1f}×")
    print("  reports: pages written; the batch also writes the province overview and index.html (12 + 1).")
    print("  speed-up: against (a) for (b)–(d), against (a′) for (b′); on total wall time.")
    print(f"  a report's own work over its floor: naive {s['own_work_per_report_naive']:.2f} s, "
          f"batch {s['own_work_per_report_batch']:.2f} s per report (naive's includes the kernel's imports of "
          "pandas, geopandas, matplotlib, which a warm kernel has made already)")
    verdict = "met" if s["goal_met"] else "NOT met"
    print(f"Goal {verdict}: --jobs 1 is {s['speedup_jobs1']:.2f}× the naive pipeline "
          f"({s['speedup_jobs1_per_report']:.2f}× per report; --jobs 2: {s['speedup_jobs2']:.2f}×; "
          f"re-run with nothing changed: {s['speedup_again']:.0f}×).")
    if not s["goal_met"]:
        print(f"  3× with one job means {s['goal_seconds_per_report']:.2f} s per report; the report's own work "
              f"on a warm kernel is {s['own_work_per_report_batch']:.2f} s, over the warm floor of "
              f"{s['seconds_per_report']['floor_pool']:.2f} s.")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the prepared data and every output in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    print(json.dumps(run(work=args.work), indent=2, default=str))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
