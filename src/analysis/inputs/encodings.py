"""Legacy Vietnamese encodings: detected, converted to Unicode NFC, or refused with a fix.

Old workbooks and CSV files from district offices still carry text in the encodings used
before Unicode:

- **TCVN3 (ABC)**, the ``.VnTime`` fonts: one byte per letter. In a workbook the bytes show
  up as Latin-1 characters, so "Chi Lăng" is stored as ``"Chi L¨ng"`` and "Lạng Sơn" as
  ``"L¹ng S¬n"``.
- **VNI Windows**, the ``VNI-Times`` fonts: a base letter followed by a byte for its marks,
  so "Lạng Sơn" is stored as ``"Laïng Sôn"``.
- **Windows-1258** (cp1258), the ANSI code page of Vietnamese Windows: a CSV saved by Excel
  as "CSV (Comma delimited)" there. Tone marks are separate combining characters, so the
  text is normalised to NFC after decoding.

Nothing is guessed from a single letter: a text is converted only when the conversion
turns words that are not Vietnamese syllables into words that are (see
:func:`analysis.inputs.syllables.syllable_score`), so ordinary Unicode text, English or Vietnamese, is never touched.

Sources of the tables
---------------------
- TCVN3: the TCVN 5712:1993 table of GNU libiconv (``lib/tcvn.h``, ``tcvn_2uni_2``), bytes
  0xA1-0xFF (the VN3 subset used by the ABC fonts; the VN1 capitals at 0x80-0x9F and in the
  control range are not part of the ABC fonts and are not read). Checked against the TCVN
  table of xvnkb (Dao Hai Lam, ``tcvn.h``), which agrees on every lower-case letter.
- VNI: the VNI Windows sequences of xvnkb (``vni.h``), checked against the ``VNI`` table of
  the npm package ``vietnamese-conversion`` (duydev), which agrees on every letter.
- Windows-1258: Python's ``cp1258`` codec.

This module holds the names of the encodings, the tables and the converters, and
:func:`fix_legacy_text` for one cell or line; reading a whole CSV file's bytes is
:mod:`analysis.inputs.csv_decoding`.
"""

from __future__ import annotations

import re
import unicodedata

from analysis.inputs.syllables import TONE_MARKS, syllable_score

TCVN3 = "TCVN3 (ABC)"
VNI = "VNI Windows"
CP1258 = "Windows-1258"
UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 with BOM"
UTF16 = "UTF-16"
#: How much of a file's head decides its encoding (characters, or bytes for 8-bit files).
SAMPLE_CHARS = 65536

#: What to tell the user to do about a file whose text cannot be read as it is.
RESAVE_FIX = (
    "open the file in Excel and save it with 'Save As' > 'CSV UTF-8 (Comma delimited) (*.csv)' "
    "(LibreOffice: 'Text CSV', character set 'Unicode (UTF-8)'), or save it as .xlsx; "
    "text typed in TCVN3 (.VnTime) or VNI fonts can be converted first with Unikey's toolkit "
    "(Ctrl+Shift+F6, destination 'Unicode')"
)

# --- the tables -----------------------------------------------------------------------

# TCVN3: byte (as the Latin-1 character a workbook stores) -> Unicode. From GNU libiconv
# lib/tcvn.h (tcvn_2uni_2), bytes 0xA1..0xFF; 0xB0-0xB4 are combining tone marks.
_TCVN3_HIGH = (
    # 0xA1..0xAF
    "\u0102\u00c2\u00ca\u00d4\u01a0\u01af\u0110\u0103\u00e2\u00ea\u00f4\u01a1\u01b0\u0111\u1eb0"
    # 0xB0..0xBF
    "\u0300\u0309\u0303\u0301\u0323\u00e0\u1ea3\u00e3\u00e1\u1ea1\u1eb2\u1eb1\u1eb3\u1eb5\u1eaf\u1eb4"
    # 0xC0..0xCF
    "\u1eae\u1ea6\u1ea8\u1eaa\u1ea4\u1ec0\u1eb7\u1ea7\u1ea9\u1eab\u1ea5\u1ead\u00e8\u1ec2\u1ebb\u1ebd"
    # 0xD0..0xDF
    "\u00e9\u1eb9\u1ec1\u1ec3\u1ec5\u1ebf\u1ec7\u00ec\u1ec9\u1ec4\u1ebe\u1ed2\u0129\u00ed\u1ecb\u00f2"
    # 0xE0..0xEF
    "\u1ed4\u1ecf\u00f5\u00f3\u1ecd\u1ed3\u1ed5\u1ed7\u1ed1\u1ed9\u1edd\u1edf\u1ee1\u1edb\u1ee3\u00f9"
    # 0xF0..0xFF
    "\u1ed6\u1ee7\u0169\u00fa\u1ee5\u1eeb\u1eed\u1eef\u1ee9\u1ef1\u1ef3\u1ef7\u1ef9\u00fd\u1ef5\u1ed0"
)
TCVN3_TO_UNICODE: dict[str, str] = {chr(0xA1 + i): u for i, u in enumerate(_TCVN3_HIGH)}

