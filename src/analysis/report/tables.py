"""Report tables: formatted in the report's language, rendered as escaped, self-contained HTML.

Numbers are formatted here (``90.279,336`` in Vietnamese, ``90,279.336`` in English) and
every cell is HTML-escaped, so a unit name from a data file can never inject markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import pandas as pd

from analysis.common.numbers import format_number, format_percent, format_points

#: Column kinds and how they are formatted: kind -> f(value, lang) -> str
FORMATS: dict[str, Callable[[object, str], str]] = {
    "mvnd": lambda v, lang: format_number(v, lang, 3),
    "bvnd": lambda v, lang: format_number(None if v is None or pd.isna(v) else float(v) / 1000.0, lang, 2),
    "rate": lambda v, lang: format_percent(v, lang, 2),
    "rate1": lambda v, lang: format_percent(v, lang, 1),
    "pp": lambda v, lang: format_points(v, lang, 1),
    "int": lambda v, lang: format_number(v, lang, 0),
    "text": lambda v, lang: "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v),
}

CSS = """
<style>
.ntp-report { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #222; max-width: 1100px; }
.ntp-report h1 { font-size: 1.6em; margin: 0.2em 0; }
.ntp-report h2 { font-size: 1.25em; border-bottom: 2px solid #2c7fb8; padding-bottom: 2px; margin-top: 1.4em; }
.ntp-report .subtitle { color: #555; margin-bottom: 0.8em; }
table.ntp-table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0 1em 0; }
table.ntp-table th { background: #edf3f8; text-align: left; padding: 4px 8px; border-bottom: 1px solid #9ab; }
table.ntp-table td { padding: 3px 8px; border-bottom: 1px solid #e3e3e3; }
table.ntp-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.ntp-table tr.total td { font-weight: bold; border-top: 1px solid #9ab; }
.ntp-cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 0.6em 0; }
.ntp-card { border: 1px solid #cfd8e0; border-radius: 6px; padding: 8px 12px; min-width: 190px; background: #fafcfe; }
.ntp-card .value { font-size: 1.35em; font-weight: bold; color: #1d4e73; }
.ntp-card .label { font-size: 0.85em; color: #555; }
.ntp-note { font-size: 0.85em; color: #555; }
.ntp-warn { background: #fff4e5; border-left: 4px solid #e6862e; padding: 6px 10px; margin: 0.6em 0; }
.ntp-ok { color: #1a7f37; } .ntp-bad { color: #b42318; font-weight: bold; }
</style>
"""


def esc(value: object) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def html_table(
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    lang: str,
    *,
    total_row: bool = False,
    max_rows: int | None = None,
) -> str:
    """Render a frame as an escaped HTML table.

    Parameters
    ----------
    frame
        The data.
    columns
        ``{column: (header, kind)}`` in display order; ``kind`` is a key of :data:`FORMATS`.
    lang
        ``"vi"`` or ``"en"``, for the number format.
    total_row
        Style the last row as a total.
    max_rows
        Show at most this many rows (a note says how many were left out).
    """
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{esc(h)}</th>" for h, _ in columns.values())
    body = []
    for i, (_, row) in enumerate(shown.iterrows()):
        cls = ' class="total"' if total_row and i == len(shown) - 1 else ""
        cells = []
        for col, (_, kind) in columns.items():
            text = FORMATS[kind](row.get(col), lang)
            num = ' class="num"' if kind != "text" else ""
            cells.append(f"<td{num}>{esc(text)}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = f'<p class="ntp-note">… +{len(frame) - max_rows}</p>'
    return f'<table class="ntp-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{more}'


def cards(items: list[tuple[str, str, str]]) -> str:
    """Headline figures as cards: ``(label, value, note)`` each, all escaped."""
    parts = [
        f'<div class="ntp-card"><div class="label">{esc(label)}</div><div class="value">{esc(value)}</div>'
        f'<div class="ntp-note">{esc(note)}</div></div>'
        for label, value, note in items
    ]
    return f'<div class="ntp-cards">{"".join(parts)}</div>'
