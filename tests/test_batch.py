"""A province's batch: every report, the index, failures recorded without stopping the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import batch
from analysis.batch import report_filename, run_batch
from analysis.cli import main
from analysis.errors import ReportError

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
    names = sorted(p.name for p in folder.iterdir())
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

    monkeypatch.setattr(batch, "render_report", render)
    return calls


def test_failure_is_recorded_and_others_continue(fake_render, sample_prepared, tmp_path):
    result = run_batch("Lạng Sơn", 2023, lang="en", jobs=2, data_dir=sample_prepared, out_dir=tmp_path,
                       progress=False)
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
