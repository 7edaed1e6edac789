"""The text a reader sees in an HTML report: what a browser shows, one text node a line.

Styles and scripts are left out; an image's alt text is kept (a screen reader reads it, and
a browser shows it when the picture does not load), and so is the page's title.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.lines: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.hidden += 1
        elif tag == "img":
            self.lines += [value for name, value in attrs if name == "alt" and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.lines.append(" ".join(data.split()))


def visible_lines(page: str) -> list[str]:
    """The page's visible text nodes, in order, whitespace collapsed."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    return parser.lines


def visible_text(page: str) -> str:
    """The page's visible text, one node a line."""
    return "\n".join(visible_lines(page))


# --- English in a Vietnamese page ----------------------------------------------------------------

#: English words a Vietnamese report must not carry: function words and the words of the
#: English messages, labels and tables (rejects, inputs, units, money, dates).
ENGLISH_WORDS = frozenset("""
the of and or not is are was were been has have had with without from into for
than that this which while nothing else says could should must write written row rows column columns file
files number numbers empty unknown known duplicate same fact figure figures different plan plans planned
disbursed disbursement million billion vnd commune communes district districts province provinces village
villages poverty poor households household finance input inputs accepted rejected read reconciles reconcile
data source sources generated prepared year years date dates code codes value values format english
vietnamese digits digit leading zero lost probably gso level indicator indicators programme project
projects whole negative exceed exceeds outside real expected reported missing incomplete complete rate rates
total totals units unit capital investment recurrent current fund funds allocation carried over region
regions classification boundaries boundary match matched polygon polygons reason value as latest asked
each snapshot
""".split())  # not "a", "an", "in", "to", "on", "at", "as", "by", "be": Vietnamese words too

_ID = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.\-][A-Za-z0-9]+)+")  # codes, file names: households_electricity, a.csv
_QUOTED = re.compile(r"'[^']*'|“[^”]*”|\"[^\"]*\"")  # a cell quoted as written in the user's file
_WORD = re.compile(r"[^\W\d_]+")  # whole words, Vietnamese letters included ("của" is not "c", "a")
#: Numbers written the English way: a decimal point with 1-2 or 4+ digits after it (a
#: Vietnamese point always groups three), a comma-grouped number with a decimal point, an ISO date.
_ENGLISH_NUMBERS = (re.compile(r"(?<![\d.,])\d+\.(?:\d{1,2}|\d{4,})(?![\d.,])"),
                    re.compile(r"\d{1,3}(?:,\d{3})+\.\d+"),
                    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"))


def english_in(text: str) -> list[str]:
    """The English words and English-format numbers in ``text`` (quoted cells and identifiers
    such as codes and file names left aside: they are written as the user wrote them)."""
    text = _ID.sub(" ", _QUOTED.sub(" ", text))
    found = [w for w in _WORD.findall(text) if w.isascii() and w.lower() in ENGLISH_WORDS]
    found += [m.group(0) for pattern in _ENGLISH_NUMBERS for m in pattern.finditer(text)]
    return found
