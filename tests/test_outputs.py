"""Outputs: ntp-atlas replaces or deletes only what it wrote, and a path it cannot use gets a message.

Every test runs the real thing on real files in ``tmp_path``: the command line
(``analysis.cli.main``), the report renderer on a real kernel, the storage functions every
writer goes through. A refusal must leave what was there byte for byte as it was, so each
test compares the folder's contents before and after (:func:`snapshot`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.common.ownership import LEDGER, check_output_folder, file_problem
from analysis.common.storage import STAGING_MARK, atomic_dir, atomic_write_bytes, recover, remove_stale
from analysis.errors import OutputError
from analysis.run.options import RunOptions
from analysis.run.render import render_report
from tests.form_fixtures import form_a

FIXTURE = Path(__file__).parent / "fixtures" / "echo_parameters.ipynb"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def inputs_folder(tmp_path) -> Path:
    """A user's folder holding the sample's input CSVs, as someone would give it to --out."""
    folder = tmp_path / "my-data"
    folder.mkdir()
    for name in ("finance.csv", "communes.csv", "indicators.csv"):
        shutil.copy(SAMPLE / name, folder / name)
    return folder


# --- folders replaced as a whole: prepare --out, convert --out -------------------------------


def test_prepare_refuses_a_folder_it_did_not_write_and_touches_nothing(inputs_folder, capsys):
    # the case: --out the folder the inputs were just read from
    before = snapshot(inputs_folder)
    code = main(["prepare", "--finance", str(inputs_folder / "finance.csv"), "--out", str(inputs_folder)])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{inputs_folder}: holds files that ntp-atlas did not write (no ntp-atlas manifest.json)" in err
    assert "communes.csv, finance.csv, indicators.csv" in err and "nothing was changed" in err
    assert "fix: give --out a new or empty folder" in err
    assert snapshot(inputs_folder) == before
    assert sorted(p.name for p in inputs_folder.parent.iterdir()) == ["my-data"]  # no .previous, no temporary


def test_prepare_refuses_a_file_at_out_and_leaves_it_where_it_is(tmp_path, capsys):
    target = tmp_path / "processed"
    target.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:  # refused by argparse, before anything is read
        main(["prepare", "--out", str(target)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --out: {target} is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


def test_the_library_refuses_a_file_too(tmp_path):
    from analysis.store.prepare import prepare

    target = tmp_path / "processed"
    target.write_bytes(b"x")
    with pytest.raises(OutputError, match="is a file, not a folder; nothing was changed"):
        prepare(out=target)
    assert target.read_bytes() == b"x" and not (tmp_path / "processed.previous").exists()


def test_an_empty_folder_is_used_and_its_own_output_replaced(tmp_path, capsys):
    target = tmp_path / "processed"
    target.mkdir()
    assert main(["prepare", "--out", str(target)]) == 0
    first = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert main(["prepare", "--out", str(target)]) == 0  # its own output: replaced
    assert json.loads((target / "manifest.json").read_text(encoding="utf-8"))["outputs"] == first["outputs"]
    # a file added by a user to the prepared folder would go with the next swap: refused
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(target)
    capsys.readouterr()
    assert main(["prepare", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "holds files that are not in its ntp-atlas manifest.json: notes.txt" in err
    assert snapshot(target) == before


def test_a_link_at_out_is_refused(sample_prepared, tmp_path):
    link = tmp_path / "processed"
    link.symlink_to(sample_prepared)
    with pytest.raises(OutputError, match=f"is a symbolic link \\(to {sample_prepared}\\)"):
        check_output_folder(link)
    assert link.is_symlink()


def test_a_manifest_of_someone_else_is_not_ntp_atlas(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "my web app"}', encoding="utf-8")
    with pytest.raises(OutputError, match="is not an ntp-atlas manifest"):
        check_output_folder(folder)


def test_convert_refuses_a_foreign_out_before_reading(sample_prepared, inputs_folder, capsys):
    before = snapshot(inputs_folder)
    assert main(["convert", "--to", "2025", "--data-dir", str(sample_prepared), "--out", str(inputs_folder)]) == 2
    assert "holds files that ntp-atlas did not write" in capsys.readouterr().err
    assert snapshot(inputs_folder) == before


def test_a_previous_folder_ntp_atlas_did_not_set_aside_is_never_touched(tmp_path):
    # "<out>.previous" is where a swap puts the old output; a user's folder of that name stays
    target, previous = tmp_path / "processed", tmp_path / "processed.previous"
    previous.mkdir()
    (previous / "budget.xlsx").write_bytes(b"PK mine")
    recover(target)  # target missing: an ntp-atlas backup would be put back; this one is not
    assert not target.exists() and (previous / "budget.xlsx").read_bytes() == b"PK mine"
    with atomic_dir(target) as tmp:
        (tmp / "manifest.json").write_text('{"tool": "ntp-atlas", "outputs": {}}', encoding="utf-8")
    assert (previous / "budget.xlsx").read_bytes() == b"PK mine"  # a first swap used to remove it after
    with pytest.raises(OutputError, match="processed.previous: is in the way"), atomic_dir(target) as tmp:
        (tmp / "manifest.json").write_text('{"tool": "ntp-atlas", "outputs": {}}', encoding="utf-8")
    assert (previous / "budget.xlsx").read_bytes() == b"PK mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".processed.lock", "processed", "processed.previous"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_marked_temporaries_of_dead_runs_are_removed(tmp_path):
    target = tmp_path / "processed"
    dead = _dead_pid()

    def folder(name: str, mark: dict | None) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "data.parquet").write_bytes(b"x")
        if mark is not None:
            (path / STAGING_MARK).write_text(json.dumps(mark), encoding="utf-8")
        return path

    ours = folder(f".processed.tmp-{dead}-abc", {"host": socket.gethostname(), "pid": dead})
    unmarked = folder(f".processed.tmp-{dead}-def", None)  # a name alone proves nothing
    other_host = folder(f".processed.tmp-{dead}-ghi", {"host": "another-machine", "pid": dead})
    alive = folder(f".processed.tmp-{os.getpid()}-jkl", {"host": socket.gethostname(), "pid": os.getpid()})
    assert remove_stale(target) == [ours]
    assert unmarked.is_dir() and other_host.is_dir() and alive.is_dir() and not ours.exists()


# --- files in folders of outputs: reports, indexes, imports, maps --------------------------


def test_a_users_file_at_a_reports_path_is_refused_before_the_notebook_runs(tmp_path):
    out = tmp_path / "echo.html"
    out.write_text("<p>my own page</p>", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        render_report(FIXTURE, {"code": "1"}, out)
    assert str(err.value).startswith(f"{out}: is not a file ntp-atlas wrote (it is not in {LEDGER}")
    assert "fix: move your file away or rename it, or give another --out" in str(err.value)
    assert out.read_text(encoding="utf-8") == "<p>my own page</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["echo.html"]  # nothing staged left behind


@pytest.mark.slow
def test_a_report_replaces_what_it_wrote_but_not_a_users_failed_notebook(tmp_path):
    out = tmp_path / "echo.html"
    render_report(FIXTURE, {"code": "1"}, out)
    assert {"echo.html", "echo.ipynb"} <= set((tmp_path / LEDGER).read_text(encoding="utf-8").split("\n"))
    first = out.read_bytes()
    render_report(FIXTURE, {"code": "2"}, out)  # its own page (unstamped, listed): replaced
    assert out.read_bytes() != first
    mine = tmp_path / "echo.failed.ipynb"  # a good report removes a stale failure, but only its own
    mine.write_text("{}", encoding="utf-8")
    render_report(FIXTURE, {"code": "3"}, out)
    assert mine.read_text(encoding="utf-8") == "{}"


def test_a_users_index_is_refused_before_any_report(stamp_render, sample_prepared, tmp_path):
    from analysis.run.batch import run_batch

    calls = stamp_render(lambda *a: a[0])
    index = tmp_path / "2023" / "son-la" / "index.html"
    index.parent.mkdir(parents=True)
    index.write_text("<h1>Sơn La: our own index</h1>", encoding="utf-8")
    with pytest.raises(OutputError, match="index.html: is not a file ntp-atlas wrote"):
        run_batch("14", 2023, options=RunOptions(data_dir=sample_prepared, out_dir=tmp_path, progress=False))
    assert calls == [] and index.read_text(encoding="utf-8") == "<h1>Sơn La: our own index</h1>"


def test_files_written_before_the_ledger_are_known_by_their_mark(tmp_path):
    page = tmp_path / "187-chi-lang.html"  # a page of an older batch: its stamp names ntp-atlas
    page.write_bytes(b"<html>...</html>\n<!-- ntp-atlas inputs=" + b"0" * 64 + b" sha256=" + b"1" * 64 + b" -->\n")
    picture = tmp_path / "map.png"  # a map of an older export: matplotlib's Software field
    picture.write_bytes(b"\x89PNG\r\n\x1a\n...tEXtSoftware\x00ntp-atlas 0.1.0...")
    notebook = tmp_path / "187-chi-lang.ipynb"
    notebook.write_text(json.dumps({"metadata": {"papermill": {"input_path": "/x/notebooks/district_report.ipynb"}},
                                    "cells": []}), encoding="utf-8")
    other = tmp_path / "other.ipynb"  # a notebook of the user's own papermill run
    other.write_text(json.dumps({"metadata": {"papermill": {"input_path": "analysis.ipynb"}}}), encoding="utf-8")
    assert [file_problem(p) for p in (page, picture, notebook)] == [None, None, None]
    assert file_problem(other) is not None
    for path in (page, picture, notebook):
        atomic_write_bytes(path, b"new")
        assert path.read_bytes() == b"new"


def test_a_folder_or_link_where_a_file_goes_is_refused(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(OutputError, match="x.csv: is a folder where ntp-atlas writes a file"):
        atomic_write_bytes(tmp_path / "x.csv", b"a,b\n")
    (tmp_path / "target.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(tmp_path / "target.txt")
    with pytest.raises(OutputError, match="is a symbolic link"):
        atomic_write_bytes(tmp_path / "link.html", b"<p>")
    assert (tmp_path / "target.txt").read_text(encoding="utf-8") == "secret"


def test_import_does_not_overwrite_a_users_csv(tmp_path, capsys):
    form = form_a(tmp_path / "bieu.xlsx")
    out = tmp_path / "interim"
    assert main(["import", str(form), "--out", str(out)]) == 0
    assert main(["import", str(form), "--out", str(out)]) == 0  # its own file: replaced
    mine = tmp_path / "mine"  # a folder where the user keeps a table typed by hand, of the same name
    mine.mkdir()
    (mine / "bieu.finance.csv").write_text("year,as_of\n2023,30/11/2023\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(form), "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert f"{mine / 'bieu.finance.csv'}: is not a file ntp-atlas wrote" in err and "Traceback" not in err
    assert snapshot(mine) == {"bieu.finance.csv": b"year,as_of\n2023,30/11/2023\n"}
