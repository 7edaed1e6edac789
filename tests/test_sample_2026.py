"""The sample's 2026 tables, by Lạng Sơn's 65 communes and wards of 1/7/2025 (issue #19).

The classification reproduces the province's figures published on 29/01/2026, read from
``../shared/reference/published_figures.csv`` (laodong.vn): 1,646 villages in the
ethnic-minority and mountainous area, 385 thôn đặc biệt khó khăn, 16 of the 65 communes and
wards without one, named. The report of the province says so.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalog.units_2025 import new_units
from analysis.config import SAMPLE_2026_FILES

PUBLISHED_SOURCE = "news:laodong.vn 29/01/2026"


@pytest.fixture(scope="module")
def published(reference_dir) -> dict[str, pd.Series]:
    figures = pd.read_csv(reference_dir / "published_figures.csv", dtype=str)
    rows = figures[(figures["seed"] == PUBLISHED_SOURCE) & (figures["province"] == "Lạng Sơn")]
    if not len(rows):
        pytest.skip(f"published_figures.csv has no rows of {PUBLISHED_SOURCE}")
    return {r.indicator: r for r in rows.itertuples(index=False)}


@pytest.fixture(scope="module")
def classification() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_2026_FILES["communes"], dtype={"commune_code": str})


def test_the_classification_reproduces_the_published_figures(published, classification):
    assert len(classification) == 65 and set(classification["year"]) == {2026}
    assert classification["villages"].sum() == int(published["villages_in_em_area"].value) == 1646
    assert classification["dbkk_villages"].sum() == int(published["dbkk_villages"].value) == 385
    names = new_units().set_index("commune_code")["commune_name"]
    without = sorted(names[classification.loc[classification["dbkk_villages"] == 0, "commune_code"]])
    assert len(without) == int(published["communes_without_dbkk_villages"].value) == 16
    note = published["communes_without_dbkk_villages"].note  # "phường Đông Kinh, Kỳ Lừa, ...; xã Bình Gia, ..."
    for name in without:
        assert name.removeprefix("Phường ").removeprefix("Xã ") in note, name
    assert (classification["dbkk_villages"] <= classification["villages"]).all()


def test_the_tables_are_keyed_to_the_new_communes():
    units = new_units()
    codes = set(units.loc[units["province_code"] == "20", "commune_code"])
    for name in ("finance", "poverty", "communes"):
        table = pd.read_csv(SAMPLE_2026_FILES[name], dtype=str)
        assert "district_code" not in table.columns
        assert set(table["commune_code"]) == codes, name
    fin = pd.read_csv(SAMPLE_2026_FILES["finance"], dtype={"commune_code": str})
    assert set(fin["project"]) == {"HP1", "HP2"} and set(fin["fund"]) == {"current", "carried_over"}
    assert sorted(fin["as_of"].unique()) == ["2026-03-31", "2026-06-30", "2026-09-30"]
    # cumulative: a row's disbursement never falls from one snapshot to the next
    key = ["commune_code", "project", "capital_type", "fund"]
    ordered = fin.sort_values([*key, "as_of"])
    assert (ordered.groupby(key)["disbursed_mvnd"].diff().dropna() >= 0).all()
    assert (fin["disbursed_mvnd"] <= fin["plan_mvnd"]).all()


@pytest.fixture(scope="module")
def sample_2026_reports(tmp_path_factory):
    from analysis.run.batch import run_batch
    from analysis.run.options import RunOptions
    from analysis.store.prepare import prepare

    work = tmp_path_factory.mktemp("sample2026")
    result = prepare(finance=SAMPLE_2026_FILES["finance"], poverty=SAMPLE_2026_FILES["poverty"],
                     communes=SAMPLE_2026_FILES["communes"], indicators=None, out=work / "prepared",
                     today="2026-12-07")  # fmt: skip
    assert len(result.rejects) == 0 and result.manifest["units"] == "2025-native"
    batch = run_batch("20", 2026, communes=["06001"], options=RunOptions(
        lang="vi", jobs=1, data_dir=work / "prepared", out_dir=work / "reports", progress=False))  # fmt: skip
    assert batch.ok, batch.summary()
    again = run_batch("20", 2026, communes=["06001"], options=RunOptions(
        lang="vi", jobs=1, data_dir=work / "prepared", out_dir=work / "reports", progress=False))  # fmt: skip
    # nothing changed: the incremental batch renders nothing again (its fingerprints hold on this data)
    assert again.ok and again.rendered == [] and again.index_skipped, again.summary()
    return work / "reports"


def test_the_province_report_states_the_classification(sample_2026_reports):
    from tests.visible_text import visible_text

    overview = visible_text(next(sample_2026_reports.rglob("overview.html")).read_text("utf-8"))
    assert "16/65 xã, phường không có thôn ĐBKK" in overview
    assert "Thôn đặc biệt khó khăn (2026)\n385" in overview
    assert "1.646 thôn thuộc vùng đồng bào DTTS và miền núi" in overview
    commune = visible_text(next(sample_2026_reports.rglob("06001-*.html")).read_text("utf-8"))
    assert "Khu vực (2026)" in commune  # a commune's own region, not "0/1"
