"""What the labels of a report form mean: header cells and row labels of the circular's forms.

A label is read after folding (no diacritics, case or punctuation, see
:func:`analysis.common.text.fold`) and may carry several things at once: "Kế hoạch vốn ĐTPT năm
2023" is a plan (measure), of investment capital, for 2023. :func:`classify_label` returns
what it understood as a dict; an empty dict means the label is not understood.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from analysis.common.text import fold
from analysis.inputs.schema import VALUE_LOOKUP

#: Keys of the dict :func:`classify_label` returns.
DIMENSIONS = ("measure", "capital_type", "fund", "project", "subproject", "source", "year", "as_of")

_ROMAN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_PROJECT = re.compile(
    r"^(?:tieu (?:du an|da)\s*(\d)\s*(?:thuoc\s*)?)?(?:du an|da)\s*(\d{1,2})"
    r"(?:\s*[.]\s*(\d)|\s+tieu (?:du an|da)\s*(\d))?\b"
)
_SUBPROJECT = re.compile(r"^(?:tieu (?:du an|da)|tda)\s*(\d)\b")
_PLAN = re.compile(r"^(?:tong\s+)?(?:ke hoach|kh|khv|du toan|von ke hoach)\b")
_DISBURSED = re.compile(r"\b(?:giai ngan|thanh toan|gn)\b")
_INVESTMENT = re.compile(r"\b(?:dau tu phat trien|dtpt|von dau tu|dau tu)\b")
_RECURRENT = re.compile(r"\b(?:su nghiep|sn)\b")
_CARRIED = re.compile(r"\b(?:chuyen nguon|chuyen sang|keo dai|nam truoc)\b")
_CURRENT = re.compile(r"\b(?:giao trong nam|trong nam|nam nay)\b|^von nam \d{4}$|^von giao\b")
_SOURCE = re.compile(
    r"\b(ngan sach trung uong|nstw|ngan sach dia phuong|nsdp|ngan sach tinh|ngan sach huyen|nst|nsh|"
    r"long ghep|von doi ung|tin dung|huy dong|von khac)\b"
)
_YEAR = re.compile(r"\bnam (20\d\d)\b")
_RATE = re.compile(r"\bty le\b")
_TOTAL = re.compile(r"^(tong cong|tong so|tong von|tong|cong)(?:\s+(.*))?$")
_TOTAL_NEXT = {"toan", "huyen", "tinh", "xa", "chung", "cac", "du", "von", "nhom", "phan", "muc", "a", "b", "c"}
_GRAND = re.compile(r"^(tong cong|tong so|tong von|tong)\b")
_STT = {"stt", "tt", "so tt", "so thu tu", "thu tu"}
_NAME = {
    "noi dung", "don vi", "ten don vi", "danh muc", "ten du an", "du an", "du an tieu du an", "noi dung du an",
    "chi tieu", "dia phuong", "huyen xa", "ten xa", "ten huyen", "don vi thuc hien", "ten", "ten cong trinh",
    "noi dung chi tieu", "du an tieu du an noi dung", "ten dia phuong", "xa", "huyen", "xa thi tran",
    "xa phuong thi tran", "don vi hanh chinh",
}  # fmt: skip
_CODE = re.compile(r"^ma (xa|phuong|huyen|tinh|don vi|dvhc|don vi hanh chinh)$")
_SKIP_COLUMN = {"don vi tinh", "dvt", "ghi chu", "ghi chu khac", "chu dau tu", "dia diem", "thoi gian thuc hien"}
_FILLER = {
    "trong do", "chia ra", "bao gom", "trong do gom", "so tien", "gia tri", "trieu dong", "don vi trieu dong",
    "dvt trieu dong", "von", "nguon von", "luy ke", "so von", "tong hop", "chi tiet",
}  # fmt: skip
_AS_OF = [
    re.compile(r"đến\s+(?:hết\s+)?(?:ngày\s+)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.IGNORECASE),
    re.compile(r"đến\s+(?:hết\s+)?ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE),
]
_UNIT_PREFIX = re.compile(r"^(xa|phuong|thi tran|huyen|thanh pho|thi xa|quan|tp|tx|tt)\b")
_PREFIX_IN_FULL = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}
_FOOTER = re.compile(
    r"^(nguoi lap|nguoi lap bieu|thu truong|kt chu tich|tm uy ban|tm ubnd|chu tich|giam doc|truong phong|"
    r"ghi chu|noi nhan|ke toan|xac nhan)\b"
)


def nfc(text: object) -> str:
    """The text of a cell, NFC and with single spaces."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def find_as_of(text: str) -> date | None:
    """The date a label says the figures run to (``đến 30/11/2023``, ``đến ngày 30 tháng 11 năm 2023``)."""
    for pattern in _AS_OF:
        m = pattern.search(nfc(text))
        if m:
            d, mth, y = (int(g) for g in m.groups())
            try:
                return date(y, mth, d)
            except ValueError:
                return None
    return None


