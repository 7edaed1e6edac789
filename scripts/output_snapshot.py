"""Snapshot what a reader gets from a fixed set of reports, and compare two snapshots.

For a change that must not change any output (a restructuring of the package): take a
snapshot before, one after, and compare. The set covers every kind of output on the sample:

* Lạng Sơn's district reports, overview and index in Vietnamese, with their Word and Excel copies;
* the same in English, with their Word and Excel copies;
* the province by the 2025 units (converted data: a report per new commune);
* another programme's reports (P135);
* the print maps (PNG, SVG and PDF) and the atlas.

What is compared, per file: for HTML the visible text, with the times of the generated-at
line made constant ("Tạo lúc 07/12/2026 12:53 UTC …; số liệu chuẩn bị lúc …"), and the bytes of every picture
in it (``data:`` URIs and inline SVG); for Word and Excel the bytes of each part (its times
made constant) and of each picture, the document properties (which hold the time) left out; PNG and SVG files
byte for byte; PDF files byte for byte but for their creation date. Notebooks are left out:
papermill writes times into them, and the HTML made from them is compared.

Usage (the tree whose code runs is the one whose ``src`` is first on the path)::

    python scripts/output_snapshot.py take /tmp/before          # renders, writes /tmp/before/snapshot.json
    PYTHONPATH=/path/to/old/checkout/src python scripts/output_snapshot.py take /tmp/before
    python scripts/output_snapshot.py compare /tmp/before /tmp/after   # exit 1 when they differ

Each ``take`` prepares the sample afresh into the snapshot folder and renders into it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
#: The runs of a snapshot: each a command line of ntp-atlas after ``--data`` and ``--out``.
RUNS = [
    ["batch", "--province", "20", "--lang", "vi", "--docx", "--xlsx", "--jobs", "2", "--force"],
    ["batch", "--province", "20", "--lang", "en", "--docx", "--xlsx", "--jobs", "2", "--force"],
    ["batch", "--province", "20", "--units", "2025", "--jobs", "2", "--force"],
    ["batch", "--province", "20", "--programme", "p135", "--jobs", "2", "--force"],
    ["maps", "--province", "20", "--format", "png", "--format", "pdf", "--format", "svg",
     "--dpi", "100", "--jobs", "1"],
]
#: The times of the generated-at line ("Tạo lúc 07/12/2026 12:53 UTC bởi ntp-atlas 0.1.0; số liệu
#: chuẩn bị lúc 07/12/2026 12:50 UTC."): when the page was made and when its data was prepared.
_TIME = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d UTC")
_TIME_BYTES = re.compile(_TIME.pattern.encode())
_DATA_URI = re.compile(r"data:image/[a-z+]+;base64,([A-Za-z0-9+/=]+)")
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _html(path: Path) -> dict:
    page = path.read_text(encoding="utf-8")
    pictures = [_digest(base64.b64decode(b)) for b in _DATA_URI.findall(page)]
    pictures += [_digest(s.encode("utf-8")) for s in _SVG.findall(page)]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", _SVG.sub(" ", _DATA_URI.sub("", page)), flags=re.S)
    text = _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", body))).strip()
    return {"text": _TIME.sub("[time]", text), "pictures": pictures}


def _office(path: Path) -> dict:
    parts = {}
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name.startswith("docProps/"):  # the time it was written
                continue
            data = z.read(name)
            parts[name] = _digest(_TIME_BYTES.sub(b"[time]", data) if name.endswith(".xml") else data)
    return {"parts": parts}


def snapshot_of(folder: Path) -> dict[str, dict]:
    """What a reader gets from every output file under ``folder``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or rel.startswith(("data/", ".")) or "/." in rel or path.suffix == ".ipynb":
            continue
        if path.suffix == ".html":
            out[rel] = _html(path)
        elif path.suffix in (".docx", ".xlsx"):
            out[rel] = _office(path)
        elif path.suffix == ".pdf":
            out[rel] = {"bytes": _digest(_PDF_DATES.sub(b"", path.read_bytes()))}
        elif path.suffix in (".png", ".svg", ".csv"):
            out[rel] = {"bytes": _digest(path.read_bytes())}
    return out


def _inputs(folder: Path) -> Path:
    """The sample's finance table with a programme column, and three rows of Programme 135 in
    Chi Lăng (the sample has NTP 1719 only), so that another programme's reports are made."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = (SAMPLE / "finance.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",programme"] + [f"{line},ntp1719" for line in lines[1:] if line.strip()]
    rows += [
        "2023,2023-11-30,20,187,06481,TDA1,investment,current,500,200,p135",
        "2023,2023-11-30,20,187,06514,TDA2,recurrent,current,300,150,p135",
        "2023,2023-11-30,20,187,,TDA3,recurrent,current,100,20,p135",
    ]
    path = folder / "finance.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def take(folder: Path) -> int:
    """Prepare the sample into ``folder/data``, render every run into ``folder/reports``, and
    write ``folder/snapshot.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "analysis.cli"]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    data, reports = folder / "data" / "processed", folder / "reports"
    inputs = _inputs(folder / "data" / "inputs")
    steps = [[*cli, "prepare", "--finance", str(inputs), "--indicators", str(SAMPLE / "indicators.csv"),
              "--out", str(data)]]
    steps += [[*cli, *run, "--data", str(data), "--out", str(reports)] for run in RUNS]
    for argv in steps:
        print("…", " ".join(argv[2:]), file=sys.stderr)
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
    snap = snapshot_of(reports)
    (folder / "snapshot.json").write_text(json.dumps(snap, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(snap)} files in {folder / 'snapshot.json'}")
    return 0


def compare(before: Path, after: Path) -> int:
    """Print every file that differs, is missing or is new; 1 when any does."""
    a, b = (snapshot_of(f / "reports") if (f / "reports").is_dir()  # read again: the rules may be newer
            else json.loads((f / "snapshot.json").read_text(encoding="utf-8")) for f in (before, after))
    problems = [f"missing after: {k}" for k in sorted(set(a) - set(b))]
    problems += [f"new after: {k}" for k in sorted(set(b) - set(a))]
    for key in sorted(set(a) & set(b)):
        if a[key] == b[key]:
            continue
        what = [k for k in a[key] if a[key].get(k) != b[key].get(k)]
        line = f"differs: {key} ({', '.join(what)})"
        if "text" in what:  # where the text first differs
            x, y = a[key]["text"], b[key]["text"]
            i = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))
            line += f"\n    before: …{x[max(0, i - 60):i + 80]}…\n    after:  …{y[max(0, i - 60):i + 80]}…"
        problems.append(line)
    for line in problems:
        print(line)
    print(f"{len(a)} files before, {len(b)} after; {len(problems)} differences")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("take", help="render the set and snapshot it").add_argument("folder", type=Path)
    p = sub.add_parser("compare", help="compare two snapshots")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    return take(args.folder) if args.command == "take" else compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
