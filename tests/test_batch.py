"""A province's batch: every report, the index, failures recorded without stopping the rest."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.common.ownership import LEDGER
from analysis.common.storage import sha256_file, write_json
from analysis.errors import ReportError
from analysis.run import batch, fingerprint, index_page, threads
from analysis.run.batch import run_batch
from analysis.run.fingerprint import code_digest
from analysis.run.options import RunOptions
from analysis.run.outputs import report_filename

# The 11 districts of the sample Lạng Sơn (data/sample/README.md), GSO order.
LANG_SON = ["178-lang-son", "180-trang-dinh", "181-binh-gia", "182-van-lang", "183-cao-loc", "184-van-quan",
            "185-bac-son", "186-huu-lung", "187-chi-lang", "188-loc-binh", "189-dinh-lap"]
HREF = re.compile(r"""\bhref\s*=\s*["']([^"']*)["']""")


def test_report_filenames():
    assert report_filename("187", "Huyện Chi Lăng") == "187-chi-lang.html"
    assert report_filename("187", "Huyện Chi Lăng", lang="en") == "187-chi-lang.en.html"
    assert report_filename(lang="en", notebook="province_overview") == "overview.en.html"
    assert report_filename("187", "Huyện Chi Lăng", notebook="explore") == "187-chi-lang.explore.html"
    assert report_filename("../..", "../../etc/passwd") == "unnamed-etc-passwd.html"


# --- the real batch (slow) -----------------------------------------------------------------


@pytest.mark.slow
def test_batch_writes_every_report(sample_batch):
    assert sample_batch.ok, [r.message for r in sample_batch.failed]
    folder = sample_batch.folder
    assert folder.parts[-2:] == ("2023", "lang-son")
    names = sorted(p.name for p in folder.iterdir() if p.name != LEDGER)  # the list of what ntp-atlas wrote apart
    expected = sorted([f"{d}.html" for d in LANG_SON] + [f"{d}.ipynb" for d in LANG_SON]
                      + ["overview.html", "overview.ipynb", "index.html"])
    assert names == expected  # and no temporary or failed files
    assert sample_batch.index == folder / "index.html"
    assert len(sample_batch.succeeded) == 12


@pytest.mark.slow
def test_index_links_resolve(sample_batch):
    folder = sample_batch.folder
    page = (folder / "index.html").read_text(encoding="utf-8")
    links = HREF.findall(page)
    assert sorted(links) == sorted([f"{d}.html" for d in LANG_SON] + ["overview.html"])
    for link in links:
        assert (folder / link).is_file()
    assert '<html lang="vi">' in page and "<title>" in page
    assert "04/08/2023" in page  # the as-of date
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) == 1
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "Huyện Chi Lăng" in page and "Tỷ lệ giải ngân" in page


def test_index_shows_the_overviews_map_without_drawing_it(sample_batch, sample_prepared, monkeypatch):
    # The index shows the province's disbursement map, the same map the overview's page has
    # (same communes, parameters and data): it is taken from that page, not drawn again. With
    # drawing made impossible the index still gets it, byte for byte the overview's image;
    # when the overview failed, the index draws its own.
    import dataclasses

    from analysis import report

    folder = sample_batch.folder
    image = re.compile(r'<img src="data:image/png;base64,[^"]+" alt="Tỷ lệ giải ngân theo xã"[^>]*>')
    in_overview = image.findall((folder / "overview.html").read_text(encoding="utf-8"))
    assert len(in_overview) == 1
    assert image.findall((folder / "index.html").read_text(encoding="utf-8")) == in_overview

    drawn = []
    monkeypatch.setattr(report, "map_disbursement", lambda ctx: drawn.append(ctx) or report.Picture(
        None, "Tỷ lệ giải ngân theo xã", png=b"drawn", draw=lambda: None))
    page = index_page.index_html(sample_batch, as_of="2023-08-04", data_dir=sample_prepared)
    assert image.findall(page) == in_overview and not drawn
    failed = dataclasses.replace(sample_batch, reports=[
        dataclasses.replace(r, ok=False) if r.notebook == "province_overview" else r for r in sample_batch.reports])
    page = index_page.index_html(failed, as_of="2023-08-04", data_dir=sample_prepared)
    assert len(drawn) == 1 and image.findall(page) != in_overview  # drawn, not taken from a failed overview


# --- failures, with a stand-in for the notebook run (fast) -----------------------------------


@pytest.fixture
def fake_render(monkeypatch):
    """Replace the notebook run: write a stub page, fail for Chi Lăng with hostile text."""
    calls = []

    def render(notebook, parameters, out_html, **_):
        calls.append((notebook, dict(parameters), Path(out_html)))
        if parameters.get("district") == "187":
            raise ReportError("report for 187 failed in code cell 2 (x): ValueError: <script>alert(1)</script>")
        Path(out_html).parent.mkdir(parents=True, exist_ok=True)
        Path(out_html).write_text("<html></html>", encoding="utf-8")
        return Path(out_html)

    monkeypatch.setattr(batch, "render_report", render)  # one report (ntp-atlas report)
    monkeypatch.setattr(threads, "render_report", render)  # a batch's reports
    return calls


def test_failure_is_recorded_and_others_continue(fake_render, sample_prepared, tmp_path):
    result = run_batch("Lạng Sơn", 2023,
                       options=RunOptions(lang="en", jobs=2, data_dir=sample_prepared, out_dir=tmp_path,
                                          progress=False))
    assert not result.ok
    assert [r.name for r in result.failed] == ["Huyện Chi Lăng"]
    assert "ValueError" in result.failed[0].message
    assert len(result.succeeded) == 11  # 10 districts and the overview
    assert len(fake_render) == 12
    _, params, out = fake_render[0]
    assert params["province"] == "20" and params["lang"] == "en" and Path(params["data_dir"]).is_absolute()
    assert out.name.endswith(".en.html")
    index = result.folder / "index.en.html"
    page = index.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Reports that failed (1)" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    links = HREF.findall(page)
    assert "187-chi-lang.en.html" not in links and "overview.en.html" in links
    assert all((result.folder / link).is_file() for link in links)


def test_cli_batch_exit_status(fake_render, sample_prepared, tmp_path, capsys):
    argv = ["batch", "--province", "20", "--year", "2023", "--jobs", "2", "--data", str(sample_prepared),
            "--out", str(tmp_path)]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "failed  1" in out and "Huyện Chi Lăng" in out and "index.html" in out


def test_cli_report_goes_where_batch_puts_it(fake_render, sample_prepared, tmp_path, capsys):
    argv = ["report", "--province", "Lạng Sơn", "--district", "Đình Lập", "--lang", "en",
            "--data", str(sample_prepared), "--out", str(tmp_path)]
    assert main(argv) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == tmp_path.resolve() / "2023" / "lang-son" / "189-dinh-lap.en.html"
    notebook, params, _ = fake_render[0]
    assert notebook == "district_report" and params["district"] == "189" and params["year"] == 2023


def test_cli_report_failure_is_a_message(fake_render, sample_prepared, tmp_path, capsys):
    argv = ["report", "--province", "20", "--district", "187", "--data", str(sample_prepared), "--out", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "code cell 2" in err and "Traceback" not in err


def test_cli_help(capsys):
    for command in ("batch", "report"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "examples:" in out and "--province" in out and "--as-of" in out
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    assert "--jobs" in capsys.readouterr().out


# --- incremental batches -------------------------------------------------------------------


def changed_copy(prepared: Path, tmp_path: Path, district: str = "187") -> Path:
    """A copy of the prepared data where one finance row of ``district`` has 100 million VND
    more disbursed, with the manifest's hash of finance.parquet updated to match."""
    copy = tmp_path / "processed"
    shutil.copytree(prepared, copy)
    finance = pd.read_parquet(copy / "finance.parquet")
    row = finance.index[finance["district_code"] == district][0]
    finance.loc[row, "disbursed_mvnd"] += 100
    finance.to_parquet(copy / "finance.parquet", index=False)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["finance.parquet"] = sha256_file(copy / "finance.parquet")
    write_json(copy / "manifest.json", manifest)
    return copy


