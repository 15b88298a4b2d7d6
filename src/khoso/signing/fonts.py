"""The one typeface of every copy mark: Times New Roman, regular, 10 pt, black (TT05 Đ8.1, NĐ30 PL I).

Times New Roman is not free to ship, so the stand-in is Liberation Serif 2 (Debian ``fonts-liberation2``):
metric-compatible with Times New Roman (every glyph has the same advance width, so a mark takes the same
room as in the regulation's examples) and, unlike Liberation Serif 1.07, it has every Vietnamese letter.
The font is chosen once for the whole project by :func:`khoso.core.printing.font_family`, which refuses a
family missing a Vietnamese letter (falling back to DejaVu Serif); this module only asks it for the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from khoso.core.printing import FONT, font_family

#: TT05 Đ8.1: size 10, black.
SIZE = 10.0
BLACK = (0.0, 0.0, 0.0)
#: Line height of a multi-line mark (1.2 × the size, the usual typesetting default).
LEADING = 12.0
MM = 72 / 25.4
#: Distance of a top-right mark from the page's top and right edges. TT05 says «góc trên bên phải»
#: without a figure; 10 mm keeps the mark inside the 20–25 mm top margin of an NĐ30 document and away
#: from the printer's unprintable border.
EDGE = 10 * MM


@cache
def font_name() -> str:
    """The reportlab name of the registered regular face (Liberation Serif 2 standing in for TNR)."""
    font_family()
    return FONT


@cache
def font_path() -> Path:
    """The TrueType file of that face, for pyHanko's embedded subset and for Pillow."""
    return Path(pdfmetrics.getFont(font_name()).face.filename)


def text_width(text: str, size: float = SIZE) -> float:
    """Advance width of ``text`` in points at ``size`` (the same metrics as Times New Roman)."""
    return pdfmetrics.stringWidth(text, font_name(), size)


def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """Split ``text`` at spaces into lines no wider than ``width`` points (a longer word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
