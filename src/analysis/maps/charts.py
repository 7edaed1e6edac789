"""Charts in the maps' style: disbursement by project, progress through the year, the
poverty trend by district, and disbursement against the change in poverty.

Like the map functions, each takes ``ax=None`` and returns the ``Axes``. Lines and points
are labelled directly rather than through a legend of colours, so a chart printed in grey
or read by a colour-blind reader loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from analysis.catalog.units import official_units
from analysis.common.i18n import t
from analysis.common.numbers import format_date, format_percent
from analysis.maps.canvas import layout_renderer
from analysis.maps.labels import short_name
from analysis.maps.style import TITLE_Y, map_style
from analysis.maps.ticks import value_axis
from analysis.metrics.poverty import poverty_rates

#: Colours of the capital types (ColorBrewer Paired: dark/light pairs for disbursed/plan).
CAPITAL_COLORS = {"investment": ("#1f78b4", "#a6cee3"), "recurrent": ("#33a02c", "#b2df8a")}
#: Line colours of units (Okabe–Ito, safe for colour-blind readers); markers and dashes
#: cycle with them so that lines stay apart in greyscale too.
UNIT_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#000000")
#: Where a chart's axes sit in its figure (left, bottom, width, height).
CHART_RECT = (0.1, 0.1, 0.88, 0.8)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_DASHES = ("-", "--", "-.", ":")


def _axes(ax: Axes | None, size=(9.0, 4.6)) -> Axes:
    if ax is not None:
        return ax
    # A fixed frame, no layout engine (a layout pass measures every text again at each draw);
    # the saved picture is cut to what was drawn, tick labels and titles included.
    fig = Figure(figsize=size, dpi=110)
    return fig.add_axes(CHART_RECT)


def _no_unit(label: str) -> str:
    # "Kế hoạch vốn (triệu đồng)" -> "Kế hoạch vốn": the chart's axis gives the unit.
    return label.split(" (")[0]


def _tidy(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def _unit_names(codes, by: str, names: Mapping[str, str] | None) -> dict[str, str]:
    if names is None:
        u = official_units()[[f"{by}_code", f"{by}_name"]].drop_duplicates(f"{by}_code")
        names = dict(zip(u[f"{by}_code"], u[f"{by}_name"], strict=True))
    codes = list(codes)
    return dict(zip(codes, [chart_name(names.get(c, c)) for c in codes], strict=True))


def chart_name(name: object) -> str:
    """A unit's name in a chart: "Huyện" and "Xã" dropped, other types shortened.

    A city keeps its "TP." so that it is not taken for the province of the same name.

    >>> chart_name("Huyện Chi Lăng"), chart_name("Thành phố Lạng Sơn")
    ('Chi Lăng', 'TP. Lạng Sơn')
    """
    text = str(name)
    return short_name(text) if text.startswith(("Huyện ", "Xã ")) else short_name(text, abbreviate=True)


def project_order(code: object) -> tuple:
    """Sort key of project codes: DA1, DA2, …, DA10, sub-projects after their project, others last.

    >>> sorted(["DA10", "DA3.2", "DA3", "–", "DA1"], key=project_order)
    ['DA1', 'DA3', 'DA3.2', 'DA10', '–']
    """
    if not isinstance(code, str) or not code.startswith("DA"):
        return (99, 0, str(code))
    main, _, sub = code[2:].partition(".")
    try:
        return (int(main), int(sub or 0), code)
    except ValueError:
        return (98, 0, code)


def projects_chart(
    table: pd.DataFrame, lang: str = "vi", ax: Axes | None = None, order: Callable[[str], tuple] | None = None,
    title: str | None = None,
) -> Axes:
    """Plan (light) and disbursed (dark) by project, one bar pair per capital type.

    Parameters
    ----------
    table
        ``project``, ``capital_type``, ``plan_mvnd``, ``disbursed_mvnd`` (from
        :func:`analysis.metrics.finance.disbursement` by project and capital type).
    lang
        ``"vi"`` or ``"en"``.
    ax
        Axes to draw on; a new figure when None.
    order
        Sort key of project codes; :func:`project_order` (DA1 … DA10) when None.
    title
        The chart's title (default "Plan and disbursement by project" in ``lang``).
    """
    with map_style():
        ax = _axes(ax)
        projects = sorted(table["project"].unique(), key=order or project_order)
        x = np.arange(len(projects))
        width = 0.38
        for i, ct in enumerate(("investment", "recurrent")):
            part = table[table["capital_type"] == ct].set_index("project").reindex(projects)
            dark, light = CAPITAL_COLORS[ct]
            pos = x + (i - 0.5) * width
            label = t(f"capital.{ct}", lang)
            ax.bar(
                pos,
                part["plan_mvnd"].fillna(0) / 1000,
                width,
                color=light,
                edgecolor=dark,
                linewidth=0.6,
                label=f"{label}: {_no_unit(t('report.col.plan_mvnd', lang)).lower()}",
            )
            ax.bar(
                pos,
                part["disbursed_mvnd"].fillna(0) / 1000,
                width * 0.6,
                color=dark,
                label=f"{label}: {_no_unit(t('report.col.disbursed_mvnd', lang)).lower()}",
            )
        ax.set_xticks(x, projects)
        ax.set_ylabel(t("money.billion_vnd", lang))
        value_axis(ax, lang)  # billions: 0,0 2,5 5,0 … where the step is 2.5, never rounded to 2 and 8
        ax.set_title(title or t("chart.projects", lang), y=TITLE_Y)
        ax.legend(fontsize=8, frameon=False, loc="upper right")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.set_axisbelow(True)
    return ax


def progress_chart(prog: pd.DataFrame, lang: str = "vi", ax: Axes | None = None) -> Axes:
    """Disbursement rate at each as-of snapshot of the year, one line per capital type.

    Parameters
    ----------
    prog
        ``as_of``, ``capital_type``, ``rate`` (from :func:`analysis.metrics.finance.progress`).
    """
    with map_style():
        ax = _axes(ax, size=(9.0, 4.0))
        for ct, part in prog.groupby("capital_type"):
            part = part.sort_values("as_of")
            dark, _ = CAPITAL_COLORS.get(ct, ("#444444", "#bbbbbb"))
            ax.plot(part["as_of"], part["rate"], marker="o", color=dark, label=t(f"capital.{ct}", lang))
            for d, r in zip(part["as_of"], part["rate"], strict=True):
                if pd.notna(r):
                    ax.annotate(
                        format_percent(r, lang, 1),
                        (d, r),
                        textcoords="offset points",
                        xytext=(0, 6),
                        ha="center",
                        fontsize=7,
                        color=dark,
                    )
        dates = sorted(prog["as_of"].unique())
        ax.set_xticks(dates, [format_date(pd.Timestamp(d), lang) for d in dates], rotation=0, fontsize=8)
        value_axis(ax, lang, kind="percent")
        ax.set_ylim(0, max(1.0, float(np.nanmax(prog["rate"])) + 0.1 if len(prog) else 1.0))
        ax.set_ylabel(t("report.col.rate", lang))
        ax.set_title(t("chart.progress", lang), y=TITLE_Y)
        ax.legend(fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    return ax


def poverty_trend_chart(
    poverty: pd.DataFrame,
    by: str = "district",
    lang: str = "vi",
    ax: Axes | None = None,
    names: Mapping[str, str] | None = None,
    rate: str = "poverty_rate",
    total: bool = True,
) -> Axes:
    """Poverty rate of each district (or commune) over the years, one labelled line each.

    Rates are summed up from household counts (:func:`analysis.metrics.poverty.poverty_rates`), never
    averaged. Each line is named at its right end (names pushed apart so they do not overlap),
    and the whole area is drawn as a heavy black line.

    Parameters
    ----------
    poverty
        Prepared poverty rows (one per commune and year).
    by
        ``"district"`` or ``"commune"``: the unit of the lines.
    lang
        ``"vi"`` or ``"en"``.
    ax
        Axes to draw on; a new figure when None.
    names
        Unit code -> name; the official names when None. Type prefixes are dropped.
    rate
        ``"poverty_rate"``, ``"near_poor_rate"`` or ``"em_poverty_rate"``.
    total
        Also draw the whole area's rate.
    """
    if by not in ("district", "commune"):
        raise ValueError(f"by must be 'district' or 'commune', not {by!r}")
    if rate not in ("poverty_rate", "near_poor_rate", "em_poverty_rate"):
        raise ValueError(f"rate must be 'poverty_rate', 'near_poor_rate' or 'em_poverty_rate', not {rate!r}")
    col = f"{by}_code"
    with map_style():
        ax = _axes(ax, size=(9.0, 5.0))
        rates = poverty_rates(poverty, ["year", col]).sort_values(["year", col])
        years = sorted(int(y) for y in rates["year"].unique())
        labels = _unit_names(sorted(rates[col].unique()), by, names)
        ends = []
        for i, (code, part) in enumerate(rates.groupby(col, sort=True)):
            style = dict(color=UNIT_COLORS[i % len(UNIT_COLORS)], marker=_MARKERS[i % len(_MARKERS)])
            style |= dict(linestyle=_DASHES[(i // len(UNIT_COLORS)) % len(_DASHES)])
            ax.plot(part["year"], part[rate], markersize=4, linewidth=1.3, label=labels[code], **style)
            ends.append((float(part[rate].iloc[-1]), labels[code], style["color"], int(part["year"].iloc[-1])))
        if total and len(rates):
            whole = poverty_rates(poverty, "year").sort_values("year")
            name = t("chart.province_total", lang)
            ax.plot(whole["year"], whole[rate], color="black", linewidth=2.6, label=name, zorder=4)
            ends.append((float(whole[rate].iloc[-1]), name, "black", int(whole["year"].iloc[-1])))
        ax.set_xticks(years, [str(y) for y in years])
        if years:
            ax.set_xlim(years[0] - 0.15, years[-1] + 0.15)
        ax.set_ylim(bottom=0)
        value_axis(ax, lang, kind="percent")
        rate_label = t(f"chart.rate.{rate}", lang)
        ax.set_ylabel(rate_label)
        ax.set_title(t("chart.poverty_trend", lang, rate=rate_label, unit=t(f"unit.{by}", lang)), y=TITLE_Y)
        _tidy(ax)
        _end_labels(ax, ends)
    return ax


def _spread(anchors: list[float], gap: float) -> list[float]:
    """Positions near sorted ``anchors``, at least ``gap`` apart: overlapping labels are
    gathered into groups, each centred on the mean of its anchors."""
    groups: list[list[float]] = []

    def span(g: list[float]) -> tuple[float, float]:
        centre, half = sum(g) / len(g), (len(g) - 1) / 2 * gap
        return centre - half, centre + half

    for a in anchors:
        groups.append([a])
        while len(groups) > 1 and span(groups[-1])[0] - span(groups[-2])[1] < gap:
            groups[-2:] = [groups[-2] + groups[-1]]
    return [span(g)[0] + k * gap for g in groups for k in range(len(g))]


def _end_labels(ax: Axes, ends: list[tuple[float, str, str, int]], fontsize: float = 7.5) -> None:
    # Names at the right end of the lines, spread vertically so that none overlaps.
    if not ends:
        return
    layout_renderer(ax)  # the axes' final size, before points are converted to data
    px_per_pt = ax.figure.dpi / 72
    ends = sorted(ends)
    anchors = [float(ax.transData.transform((year, value))[1]) for value, _, _, year in ends]
    ys = _spread(anchors, fontsize * 1.25 * px_per_pt)
    for (value, name, color, year), anchor, y in zip(ends, anchors, ys, strict=True):
        ax.annotate(name, xy=(year, value), xytext=(8, (y - anchor) / px_per_pt), textcoords="offset points",
                    fontsize=fontsize, color=color, va="center", annotation_clip=False,
                    gid="ntp-line-label")  # fmt: skip


def scatter_chart(
    frame: pd.DataFrame,
    lang: str = "vi",
    ax: Axes | None = None,
    x: str = "poverty_rate_change_pp",
    y: str = "rate",
    label: str = "district_name",
    period: tuple[int, int] | None = None,
    reference: float | None = None,
) -> Axes:
    """Disbursement rate against the change in the poverty rate, one labelled point per district.

    Each name goes to the first of eight places around its point (right, left, above,
    below, then the diagonals, at two distances) where it overlaps no other name, no
    point and stays inside the axes; a name that finds no such place is drawn at the first.

    Parameters
    ----------
    frame
        One row per district with the two figures and a name (:class:`analysis.report.mapdata.MapData`'s
        ``districts``); rows missing either figure are left out.
    lang
        ``"vi"`` or ``"en"``.
    ax
        Axes to draw on; a new figure when None.
    x, y, label
        Columns: change in poverty rate (percentage points), disbursement rate (fraction),
        name.
    period
        ``(base_year, year)`` of the change, written in the axis label.
    reference
        A disbursement rate drawn as a dashed line (the province's), or None.
    """
    missing = [c for c in (x, y, label) if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame; it has {list(frame.columns)}")
    data = frame[[x, y, label]].dropna(subset=[x, y])
    with map_style():
        ax = _axes(ax, size=(8.0, 5.6))
        ax.scatter(data[x], data[y], s=36, color="#2c7fb8", edgecolor="white", linewidth=0.8, zorder=3)
        ax.axvline(0, color="#969696", linewidth=0.8, zorder=1)
        if reference is not None and np.isfinite(reference):
            ax.axhline(reference, color="#525252", linewidth=0.9, linestyle="--", zorder=1)
            ax.annotate(t("chart.province_total", lang) + ": " + format_percent(reference, lang), xy=(1, reference),
                        xycoords=("axes fraction", "data"), xytext=(0, 3), textcoords="offset points", ha="right",
                        va="bottom", fontsize=7.5, color="#525252")  # fmt: skip
        value_axis(ax, lang, kind="percent")
        value_axis(ax, lang, axis="x", kind="points")  # "−6,0", as the maps, with the decimals the step needs
        if len(data):
            xs, ys = data[x].to_numpy(float), data[y].to_numpy(float)
            dx, dy = np.ptp(xs) or 1.0, np.ptp(ys) or 0.1
            ax.set_xlim(min(xs.min(), 0) - 0.12 * dx, max(xs.max(), 0) + 0.12 * dx)
            ax.set_ylim(max(ys.min() - 0.15 * dy, 0), ys.max() + 0.15 * dy)
        base, now = period or (None, None)
        xlabel = t("chart.scatter_x", lang, base=base, year=now) if period else t("legend.poverty_change_pp", lang)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(t("report.col.rate", lang))
        ax.set_title(t("chart.scatter", lang), y=TITLE_Y)
        _tidy(ax)
        ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
        _point_labels(ax, data[x].to_numpy(float), data[y].to_numpy(float), [chart_name(n) for n in data[label]])
    return ax


#: Places tried around a point: (dx, dy) in points, with the alignment that fits.
_OFFSETS = [
    (d * a, d * b) for d in (5, 11) for a, b in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
]


def _point_labels(ax: Axes, xs: np.ndarray, ys: np.ndarray, names: list[str], fontsize: float = 7.5) -> list:
    renderer = layout_renderer(ax)
    frame = ax.get_window_extent(renderer)
    r = 4 * ax.figure.dpi / 72
    pts = ax.transData.transform(np.column_stack([xs, ys])) if len(xs) else np.empty((0, 2))
    taken = [Bbox.from_extents(px - r, py - r, px + r, py + r) for px, py in pts]
    taken += [t.get_window_extent(renderer) for t in ax.texts]  # e.g. the reference line's note
    out = []
    for (x, y), name in zip(zip(xs, ys, strict=True), names, strict=True):
        text = None
        for dx, dy in _OFFSETS:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            if text is None:
                # a light box: a grid or reference line may pass behind a name, not through it
                text = ax.annotate(name, xy=(x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                   fontsize=fontsize, color="#252525", gid="ntp-point-label", zorder=4,
                                   bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none",
                                             alpha=0.8))  # fmt: skip
            else:
                text.set(ha=ha, va=va)
                text.xyann = (dx, dy)
            box = text.get_window_extent(renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                break
        else:
            text.set(ha="left", va="center")
            text.xyann = _OFFSETS[0]
        taken.append(text.get_window_extent(renderer))
        out.append(text)
    return out