@pytest.fixture
def stamping_render(stamp_render):
    """Batches with a fast stand-in for the notebook run (conftest.stamp_render)."""
    return stamp_render(lambda notebook, parameters, html, pool: (notebook, parameters.get("district"), pool))


def rendered(calls) -> list[str]:
    return sorted(district or notebook for notebook, district, _ in calls)


def test_incremental_batch_renders_what_changed(stamping_render, sample_prepared, tmp_path):
    out = tmp_path / "reports"
    options = RunOptions(lang="vi", jobs=2, out_dir=out, progress=False)
    first = run_batch("20", 2023, options=options.replace(data_dir=sample_prepared))
    assert len(first.rendered) == 12 and not first.skipped and not first.index_skipped
    index = first.index.read_bytes()

    stamping_render.clear()
    second = run_batch("20", 2023, options=options.replace(data_dir=sample_prepared))
    assert stamping_render == []
    assert second.ok and len(second.skipped) == 12 and not second.rendered and second.index_skipped
    assert second.index.read_bytes() == index
    assert [r.html for r in second.reports] == [r.html for r in first.reports]  # same order

    # a page edited since, or one whose executed notebook is gone, is rendered again
    folder = first.folder
    (folder / "178-lang-son.html").write_text("edited", encoding="utf-8")
    (folder / "180-trang-dinh.ipynb").unlink()
    third = run_batch("20", 2023, options=options.replace(data_dir=sample_prepared))
    assert rendered(stamping_render) == ["178", "180"] and not third.index_skipped

    # one district's data changed: that district, the overview and the index; where the
    # data folder is does not matter, only what is in it
    stamping_render.clear()
    changed = changed_copy(sample_prepared, tmp_path)
    fourth = run_batch("20", 2023, options=options.replace(data_dir=changed))
    assert rendered(stamping_render) == ["187", "province_overview"]
    assert len(fourth.skipped) == 10 and not fourth.index_skipped and fourth.index.read_bytes() != index

    # other parameters are other inputs
    stamping_render.clear()
    run_batch("20", 2023, options=options.replace(data_dir=changed, as_of="2023-08-04"))
    assert len(stamping_render) == 12


