"""Concurrency: one writer per folder, readers kept apart from writers, one version of the data per batch.

The other run is a real process (a subprocess holding the lock through ``analysis.common.locks``,
or a real ``ntp-atlas batch``); this test's process is the second run, through the real
command line. A refused run must exit 75, name the folder and the other run's process, and
change nothing; a lock whose process was killed must not block the next run.
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

import pytest

from analysis.cli import EXIT_BUSY, main
from analysis.common.locks import DataVersion, holders, lock_path, manifest_digest
from analysis.common.storage import sha256_file
from analysis.config import PROJECT_ROOT
from analysis.errors import BusyError, PreparedDataError
from analysis.run.render import render_report

FIXTURE = Path(__file__).parent / "fixtures" / "echo_parameters.ipynb"

#: A process that holds a folder's lock (``shared`` or not), says so, and waits to be killed.
_HOLDER = """
import sys, time
from analysis.common.locks import hold
with hold(sys.argv[1], shared=sys.argv[2] == "shared", what="ntp-atlas batch --province 14 (a test's holder)"):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _holder(folder: Path, mode: str = "exclusive", seconds: float = 120) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(folder), mode, str(seconds)], stdout=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.fixture
def data(sample_prepared, tmp_path) -> Path:
    """A copy of the sample's prepared data of this test's own."""
    copy = tmp_path / "processed"
    shutil.copytree(sample_prepared, copy)
    return copy


def test_prepare_is_refused_while_a_run_reads_the_data_and_runs_once_that_run_is_killed(data, capsys):
    before = sha256_file(data / "manifest.json")
    reader = _holder(data, "shared")
    try:
        assert main(["prepare", "--out", str(data)]) == EXIT_BUSY
        err = capsys.readouterr().err
        assert f"error: {data}: in use: pid {reader.pid} (" in err and "reads the data in it" in err
        assert "nothing was changed" in err and "--wait SECONDS" in err and "Traceback" not in err
        assert sha256_file(data / "manifest.json") == before
        assert holders(lock_path(data)) == ([f"pid {reader.pid} ({_cmdline(reader.pid)})"], False)
    finally:
        _kill(reader)  # SIGKILL: no clean-up ran; the kernel dropped the lock with the process
    assert main(["prepare", "--out", str(data)]) == 0
    assert sha256_file(data / "manifest.json") != before


def _cmdline(pid: int) -> str:
    """The holder's command line as a message shows it: on one line, cut at 120 characters."""
    text = " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ").split())
    return text[:119] + "…"


def test_a_batch_is_refused_while_another_writes_its_folder(stamp_render, data, tmp_path, capsys):
    calls = stamp_render(lambda notebook, *_: notebook)
    folder = tmp_path / "reports" / "2023" / "son-la"
    writer = _holder(folder)
    try:
        code = main(["batch", "--province", "14", "--year", "2023", "--data", str(data), "--out",
                     str(tmp_path / "reports")])
        err = capsys.readouterr().err
    finally:
        _kill(writer)
    assert code == EXIT_BUSY and calls == []
    assert f"{folder}: in use: pid {writer.pid} (ntp-atlas batch --province 14 (a test's holder), since " in err
    assert "is writing it" in err
    assert not folder.exists() or not [p for p in folder.iterdir() if not p.name.startswith(".")]


def test_wait_waits_for_the_other_run_and_gives_up_after_its_time(data, capsys):
    short = _holder(data, "shared", seconds=2)  # lets go after 2 s
    start = time.monotonic()
    assert main(["prepare", "--out", str(data), "--wait", "60"]) == 0
    assert time.monotonic() - start >= 1.5  # it waited for the reader (roughly the 2 s it held)
    short.wait()
    long = _holder(data, "shared")
    try:
        start = time.monotonic()
        assert main(["prepare", "--out", str(data), "--wait", "0.6"]) == EXIT_BUSY
        assert time.monotonic() - start >= 0.6
        assert "(waited 0.6 s); nothing was changed" in capsys.readouterr().err
    finally:
        _kill(long)


