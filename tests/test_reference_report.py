"""A district report built on the real 2019 Lạng Sơn polygons (../shared/reference)."""

from __future__ import annotations

import pytest

from analysis.run.render import render_report
from analysis.store.prepare import prepare


@pytest.mark.slow
@pytest.mark.reference
def test_chi_lang_report_on_real_polygons(reference_dir, tmp_path):
    data = tmp_path / "processed"
    prepare(
        boundaries=reference_dir / "boundaries" / "langson_communes_2019.geojson",
        code_column="gso_commune_code_2019",
        name_column="commune_vn",
        district_column="gso_district_code",
        out=data,
    )
    out = tmp_path / "chi-lang.html"
    params = {"province": "20", "district": "187", "year": "2023", "as_of": "2023-08-04", "lang": "vi",
              "data_dir": str(data)}
    render_report("district_report", params, out)
    html = out.read_text(encoding="utf-8")
    # seed 000 (published_figures.csv): investment 29,72 tỷ đồng = 37%; recurrent 4,9%
    for text in ("29.720,000", "37,00%", "4,90%"):
        assert text in html, text
    # real polygons: no "approximate boundaries" method note; the maps are embedded
    assert "Ranh giới xã trên bản đồ là gần đúng" not in html
    assert html.count("data:image/png;base64,") >= 5
    # the 2019 file holds communes merged away since: the data-quality section says how many
    assert "vùng ranh giới không có số liệu" in html