def find_year(text: str) -> int | None:
    """The plan year a label names (``năm 2023``), leaving out signing dates (``ngày 5 tháng 12 năm 2023``)."""
    s = re.sub(r"ngay\s+\d+\s+thang\s+\d+\s+nam\s+\d{4}", " ", fold(text))
    s = re.sub(r"\d{1,2} \d{1,2} \d{4}", " ", s)  # dd/mm/yyyy, folded
    m = _YEAR.search(s)
    return int(m.group(1)) if m else None


def is_roman(token: str) -> bool:
    """Is ``token`` a Roman numeral from I to XXXIX (the group numbers of a form)?"""
    t = token.strip().rstrip(".").lower()
    return bool(t) and bool(_ROMAN.match(t))


def _strip_units(folded: str) -> str:
    # "ke hoach trieu dong", "ty le" keep; drop a trailing unit note written in brackets
    return re.sub(r"\s+(trieu dong|trd|tr d|dong|ty dong)$", "", folded).strip()


def total_kind(text: str) -> str | None:
    """``"grand"`` for a total of the whole table ("Tổng cộng", "Tổng số"), ``"group"`` for "Cộng"; else None.

    "Công trình" and "Cộng đồng" fold to words that start like "Cộng" and are not totals.
    """
    f = fold(text)
    m = _TOTAL.match(f)
    if not m:
        return None
    rest = (m.group(2) or "").split()
    if rest and rest[0] not in _TOTAL_NEXT and not _ROMAN.match(rest[0]) and not rest[0].isdigit():
        return None
    return "grand" if _GRAND.match(f) else "group"


def project_code(text: str) -> str | None:
    """``DA4`` from "Dự án 4: Đầu tư cơ sở hạ tầng…", ``DA3.1`` from "Tiểu dự án 1 thuộc Dự án 3"."""
    m = _PROJECT.match(fold(text))
    if not m:
        return None
    sub_before, num, sub_dot, sub_after = m.groups()
    sub = sub_dot or sub_before or sub_after
    if not 1 <= int(num) <= 10:
        return None
    return f"DA{int(num)}" + (f".{sub}" if sub and sub != "0" else "")