def test_a_planted_link_at_the_lock_is_not_followed(data, tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    lock_path(data).unlink(missing_ok=True)
    lock_path(data).symlink_to(victim)
    assert main(["prepare", "--out", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"{data}: cannot write the lock that keeps two runs apart" in err and "Traceback" not in err
    assert victim.read_text(encoding="utf-8") == "precious"


# --- one version of the data per batch ---------------------------------------------------------


def _swap_in_other_data(data: Path) -> None:
    """Replace the prepared folder the way a writer that takes no lock would (a copy by hand,
    another machine): a new folder with a different manifest, renamed into place."""
    other = data.with_name("other")
    shutil.copytree(data, other)
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    manifest["created_at"] = "2030-01-01T00:00:00+00:00"
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    aside = data.with_name("aside")
    os.replace(data, aside)
    os.replace(other, data)
    shutil.rmtree(aside)


def test_a_batch_does_not_mix_two_versions_of_the_data(stamp_render, data, tmp_path, capsys):
    # Lạng Sơn (20): 11 district reports and the overview, one at a time; the data is swapped
    # after the first report, so the other eleven would be of another dataset
    done = []

    def record(notebook, parameters, html, pool):
        if not done:
            _swap_in_other_data(data)
        done.append(parameters.get("district") or notebook)

    stamp_render(record)
    out = tmp_path / "reports"
    code = main(["batch", "--province", "20", "--year", "2023", "--jobs", "1", "--no-pool", "--data", str(data),
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 1  # not 0: the cron job hears of it
    assert len(done) == 1  # no report was rendered from the new data
    assert "failed  11" in printed
    assert printed.count("changed while this run was using it") >= 11
    assert "index without figures" in printed


def test_a_page_made_while_the_data_changed_does_not_replace_the_previous_one(data, tmp_path):
    out = tmp_path / "echo.html"
    render_report(FIXTURE, {"code": "1"}, out)
    previous = out.read_bytes(), out.with_suffix(".ipynb").read_bytes()
    version = DataVersion(str(data), manifest_digest(data))
    calls = []

    def check():  # the real check; the data is replaced after the first (before the notebook runs)
        version.check()
        if not calls:
            _swap_in_other_data(data)
        calls.append(1)

    with pytest.raises(PreparedDataError, match="changed while this run was using it"):
        render_report(FIXTURE, {"code": "2"}, out, check=check)
    assert len(calls) == 1
    assert (out.read_bytes(), out.with_suffix(".ipynb").read_bytes()) == previous
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".echo")) == []  # nothing staged left


def test_a_version_pinned_on_a_folder_without_data_never_claims_a_change(tmp_path):
    version = DataVersion(str(tmp_path / "none"), manifest_digest(tmp_path / "none"))
    assert version.digest is None and not version.changed()


@pytest.mark.slow
def test_a_real_batch_holds_its_folder_and_its_data(sample_prepared, tmp_path, capsys):
    # a real batch in its own process (Sơn La: one district and the overview); while it runs,
    # a second batch on the same --out and a prepare of its --data are refused, and it completes
    data = tmp_path / "processed"
    shutil.copytree(sample_prepared, data)
    out = tmp_path / "reports"
    args = ["batch", "--province", "14", "--year", "2023", "--data", str(data), "--out", str(out)]
    batch = subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    folder_lock = out / "2023" / ".son-la.lock"
    deadline = time.monotonic() + 300
    while not (folder_lock.exists() and holders(folder_lock)[0]) and batch.poll() is None:
        assert time.monotonic() < deadline, "the batch never took its folder"
        time.sleep(0.2)
    assert batch.poll() is None, batch.communicate()
    before = sha256_file(data / "manifest.json")
    assert main(args) == EXIT_BUSY
    err = capsys.readouterr().err
    assert f"pid {batch.pid} (ntp-atlas batch --province 14 --year 2023" in err and "is writing it" in err
    assert main(["prepare", "--out", str(data)]) == EXIT_BUSY
    err = capsys.readouterr().err
    assert f"{data}: in use: pid {batch.pid} (ntp-atlas batch" in err and "reads the data in it" in err
    stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    assert "1 district reports + overview" in stdout
    assert sha256_file(data / "manifest.json") == before
    assert main(["prepare", "--out", str(data)]) == 0  # and once it has finished, prepare runs


def test_busy_error_is_an_output_error_with_a_fix():
    error = BusyError("/x", "in use: pid 1 (ntp-atlas batch) is writing it", "wait")
    assert str(error) == "/x: in use: pid 1 (ntp-atlas batch) is writing it\n  fix: wait"
