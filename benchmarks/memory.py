"""Peak memory of ``prepare`` on the two hostile inputs of issue #17: goal under 1 GB each.

* **blank figures**: a finance CSV with one good row and 500,000 rows whose figures are
  blank (key columns filled, ``plan_mvnd`` and ``disbursed_mvnd`` empty), two reasons per
  row. It once took 4.5 GB and wrote a 567 MB ``rejects.csv``. Run twice: as it comes
  (refused, exit 2: no more than half the rows may be rejected) and with
  ``--max-rejected-share 1`` (accepted; ``rejects.csv`` lists the first rows per reason).
* **3 million rows**: a 15 MB-class XLSX whose sheet declares ``A1:J3000000`` and holds
  three million finance rows (shared strings, so the zip is small). It once took 24 GB and
  was killed. The reader streams it and stops with a message past Excel's last row.

Each run is a fresh child process (``ntp-atlas prepare`` through :func:`analysis.cli.main`)
that reports its own peak RSS (``ru_maxrss``), so the figure is the run's alone. Run from the
repository root::

    .venv/bin/python benchmarks/memory.py            # the sizes of the issue
    .venv/bin/python benchmarks/memory.py --scale 0.01

Figures go to ``benchmarks/results/memory.json``; the exit status is 1 when a run passes
the goal (or the limit given with ``--goal-mb``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FIN_HEADER = "year,as_of,province_code,district_code,commune_code,project,capital_type,fund,plan_mvnd,disbursed_mvnd"
GOOD = "2023,30/11/2023,14,127,04231,DA4,investment,current,100,50"
BLANK = "2023,30/11/2023,14,127,04231,DA5,investment,current,,"
_CHILD = (
    "import resource, sys\n"
    "from analysis.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "print(f'PEAK_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def blank_figures_csv(path: Path, rows: int) -> Path:
    """One good row, then ``rows`` rows with the figures blank."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(FIN_HEADER + "\n" + GOOD + "\n")
        chunk = (BLANK + "\n") * 10_000
        for _ in range(rows // 10_000):
            fh.write(chunk)
        fh.write((BLANK + "\n") * (rows % 10_000))
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def huge_xlsx(path: Path, rows: int) -> Path:
    """A workbook whose one sheet declares and holds ``rows`` finance rows below its header."""
    strings = [*FIN_HEADER.split(","), "30/11/2023", "14", "127", "04231", "DA4", "investment", "current"]
    index = {s: i for i, s in enumerate(strings)}
    shared = "".join(f"<si><t>{s}</t></si>" for s in strings)
    cols = "ABCDEFGHIJ"

    def row_xml(r: int, cells: list[object]) -> str:
        parts = []
        for c, v in zip(cols, cells, strict=True):
            if isinstance(v, str):
                parts.append(f'<c r="{c}{r}" t="s"><v>{index[v]}</v></c>')
            else:
                parts.append(f'<c r="{c}{r}"><v>{v}</v></c>')
        return f'<row r="{r}">' + "".join(parts) + "</row>"

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml",
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
                    f'uniqueCount="{len(strings)}">{shared}</sst>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      f'<dimension ref="A1:J{rows + 1}"/><sheetData>').encode())
            fh.write(row_xml(1, FIN_HEADER.split(",")).encode())
            values = [2023, "30/11/2023", "14", "127", "04231", "DA4", "investment", "current", 100, 50]
            batch = []
            for r in range(2, rows + 2):
                values[8] = r  # a plan per row, as a real table has
                batch.append(row_xml(r, values))
                if len(batch) == 20_000:
                    fh.write("".join(batch).encode())
                    batch = []
            fh.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def run_prepare(args: list[str], cwd: Path) -> dict:
    """``ntp-atlas prepare ARGS`` in a fresh process: exit status, peak RSS, seconds, its messages."""
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(cwd), "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, "prepare", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_KB ")]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    return {"exit": proc.returncode, "peak_mb": round(int(peak[-1].split()[1]) / 1024, 1) if peak else None,
            "seconds": round(seconds, 1), "error": errors[0][:300] if errors else "", "stdout": proc.stdout[-2000:]}


def run_cases(folder: Path, scale: float = 1.0) -> list[dict]:
    """Every case at ``scale`` of the issue's sizes; each with its figures."""
    blank_rows, xlsx_rows = max(10, int(500_000 * scale)), max(10, int(3_000_000 * scale))
    csv_path = blank_figures_csv(folder / "blank-figures.csv", blank_rows)
    xlsx_path = huge_xlsx(folder / "three-million.xlsx", xlsx_rows)
    out = folder / "processed"
    cases = [
        ("blank figures, as it comes", csv_path, []),
        ("blank figures, --max-rejected-share 1", csv_path, ["--max-rejected-share", "1"]),
        ("3 million rows declared and held", xlsx_path, []),
    ]
    results = []
    for name, path, extra in cases:
        r = run_prepare(["--finance", str(path), "--out", str(out), *extra], folder)
        rejects = out / "rejects.csv"
        r.update(case=name, input_mb=round(path.stat().st_size / 2**20, 1), rows=blank_rows if path == csv_path
                 else xlsx_rows, rejects_csv_kb=round(rejects.stat().st_size / 1024, 1) if r["exit"] == 0 else None)
        results.append(r)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the issue's sizes (default: 1)")
    parser.add_argument("--goal-mb", type=float, default=1024.0, help="peak RSS allowed per run (default: 1024)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ntp-memory-") as tmp:
        results = run_cases(Path(tmp), args.scale)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps({"scale": args.scale, "goal_mb": args.goal_mb,
                                                     "runs": results}, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    ok = True
    for r in results:
        within = r["peak_mb"] is not None and r["peak_mb"] < args.goal_mb
        ok &= within
        print(f"{r['case']:<40} {r['rows']:>9,} rows {r['input_mb']:>7} MB in  exit {r['exit']}  "
              f"peak {r['peak_mb']} MB  {r['seconds']} s  rejects.csv {r['rejects_csv_kb']} kB"
              f"{'' if within else '  OVER THE GOAL'}")
        if r["error"]:
            print(f"    {r['error']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
