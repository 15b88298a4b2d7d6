"""The invisible text layer of a page, written from the OCR's word boxes.

Why not tesseract's PDF renderer: the words and their boxes come out of the same recognition
(TSV), so writing the layer here costs a few milliseconds, needs no second output from tesseract
and no parsing and copying of a foreign PDF into the page, and works the same with the library in
process and with the program.

The font is GlyphLessFont, tesseract's ``pdf.ttf`` (Apache-2.0, copied unchanged from Debian's
``tesseract-ocr`` 5.3.0 tessdata as ``glyphless.ttf``): one empty glyph, half an em wide. It is a
Type0 font with ``Identity-H`` encoding over a CIDFontType2: each character code is one UTF-16
code unit, ``CIDToGIDMap`` sends every code to the empty glyph (never ``.notdef``) and
``ToUnicode`` sends it back to the same code unit, so copying and searching give the page's NFC
text. PDF/A-2b: the font is embedded, its widths (``/DW 500``) agree with the font program
(1024/2048 em), the text is drawn in render mode 3 (invisible).

Geometry, in the deskewed frame tesseract saw (pixels; the caller maps pixels to points): the words
of one line share one font size (the line's height) and one straight line fitted through the middles
of their boxes, drawn along that line's slope, so a reader groups them into one line in order even
where the page kept a little skew; each word starts at its box's left edge and is stretched with
``Tz`` so that its letters span exactly its box, and a space glyph after it (before the next word's
own start) separates the words without the reader having to guess from the spacing.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from khoso.ocr.engine import Word

FONT_NAME = "/F0"
#: Glyph advance of GlyphLessFont in thousandths of an em (its hmtx: 1024 of 2048 units).
GLYPH_WIDTH = 500
_INVISIBLE = 3
_SPACE = 0x20
_REPLACEMENT = 0xFFFD
#: Steepest line the layer follows (10°); a steeper fit comes from a bad box, not from the page.
_MAX_SLOPE = math.tan(math.radians(10))
#: Entries per ``beginbfrange`` block (the PostScript limit of a CMap section).
_CMAP_BLOCK = 100


@functools.cache
def _font_program() -> bytes:
    return Path(__file__).with_name("glyphless.ttf").read_bytes()


@functools.cache
def _cid_to_gid_map() -> bytes:
    """Flate-coded ``CIDToGIDMap``: every one of the 65,536 CIDs to glyph 1 (two bytes per CID)."""
    return zlib.compress(b"\x00\x01" * 65536, 9)


def _code_units(text: str) -> list[int]:
    """UTF-16 code units of ``text`` for the layer: characters outside the BMP and controls become U+FFFD.

    A surrogate pair would need a two-unit ToUnicode entry; Vietnamese never needs one, and the
    page's text in the database keeps the character.
    """
    units = []
    for character in text:
        code = ord(character)
        units.append(_REPLACEMENT if code > 0xFFFF or 0xD800 <= code <= 0xDFFF or code < _SPACE else code)
    return units


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _lines(words: Iterable[Word]) -> Iterable[list[Word]]:
    for _key, line in itertools.groupby(words, key=lambda word: (word.block, word.paragraph, word.line)):
        yield list(line)


def content(words: Sequence[Word], height_px: int) -> tuple[bytes, set[int]]:
    """The layer's operators in pixel units (origin bottom-left), and the code units it shows.

    One ``Tm`` per line (its start and slope), then each word moved along the line with ``Td``
    from the previous word's start: about 40 bytes a word before compression, which keeps the
    layer no larger than tesseract's own (≈ 6 KB a page).
    """
    used: set[int] = set()
    ops = ["BT", f"{_INVISIBLE} Tr"]
    for line in _lines(words):
        geometry = _LineGeometry.fit(line)
        stretch = geometry.stretch
        first = line[0].deskewed_box[0]
        baseline = height_px - (geometry.middle(first) + geometry.size / 2)
        ops.append(f"{FONT_NAME} {geometry.size} Tf {geometry.matrix} {first} {_number(baseline)} Tm")
        previous = first
        for index, word in enumerate(line):
            left, _top, width, _height = word.deskewed_box
            units = _code_units(word.text)
            used.update(units)
            move = f"{_number((left - previous) * stretch)} 0 Td " if index else ""
            scaling = _number(_stretch(max(width, 1) * stretch, geometry.size, len(units)))
            # The space after a word (not after a line's last) is one more glyph of the same width.
            trailing = [_SPACE] if index + 1 < len(line) else []
            shown = "".join(f"{unit:04X}" for unit in units + trailing)
            ops.append(f"{move}{scaling} Tz <{shown}> Tj")
            previous = left
        if len(line) > 1:
            used.add(_SPACE)
    ops.append("ET")
    return ("\n".join(ops) + "\n").encode("ascii"), used


@dataclass(frozen=True)
class _LineGeometry:
    """Where a line of words runs: its middle ``y = intercept + slope·x`` (pixels, y down) and its height.

    The text follows the line's slope, so residual skew (or a page recognised without deskew) does
    not scatter the words of a line over several reading lines.
    """

    slope: float
    intercept: float
    size: int

    @classmethod
    def fit(cls, line: Sequence[Word]) -> _LineGeometry:
        boxes = [word.deskewed_box for word in line]
        heights = sorted(height for _left, _top, _width, height in boxes)
        typical = heights[len(heights) // 2]
        # The line's height: its tallest word, unless that is an outlier (a rule, a merged box).
        size = max(1, min(heights[-1], 2 * typical))
        # Dashes, dots and commas are boxes too small to tell where the line runs.
        fitted = [box for box in boxes if box[3] >= typical / 2] or boxes
        xs = [left + width / 2 for left, _top, width, _height in fitted]
        ys = [top + height / 2 for _left, top, _width, height in fitted]
        weights = [max(width, 1) for _left, _top, width, _height in fitted]
        total = sum(weights)
        mean_x = sum(w * x for w, x in zip(weights, xs, strict=True)) / total
        mean_y = sum(w * y for w, y in zip(weights, ys, strict=True)) / total
        spread = sum(w * (x - mean_x) ** 2 for w, x in zip(weights, xs, strict=True))
        slope = 0.0
        if spread > 0:
            slope = sum(w * (x - mean_x) * (y - mean_y) for w, x, y in zip(weights, xs, ys, strict=True)) / spread
            slope = max(-_MAX_SLOPE, min(_MAX_SLOPE, slope))
        return cls(slope=slope, intercept=mean_y - slope * mean_x, size=size)

    def middle(self, x: float) -> float:
        return self.intercept + self.slope * x

    @property
    def stretch(self) -> float:
        """Length along the line per pixel across the page."""
        return math.hypot(1.0, self.slope)

    @property
    def matrix(self) -> str:
        """The first four numbers of ``Tm``: the line's direction (y up: a line falling rightwards turns clockwise)."""
        if not self.slope:
            return "1 0 0 1"
        angle = -math.atan(self.slope)
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        return " ".join(f"{value:.5f}".rstrip("0").rstrip(".") for value in (cos_a, sin_a, -sin_a, cos_a))