# VNI Windows, after xvnkb vni.h: a vowel is written as its base letter followed by one
# character for its marks. Tones in the order acute, grave, hook, tilde, dot below.
_VNI_TONES = "ùøûõï"  # on a, e, o, u, y and on ơ (ô) and ư (ö)
_VNI_CIRCUMFLEX = "âáàåãä"  # â ê ô: the mark alone, then with the five tones
_VNI_BREVE = "êéèúüë"  # ă: the mark alone, then with the five tones


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    pairs: dict[str, str] = {}
    singles: dict[str, str] = {}

    def tone(letter: str, k: int) -> str:
        return unicodedata.normalize("NFC", letter + TONE_MARKS[k])

    for upper in (False, True):
        case = str.upper if upper else (lambda s: s)
        for base in "aeouy":
            for k, mark in enumerate(_VNI_TONES):
                if base == "y" and k == 4:
                    continue  # ỵ is a single character in VNI (î)
                pairs[case(base + mark)] = case(tone(base, k))
        for base, shaped in (("a", "â"), ("e", "ê"), ("o", "ô")):
            pairs[case(base + _VNI_CIRCUMFLEX[0])] = case(shaped)
            for k in range(5):
                pairs[case(base + _VNI_CIRCUMFLEX[k + 1])] = case(tone(shaped, k))
        pairs[case("a" + _VNI_BREVE[0])] = case("ă")
        for k in range(5):
            pairs[case("a" + _VNI_BREVE[k + 1])] = case(tone("ă", k))
        for vni_base, shaped in (("ô", "ơ"), ("ö", "ư")):
            singles[case(vni_base)] = case(shaped)
            for k, mark in enumerate(_VNI_TONES):
                pairs[case(vni_base + mark)] = case(tone(shaped, k))
        for k, ch in enumerate("íìæóò"):  # i with the five tones: single characters
            singles[case(ch)] = case(tone("i", k))
        singles[case("î")] = case(tone("y", 4))
        singles[case("ñ")] = case("đ")
    return pairs, singles


VNI_PAIRS, VNI_SINGLES = _build_vni()
#: Unicode letter -> its VNI spelling (the inverse of the two tables above).
UNICODE_TO_VNI: dict[str, str] = {u: v for v, u in {**VNI_SINGLES, **VNI_PAIRS}.items() if len(v) <= 2}
UNICODE_TO_VNI.update({v: v for v in ("í", "ì", "Í", "Ì")})

# --- converting -----------------------------------------------------------------------

_TCVN3_TRANSLATE = str.maketrans(TCVN3_TO_UNICODE)
_UPPER_TCVN3 = set("\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7")  # Ă Â Ê Ô Ơ Ư Đ


