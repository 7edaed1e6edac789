"""Folding of Vietnamese text: the one way ntp-atlas compares headers, labels, codes and names.

Offices write the same word many ways: with or without diacritics, in NFC or NFD Unicode, in
upper or lower case, with the tone mark on either vowel (``Hoà``/``Hòa``), with punctuation
and spaces where they please. :func:`fold` turns a text into a comparison key that ignores
those differences. Its keywords say which differences are kept:

- ``keep``: the punctuation that stays part of a word (by default ``.`` and ``_``, so that
  ``DA3.1`` and ``plan_mvnd`` survive); any other character that is not a letter or a digit
  separates words.
- ``sep``: what joins the words (a single space by default; ``""`` for a key without spaces).
- ``marks``: keep the diacritics (``Tân`` is not ``Tấn``) but not the tone mark's position.

Unit names (with their type prefix ``Xã``, ``Huyện``) are keyed from this in
:mod:`analysis.catalog.units`; project and indicator names in
:mod:`analysis.catalog.programmes` and :mod:`analysis.catalog.indicators`.
"""

from __future__ import annotations

import re
import unicodedata

#: The combining tone marks of Vietnamese (huyền, sắc, hỏi, ngã, nặng) and the digit each
#: becomes at the end of its syllable when ``marks=True``.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


def fold(text: object, *, keep: str = "._", sep: str = " ", marks: bool = False) -> str:
    """Fold ``text`` for comparison: no case, Unicode form or (by default) diacritics.

    Parameters
    ----------
    text : object
        The text (anything else is turned into text with ``str``).
    keep : str, default "._"
        Punctuation kept inside words. Every other character that is not an ASCII letter or
        digit separates words. Ignored when ``marks`` is true.
    sep : str, default " "
        What joins the words: ``" "`` gives single spaces, ``""`` a key without spaces.
    marks : bool, default False
        Keep the diacritics (in NFC) instead of dropping them. The tone mark of each
        whitespace-separated word is then written as a digit at the word's end (``2`` huyền,
        ``1`` sắc, ``3`` hỏi, ``4`` ngã, ``5`` nặng), so the old and new tone placement
        (``Hoà``/``Hòa``) give the same key while ``Tân`` and ``Tấn`` stay apart; punctuation
        inside a word is dropped and a word keeps one tone, its last.

    Returns
    -------
    str
        The folded text, lower case.

    Examples
    --------
    >>> fold("Kế hoạch vốn (triệu đồng)")
    'ke hoach von trieu dong'
    >>> fold("Dự án 3.1", sep="")
    'duan3.1'
    >>> fold("Thị trấn Đồng Đăng", keep="")
    'thi tran dong dang'
    >>> fold("Hoà Bình", marks=True, sep="") == fold("hòa bình", marks=True, sep="")
    True
    """
    if marks:
        words = []
        for word in unicodedata.normalize("NFD", str(text)).lower().split():
            tone = ""
            base = []
            for ch in word:
                if ch in _TONES:
                    tone = _TONES[ch]
                elif unicodedata.category(ch) == "Mn" or ch.isalnum():
                    base.append(ch)
            words.append(unicodedata.normalize("NFC", "".join(base)) + tone)
        return sep.join(words)
    # NFD splits a letter from its marks; đ/Đ is a letter of its own and does not split
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    return sep.join(re.sub(rf"[^a-z0-9{re.escape(keep)}]+", " ", s).split())
