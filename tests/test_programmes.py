"""The programme catalogue: lookups by code, number and name; the finance `programme` column.

Expected project codes and names are those of DOMAIN.md's table of NTP 1719 (Quyết định
1719/QĐ-TTg) and of the programme files; every input below is written by hand.
"""

from __future__ import annotations

import json

import pytest

from analysis.catalog.programme_rows import programme_table
from analysis.catalog.programmes import (
    DEFAULT_PROGRAMME,
    _read,
    default_programme,
    find_programme,
    find_project,
    get_programme,
    list_programmes,
)
from analysis.errors import InputFileError, ParameterError
from analysis.inputs.schema import FINANCE, normalize_project
from analysis.inputs.validate import validate_table
from tests.bad_inputs import FIN_HEADER, GOOD_FIN

# --- the catalogue -------------------------------------------------------------------------


def test_every_programme_file_loads():
    assert [p.code for p in list_programmes()] == ["ntp1719", "ntp2026", "ntp_gnbv", "ntp_ntm", "p135", "p30a"]
    for prog in list_programmes():
        assert prog.vi and prog.en and prog.short_vi and prog.short_en and prog.projects


def test_the_programme_of_2026_has_the_two_components_of_the_domain_primer():
    """DOMAIN.md: from 2026 one programme (Nghị quyết 257/2025/QH15, Quyết định 417/QĐ-BNNMT of
    31/01/2026), phase I 2026-2030, in two components: (1) new rural development and sustainable
    poverty reduction, led by Bộ Nông nghiệp và Môi trường; (2) ethnic-minority and mountainous
    areas, led by Bộ Dân tộc và Tôn giáo. Its contents were not found: provisional."""
    prog = get_programme("ntp2026")
    assert [p.code for p in prog.projects] == ["HP1", "HP2"]
    assert "Bộ Nông nghiệp và Môi trường" in prog.projects[0].vi and "Bộ Dân tộc và Tôn giáo" in prog.projects[1].vi
    assert prog.period == (2026, 2030) and "257/2025/QH15" in prog.legal_basis and "417/QĐ-BNNMT" in prog.legal_basis
    assert prog.provisional and prog.project_kind == "component"
    assert prog.normalize("Hợp phần 2") == "HP2" and prog.normalize("DA4") is None
    assert [default_programme(y) for y in (2021, 2025, 2026, 2030)] == ["ntp1719", "ntp1719", "ntp2026", "ntp2026"]
    assert get_programme("ntp2026").label_key("report.col.project") == "report.col.project.component"
    assert get_programme().label_key("report.col.project") == "report.col.project"


def test_ntp1719_has_the_ten_projects_of_the_domain_primer():
    prog = get_programme()
    assert prog.code == DEFAULT_PROGRAMME == "ntp1719"
    assert [p.code for p in prog.projects if p.parent is None] == [f"DA{i}" for i in range(1, 11)]
    # DOMAIN.md: DA4 "Đầu tư cơ sở hạ tầng thiết yếu …", DA10 "Truyền thông, tuyên truyền, vận động …"
    assert prog.project("DA4").vi.startswith("Đầu tư cơ sở hạ tầng thiết yếu")
    assert prog.project("DA10").vi.startswith("Truyền thông, tuyên truyền, vận động")
    assert [p.code for p in prog.sub_projects("DA3")] == ["DA3.1", "DA3.2"]
    assert [p.code for p in prog.sub_projects("DA5")] == ["DA5.1", "DA5.2", "DA5.3", "DA5.4"]
    assert prog.sub_projects("DA1") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DA4", "DA4"),
        ("da 4", "DA4"),
        ("DA_4", "DA4"),
        ("Dự án 4", "DA4"),
        ("DỰ ÁN 10", "DA10"),
        ("DA 3.1", "DA3.1"),
        ("Dự án 3.1", "DA3.1"),
        ("Tiểu dự án 1 dự án 3", "DA3.1"),
        ("Tiểu dự án 2 thuộc Dự án 5", "DA5.2"),
        ("TDA 3 DA 10", "DA10.3"),
        ("Giải quyết tình trạng thiếu đất ở, nhà ở, đất sản xuất, nước sinh hoạt", "DA1"),
        ("giai quyet tinh trang thieu dat o nha o dat san xuat nuoc sinh hoat", "DA1"),
        ("Essential infrastructure for production and daily life", "DA4.1"),
        ("Health care and child nutrition", "DA7"),
    ],
)
def test_ntp1719_projects_by_code_number_and_name(text, code):
    assert get_programme("ntp1719").normalize(text) == code
    assert find_project(text).code == code


