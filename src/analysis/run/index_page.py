"""The index page of a province's batch: links, figures by district, the map, the failures.

One self-contained HTML page, every text escaped: the reports' links (a failed report's
name marked, its message listed), the province's figures by district (by new commune for
data by the 2025 units) and the disbursement map, taken from the overview's page when the
batch wrote it.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from analysis import __version__, report
from analysis.catalog.programmes import get_programme
from analysis.common.i18n import t
from analysis.config import PROCESSED_DIR
from analysis.report.tables import CSS, esc, html_table
from analysis.report.unit_views import unit_view
from analysis.run.outcomes import BatchResult, ReportOutcome

#: matplotlib is not thread-safe: an index draws its map in the batch's own process, and a
#: country run writes two provinces' indexes from two threads.
_DRAWING = threading.Lock()


def overview_map(overview: ReportOutcome | None, ctx) -> str | None:
    """The disbursement map of the province overview written by this run (rendered, or left
    as it was because its inputs had not changed), as the ``<img>`` of its page; None when
    there is none to take. The index shows the same map of the same communes with the same
    parameters, so a batch does not draw it twice. Reports by the new units draw their own."""
    if overview is None or not overview.ok or unit_view(ctx).draws_maps_alone:
        return None
    try:
        page = overview.html.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return report.Picture.find_html(page, t("title.disbursement_rate", ctx.lang))


def index_html(result: BatchResult, *, as_of: str | None = None, data_dir: str | Path | None = PROCESSED_DIR) -> str:
    """The index page of a batch: self-contained HTML, every text escaped.

    With ``data_dir=None`` (the province's data could not be read) the page lists the
    reports and failures only.
    """
    lang = result.lang
    ctx = None
    if data_dir is not None:
        ctx = report.context(result.province_code, None, result.year, as_of, lang, data_dir,
                             programme=result.programme)
    title = t("index.title_programme", lang, programme=get_programme(result.programme).title(lang),
              province=result.province_name, year=result.year)
    parts = [f"<h1>{esc(title)}</h1>"]
    if ctx is not None:
        parts.append(f"<div class='subtitle'>{esc(t('index.as_of', lang, as_of=report.shown_as_of(ctx)))}</div>")
        note = report.coverage_note(ctx)
        if note:
            parts.append(f"<div class='ntp-warn'>{esc(note)}</div>")
        parts += [f"<div class='{css}'>{esc(text)}</div>" for css, text in unit_view(ctx).title_notes(ctx)]
    overview = next((r for r in result.reports if r.notebook == "province_overview"), None)
    if overview is not None and overview.ok:
        parts.append(f"<p class='ntp-links'><a href='{esc(href(overview.html, result.folder))}'>"
                     f"{esc(t('index.overview_link', lang, province=result.province_name))}</a></p>")
    if ctx is not None:
        key = unit_view(ctx).index_units_key
        parts.append(f"<h2>{esc(t(key, lang))}</h2>")
        parts.append(f"<p class='ntp-note'>{esc(t(key + '_note', lang))}</p>")
        parts.append(district_table(ctx, result))
        parts.append(f"<h2>{esc(t('index.map', lang))}</h2>")
        shown = overview_map(overview, ctx)
        if shown is None:
            with _DRAWING:
                shown = report.map_disbursement(ctx)._repr_html_()
        parts.append(shown)
    failed = result.failed
    if failed or result.index_error:
        parts.append(f"<h2>{esc(t('index.failed', lang, n=len(failed)))}</h2><ul class='ntp-failed'>")
        for r in failed:
            parts.append(f"<li><strong>{esc(r.name)}</strong> ({esc(r.html.name)})<pre>{esc(r.message)}</pre></li>")
        if result.index_error:
            parts.append(f"<li><strong>index</strong><pre>{esc(result.index_error)}</pre></li>")
        parts.append("</ul>")
    when = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    parts.append(f"<p class='ntp-note'>{esc(t('index.generated', lang, when=when, version=__version__))}</p>")
    style = ("<style>body { margin: 0; } .ntp-report { margin: 0 auto; padding: 1em 1.5em 3em 1.5em; }"
             " .ntp-failed pre { white-space: pre-wrap; background: #fdf0ef; padding: 6px; }"
             " .ntp-report img { max-width: 100%; height: auto; }</style>")
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n{CSS}{style}\n</head>\n<body>\n"
            f"<main class='ntp-report'>\n{''.join(parts)}\n</main>\n</body>\n</html>\n")


def href(target: Path, folder: Path) -> str:
    """The link from a page in ``folder`` to ``target``."""
    # reports sit in the index's own folder: a bare file name, safe by construction (slug)
    return os.path.relpath(target, folder).replace(os.sep, "/")


def district_table(ctx, result: BatchResult) -> str:
    """Figures by district; each name links to its report. html_table escapes every cell,
    so names go in as unique placeholder tokens and are swapped for escaped links after."""
    lang, code_col = ctx.lang, ctx.unit_col  # districts; new communes for data by the 2025 units
    name_col = code_col.replace("_code", "_name")
    # official GSO order, as the offices list districts (and as the reports' file names sort)
    df = report.unit_table(ctx).sort_values(code_col).reset_index(drop=True)
    df["rate"] = df["rate"].where(df["has_plan"].eq(True))  # no plan: no rate, not 0 %
    done = {r.district_code: r for r in result.reports if r.notebook == "district_report"}
    links: dict[str, str] = {}
    tokens = []
    for i, row in df.iterrows():
        token = f"ntpdistrict{i}x"
        tokens.append(token)
        outcome = done.get(str(row[code_col]))
        name = esc(row[name_col])
        if outcome is not None and outcome.ok:
            links[token] = f"<a href='{esc(href(outcome.html, result.folder))}'>{name}</a>"
        elif outcome is not None:
            links[token] = f"{name} <span class='ntp-bad'>({esc(t('index.report_failed', lang))})</span>"
        else:
            links[token] = name
    df["_link"] = tokens
    cols: dict[str, tuple[str, str]] = {
        "_link": (t(f"report.col.{name_col}", lang), "text"),
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    if "poverty_rate" in df.columns:
        cols["poverty_rate"] = (t("report.col.poverty_rate", lang, year=ctx.poverty_year), "rate")
    if "poverty_rate_change_pp" in df.columns:
        cols["poverty_rate_change_pp"] = (t("report.col.poverty_change", lang, year=ctx.baseline_year), "pp")
    cols |= report.coverage_columns(ctx, df, "finance") | report.coverage_columns(ctx, df, "poverty")
    df, cols = unit_view(ctx).mark_units(ctx, df, cols, "_link")  # estimates of converted data marked
    table = html_table(df, cols, lang)
    return re.sub(r"<td>(ntpdistrict\d+x)</td>", lambda m: f"<td>{links[m.group(1)]}</td>", table)
