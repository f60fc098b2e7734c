"""Draws the Teams app icons (color.png 192x192, outline.png 32x32) with no imaging library.

Run from the repository root: `python manifest/teams/draw_icons.py`. The icon is an open
book: white pages on the accent colour (color.png), white page outlines on transparency
(outline.png, as Teams requires).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
ACCENT = (59, 91, 219, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG whose pixel (x, y) is `pixel(x, y)`."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _in_page(x: float, y: float) -> bool:
    """The open book in a unit square: two pages either side of a spine at x = 0.5."""
    if not 0.22 <= y <= 0.78:
        return False
    sag = 0.04 * (1 - abs(x - 0.5) / 0.3)  # pages dip towards the spine
    left = 0.18 <= x <= 0.48
    right = 0.52 <= x <= 0.82
    return (left or right) and y >= 0.22 + sag


def _on_line(x: float, y: float) -> bool:
    """Text lines printed on the pages."""
    in_margin = 0.23 <= x <= 0.44 or 0.56 <= x <= 0.77
    return in_margin and any(abs(y - row) < 0.012 for row in (0.38, 0.48, 0.58, 0.68))


def color(x: int, y: int) -> Pixel:
    u, v = (x + 0.5) / 192, (y + 0.5) / 192
    if _in_page(u, v) and not _on_line(u, v):
        return WHITE
    return ACCENT


def outline(x: int, y: int) -> Pixel:
    u, v = (x + 0.5) / 32, (y + 0.5) / 32
    edge = 1.2 / 32
    inside = _in_page(u, v)
    near_outside = any(
        not _in_page(u + dx, v + dy) for dx in (-edge, 0, edge) for dy in (-edge, 0, edge)
    )
    return WHITE if inside and near_outside else CLEAR


if __name__ == "__main__":
    (HERE / "color.png").write_bytes(png(192, 192, color))
    (HERE / "outline.png").write_bytes(png(32, 32, outline))