def _stretch(width_px: float, size: int, glyphs: int) -> float:
    """Horizontal scaling (percent) that makes ``glyphs`` glyphs of ``size`` span ``width_px``."""
    return 100.0 * width_px * 1000 / (GLYPH_WIDTH * size * max(1, glyphs))


def _to_unicode(used: set[int]) -> bytes:
    """A ToUnicode CMap mapping each code unit to itself, one range per high byte in use."""
    high_bytes = sorted({unit >> 8 for unit in used}) or [0]
    ranges = [f"<{high:02X}00> <{high:02X}FF> <{high:02X}00>" for high in high_bytes]
    sections = []
    for start in range(0, len(ranges), _CMAP_BLOCK):
        block = ranges[start : start + _CMAP_BLOCK]
        sections.append(f"{len(block)} beginbfrange\n" + "\n".join(block) + "\nendbfrange")
    return (
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(sections) + "\nendcmap\n"
        "CMapName currentdict /CMap defineresource pop\n"
        "end\n"
        "end\n"
    ).encode("ascii")


def _font(pdf: pikepdf.Pdf, used: set[int]) -> pikepdf.Object:
    font_file = pikepdf.Stream(pdf, _font_program())
    font_file.Length1 = len(_font_program())
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/GlyphLessFont"),
        Flags=5,  # fixed pitch, symbolic
        FontBBox=pikepdf.Array([0, 0, GLYPH_WIDTH, 1000]),
        ItalicAngle=0,
        Ascent=1000,
        Descent=-1,
        CapHeight=1000,
        StemV=80,
        FontFile2=pdf.make_indirect(font_file),
    )
    cid_to_gid = pikepdf.Stream(pdf, _cid_to_gid_map())
    cid_to_gid.Filter = pikepdf.Name.FlateDecode
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/GlyphLessFont"),
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=GLYPH_WIDTH,
        CIDToGIDMap=pdf.make_indirect(cid_to_gid),
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name("/GlyphLessFont"),
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=pikepdf.Array([pdf.make_indirect(descendant)]),
            ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, _to_unicode(used))),
        )
    )


def form_xobject(pdf: pikepdf.Pdf, words: Sequence[Word], width_px: int, height_px: int) -> pikepdf.Stream:
    """The text layer as a Form XObject in pixel units of the deskewed frame (``width_px`` × ``height_px``)."""
    operators, used = content(words, height_px)
    form = pikepdf.Stream(pdf, zlib.compress(operators, 9))
    form.Filter = pikepdf.Name.FlateDecode
    form.Type = pikepdf.Name.XObject
    form.Subtype = pikepdf.Name.Form
    form.BBox = pikepdf.Array([0, 0, width_px, height_px])
    form.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({FONT_NAME: _font(pdf, used)}))
    return pdf.make_indirect(form)