def tcvn3_to_unicode(text: str) -> str:
    """Convert text typed in a TCVN3 (ABC, ``.VnTime``) font to Unicode NFC.

    TCVN3 has no capitals with tone marks: the ``.VnTimeH`` fonts draw the lower-case codes
    as capitals. A word whose other letters are all capitals is therefore put in capitals.

    >>> tcvn3_to_unicode("Chi L¨ng")
    'Chi Lăng'
    >>> tcvn3_to_unicode("L¹NG S¥N")
    'LẠNG SƠN'
    """
    out = unicodedata.normalize("NFC", text.translate(_TCVN3_TRANSLATE))
    if not any(ch.isupper() for ch in text):
        return out
    src_words = re.split(r"(\s+)", text)
    out_words = re.split(r"(\s+)", out)
    if len(src_words) != len(out_words):  # combining marks never hold white space; be safe
        return out
    fixed = []
    for src, conv in zip(src_words, out_words, strict=True):
        ascii_letters = [ch for ch in src if ch.isascii() and ch.isalpha()]
        capitals = sum(ch.isupper() for ch in ascii_letters) + sum(ch in _UPPER_TCVN3 for ch in src)
        lower = sum(ch.islower() for ch in ascii_letters)
        fixed.append(conv.upper() if capitals >= 2 and lower == 0 else conv)
    return "".join(fixed)


def vni_to_unicode(text: str) -> str:
    """Convert text typed in a VNI Windows font (``VNI-Times``) to Unicode NFC.

    >>> vni_to_unicode("Laïng Sôn")
    'Lạng Sơn'
    """
    out = []
    i, n = 0, len(text)
    while i < n:
        pair = text[i : i + 2]
        if len(pair) == 2:
            hit = VNI_PAIRS.get(pair)
            if hit is None and pair[0].isupper():
                hit = VNI_PAIRS.get(pair[0] + pair[1].upper())
            elif hit is None and pair[0].islower():
                hit = VNI_PAIRS.get(pair[0] + pair[1].lower())
            if hit is not None:
                out.append(hit)
                i += 2
                continue
        out.append(VNI_SINGLES.get(text[i], text[i]))
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def unicode_to_tcvn3(text: str) -> str:
    """Write Unicode text the way a TCVN3 (ABC) font stores it (capitals with tones as lower case).

    >>> unicode_to_tcvn3("Lạng Sơn")
    'L¹ng S¬n'
    """
    inverse = {u: t for t, u in TCVN3_TO_UNICODE.items() if not unicodedata.combining(u)}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out.append(inverse[ch])
        elif ch.lower() in inverse and ch.lower() != ch:
            out.append(inverse[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    """Write Unicode text the way a VNI Windows font stores it.

    >>> unicode_to_vni("Lạng Sơn")
    'Laïng Sôn'
    """
    return "".join(UNICODE_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def cp1258_bytes(text: str) -> bytes:
    """Encode text in Windows-1258 as Vietnamese Windows does: tone marks as combining bytes.

    Python's ``cp1258`` codec holds only some precomposed letters (``ă``, ``ơ``, ``á``), so
    each letter is first split into its base letter with vowel marks and its tone mark.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


_CONVERTERS = {TCVN3: tcvn3_to_unicode, VNI: vni_to_unicode}


def fix_legacy_text(text: str, candidates: tuple[str, ...] = (TCVN3, VNI)) -> tuple[str, str | None]:
    """Convert one text (a cell, a line) from TCVN3 or VNI if it is written in one of them.

    The text is converted only when it holds words that are not Vietnamese syllables and
    one conversion makes at least 80% of its non-ASCII words syllables, more than it had.
    When both conversions do equally well the text is left as it is.

    Parameters
    ----------
    text
        The text as stored.
    candidates
        The legacy encodings to try (:data:`TCVN3`, :data:`VNI`).

    Returns
    -------
    (text, encoding)
        The Unicode NFC text and :data:`TCVN3` or :data:`VNI`; the text unchanged and
        ``None`` when it is not in a legacy encoding (or cannot be told).

    >>> fix_legacy_text("Chi L¨ng")
    ('Chi Lăng', 'TCVN3 (ABC)')
    >>> fix_legacy_text("Chi Lăng")
    ('Chi Lăng', None)
    """
    if text.isascii():
        return text, None
    before = syllable_score(text)
    if before.valid == before.total:
        return text, None
    best: tuple[int, str, str] | None = None
    tie = False
    for name in candidates:
        converted = _CONVERTERS[name](text)
        after = syllable_score(converted)
        if after.total and after.ratio >= 0.8 and after.valid > before.valid:
            if best is None or after.valid > best[0]:
                best, tie = (after.valid, name, converted), False
            elif after.valid == best[0]:
                tie = True
    if best is None or tie:
        return text, None
    return best[2], best[1]
