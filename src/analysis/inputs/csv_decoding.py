"""The bytes of a CSV file decoded: UTF-8 (with or without BOM), UTF-16, Windows-1258, TCVN3, VNI.

An 8-bit file's encoding is the reading with the most Vietnamese syllables
(:mod:`analysis.inputs.syllables`); TCVN3 or VNI text inside a UTF-8 file (a workbook typed in
those fonts, exported as CSV) is converted line by line (:mod:`analysis.inputs.encodings`). A file
whose encoding cannot be told is refused with what was found and how to save it again.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputFileError
from analysis.inputs.encodings import (
    CP1258,
    RESAVE_FIX,
    SAMPLE_CHARS,
    TCVN3,
    UTF8,
    UTF8_BOM,
    UTF16,
    VNI,
    fix_legacy_text,
    tcvn3_to_unicode,
    vni_to_unicode,
)
from analysis.inputs.syllables import WORD, syllable_score


@dataclass
class DecodedText:
    """The text of a file and how it was read.

    Attributes
    ----------
    text
        Unicode text (NFC where it was converted).
    encoding
        The encoding the bytes were read in (:data:`UTF8`, :data:`CP1258`, :data:`TCVN3`...).
    converted
        Legacy encoding -> number of lines converted from it (text in TCVN3 or VNI inside a
        UTF-8 file, for example one exported from a workbook typed in ``.VnTime`` fonts).
    """

    text: str
    encoding: str
    converted: dict[str, int] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """One sentence per conversion, for the user."""
        out = []
        if self.encoding not in (UTF8, UTF8_BOM):
            out.append(f"text read as {self.encoding} and converted to Unicode")
        for name, n in self.converted.items():
            out.append(f"{n} line{'s' if n != 1 else ''} in {name} converted to Unicode")
        return out


_NUL_PROBLEM = (
    "the file is not UTF-8 text: it holds NUL bytes, as UTF-16 text without a byte-order mark does "
    "(or it is not text at all)"
)
_SIGNATURES = {
    b"PK\x03\x04": ("an Excel workbook (.xlsx) or another zip file", "rename it to .xlsx if it is a workbook"),
    b"\xd0\xcf\x11\xe0": (
        "an old Excel 97-2003 workbook (.xls)",
        "open it in Excel or LibreOffice and save it as .xlsx",
    ),
    b"%PDF": ("a PDF document", "export the table from the original spreadsheet as .xlsx or CSV UTF-8"),
}


def decode_csv_bytes(path: str | Path, data: bytes) -> DecodedText:
    """Decode the bytes of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM,
    Windows-1258, or TCVN3/VNI bytes; TCVN3/VNI text inside UTF-8 is converted line by line.

    Parameters
    ----------
    path
        The file, for messages.
    data
        Its bytes.

    Returns
    -------
    DecodedText

    Raises
    ------
    InputFileError
        The bytes are not text, or are 8-bit text whose encoding cannot be told; the message
        names what was found and how to save the file again.
    """
    for magic, (what, fix) in _SIGNATURES.items():
        if data.startswith(magic):
            raise InputFileError(path, f"the file is not CSV text but {what}", fix)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _fix_lines(DecodedText(data.decode("utf-16").removeprefix("\ufeff"), UTF16))
        except UnicodeDecodeError:
            raise InputFileError(path, "the file starts as UTF-16 text but is not valid UTF-16", RESAVE_FIX) from None
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        position = exc.start
    else:
        if "\x00" in text[:SAMPLE_CHARS]:
            raise InputFileError(path, _NUL_PROBLEM, RESAVE_FIX)
        return _fix_lines(DecodedText(text, UTF8_BOM if bom else UTF8))
    if b"\x00" in data[:SAMPLE_CHARS]:
        raise InputFileError(path, _NUL_PROBLEM, RESAVE_FIX)
    return _decode_8bit(path, data, position)


def _fix_lines(decoded: DecodedText) -> DecodedText:
    """Convert the lines of a Unicode text that are in TCVN3 or VNI (a workbook typed in those
    fonts, exported as CSV UTF-8).

    Whether the file is in a legacy encoding is decided on its first :data:`SAMPLE_CHARS`
    characters (the title block, the header and the first rows), so that an ordinary file
    costs no more than a glance at its head.
    """
    text = decoded.text
    head = text[:SAMPLE_CHARS]
    if head.isascii():
        return decoded
    whole = fix_legacy_text(head)[1]  # which legacy encoding the file shows, if any
    if whole is None:
        return decoded
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.isascii():
            fixed, name = fix_legacy_text(line, (whole,))
            if name is not None:
                lines[i] = fixed
                decoded.converted[name] = decoded.converted.get(name, 0) + 1
    if decoded.converted:
        decoded.text = "\n".join(lines)
    return decoded


_READERS = {
    CP1258: lambda data: unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")),
    TCVN3: lambda data: tcvn3_to_unicode(data.decode("latin-1")),  # the bytes as a workbook stores them
    VNI: lambda data: vni_to_unicode(data.decode("cp1252", errors="replace")),
}


def _decode_8bit(path: str | Path, data: bytes, position: int) -> DecodedText:
    """Bytes that are not UTF-8: Windows-1258, TCVN3 or VNI, whichever reads as Vietnamese.

    The encoding is chosen on the first :data:`SAMPLE_CHARS` bytes: the one whose reading
    has the most Vietnamese syllables among its words with non-ASCII letters, at least two
    of them, at least 80% of its words, and more than any other reading.
    """
    head = data[:SAMPLE_CHARS]
    scores = {name: syllable_score(read(head)) for name, read in _READERS.items()}
    ranked = sorted(scores, key=lambda name: scores[name].valid, reverse=True)
    best, second = ranked[0], ranked[1]
    s = scores[best]
    if s.valid >= 2 and s.ratio >= 0.8 and s.valid > scores[second].valid:
        text = _READERS[best](data)
        return DecodedText(text[1:] if text.startswith("\ufeff") else text, best)
    found = "; ".join(f"as {name} {scores[name].valid} of {scores[name].total}" for name in ranked)
    where = f"the file is not UTF-8 text (byte 0x{data[position]:02X} at position {position})"
    words = sorted(w for w in set(WORD.findall(_READERS[CP1258](head))) if not w.isascii())
    if len(words) < 2:
        problem = (
            f"{where}: it is 8-bit text with too few words in Vietnamese letters to tell its encoding "
            "(Windows-1258, TCVN3, VNI or another code page such as Latin-1/Windows-1252)"
        )
    elif max(x.valid for x in scores.values()) < 2 or all(x.ratio < 0.5 for x in scores.values()):
        problem = (
            f"{where}: it is 8-bit text in an unknown encoding, not Vietnamese in Windows-1258, TCVN3 or VNI "
            f"(words that are Vietnamese syllables: {found}; read as Windows-1258 it shows words such as "
            f"{words[0]!r}); perhaps Latin-1/Windows-1252 or another language's code page"
        )
    else:
        problem = (
            f"{where}: it is 8-bit Vietnamese text, but its encoding cannot be told for sure "
            f"(words that are Vietnamese syllables: {found})"
        )
    raise InputFileError(path, problem, RESAVE_FIX)
