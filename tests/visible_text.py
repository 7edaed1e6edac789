"""The text a reader sees in an HTML report: what a browser shows, one text node a line.

Styles and scripts are left out; an image's alt text is kept (a screen reader reads it, and
a browser shows it when the picture does not load), and so is the page's title.
"""

from __future__ import annotations

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