def classify_label(text: object) -> dict[str, object]:
    """What a header cell or row label of a form says.

    Returns
    -------
    dict
        Any of ``measure`` (``"plan"``/``"disbursed"``), ``capital_type``, ``fund``,
        ``project`` (``"DA4"``), ``subproject`` (a number, its project given elsewhere),
        ``source`` (a funding source, summed over), ``year``, ``as_of``; or one of the roles
        ``total`` (``"grand"``/``"group"``), ``rate`` (a derived percentage), ``key``
        (``"stt"``, ``"name"``, ``"commune"``, ``"district"``, ``"province"``, ``"unit"``),
        ``skip_column`` (notes, unit of measure), ``filler`` ("Trong đó", "Số tiền").
        Empty when the label says nothing the importer knows.

    Examples
    --------
    >>> classify_label("Kế hoạch vốn ĐTPT năm 2023")
    {'measure': 'plan', 'capital_type': 'investment', 'year': 2023}
    >>> classify_label("Dự án 4: Đầu tư cơ sở hạ tầng thiết yếu")
    {'project': 'DA4'}
    """
    if text is None or isinstance(text, bool):
        return {}
    raw = nfc(text)
    if fold(raw) in _FILLER:
        return {"filler": fold(raw)}
    f = _strip_units(fold(raw))
    if not f:
        return {}
    if f in _STT:
        return {"key": "stt"}
    if f in _NAME:
        return {"key": "name"}
    m = _CODE.match(f)
    if m:
        kind = {"xa": "commune", "phuong": "commune", "huyen": "district", "tinh": "province"}.get(m.group(1), "unit")
        return {"key": kind}
    if f in _SKIP_COLUMN:
        return {"skip_column": f}
    code = project_code(raw)
    if code:
        return {"project": code}
    m = _SUBPROJECT.match(f)
    if m:
        return {"subproject": int(m.group(1))}
    out: dict[str, object] = {}
    total = total_kind(raw)
    if total:
        out["total"] = total
    if _RATE.search(f) or "%" in raw:
        out["rate"] = True
    if _PLAN.match(f):
        out["measure"] = "plan"
    elif _DISBURSED.search(f):
        out["measure"] = "disbursed"
    capital = VALUE_LOOKUP["capital_type"].get(f)
    if capital is None and _INVESTMENT.search(f):
        capital = "investment"
    elif capital is None and _RECURRENT.search(f):
        capital = "recurrent"
    if capital:
        out["capital_type"] = capital
    fund = VALUE_LOOKUP["fund"].get(f)
    if fund is None and _CARRIED.search(f):
        fund = "carried_over"
    elif fund is None and _CURRENT.search(f):
        fund = "current"
    if fund:
        out["fund"] = fund
    m = _SOURCE.search(f)
    if m:
        out["source"] = m.group(1)
    year = find_year(raw)
    if year and fund != "carried_over":
        out["year"] = year
    as_of = find_as_of(raw)
    if as_of:
        out["as_of"] = as_of
    if not out and f in _FILLER:
        out["filler"] = f
    return out


def unit_prefix(text: str) -> str | None:
    """The type a unit name starts with, folded and in full: ``"thi tran"`` for "TT. Đồng Mỏ", else None.

    >>> unit_prefix("Thị trấn Chi Lăng"), unit_prefix("Xã Chi Lăng"), unit_prefix("Chi Lăng")
    ('thi tran', 'xa', None)
    """
    m = _UNIT_PREFIX.match(fold(text))
    return _PREFIX_IN_FULL.get(m.group(1), m.group(1)) if m else None


def is_unit_name(text: str) -> str | None:
    """``"commune"`` or ``"district"`` for a name with its type ("Xã Chiến Thắng", "Huyện Chi Lăng")."""
    prefix = unit_prefix(text)
    if prefix is None:
        return None
    return "district" if prefix in ("huyen", "thanh pho", "thi xa", "quan") else "commune"


def is_footer(text: str) -> bool:
    """Is this the start of the signature block below a form ("Người lập biểu", "KT. CHỦ TỊCH")?"""
    f = fold(text)
    return bool(_FOOTER.match(f)) or bool(re.match(r"^.{0,40}\bngay\s+\d*\s*thang\s+\d*\s*nam\s+\d{4}$", f))


def is_of_which(text: str) -> bool:
    """Is this an "of which" row ("Trong đó: …"), a part already counted in the row above?"""
    return fold(text).startswith(("trong do", "trong so do", "rieng"))


def row_level(stt: str, label: str) -> int:
    """Outline level of a row from its number (``A`` 0, ``I`` 1, ``1`` 2, ``1.1`` or ``a`` 3, ``-`` 5)
    or, without one, from its label ("Dự án 4" 2, "Tiểu dự án 1" 3, units 1 and 2, others 6)."""
    s = stt.strip().rstrip(".)").strip()
    if s:
        if is_roman(s):
            return 1
        if re.fullmatch(r"[A-H]", s):
            return 0
        if s.isdigit():
            return 2
        if re.fullmatch(r"\d+\.\d+", s):
            return 3
        if re.fullmatch(r"\d+(\.\d+){2,}", s):
            return 4
        if re.fullmatch(r"[a-zđ]", s):
            return 3
        if s in ("-", "+", "*", "•", "–"):
            return 5
    dims = classify_label(label)
    if "project" in dims:
        return 3 if "." in str(dims["project"]) else 2
    if "subproject" in dims:
        return 3
    if "capital_type" in dims or "fund" in dims:
        return 1
    unit = is_unit_name(label)
    if unit:
        return 1 if unit == "district" else 2
    return 6