@pytest.mark.parametrize("text", ["DA12", "DA0", "DA1.5", "DA3.3", "Dự án 11", "Tiểu dự án 5 dự án 9", "xyz", ""])
def test_projects_the_programme_does_not_have(text):
    assert get_programme().normalize(text) is None


def test_schema_normalize_project_reads_the_catalogue():
    assert normalize_project("Dự án 3.1") == "DA3.1"
    assert normalize_project("DA12") is None
    assert normalize_project("Tiểu dự án 2", "p135") == "TDA2"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ntp1719", "ntp1719"),
        ("NTP 1719", "ntp1719"),
        ("CTMTQG 1719", "ntp1719"),
        ("Chương trình MTQG DTTS&MN", "ntp1719"),
        ("Chương trình 135", "p135"),
        ("chuong trinh 135", "p135"),
        ("Programme 135", "p135"),
        ("30a", "p30a"),
        ("Chương trình 30a", "p30a"),
        ("giảm nghèo bền vững", "ntp_gnbv"),
        ("CTMTQG GNBV", "ntp_gnbv"),
        ("National Target Programme for new rural development", "ntp_ntm"),
        ("nông thôn mới", "ntp_ntm"),
    ],
)
def test_programmes_by_code_name_and_alias(text, code):
    assert get_programme(text).code == code


def test_the_other_programmes_projects():
    assert find_project("Tiểu dự án 1", "p135").code == "TDA1"
    assert find_project("TDA3", "Chương trình 30a").name("en").startswith("Support for workers")
    assert find_project("Tiểu dự án 2 dự án 4", "ntp_gnbv").code == "DA4.2"
    assert find_project("Nội dung thành phần 11", "ntp_ntm").code == "ND11"
    assert get_programme("ntp_gnbv").normalize("DA8") is None  # seven projects
    assert get_programme("p135").normalize("DA4") is None


def test_unknown_programme_and_project_messages_list_the_known_values():
    with pytest.raises(ParameterError) as err:
        get_programme("Chương trình 999")
    message = str(err.value)
    assert "'Chương trình 999'" in message
    assert "ntp1719 (NTP 1719)" in message and "p135 (Programme 135)" in message and "p30a" in message
    with pytest.raises(ParameterError) as err:
        find_project("DA12")
    message = str(err.value)
    assert "'DA12' is not a project code of NTP 1719" in message
    assert "DA1, DA2, DA3, DA3.1" in message and "DA10.3" in message and "ntp1719.json" in message
    assert find_programme("nothing") is None


def test_programme_table_in_both_languages():
    vi, en = programme_table("vi"), programme_table("en")
    row = vi[(vi["programme"] == "ntp1719") & (vi["project"] == "DA3.2")].iloc[0]
    assert row["parent"] == "DA3" and row["programme_name"] == "CTMTQG 1719"
    assert en[(en["programme"] == "p135") & (en["project"] == "TDA1")]["programme_name"].tolist() == ["Programme 135"]


def test_a_broken_programme_file_is_named(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"code": "other", "vi": "a", "en": "b", "short": {"vi": "a", "en": "b"},
                                "projects": []}), encoding="utf-8")  # fmt: skip
    with pytest.raises(InputFileError, match="mine.json.*code 'other' differs from the file name 'mine'"):
        _read(path)
    path.write_text(json.dumps({"code": "mine", "vi": "a", "en": "b", "short": {"vi": "a", "en": "b"},
                                "projects": [{"code": "X1", "vi": "x"}]}), encoding="utf-8")  # fmt: skip
    with pytest.raises(InputFileError, match="project 1 \\(X1\\) has no en"):
        _read(path)


