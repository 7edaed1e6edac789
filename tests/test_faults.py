"""Faults: ``prepare`` and ``batch`` killed with SIGKILL at any moment leave the previous
outputs intact and readable, and the next run completes.

The real command line (``ntp-atlas prepare`` / ``ntp-atlas batch``) is started as a
subprocess and killed after delays spread over the length of a full run, measured first on
this machine (fractions of it, so the kill points fall in every step: start-up, validation,
the boundary join, writing, the swap; rendering, the index). One more kill falls exactly
between the two renames of the folder swap, the only moment at which the output folder is
not in place. After each kill, every prepared file must match the manifest's hashes (the old
or the new run's, complete) and every report page must be complete; a last run must succeed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from analysis.config import PROJECT_ROOT

CLI = [sys.executable, "-m", "analysis.cli"]
#: Kill points, as fractions of the time a full run takes on this machine.
PREPARE_FRACTIONS = (0.15, 0.35, 0.55, 0.7, 0.8, 0.9, 0.97)
BATCH_FRACTIONS = (0.2, 0.5, 0.8, 0.95)

pytestmark = pytest.mark.slow


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, **kw)


def _kill_after(args: list[str], delay: float) -> bool:
    """Start the command, SIGKILL it after ``delay`` seconds; True if it was still running
    (a run that had finished must have succeeded).

    The kernels a batch started notice that their parent is gone and exit (ipykernel's
    parent poller); any still there after 10 s are killed by their process id.
    """
    proc = subprocess.Popen([*CLI, *args], cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    children = []
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    running = proc.poll() is None
    if running:
        os.kill(proc.pid, signal.SIGKILL)
    status = proc.wait()
    if running and status == 0:  # it finished between poll() and the signal: a finished run
        running = False
    assert status == (-signal.SIGKILL if running else 0)
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:  # only processes this test started
        child.kill()
    return running


def _assert_prepared_intact(out: Path) -> dict:
    """The folder is in place, its manifest reads and every file matches its hash."""
    from analysis.store.prepared import damaged_files, load_manifest

    manifest = load_manifest(out)  # puts back the previous folder if the kill fell in the swap
    assert damaged_files(out, manifest) == []
    assert not out.with_name(out.name + ".previous").exists()
    return manifest


def test_prepare_killed_at_any_moment_keeps_the_previous_output(tmp_path):
    out = tmp_path / "processed"
    assert _run(["prepare", "--out", str(out)]).returncode == 0
    start = time.perf_counter()  # the second run, warm: its length sets the kill points
    second = _run(["prepare", "--out", str(out)])
    full = time.perf_counter() - start
    assert second.returncode == 0, second.stderr
    created = {_assert_prepared_intact(out)["created_at"]}
    killed = 0
    for fraction in PREPARE_FRACTIONS:
        killed += _kill_after(["prepare", "--out", str(out)], fraction * full)
        manifest = _assert_prepared_intact(out)
        created.add(manifest["created_at"])
    assert killed >= len(PREPARE_FRACTIONS) - 2  # nearly all kills fell inside a run
    last = _run(["prepare", "--out", str(out)])
    assert last.returncode == 0, last.stderr
    _assert_prepared_intact(out)
    # the completed run cleared what the killed ones left (their temporary folders)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".processed.tmp-")]
    print(f"prepare: full run {full:.1f} s, {len(PREPARE_FRACTIONS)} kill points, {killed} killed mid-run, "
          f"all recovered; {len(created)} distinct outputs seen")


#: Runs ``ntp-atlas prepare`` and kills itself with SIGKILL right after the n-th ``os.replace``:
#: the 2nd and 3rd of a run are the swap (target -> .previous, temporary -> target).
_KILL_AT_REPLACE = """
import os, signal, sys
real, calls = os.replace, [0]
def replace(a, b, **kw):
    real(a, b, **kw)
    calls[0] += 1
    if calls[0] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from analysis.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize("replace_call", [2, 3], ids=["between-the-renames", "after-the-swap"])
def test_prepare_killed_inside_the_swap(tmp_path, replace_call):
    out = tmp_path / "processed"
    assert _run(["prepare", "--out", str(out)]).returncode == 0
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    proc = subprocess.run([sys.executable, "-c", _KILL_AT_REPLACE, str(replace_call), "prepare", "--out", str(out)],
                          cwd=PROJECT_ROOT, capture_output=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL
    if replace_call == 2:  # killed with the old folder aside and the new one not yet in place
        assert not out.exists() and out.with_name("processed.previous").is_dir()
    manifest = _assert_prepared_intact(out)
    # between the renames the previous output comes back; after the swap the new one stays
    assert (manifest["created_at"] == before["created_at"]) == (replace_call == 2) or (
        manifest["created_at"] == before["created_at"])  # same second: cannot tell, still intact
    assert _run(["prepare", "--out", str(out)]).returncode == 0
    _assert_prepared_intact(out)


def _assert_reports_intact(folder: Path) -> list[str]:
    """Every page complete (its stamp, when it has one, verifies), every notebook readable."""
    from analysis.run.page_stamp import page_inputs

    # hidden names (".187-sop-cop.x1y2.tmp.ipynb") are the staging files of a killed run, never served
    pages = sorted(p.name for p in folder.glob("*.html") if not p.name.startswith("."))
    for name in pages:
        data = (folder / name).read_bytes()
        assert b"</html>" in data[-400:], f"{name} is cut short"
        if b"<!-- ntp-atlas inputs=" in data[-200:]:
            assert page_inputs(folder / name) is not None, f"{name} does not match its own hash"
    for nb in folder.glob("*.ipynb"):
        if not nb.name.startswith("."):
            nbformat.read(nb, as_version=4)
    return pages


def test_batch_killed_at_any_moment_keeps_the_previous_reports(sample_prepared, tmp_path):
    # Sốp Cộp's province (14): one district report, the overview and the index
    args = ["batch", "--province", "14", "--year", "2023", "--data", str(sample_prepared), "--out", str(tmp_path)]
    start = time.perf_counter()
    first = _run(args)
    full = time.perf_counter() - start
    assert first.returncode == 0, first.stderr
    folder = tmp_path / "2023" / "son-la"
    pages = _assert_reports_intact(folder)
    assert pages == ["127-sop-cop.html", "index.html", "overview.html"]
    killed = 0
    for fraction in BATCH_FRACTIONS:
        killed += _kill_after([*args, "--force"], fraction * full)
        assert _assert_reports_intact(folder) == pages  # old or new, every page complete
    last = _run(args)
    assert last.returncode == 0, last.stderr
    assert _assert_reports_intact(folder) == pages
    litter = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    print(f"batch: full run {full:.1f} s, {len(BATCH_FRACTIONS)} kill points, {killed} killed mid-run, "
          f"all pages intact, next run completed; {len(litter)} staging files of killed runs left behind")
    shutil.rmtree(tmp_path / "2023")
