"""Paths and options a run cannot use get a message and an exit status, never a traceback.

Real runs of the command line (``analysis.cli.main`` in this process, or a child process
where a system limit must apply to the run alone). The messages checked are the ones the
user sees; each test also checks that what was there before is left byte for byte.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from analysis import cli
from analysis.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- options out of range: refused by argparse before any work -------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["maps", "--dpi", "0"], "argument --dpi: 0 is out of range: give 50 to 1200"),
        (["maps", "--dpi", "-300"], "argument --dpi: -300 is out of range: give 50 to 1200"),
        (["maps", "--dpi", "high"], "argument --dpi: 'high' is not a whole number: give 50 to 1200"),
        (["maps", "--jobs", "0"], "argument --jobs: 0 is out of range: give 1 to 64"),
        (["batch", "--province", "20", "--jobs", "0"], "argument --jobs: 0 is out of range: give 1 to 64"),
        (["batch", "--province", "20", "--year", "23"], "argument --year: 23 is out of range: give 2000 to 2100"),
        (["prepare", "--wait", "-1"], "argument --wait: -1 is out of range: give 0 to 86400 seconds"),
    ],
)
def test_an_option_out_of_range_is_refused_with_its_range(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--out", str(out)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()  # nothing started


def test_an_input_that_is_a_folder_is_refused(tmp_path, capsys):
    # a folder named like a table (someone unzipped finance.csv into a folder of that name)
    (tmp_path / "finance.csv").mkdir()
    with pytest.raises(SystemExit) as stop:
        main(["prepare", "--finance", str(tmp_path / "finance.csv"), "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert "is a folder, not a file: give the CSV or XLSX file itself" in capsys.readouterr().err


def test_a_data_folder_that_is_a_file_is_refused(tmp_path, capsys):
    data = tmp_path / "processed.csv"
    data.write_text("not prepared data\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["maps", "--data", str(data), "--out", str(tmp_path / "maps")])
    assert stop.value.code == 2
    assert "is a file, not a folder of prepared data" in capsys.readouterr().err
    assert data.read_text(encoding="utf-8") == "not prepared data\n"


# --- the system refuses a write: a message, the previous output kept ---------------------------


@pytest.fixture(scope="module")
def good_prepared(tmp_path_factory) -> Path:
    """The sample prepared once into a folder the tests then try to replace."""
    out = tmp_path_factory.mktemp("good") / "processed"
    assert main(["prepare", "--out", str(out)]) == 0
    return out


def test_a_full_disk_leaves_the_previous_prepared_data(good_prepared, tmp_path):
    # a full disk, for real, for this run alone: the child may write files of 64 kB at most
    # (RLIMIT_FSIZE; Python ignores SIGXFSZ, so the write fails with EFBIG as on a full disk
    # it fails with ENOSPC, and both take the same way out)
    out = tmp_path / "processed"
    shutil.copytree(good_prepared, out)
    before = snapshot(out)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "prepare", "--out", str(out)],
                          capture_output=True, text=True, preexec_fn=limit, timeout=600)  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "cannot write" in proc.stderr and "file too large" in proc.stderr
    assert "the previous output was left as it was" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(out) == before
    # no half-written folder beside it (the lock file of the folder stays, empty: analysis.common.locks)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".processed.lock", "processed"]


def _read_only_mount(path: Path) -> bool:
    """Mount a small read-only tmpfs at ``path`` (root only); False where it cannot be done."""
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_read_only_disk_is_a_message(tmp_path, capsys):
    # as root, a folder's mode does not stop a write; a read-only file system does (EROFS)
    disk = tmp_path / "ro"
    if not _read_only_mount(disk):
        pytest.skip("mounting a read-only tmpfs needs root and mount(8); chmod does not stop root")
    try:
        assert main(["prepare", "--out", str(disk / "processed")]) == 2
        err = capsys.readouterr().err
        assert str(disk) in err and "the disk is read-only" in err and "--out" in err
        assert "internal error" not in err
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_read_only_folder_for_a_user_is_a_message(tmp_path):
    # a folder this user may not write (mode 0555), for a user who is not root
    if os.geteuid() == 0:
        pytest.skip("root writes in a 0555 folder; the read-only disk test covers root")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        proc = subprocess.run([sys.executable, "-m", "analysis.cli", "prepare", "--out", str(folder / "processed")],
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert proc.returncode == 2 and "permission denied" in proc.stderr
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_prepare_that_fails_on_its_input_keeps_the_good_data_and_exits_non_zero(good_prepared, tmp_path, capsys):
    out = tmp_path / "processed"
    shutil.copytree(good_prepared, out)
    before = snapshot(out)
    finance = tmp_path / "finance.csv"
    finance.write_text("year,as_of,province_code\n2023,30/11/2023,20\n", encoding="utf-8")  # columns missing
    assert main(["prepare", "--finance", str(finance), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(finance) in err and "plan_mvnd" in err
    assert snapshot(out) == before


# --- the log of a bug ------------------------------------------------------------------------


def test_the_error_log_is_a_new_private_file_and_a_planted_link_is_not_followed(tmp_path, monkeypatch, capsys):
    # Before, the log was always /tmp/ntp-atlas-error.log: another user could plant a link
    # there and have the traceback written over any file the victim may write.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / "ntp-atlas-error.log").symlink_to(victim)

    def bug(args):
        raise RuntimeError("a bug for the test")

    monkeypatch.setitem(cli.COMMANDS, "sample", bug)  # the command that main dispatches to
    assert main(["sample", "--out", str(tmp_path / "sample")]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError('a bug for the test')" in err
    log = Path(err.split("the details are in ")[1].split()[0])
    assert log.parent == tmp_path and log.name.startswith("ntp-atlas-error-") and not log.is_symlink()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "RuntimeError: a bug for the test" in log.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "precious\n"
