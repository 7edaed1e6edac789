"""Fuzz the CSV/XLSX readers: mutated inputs must be read, or refused with the project's errors.

Every input is a mutation of a seed: the head of each sample file (``data/sample/``), small
canonical tables, a crosswalk, and the same tables as workbooks. Mutations, one to three
stacked, are byte and bit flips, truncation, inserted delimiters, quotes, line breaks, NUL
bytes and BOMs, numbers replaced by huge or odd ones (``1e309``, 400 digits, ``NaN``), random
Unicode (and bytes that are not UTF-8), duplicated, deleted or swapped lines, and for
workbooks a broken zip, a damaged or missing part (sheet, shared strings, workbook), odd cell
types and values written through the XML. Each input goes through
:func:`analysis.inputs.validate.validate_table` (or :func:`analysis.inputs.crosswalk.read_crosswalk`), and
its outcome is counted:

* **accepted**: read; every row accepted or rejected (``read = accepted + rejected`` is
  checked, a table that does not reconcile counts as a crash);
* **refused**: one of the project's errors (:class:`~analysis.errors.NtpAtlasError`);
* **crash**: any other exception, or an input that takes longer than ``--timeout`` seconds.

Crashing inputs are written to ``benchmarks/results/fuzz/`` (``crash-<signature>-<n>.<ext>``
with a ``.txt`` beside it: the mutations, the exception and its traceback), at most three per
distinct crash (the exception type and the line it came from), with ``summary.json``.

Run from the repository root::

    .venv/bin/python benchmarks/fuzz_readers.py --iterations 5000 --seed 1

The same run with the same seed tries the same inputs. ``tests/test_fuzz.py`` runs a few
hundred iterations as part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "fuzz"
sys.path.insert(0, str(ROOT / "src"))

#: Lines of each sample file kept as a seed (the header and title block included).
SEED_LINES = 30
HUGE = [b"9" * 400, b"1e309", b"-1e309", b"NaN", b"nan", b"inf", b"-inf", b"0" * 60 + b"1", b"1" + b"0" * 30,
        b"-0", b"123456789012345678901234567890.5", b"1.7976931348623157e308", b"4.9e-324", b"0x1F", b"1_000",
        b"\xd9\xa3", b"1.2.3.4", b"1,2,3,4", b"--5", b"+5", b" 5 ", b"5%", b"(5)"]
TOKENS = [b",", b";", b"\t", b'"', b'""', b"\n", b"\r", b"\r\n", b"\n\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe",
          b"\\", b"'", b"=", b"\x1c", b"\x85", b"\xe2\x80\xa8", b" "]


class Timeout(BaseException):
    """An input took too long (a BaseException, so that no ``except Exception`` swallows it)."""


@dataclass
class Case:
    """One input: its bytes, its file suffix, what reads it, how it was made."""

    data: bytes
    suffix: str
    target: str  # "finance", "poverty", "communes" or "crosswalk"
    seed: str
    mutations: list[str] = field(default_factory=list)


@dataclass
class FuzzReport:
    """Figures of a run."""

    iterations: int
    seed: int
    outcomes: Counter
    crashes: dict[str, dict]
    by_format: dict[str, Counter]
    seconds: float

    def as_dict(self) -> dict:
        return {"iterations": self.iterations, "seed": self.seed, "outcomes": dict(self.outcomes),
                "distinct_crashes": len(self.crashes), "crashes": self.crashes,
                "by_format": {k: dict(v) for k, v in self.by_format.items()}, "seconds": round(self.seconds, 1)}


# --- seeds ------------------------------------------------------------------------------------


def _head(path: Path, lines: int = SEED_LINES) -> bytes:
    with open(path, "rb") as fh:
        return b"".join(fh.readline() for _ in range(lines))


def _xlsx(rows: list[list[object]], title: list[str] = ()) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in title:
        ws.append([line])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sample_poverty_head() -> bytes:
    """The first rows of the sample workbook (title block, Vietnamese headers), as a workbook."""
    import openpyxl

    wb = openpyxl.load_workbook(ROOT / "data" / "sample" / "poverty.xlsx", read_only=True, data_only=True)
    rows = [list(r) for r, _ in zip(wb.active.iter_rows(values_only=True), range(SEED_LINES), strict=False)]
    wb.close()
    return _xlsx(rows)


def seeds() -> list[Case]:
    """The inputs every mutation starts from."""
    sample = ROOT / "data" / "sample"
    fin_header = ("year,as_of,province_code,district_code,commune_code,project,capital_type,fund,plan_mvnd,"
                  "disbursed_mvnd")
    fin = [fin_header, "2023,30/11/2023,14,127,04231,DA4,investment,current,100,50",
           "2023,30/11/2023,14,127,,DA5,recurrent,carried_over,\"8.356,336\",\"2.791\"",
           "2023,30/11/2023,14,127,04228,Dự án 3.1,Vốn sự nghiệp,Chuyển nguồn,1.5,0"]
    pov = ["year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households",
           "2023,04231,1000,200,100,900,190", "2022,04228,800,100,50,700,90"]
    vi = ["Năm;Tính đến ngày;Mã huyện;Mã xã;Dự án;Loại vốn;Nguồn;Kế hoạch vốn;Giải ngân",
          "2023;30/11/2023;127;04231;Dự án 4;Vốn đầu tư phát triển;Chuyển nguồn;8.356,336;2.791"]
    cw = ["old_code,new_code,note", "06334,06343,Quỳnh Sơn", "06409,06406,Tân Lập"]
    text = "\n".join
    return [
        Case(_head(sample / "finance.csv"), ".csv", "finance", "sample finance.csv"),
        Case(_head(sample / "communes.csv"), ".csv", "communes", "sample communes.csv"),
        Case(_sample_poverty_head(), ".xlsx", "poverty", "sample poverty.xlsx"),
        Case(text(fin).encode() + b"\n", ".csv", "finance", "canonical finance"),
        Case(text(pov).encode() + b"\n", ".csv", "poverty", "canonical poverty"),
        Case(text(vi).encode("utf-8-sig") + b"\r\n", ".csv", "finance", "Vietnamese headers, BOM, CRLF"),
        Case(text(cw).encode() + b"\n", ".csv", "crosswalk", "crosswalk"),
        Case(_xlsx([r.split(",") for r in fin], ["UBND HUYỆN SỐP CỘP", "BÁO CÁO GIẢI NGÂN"]), ".xlsx", "finance",
             "canonical finance workbook"),
        Case(_xlsx([[2023, "04231", 1000, 200, 100, 900, 190]], []), ".xlsx", "poverty", "typed cells, no header"),
        Case(_xlsx([r.split(",") for r in cw]), ".xlsx", "crosswalk", "crosswalk workbook"),
    ]


# --- mutations of bytes -----------------------------------------------------------------------


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def insert_tokens(data: bytes, rng: random.Random) -> bytes:
    out = data
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(TOKENS) * rng.randint(1, 3) + out[at:]
    return out


def huge_numbers(data: bytes, rng: random.Random) -> bytes:
    runs = list(re.finditer(rb"\d+(?:[.,]\d+)*", data))
    for m in rng.sample(runs, min(len(runs), rng.randint(1, 4))):
        data = data[: m.start()] + rng.choice(HUGE) + data[m.end():]  # lengths change: later spans drift, fine
    return data


def random_unicode(data: bytes, rng: random.Random) -> bytes:
    chars = []
    for _ in range(rng.randint(1, 12)):
        cp = rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x80, 0x800), rng.randrange(0x800, 0x10000),
                         rng.randrange(0x10000, 0x110000), rng.randrange(0, 0x20)])
        chars.append(chr(cp))
    text = "".join(chars)
    encoding = rng.choice(["utf-8", "utf-8", "utf-16", "latin-1", "cp1258", "surrogates"])
    if encoding == "surrogates":
        blob = ("\ud800" + text).encode("utf-8", "surrogatepass")
    else:
        blob = text.encode(encoding, "replace")
    at = rng.randrange(len(data) + 1)
    return data[:at] + blob + data[at:]


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    op = rng.choice(["duplicate", "delete", "swap", "long"])
    i = rng.randrange(len(lines))
    if op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "delete":
        del lines[i]
    elif op == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:  # a very wide record
        lines.insert(i, b",".join([b"1"] * rng.choice([50, 500, 5000])))
    return b"\n".join(lines)


BYTE_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip_bytes": flip_bytes, "flip_bits": flip_bits, "truncate": truncate, "insert_tokens": insert_tokens,
    "huge_numbers": huge_numbers, "random_unicode": random_unicode, "shuffle_lines": shuffle_lines,
}


# --- mutations of workbooks -------------------------------------------------------------------

_CELL = re.compile(rb"<c [^>]*?(?:/>|>.*?</c>)", re.S)


def _members(data: bytes) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {name: zf.read(name) for name in zf.namelist()}
    except Exception:  # noqa: BLE001 - zipfile and zlib raise many types for a broken archive
        return None


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return buf.getvalue()


def _odd_cell(rng: random.Random) -> bytes:
    ref = rng.choice([b"A1", b"B2", b"ZZZZ1", b"A1048577", b"A0", b"", b"1A", b"XFD1048576"])
    kind = rng.choice([b"n", b"s", b"str", b"inlineStr", b"b", b"e", b"d", b"x"])
    value = rng.choice([*HUGE, b"99999", b"-1", b"2", b"#DIV/0!", b"2023-02-30T00:00:00", b"", b"<", b"&amp;"])
    if kind == b"inlineStr":
        return b'<c r="' + ref + b'" t="inlineStr"><is><t>' + value + b"</t></is></c>"
    return b'<c r="' + ref + b'" t="' + kind + b'"><v>' + value + b"</v></c>"


def xlsx_part(data: bytes, rng: random.Random) -> bytes:
    """Damage one part of the workbook: its XML mutated, removed, or a cell made odd."""
    members = _members(data)
    if members is None:
        return flip_bytes(data, rng)
    name = rng.choice(sorted(members))
    op = rng.choice(["bytes", "cell", "cell", "drop", "empty"])
    if op == "drop":
        del members[name]
    elif op == "empty":
        members[name] = b""
    elif op == "cell" and _CELL.search(members.get("xl/worksheets/sheet1.xml", b"")):
        sheet = members["xl/worksheets/sheet1.xml"]
        cells = list(_CELL.finditer(sheet))
        m = rng.choice(cells)
        members["xl/worksheets/sheet1.xml"] = sheet[: m.start()] + _odd_cell(rng) + sheet[m.end():]
    else:
        mutate = rng.choice([flip_bytes, truncate, insert_tokens, huge_numbers, random_unicode])
        members[name] = mutate(members[name], rng)
    return _zip(members)


def xlsx_zip(data: bytes, rng: random.Random) -> bytes:
    """A broken zip: bytes flipped or cut anywhere in the archive."""
    return rng.choice([flip_bytes, truncate, flip_bits])(data, rng)


def xlsx_values(data: bytes, rng: random.Random) -> bytes:
    """Cells written by openpyxl with odd types: dates, booleans, huge numbers, formulas, errors."""
    import datetime as dt

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - an earlier mutation broke it: damage the bytes instead
        return flip_bytes(data, rng)
    ws = wb.active
    values = [dt.datetime(2023, 11, 30), dt.date(1900, 1, 1), dt.time(12, 0), True, False, 10**20, -(10**20),
              1e308, float("nan"), float("inf"), 0.1 + 0.2, "=1/0", "=A1", "#N/A", "", " ", "06481", 6481,
              "<script>", "x" * 5000]
    for _ in range(rng.randint(1, 6)):
        row, col = rng.randint(1, max(ws.max_row, 1) + 2), rng.randint(1, max(ws.max_column, 1) + 2)
        try:
            ws.cell(row=row, column=col, value=rng.choice(values))
        except (ValueError, TypeError):
            continue
    if rng.random() < 0.2:
        ws.merge_cells(start_row=1, start_column=1, end_row=rng.randint(1, 3), end_column=rng.randint(1, 4))
    if rng.random() < 0.2:
        wb.create_sheet(rng.choice(["Sheet", "Trang tính 2", "x" * 31, "<b>"]), index=0)
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except (ValueError, TypeError, OverflowError):  # openpyxl refused a value: keep the input as it was
        return data
    return buf.getvalue()


XLSX_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "xlsx_part": xlsx_part, "xlsx_zip": xlsx_zip, "xlsx_values": xlsx_values,
}


def mutate(case: Case, rng: random.Random) -> Case:
    """A new case: one to three stacked mutations of a seed."""
    table = XLSX_MUTATIONS if case.suffix == ".xlsx" else BYTE_MUTATIONS
    data, names = case.data, []
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(list(table))
        try:
            data = table[name](data, rng)
        except Exception:  # noqa: BLE001 - openpyxl could not even open an earlier mutation: damage bytes
            name, data = "flip_bytes", flip_bytes(data, rng)
        names.append(name)
    target = case.target
    if rng.random() < 0.05:  # the wrong kind of table for the file
        target = rng.choice(["finance", "poverty", "communes", "crosswalk"])
    return Case(data, case.suffix, target, case.seed, names)


# --- running ----------------------------------------------------------------------------------


def run_one(case: Case, path: Path, units) -> str:
    """Feed one input to its reader: "accepted" or "refused"; anything else raises."""
    from analysis.errors import NtpAtlasError
    from analysis.inputs.crosswalk import read_crosswalk
    from analysis.inputs.schema import TABLES
    from analysis.inputs.validate import validate_table

    path.write_bytes(case.data)
    try:
        if case.target == "crosswalk":
            out = read_crosswalk(path)
            if list(out.columns) != ["old_code", "new_code"] or out["old_code"].duplicated().any():
                raise AssertionError("crosswalk breaks its contract")
            return "accepted"
        result = validate_table(path, TABLES[case.target], units)
    except NtpAtlasError:
        return "refused"
    if not result.reconciles():
        raise AssertionError(f"does not reconcile: read {result.n_read}, accepted {result.n_accepted}, "
                             f"rejected {result.n_rejected}")
    if set(result.accepted["_row"]) & set(result.rejects["row"]):
        raise AssertionError("a row is both accepted and rejected")
    return "accepted"


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/analysis/" in f.filename] or frames
    last = ours[-1] if ours else None
    where = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    return f"{type(exc).__name__} at {where}"


def _on_alarm(signum, frame):
    raise Timeout()


def run_fuzz(iterations: int = 1000, seed: int = 1, out_dir: Path | str = RESULTS, *, timeout: float = 10.0,
             keep: int = 3, progress: bool = False) -> FuzzReport:
    """Try ``iterations`` mutated inputs; write crashing ones to ``out_dir``; return the figures.

    Parameters
    ----------
    iterations
        Inputs to try.
    seed
        Seed of the random choices: the same seed tries the same inputs.
    out_dir
        Where crashing inputs and ``summary.json`` go.
    timeout
        Seconds an input may take before it counts as a crash (POSIX only).
    keep
        Examples kept per distinct crash.
    """
    from analysis.catalog.units import official_units

    warnings.simplefilter("ignore")  # openpyxl warns about every odd cell it meets: the outcomes are counted
    units = official_units()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    base = seeds()
    outcomes: Counter = Counter()
    by_format: dict[str, Counter] = {".csv": Counter(), ".xlsx": Counter()}
    crashes: dict[str, dict] = {}
    alarm = hasattr(signal, "setitimer")
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ntp-fuzz-") as tmp:
        for i in range(iterations):
            case = mutate(rng.choice(base), rng)
            path = Path(tmp) / f"input{case.suffix}"
            try:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                outcome = run_one(case, path, units)
            except (Exception, Timeout) as exc:  # noqa: BLE001 - counting every crash is the point
                outcome = "crash"
                _record(crashes, exc, case, i, out_dir, keep)
            finally:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            outcomes[outcome] += 1
            by_format[case.suffix][outcome] += 1
            if progress and (i + 1) % 500 == 0:
                print(f"  {i + 1:>6} inputs: {dict(outcomes)}", file=sys.stderr)
    if alarm:
        signal.signal(signal.SIGALRM, previous)
    report = FuzzReport(iterations, seed, outcomes, crashes, by_format, time.perf_counter() - start)
    (out_dir / "summary.json").write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    return report


def _record(crashes: dict, exc: BaseException, case: Case, i: int, out_dir: Path, keep: int) -> None:
    sig = "Timeout" if isinstance(exc, Timeout) else _signature(exc)
    entry = crashes.setdefault(sig, {"count": 0, "examples": [], "message": str(exc)[:300]})
    entry["count"] += 1
    if len(entry["examples"]) >= keep:
        return
    tag = hashlib.sha1(sig.encode()).hexdigest()[:10]
    name = f"crash-{tag}-{i}{case.suffix}"
    (out_dir / name).write_bytes(case.data)
    detail = (f"signature: {sig}\ntarget: {case.target}\nseed input: {case.seed}\nmutations: {case.mutations}\n\n"
              + "".join(traceback.format_exception(exc)))
    (out_dir / f"{name}.txt").write_text(detail, encoding="utf-8")
    entry["examples"].append(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=5000, help="inputs to try (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="crashing inputs and summary.json go here")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input before it counts as a crash")
    args = parser.parse_args(argv)
    report = run_fuzz(args.iterations, args.seed, args.out, timeout=args.timeout, progress=True)
    print(f"{report.iterations} inputs in {report.seconds:.0f} s (seed {report.seed})")
    for fmt, counts in report.by_format.items():
        print(f"  {fmt:<6} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())))
    print(f"distinct crashes: {len(report.crashes)} (inputs in {args.out})")
    for sig, entry in sorted(report.crashes.items(), key=lambda kv: -kv[1]["count"]):
        print(f"  {entry['count']:>5}  {sig}: {entry['message'].splitlines()[0] if entry['message'] else ''}")
    return 1 if report.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