def test_a_new_matplotlib_renders_everything_again(stamping_render, sample_prepared, tmp_path, monkeypatch):
    """The versions of the libraries that draw and format a page are inputs too."""
    options = RunOptions(lang="vi", jobs=1, out_dir=tmp_path, progress=False)
    run_batch("20", 2023, options=options.replace(data_dir=sample_prepared))
    stamping_render.clear()
    versions = fingerprint.library_versions() | {"matplotlib": "99.0"}
    monkeypatch.setattr(fingerprint, "library_versions", lambda: versions)
    again = run_batch("20", 2023, options=options.replace(data_dir=sample_prepared))
    assert len(stamping_render) == 12 and not again.skipped and not again.index_skipped


def test_an_edited_module_of_a_subpackage_renders_everything_again(stamping_render, sample_prepared, tmp_path,
                                                                    monkeypatch):
    """The code fingerprint covers every module of every subpackage and the resources: a
    batch after an edit of one (here in a copy of the package) renders every report again."""
    package = tmp_path / "analysis"
    shutil.copytree(fingerprint.PACKAGE_ROOT, package, ignore=shutil.ignore_patterns("__pycache__"))
    # the real digest (imported before stamping_render fixed the package's), of the copy
    monkeypatch.setattr(fingerprint, "code_digest", lambda: code_digest(package))
    options = RunOptions(lang="vi", jobs=1, out_dir=tmp_path / "reports", progress=False, data_dir=sample_prepared)
    run_batch("20", 2023, options=options)
    for edited in ("metrics/finance.py", "report/tables.py", "resources/indicators.json"):
        path = package / edited
        stamping_render.clear()
        path.write_bytes(path.read_bytes() + b"\n")
        again = run_batch("20", 2023, options=options)
        assert len(stamping_render) == 12 and not again.skipped, edited
    stamping_render.clear()
    assert run_batch("20", 2023, options=options).skipped and stamping_render == []  # unchanged: skipped


