"""Print maps written to bytes and files: PNG, SVG and PDF with stable metadata, cut to their content.

No creation date goes into a file, so the same data gives byte-identical SVG and PDF; the
content's box is measured once per figure for all its formats (:func:`tight_bbox`), and each
file is written to a temporary file and renamed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from analysis import __version__
from analysis.common.storage import atomic_write_bytes
from analysis.maps.style import map_style
from analysis.run.print_names import file_suffix

__all__ = ["figure_title", "render_figure", "small_png", "tight_bbox", "write_figure"]


def _metadata(fmt: str, title: str) -> dict:
    creator = f"ntp-atlas {__version__}"
    # No creation date: the same data gives byte-identical SVG and PDF files.
    return {
        "png": {"Title": title, "Software": creator},
        "svg": {"Title": title, "Creator": creator, "Date": None},
        "pdf": {"Title": title, "Creator": creator, "CreationDate": None},
    }[fmt]


def render_figure(fig: Figure, fmt: str, dpi: int, title: str, bbox: Bbox | str | None = "tight") -> bytes:
    """The figure as the bytes of a ``fmt`` file (``"png"``, ``"svg"``, ``"pdf"``), in the map style."""
    buf = io.BytesIO()
    kwargs = {"bbox_inches": bbox, "pad_inches": 0.15} if bbox is not None else {}
    with map_style():
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt, title), **kwargs)
    return buf.getvalue()


def tight_bbox(fig: Figure) -> Bbox:
    """The figure's content with 0.15 inch around it, in inches.

    Measured once for all formats: ``"tight"`` would draw the whole figure again for each
    file just to measure it.
    """
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    with map_style():
        fig.draw_without_rendering()
        return fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.15)


def write_figure(fig: Figure, folder: Path, stem: str, formats: Iterable[str], dpi: int, lang: str,
                 tight: bool = True) -> list[Path]:  # fmt: skip
    """Write the figure in each of ``formats`` into ``folder`` as ``stem`` (+ ``.en`` in English); the paths."""
    title = figure_title(fig)
    bbox = tight_bbox(fig) if tight else None
    paths = []
    for fmt in formats:
        path = folder / (stem + file_suffix(fmt, lang))
        atomic_write_bytes(path, render_figure(fig, fmt, dpi, title, bbox))
        paths.append(path)
    return paths


def figure_title(fig: Figure) -> str:
    """The title a file of the figure carries: its suptitle, else its first axes title."""
    if fig._suptitle is not None:
        return fig._suptitle.get_text()
    for ax in fig.axes:
        if ax.get_title(loc="left"):
            return ax.get_title(loc="left")
    return "ntp-atlas"


def small_png(fig: Figure, dpi: int, tight: bool = True) -> bytes:
    """An 8-bit palette PNG of the figure, for the pictures of ``docs/``."""
    # 8-bit palette PNG: the maps are flat colours, so 256 colours lose nothing visible and
    # keep the files in docs/ small.
    from PIL import Image

    png = render_figure(fig, "png", dpi, figure_title(fig), tight_bbox(fig) if tight else None)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, format="png", optimize=True, dpi=(dpi, dpi))
    return out.getvalue()
