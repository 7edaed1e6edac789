"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI, Windows-1258, UTF-8 with BOM, UTF-16.

The known pairs below were written by hand from the tables cited in ``analysis.inputs.encodings``
(GNU libiconv's TCVN 5712 table; xvnkb's VNI table), letter by letter, and are checked in
both directions. The published examples come from third parties: the test phrases of the
npm package ``vietnamese-conversion`` (duydev) and a TCVN3 converter's README that shows
district names of Lào Cai.
"""

from __future__ import annotations

import unicodedata

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputFileError
from analysis.inputs.csv_decoding import decode_csv_bytes
from analysis.inputs.encodings import (
    CP1258,
    TCVN3,
    UTF8,
    UTF8_BOM,
    UTF16,
    VNI,
    cp1258_bytes,
    fix_legacy_text,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)
from analysis.inputs.readers import read_table
from analysis.inputs.schema import FINANCE
from analysis.inputs.syllables import is_vietnamese_syllable, syllable_score
from analysis.inputs.validate import validate_table

# (Unicode, TCVN3 as a workbook stores it, VNI as a workbook stores it), by hand:
#   ạ = TCVN3 0xB9 '¹', VNI a+'ï';  ơ = TCVN3 0xAC '¬', VNI 'ô'
#   ố = TCVN3 0xE8 'è', VNI o+'á';  ộ = TCVN3 0xE9 'é', VNI o+'ä'
#   ă = TCVN3 0xA8 '¨', VNI a+'ê';  ã = TCVN3 0xB7 '·', VNI a+'õ'
#   ữ = TCVN3 0xF7 '÷', VNI 'ö'+'õ';  ê = TCVN3 0xAA 'ª', VNI e+'â'
#   ư = TCVN3 0xAD (soft hyphen), VNI 'ö';  đ = TCVN3 0xAE '®', VNI 'ñ'
KNOWN = [
    ("Lạng Sơn", "L¹ng S¬n", "Laïng Sôn"),
    ("Sốp Cộp", "Sèp Cép", "Soáp Coäp"),
    ("Chi Lăng", "Chi L¨ng", "Chi Laêng"),
    ("xã Hữu Kiên", "x· H÷u Kiªn", "xaõ Höõu Kieân"),
    ("đầu tư", "®Çu t\u00ad", "ñaàu tö"),  # ầ = TCVN3 0xC7 'Ç', VNI a+'à'
]

# Published examples (third-party text, not derived from this module's tables):
# npm "vietnamese-conversion", tests/helpers/test-data.ts
PUBLISHED_TCVN3 = [("Xin chµo c¸c b¹n", "Xin chào các bạn"), ("T«i ®i häc", "Tôi đi học")]
PUBLISHED_VNI = [("Xin chaøo caùc baïn", "Xin chào các bạn"), ("Toâi ñi hoïc", "Tôi đi học")]
# a TCVN3-to-Unicode converter's README (Lào Cai districts). Its "Mêng Kh¬ng" for Mường
# Khương carries two soft hyphens (TCVN3 0xAD, ư) that do not show when printed.
PUBLISHED_TCVN3 += [("B¶o Th¾ng", "Bảo Thắng"), ("M\u00adêng Kh\u00ad¬ng", "Mường Khương"), ("B¸t X¸t", "Bát Xát")]

FIN_VI = "Năm;Tính đến ngày;Mã huyện;Mã xã;Dự án;Loại vốn;Nguồn;Kế hoạch vốn;Giải ngân"
ROW_VI = "2023;30/11/2023;127;04231;Dự án 4;Vốn đầu tư phát triển;Chuyển nguồn;8.356,336;2.791"


@pytest.mark.parametrize(("uni", "tcvn3", "vni"), KNOWN)
def test_known_pairs_both_ways(uni, tcvn3, vni):
    assert tcvn3_to_unicode(tcvn3) == uni and unicode_to_tcvn3(uni) == tcvn3
    assert vni_to_unicode(vni) == uni and unicode_to_vni(uni) == vni
    assert fix_legacy_text(tcvn3) == (uni, TCVN3)
    assert fix_legacy_text(vni) == (uni, VNI)


@pytest.mark.parametrize(("legacy", "uni"), PUBLISHED_TCVN3)
def test_published_tcvn3_examples(legacy, uni):
    assert tcvn3_to_unicode(legacy) == uni
    assert fix_legacy_text(legacy) == (uni, TCVN3)


@pytest.mark.parametrize(("legacy", "uni"), PUBLISHED_VNI)
def test_published_vni_examples(legacy, uni):
    assert vni_to_unicode(legacy) == uni
    assert fix_legacy_text(legacy) == (uni, VNI)


def _all_letters() -> list[str]:
    letters = []
    for base in "aăâeêioôơuưy":
        letters.append(base)
        letters += [unicodedata.normalize("NFC", base + mark) for mark in "\u0301\u0300\u0309\u0303\u0323"]
    return letters + ["đ"]


def test_every_letter_round_trips():
    lower = _all_letters()
    assert len(lower) == 73  # 12 vowels x 6 tones + đ
    for ch in lower:
        assert tcvn3_to_unicode(unicode_to_tcvn3(ch)) == ch, ch
        assert vni_to_unicode(unicode_to_vni(ch)) == ch, ch
        assert vni_to_unicode(unicode_to_vni(ch.upper())) == ch.upper(), ch.upper()
        assert len(unicode_to_tcvn3(ch)) == 1  # one byte per letter in TCVN3
    # TCVN3 has no capitals with tone marks: a word in capitals comes back in capitals
    assert tcvn3_to_unicode(unicode_to_tcvn3("LẠNG SƠN")) == "LẠNG SƠN"
    assert unicode_to_tcvn3("LẠNG SƠN") == "L¹NG S¥N"


def test_syllables():
    for word in ("Lạng", "Sơn", "nghiệp", "Quyết", "khuya", "Nguyễn", "Hoà", "Hòa", "Thuỷ", "giữ", "Đắk", "Krông"):
        assert is_vietnamese_syllable(word), word
    # mojibake and impossible spellings: "Xă" (ă needs a final consonant), tone on a final
    # vowel ("caù"), a grave tone on a stop ending ("bàt"), two tones, a symbol
    for word in ("Xă", "caù", "bàt", "ĐẮKK", "L¨ng", "Hoàá", "café"):
        assert not is_vietnamese_syllable(word), word
    assert syllable_score("Chi L¨ng, Chi Lăng").valid == 1


# --- no misfire on ordinary text -----------------------------------------------------------

ORDINARY = [
    "Disbursement rate by commune, 2023 (million VND)",
    "Café au lait, naïve façade — «quoted» 25°C, m², © 2023",
    "Xã Chiến Thắng, huyện Chi Lăng, tỉnh Lạng Sơn",
    "Vốn đầu tư phát triển; Tiểu dự án 2 thuộc Dự án 3; Kế hoạch vốn năm 2023",
    "Hòa Bình, Hoà Bình, Thủy, Thuỷ, Đắk Lắk, Krông Búk, H'Mông",
    "Sốp Cộp: 8.356,336 triệu đồng, 42,99%",
    unicodedata.normalize("NFD", "Xã Hữu Kiên, Người ơi, người ở đừng về"),
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_left_alone(text):
    assert fix_legacy_text(text) == (text, None)
    decoded = decode_csv_bytes("f.csv", (text + "\n").encode("utf-8"))
    assert decoded.text == text + "\n" and decoded.encoding == UTF8 and not decoded.converted


SYLLABLES = "Lạng Sơn Chi Lăng xã Hữu Kiên vốn đầu tư phát triển Hòa Bình Mường Khương nghiệp giải ngân kế hoạch Quảng "
SYLLABLES += "Ninh Đồng Mỏ năm ở ý"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*SYLLABLES.split(), "DA4", "2023", "8.356,336", "«", "»", "°C", "café"]),
        min_size=1,
        max_size=12,
    )
)
def test_no_misfire_on_random_vietnamese_text(words):
    text = " ".join(words)
    assert fix_legacy_text(text) == (text, None)


# --- CSV files -----------------------------------------------------------------------------


def test_cp1258_csv(tmp_path, units):
    text = f"{FIN_VI}\n{ROW_VI}\n"
    # Windows-1258 keeps the tone marks apart: "ạ" is a + 0xF2 (combining dot below), "ơ"
    # is one byte, 0xF5. cp1258_bytes arranges the letters that way for Python's codec.
    assert cp1258_bytes("Lạng Sơn") == b"La\xf2ng S\xf5n" == "La\u0323ng S\u01a1n".encode("cp1258")
    data = cp1258_bytes(text)
    assert b"\xf0\xea\xecn" in data  # "đến": đ 0xF0, ê 0xEA, combining acute 0xEC
    path = tmp_path / "finance.csv"
    path.write_bytes(data)
    decoded = decode_csv_bytes(path, data)
    assert decoded.encoding == CP1258 and decoded.text == text  # NFC again
    raw = read_table(path, FINANCE)
    assert raw.frame["capital_type"].tolist() == ["Vốn đầu tư phát triển"]
    assert raw.notes == ["text read as Windows-1258 and converted to Unicode"]
    result = validate_table(path, FINANCE, units)
    assert (result.n_accepted, result.n_rejected) == (1, 0)
    assert "text read as Windows-1258 and converted to Unicode" in result.notes


def test_utf8_bom_csv(tmp_path, units):
    path = tmp_path / "finance.csv"
    path.write_bytes(("\ufeff" + FIN_VI + "\n" + ROW_VI + "\n").encode("utf-8"))
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    raw = read_table(path, FINANCE)
    assert raw.mapping["Năm"] == "year" and raw.notes == []  # the BOM is not part of the first header
    assert decode_csv_bytes(path, path.read_bytes()).encoding == UTF8_BOM
    assert validate_table(path, FINANCE, units).n_accepted == 1


def test_utf16_csv_from_excel_unicode_text(tmp_path):
    # Excel's "Unicode Text (*.txt)": UTF-16 little-endian with a byte-order mark, tab separated
    path = tmp_path / "finance.txt"
    text = "\ufeff" + FIN_VI.replace(";", "\t") + "\n" + ROW_VI.replace(";", "\t") + "\n"
    path.write_bytes(text.encode("utf-16-le"))
    raw = read_table(path, FINANCE)
    assert raw.frame["capital_type"].tolist() == ["Vốn đầu tư phát triển"]
    assert decode_csv_bytes(path, path.read_bytes()).encoding == UTF16


@pytest.mark.parametrize(("name", "encode"), [(TCVN3, unicode_to_tcvn3), (VNI, unicode_to_vni)])
def test_legacy_bytes_and_legacy_text_in_utf8(tmp_path, units, name, encode):
    text = f"{FIN_VI}\n{ROW_VI}\n"
    legacy = encode(text)
    # the bytes of a CSV saved from a .VnTime / VNI-Times workbook by an old Excel ...
    byte_file = tmp_path / "old.csv"
    byte_file.write_bytes(legacy.encode("cp1252"))
    decoded = decode_csv_bytes(byte_file, byte_file.read_bytes())
    assert (decoded.encoding, decoded.text) == (name, text)
    # ... and the same text saved as CSV UTF-8 by a new Excel: converted line by line
    utf8_file = tmp_path / "new.csv"
    utf8_file.write_text(legacy, encoding="utf-8")
    raw = read_table(utf8_file, FINANCE)
    assert raw.frame["capital_type"].tolist() == ["Vốn đầu tư phát triển"]
    assert raw.notes == [f"2 lines in {name} converted to Unicode"]
    assert validate_table(utf8_file, FINANCE, units).n_accepted == 1


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        # "Xã" in Latin-1: one word, which reads as Vietnamese in no encoding for sure
        ("year,note\n2023,Xã\n".encode("latin-1"), ("not UTF-8", "too few words", "Windows-1258", "CSV UTF-8")),
        ("year,note\n2023,Район Москва город\n".encode("cp1251"), ("not UTF-8", "unknown encoding", "CSV UTF-8")),
        ("year\n2023\n".encode("utf-16-le"), ("NUL bytes", "UTF-16", "CSV UTF-8")),
        (b"PK\x03\x04\x14\x00", ("an Excel workbook (.xlsx)", "rename it to .xlsx")),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ("Excel 97-2003", "save it as .xlsx")),
    ],
    ids=["latin1-one-word", "cp1251", "utf16-no-bom", "xlsx-named-csv", "xls-named-csv"],
)
def test_refusals_name_what_was_found(tmp_path, data, fragments):
    path = tmp_path / "finance.csv"
    path.write_bytes(data)
    with pytest.raises(InputFileError) as err:
        read_table(path, FINANCE)
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


# --- workbooks -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "encode"), [(TCVN3, unicode_to_tcvn3), (VNI, unicode_to_vni)])
def test_legacy_text_in_xlsx_cells(tmp_path, units, name, encode):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = encode("UBND HUYỆN SỐP CỘP")  # title block, typed in the legacy font
    ws["A2"] = "Báo cáo giải ngân"  # a cell already in Unicode stays as it is
    ws.append([encode(h) for h in FIN_VI.split(";")])
    row = ROW_VI.split(";")
    ws.append([2023, row[1], "127", "04231", encode(row[4]), encode(row[5]), encode(row[6]), 8356.336, 2791])
    path = tmp_path / "old.xlsx"
    wb.save(path)
    raw = read_table(path, FINANCE)
    assert raw.header_row == 3
    assert raw.frame[["project", "capital_type", "fund"]].iloc[0].tolist() == ["Dự án 4", "Vốn đầu tư phát triển",
                                                                               "Chuyển nguồn"]  # fmt: skip
    # counted by hand: the title (1), the 9 headers (each has a Vietnamese letter) and the 3
    # text values: 13 cells; A2, already Unicode, and the ASCII cells are not touched
    assert raw.notes[0].startswith(f"13 cells typed in {name} converted to Unicode (first: A1 ")
    result = validate_table(path, FINANCE, units)
    assert (result.n_accepted, result.n_rejected) == (1, 0)