def test_cli_force_and_no_pool(stamping_render, sample_prepared, tmp_path, capsys):
    argv = ["batch", "--province", "20", "--year", "2023", "--data", str(sample_prepared), "--out", str(tmp_path)]
    assert main(argv) == 0
    assert len(stamping_render) == 12 and all(pool is not None for *_, pool in stamping_render)
    capsys.readouterr()

    stamping_render.clear()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert stamping_render == []
    assert "11 district reports + overview: 12 unchanged, skipped; 0 rendered" in out and "(unchanged)" in out

    assert main([*argv, "--force", "--no-pool"]) == 0
    out = capsys.readouterr().out
    assert len(stamping_render) == 12 and all(pool is None for *_, pool in stamping_render)
    assert "0 unchanged, skipped; 12 rendered" in out and "failed  0" in out


@pytest.mark.slow
def test_second_batch_skips_everything(sample_batch, sample_prepared):
    folder = sample_batch.folder
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    start = time.perf_counter()
    again = run_batch("20", 2023,
                      options=RunOptions(lang="vi", jobs=2, data_dir=sample_prepared, out_dir=folder.parents[1],
                                         as_of="2023-08-04", progress=False))
    elapsed = time.perf_counter() - start
    assert again.ok and len(again.skipped) == 12 and not again.rendered and again.index_skipped
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    first = sum(r.seconds for r in sample_batch.reports) / 2  # the session's batch, two at a time
    assert elapsed < first / 5, f"skipping took {elapsed:.1f} s; rendering took about {first:.1f} s"


@pytest.mark.slow
def test_changed_district_rerenders_it_the_overview_and_the_index(sample_batch, sample_prepared, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(sample_batch.folder.parents[1], out)
    folder = out / "2023" / "lang-son"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run_batch("20", 2023,
                       options=RunOptions(lang="vi", jobs=2, data_dir=changed_copy(sample_prepared, tmp_path),
                                          out_dir=out, as_of="2023-08-04", progress=False))
    assert result.ok, [r.message for r in result.failed]
    assert sorted(r.html.name for r in result.rendered) == ["187-chi-lang.html", "overview.html"]
    assert len(result.skipped) == 10 and not result.index_skipped
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert sorted(name for name in after if after[name] != before.get(name)) == [
        "187-chi-lang.html", "187-chi-lang.ipynb", "index.html", "overview.html", "overview.ipynb"]


def test_a_year_without_data_is_refused_before_any_report(sample_prepared, tmp_path, capsys):
    # the sample's finance covers 2022 and 2023 (data/sample/finance.csv): a batch for 2021 says
    # so and runs nothing, instead of running every notebook to fail in its first cell
    out = tmp_path / "reports"
    assert main(["batch", "--province", "20", "--year", "2021", "--data", str(sample_prepared), "--out", str(out)]) == 2
    assert "Lạng Sơn has no finance data for 2021; years with data: 2022, 2023" in capsys.readouterr().err
    assert not out.exists()


def test_another_programmes_batch_renders_only_the_districts_that_have_its_money(tmp_path, stamp_render):
    # The sample's finance (NTP 1719 everywhere) and three rows of Programme 135 in Chi Lăng
    # (187) only: a P135 batch renders Chi Lăng and the overview, and says which 10 of Lạng
    # Sơn's 11 districts have no P135 money in 2023, instead of failing 10 reports.
    from analysis.store.prepare import prepare

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    lines = (sample / "finance.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",programme"] + [f"{line},ntp1719" for line in lines[1:] if line.strip()]
    rows += ["2023,2023-11-30,20,187,06481,TDA1,investment,current,500,200,p135",
             "2023,2023-11-30,20,187,,TDA3,recurrent,current,100,20,p135"]
    finance = tmp_path / "finance.csv"
    finance.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = tmp_path / "processed"
    prepare(finance=finance, out=data)
    rendered = stamp_render(lambda notebook, parameters, out, pool: (notebook, parameters.get("district", "")))
    result = run_batch("20", 2023,
                       options=RunOptions(data_dir=data, out_dir=tmp_path / "reports", programme="p135",
                                          progress=False))
    assert result.ok, (result.index_error, [r.message for r in result.failed])
    assert sorted(rendered) == [("district_report", "187"), ("province_overview", "")]
    assert result.data_note.startswith("10 district(s) without Programme 135 finance for 2023, no report: ")
    assert "Huyện Chi Lăng" not in result.data_note and "Huyện Đình Lập" in result.data_note