# --- the finance `programme` column ---------------------------------------------------------

HEADER_P = FIN_HEADER.replace("commune_code,project", "commune_code,programme,project")


def _fin(tmp_path, *rows: str):
    path = tmp_path / "finance.csv"
    path.write_text("\n".join([HEADER_P, *rows]) + "\n", encoding="utf-8")
    return path


def test_finance_without_programme_column_is_ntp1719(tmp_path, units):
    path = tmp_path / "f.csv"
    path.write_text(FIN_HEADER + "\n" + GOOD_FIN + "\n", encoding="utf-8")
    result = validate_table(path, FINANCE, units)
    assert result.accepted["programme"].tolist() == ["ntp1719"]
    assert result.accepted["project"].tolist() == ["DA4"]


def test_finance_rows_of_several_programmes(tmp_path, units):
    # rows 2-5 by hand: empty programme (NTP 1719), Programme 135's TDA1 by name, 30a's TDA2
    # written out, NTP 1719 by its Vietnamese short name with a sub-project written out
    path = _fin(
        tmp_path,
        "2023,30/11/2023,14,127,04231,,DA4,investment,current,100,50",
        "2023,30/11/2023,14,127,04231,Chương trình 135,TDA1,investment,current,100,50",
        "2023,30/11/2023,14,127,04231,p30a,Tiểu dự án 2,recurrent,current,10,5",
        "2023,30/11/2023,14,127,04231,CTMTQG 1719,Tiểu dự án 1 dự án 3,recurrent,current,10,5",
    )
    result = validate_table(path, FINANCE, units)
    assert result.n_rejected == 0, result.rejects
    acc = result.accepted
    assert acc["programme"].tolist() == ["ntp1719", "p135", "p30a", "ntp1719"]
    assert acc["project"].tolist() == ["DA4", "TDA1", "TDA2", "DA3.1"]


def test_same_project_code_in_two_programmes_is_two_facts(tmp_path, units):
    # DA4 of NTP 1719 and DA4 of the poverty-reduction programme: not duplicates
    path = _fin(
        tmp_path,
        "2023,30/11/2023,14,127,04231,ntp1719,DA4,investment,current,100,50",
        "2023,30/11/2023,14,127,04231,ntp_gnbv,DA4,investment,current,70,20",
    )
    result = validate_table(path, FINANCE, units)
    assert result.n_rejected == 0 and result.n_accepted == 2


def test_unknown_programme_is_rejected_with_the_known_ones(tmp_path, units):
    path = _fin(tmp_path, GOOD_FIN.replace("04231,DA4", "04231,Chương trình 999,DA4"))
    result = validate_table(path, FINANCE, units)
    hit = result.rejects.iloc[0]
    assert (hit["file"], hit["row"], hit["column"], hit["value"]) == (str(path), 2, "programme", "Chương trình 999")
    assert hit["reason"] == "'Chương trình 999' is not a known programme"
    assert "ntp1719 (NTP 1719)" in hit["fix"] and "p135 (Programme 135)" in hit["fix"]
    assert "empty" in hit["fix"] and result.reconciles()


def test_project_not_in_its_programme_is_rejected_with_the_codes(tmp_path, units):
    # DA4 is a project of NTP 1719, not of Programme 135 (TDA1-TDA3)
    path = _fin(tmp_path, "2023,30/11/2023,14,127,04231,p135,DA4,investment,current,100,50")
    result = validate_table(path, FINANCE, units)
    hit = result.rejects.iloc[0]
    assert (hit["row"], hit["column"], hit["value"]) == (2, "project", "DA4")
    assert hit["reason"] == "'DA4' is not a project code of Programme 135 (p135)"
    assert "known codes: TDA1, TDA2, TDA3" in hit["fix"] and "p135.json" in hit["fix"]
