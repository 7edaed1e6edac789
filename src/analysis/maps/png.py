"""Figures and pixels as PNG bytes, written without Pillow's row filters.

:func:`png_trimmed` draws a figure once and cuts it to its drawn pixels (what
``bbox_inches="tight"`` gives, without drawing twice); :func:`png_bytes` writes an RGB image as
a plain PNG whose rows are left unfiltered, smaller and faster on the flat colours of maps.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from analysis.maps.canvas import layout_renderer
from analysis.maps.style import map_style

__all__ = ["ViewKeepingFile", "png_bytes", "png_trimmed"]


def png_trimmed(figure: Figure, dpi: float, pad_inches: float = 0.1, compress_level: int = 3) -> bytes:
    """The figure as PNG bytes at ``dpi``, cut to what was drawn with ``pad_inches`` around it.

    The figure is drawn once and cut to its non-background pixels. A figure whose drawing
    reaches the edge of the canvas (a legend wider than the room left for it) may have more
    beyond it: that one is measured and saved as ``bbox_inches="tight"`` does, which draws
    past the edge. A figure with a layout engine or a background that is not opaque is saved
    that way too. zlib level 3: for flat map colours nearly as small as the default 6, in
    half the time. The cut picture is written as :func:`png_bytes` writes one (rows unfiltered),
    its pixels copied straight from Agg's buffer into the PNG's rows.

    Parameters
    ----------
    figure
        The figure.
    dpi
        Resolution.
    pad_inches
        Background kept around the drawing.
    compress_level
        zlib level of the PNG (0-9).

    Returns
    -------
    bytes
    """
    background = tuple(round(c * 255) for c in to_rgba(figure.get_facecolor()))
    with map_style():
        if figure.get_layout_engine() is None and background[3] == 255:
            canvas = ViewKeepingFile()
            figure.savefig(canvas, format="rgba", dpi=dpi)  # hands over Agg's own buffer, not a copy
            w = int(figure.get_figwidth() * dpi)
            h = len(canvas.data) // 4 // max(w, 1)
            if h * w * 4 == len(canvas.data):
                ink = np.frombuffer(canvas.data, dtype=np.uint32).reshape(h, w) != np.frombuffer(
                    bytes(background), dtype=np.uint32)[0]  # fmt: skip
                rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
                if len(rows) and rows[0] > 0 and cols[0] > 0 and rows[-1] < h - 1 and cols[-1] < w - 1:
                    # Agg draws on the opaque background, so every pixel is opaque: its RGB is the colour
                    drawn = np.frombuffer(canvas.data, dtype=np.uint8).reshape(h, w, 4)[
                        rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # fmt: skip
                    pad = round(pad_inches * dpi)
                    data, pixels = _png_lines(drawn.shape[0] + 2 * pad, drawn.shape[1] + 2 * pad)
                    for channel in range(3):
                        pixels[..., channel] = background[channel]
                    _copy_rgb(pixels[pad : pad + drawn.shape[0], pad : pad + drawn.shape[1]], drawn)
                    return _png_file(data, dpi, compress_level)
        # Measured here rather than by savefig's "tight", which would draw it once more to measure it.
        bbox = "tight"
        if figure.get_layout_engine() is None and figure.axes:
            bbox = figure.get_tightbbox(layout_renderer(figure.axes[0])).padded(pad_inches)
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=dpi, bbox_inches=bbox, pad_inches=pad_inches,
                       pil_kwargs={"compress_level": compress_level})  # fmt: skip
        return buf.getvalue()


def png_bytes(rgb: np.ndarray, dpi: float | None = None, compress_level: int = 3) -> bytes:
    """An 8-bit RGB image (``height x width x 3``) as PNG bytes, its rows left unfiltered.

    PNG lets each row be "filtered" (stored as differences from its neighbours) before
    compression; Pillow tries every filter on every row, which takes most of its time and,
    on the flat colours of maps and charts, gives larger files than no filter (about 130
    against 111 kB for a report's map, in 30 against 12 ms). The file is a plain PNG
    (signature, ``IHDR``, ``pHYs`` when ``dpi`` is given, one ``IDAT``, ``IEND``), read by
    any program.

    Parameters
    ----------
    rgb
        The pixels, ``uint8``.
    dpi
        Resolution recorded in the file (as Pillow records it), or none.
    compress_level
        zlib level (0-9).

    Returns
    -------
    bytes
    """
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"png_bytes takes height x width x 3 uint8 pixels, not {rgb.dtype} {rgb.shape}")
    data, pixels = _png_lines(*rgb.shape[:2])
    _copy_rgb(pixels, rgb)
    return _png_file(data, dpi, compress_level)


def _png_lines(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """PNG image data of unfiltered rows (each starts with filter type 0, none), and the
    view of its pixels (``height x width x 3``) to fill in."""
    data = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    data[:, 0] = 0
    return data, data[:, 1:].reshape(height, width, 3)


def _copy_rgb(to: np.ndarray, rgb: np.ndarray) -> None:
    """Copy the first three channels of ``rgb`` (RGB or RGBA) into ``to``, one channel at a
    time: numpy copies a channel's long strided rows quickly, but 3-byte pixels one by one
    (about 25 ms for a map, against 4)."""
    for channel in range(3):
        to[..., channel] = rgb[..., channel]


def _png_file(data: np.ndarray, dpi: float | None, compress_level: int) -> bytes:
    """A PNG file of 8-bit RGB image data whose rows are unfiltered (:func:`_png_lines`)."""
    h, w = data.shape[0], (data.shape[1] - 1) // 3

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))]
    if dpi is not None:
        per_metre = int(dpi / 0.0254 + 0.5)
        parts.append(chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    parts += [chunk(b"IDAT", zlib.compress(data, compress_level)), chunk(b"IEND", b"")]
    return b"".join(parts)


class ViewKeepingFile(io.RawIOBase):
    """A file that keeps what matplotlib writes to it as a view, without copying it.

    ``savefig(format="rgba")`` writes the Agg canvas's own buffer in one call; the view keeps
    that buffer alive, and it is read before the figure is drawn again.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[memoryview] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(memoryview(data).cast("B"))
        return len(self._parts[-1])

    @property
    def data(self) -> memoryview:
        """What was written: a view of it when it came in one piece."""
        if len(self._parts) == 1:
            return self._parts[0]
        return memoryview(b"".join(self._parts))
