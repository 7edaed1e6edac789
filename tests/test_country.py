"""The whole country in one run: every province's batch on one pool, and a national index.

The sample has two provinces (data/sample/README.md): Lạng Sơn (20) with 11 districts and
Sơn La (14) with one, Sốp Cộp (127). So a country run writes 11 + 1 district reports, 2
overviews, 2 province indexes and 1 national index.
"""

from __future__ import annotations

import re

import pytest

from analysis.cli import main
from analysis.errors import ParameterError
from analysis.run.country import is_all, provinces_with_data, run_country
from analysis.run.kernel_pool import KernelPool
from analysis.run.options import RunOptions

HREF = re.compile(r"""\bhref\s*=\s*["']([^"']*)["']""")


@pytest.fixture
def fake_render(stamp_render):
    """Batches with a fast stand-in for the notebook run; notes province, district and pool."""
    return stamp_render(lambda notebook, params, html, pool: (params["province"], params.get("district"), pool))


def test_all_means_the_country():
    assert is_all("all") and is_all(" Toàn quốc ") and is_all("ALL")
    assert not is_all("20") and not is_all("Lạng Sơn") and not is_all("")


def test_provinces_with_data(sample_prepared):
    table = provinces_with_data(sample_prepared)
    assert table.to_dict("list") == {"province_code": ["14", "20"], "province_name": ["Sơn La", "Lạng Sơn"]}


def test_country_run_renders_every_province_on_one_pool(fake_render, sample_prepared, tmp_path):
    result = run_country(2023, options=RunOptions(jobs=1, data_dir=sample_prepared, out_dir=tmp_path, progress=False))
    assert result.ok and not result.errors
    assert [p.province_code for p in result.provinces] == ["14", "20"]
    rendered = sorted((p, d or "overview") for p, d, _ in fake_render)
    lang_son = [d for d in map(str, range(178, 190)) if d != "179"]  # 178, 180-189: LANG_SON in test_batch.py
    assert rendered == [("14", "127"), ("14", "overview")] + [("20", d) for d in lang_son] + [("20", "overview")]
    pools = {id(pool) for *_, pool in fake_render}
    assert len(pools) == 1 and isinstance(fake_render[0][2], KernelPool)  # started once, for both provinces
    assert fake_render[0][2]._closed  # and closed at the end
    assert result.count("rendered") == 14 and result.count("skipped") == 0

    page = result.index.read_text(encoding="utf-8")
    assert result.index == tmp_path / "2023" / "index.html"
    links = HREF.findall(page)
    assert links == ["son-la/index.html", "lang-son/index.html"]
    assert all((result.index.parent / link).is_file() for link in links)
    assert "Sơn La" in page and "Lạng Sơn" in page

    fake_render.clear()
    again = run_country(2023, options=RunOptions(jobs=1, data_dir=sample_prepared, out_dir=tmp_path, progress=False))
    assert fake_render == [] and again.count("skipped") == 14 and again.count("rendered") == 0


def test_a_year_without_data_is_said_not_rendered(fake_render, sample_prepared, tmp_path):
    result = run_country(2031, options=RunOptions(jobs=1, data_dir=sample_prepared, out_dir=tmp_path, progress=False))
    assert fake_render == [] and not result.ok
    assert set(result.errors) == {"Sơn La", "Lạng Sơn"}
    assert "no finance data for 2031 (latest: 2023)" in result.errors["Lạng Sơn"]
    assert "no finance data for 2031" in result.index.read_text(encoding="utf-8")


def test_no_province_is_an_error(sample_prepared, tmp_path):
    with pytest.raises(ParameterError, match="no province has prepared data"):
        run_country(2023, provinces=["01"],
                    options=RunOptions(data_dir=sample_prepared, out_dir=tmp_path, progress=False))


def test_cli_province_all(fake_render, sample_prepared, tmp_path, capsys):
    argv = ["batch", "--province", "all", "--year", "2023", "--data", str(sample_prepared), "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "country 2023 (vi): 2 provinces, 14 reports rendered, 0 unchanged, skipped, 0 failed" in out
    assert f"index: {tmp_path / '2023' / 'index.html'}" in out


def test_districts_outside_the_unit_list_are_said(fake_render, sample_prepared, tmp_path):
    """Data for a district code the official list lacks (an older vintage's) cannot be
    reported; the run says which instead of dropping it silently."""
    import json
    import shutil

    copy = tmp_path / "processed"
    shutil.copytree(sample_prepared, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["districts"] = [*manifest["districts"], "998"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_country(2023, options=RunOptions(jobs=1, data_dir=copy, out_dir=tmp_path / "out", progress=False))
    assert result.unlisted == ["998"] and not result.ok
    assert result.count("rendered") == 14
    assert "998" in result.index.read_text(encoding="utf-8")


def test_cli_a_list_of_provinces(fake_render, sample_prepared, tmp_path, capsys):
    argv = ["batch", "--province", "Sơn La, 20", "--year", "2023", "--data", str(sample_prepared),
            "--out", str(tmp_path)]
    assert main(argv) == 0
    assert "2 provinces, 14 reports rendered" in capsys.readouterr().out
    fake_render.clear()
    assert main([*argv[:2], "14", *argv[3:], "--force"]) == 0  # one province: the province's batch
    assert {p for p, *_ in fake_render} == {"14"}
