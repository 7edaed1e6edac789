"""The one folding of Vietnamese text (analysis.common.text.fold).

Every expected key below was worked out by hand from the rules in the function's docstring.
"""

import unicodedata

import pytest

from analysis.catalog.units import unit_key
from analysis.common.text import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xã Chiến Thắng", "xa chien thang"),
        ("Đ", "d"),
        ("đ", "d"),
        ("Thị trấn Đồng Đăng", "thi tran dong dang"),
        ("Kế hoạch vốn (triệu đồng)", "ke hoach von trieu dong"),
        ("  Huyện   Chi Lăng  ", "huyen chi lang"),
        ("plan_mvnd", "plan_mvnd"),  # "_" kept by default (canonical column names)
        ("Dự án 3.1", "du an 3.1"),  # "." kept by default (project codes)
        ("KV-III", "kv iii"),
        (42, "42"),
    ],
)
def test_fold_default(text, expected):
    assert fold(text) == expected


def test_nfc_and_nfd_fold_alike():
    nfc = unicodedata.normalize("NFC", "Xã Chiến Thắng")
    nfd = unicodedata.normalize("NFD", "Xã Chiến Thắng")
    assert nfc != nfd
    assert fold(nfc) == fold(nfd) == "xa chien thang"
    assert fold(nfc, marks=True) == fold(nfd, marks=True) == "xa4 chiên1 thăng1"


def test_keep_and_sep():
    assert fold("TP. Hà Nội", keep="") == "tp ha noi"
    assert fold("plan_mvnd", keep="") == "plan mvnd"
    assert fold("Dự án 4", keep=".", sep="") == "duan4"
    assert fold("DA_3.1", keep=".", sep="") == "da3.1"
    assert fold("Tiểu dự án 1 dự án 3", keep=".", sep="") == "tieuduan1duan3"


def test_marks_keep_diacritics_but_not_tone_placement():
    # Hoà (old placement, tone on o) and Hòa (new, tone on o as well in NFD order): one key
    assert fold("Hoà Bình", marks=True, sep="") == fold("hòa bình", marks=True, sep="") == "hoa2binh2"
    # the circumflex of Tấn stays; the tone (sắc) becomes a trailing 1
    assert fold("Tân Lập", marks=True, sep="") == "tânlâp5"
    assert fold("Tấn Lập", marks=True, sep="") == "tân1lâp5"
    assert fold("Đồng", marks=True) == "đông2"


def test_unit_key():
    assert unit_key("Xã Chiến Thắng", marks=False) == unit_key("chien thang", marks=False) == "chienthang"
    assert unit_key("Huyện Chi Lăng", marks=False) == "chilang"
    assert unit_key("Xã Hoà Bình", marks=True) == unit_key("hòa bình", marks=True) == "hoa2binh2"
    assert unit_key("Tân Lập", marks=True) != unit_key("Tấn Lập", marks=True)
    assert unit_key("Thị trấn Đồng Đăng", marks=True) == "đông2đăng"
