"""Is it Vietnamese? Which words of a text are syllables of Vietnamese, by their spelling.

The test behind every legacy-encoding decision of :mod:`analysis.inputs.encodings` and
:mod:`analysis.inputs.csv_decoding`: a conversion is made only when it turns words that are not
Vietnamese syllables into words that are. A syllable is an onset, a rhyme that onset may take,
and at most one tone mark (a stop coda takes only the acute or the dot below).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: The five combining tone marks: acute, grave, hook, tilde, dot below.
TONE_MARKS = "\u0301\u0300\u0309\u0303\u0323"
_ONSETS = sorted(
    "ngh ng nh ch gh gi kh ph qu th tr kr bl pl b c d đ g h k l m n p r s t v x".split(), key=len, reverse=True
)
_STOPS = ("c", "ch", "p", "t", "k")
_RHYME_TABLE = {
    "a": "c ch i m n ng nh o p t u y k _",
    "ă": "c m n ng p t k",
    "â": "c m n ng p t u y k",
    "e": "c ch m n ng nh o p t _",
    "ê": "c ch m n nh p t u _",
    "i": "a c ch m n nh p t u _",
    "iê": "c m n ng p t u",
    "yê": "c m n ng p t u",
    "y": "_",
    "o": "c i m n ng p t k _",
    "oo": "c ng",
    "ô": "c i m n ng p t k _",
    "ơ": "c i m n p t _",
    "u": "a c i m n ng p t k _",
    "uô": "c i m n ng p t",
    "ư": "a c i m n ng p t u _",
    "ươ": "c i m n ng p t u",
    "oa": "c ch i m n ng nh o p t y _",
    "oă": "c m n ng p t",
    "oe": "c m n ng o p t _",
    "uâ": "c n ng t y",
    "uê": "c ch n nh u _",
    "uy": "a c ch n nh p t u _",
    "uyê": "n t",
    "uơ": "i n _",
}
#: Every rhyme (vowel group and final consonant) -> length of its final consonant.
RHYMES: dict[str, int] = {
    nucleus + ("" if coda == "_" else coda): (0 if coda == "_" else len(coda))
    for nucleus, codas in _RHYME_TABLE.items()
    for coda in codas.split()
}
_VIET_LETTERS = set("abcdeghiklmnopqrstuvxyăâđêôơư")


def _letters_and_tone(word: str) -> tuple[str, int | None, str] | None:
    """The word without its tone mark, the index of the letter that bears it, and the tone."""
    letters = []
    tone_at = None
    tone = ""
    for i, ch in enumerate(unicodedata.normalize("NFC", word.lower())):
        parts = unicodedata.normalize("NFD", ch)
        marks = [c for c in parts if c in TONE_MARKS]
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        if len(base) != 1 or base not in _VIET_LETTERS or len(marks) > 1:
            return None
        if marks:
            if tone_at is not None:
                return None  # two tone marks
            tone_at, tone = i, marks[0]
        letters.append(base)
    return "".join(letters), tone_at, tone


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """Is ``word`` a possible Vietnamese syllable (onset, vowels, final consonant, one tone)?

    The tone mark must sit on a vowel of the syllable's nucleus (old and new placement,
    ``hoà``/``hòa``, are both accepted), and a syllable ending in ``c``, ``ch``, ``p`` or
    ``t`` takes only the acute or the dot-below tone.

    >>> is_vietnamese_syllable("Lăng"), is_vietnamese_syllable("Lăg"), is_vietnamese_syllable("Xă")
    (True, False, False)
    """
    parsed = _letters_and_tone(word)
    if parsed is None:
        return False
    letters, tone_at, tone = parsed
    for onset in [*_ONSETS, ""]:
        if not letters.startswith(onset):
            continue
        rest = letters[len(onset) :]
        coda_len = RHYMES.get(rest)
        if coda_len is None:
            continue
        coda = rest[len(rest) - coda_len :] if coda_len else ""
        if tone_at is not None and not (len(onset) <= tone_at < len(letters) - coda_len):
            continue
        if coda in _STOPS and tone not in ("", "\u0301", "\u0323"):
            continue
        return True
    return False


_ASCII_LETTER = re.compile(r"[A-Za-z]")
#: A word: a run of Latin letters, with Vietnamese and legacy-encoding letters and marks.
WORD = re.compile(r"[A-Za-z\u00a1-\u00ff\u0100-\u01b0\u0300-\u0323\u1ea0-\u1ef9]+")


@dataclass(frozen=True)
class SyllableScore:
    """How Vietnamese a text reads: its distinct words with non-ASCII letters, and how many are syllables."""

    valid: int
    total: int
    bad_example: str | None = None

    @property
    def ratio(self) -> float:
        return self.valid / self.total if self.total else 1.0


def syllable_score(text: str) -> SyllableScore:
    """Count the distinct non-ASCII words of ``text`` that are Vietnamese syllables.

    Words of plain ASCII letters say nothing about the encoding and are not counted, nor are
    words without any ASCII letter (a lone "«" would read as the TCVN3 letter "ô").

    >>> syllable_score("Chi L¨ng: Chi Lăng")
    SyllableScore(valid=1, total=2, bad_example='L¨ng')
    """
    words = {w for w in WORD.findall(text) if not w.isascii() and _ASCII_LETTER.search(w)}
    bad = [w for w in words if not is_vietnamese_syllable(w)]
    return SyllableScore(len(words) - len(bad), len(words), min(bad) if bad else None)
