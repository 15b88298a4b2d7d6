"""Whether tesseract may read a page as one block of text, without its own layout analysis.

Why: tesseract's automatic layout (``--psm 3``) looks for columns, tables, pictures and rule lines
on every page before it reads a word: 13-15 % of its CPU on the corpus and the generated pages
(23/11/2026, tesseract 5.5 in process). Most pages of an archive's administrative files are one
column of text, and on those the single-block mode (``--psm 6``) reads the same lines in the same
order with the same paragraphs: on 36 pages (6 corpus, 30 generated, half degraded) 0.090 % and
0.267 % character errors against 0.090 % and 0.264 %, at 0.85-0.91 CPU-s a page against 0.98-1.07.
What the single block gets wrong are the pages the layout analysis exists for: side-by-side text
(the agency | national motto heading, a signature block, a table without rules) would be read
across the columns line by line, rule lines would be read as text, and a photograph or a drawing
would be read as noise. :func:`reads_as_one_block` looks for each of these on the prepared page,
in a few milliseconds, and any sign of one keeps tesseract's full layout analysis.

The page is looked at in 4-pixel cells (at 300 dpi); a cell is inked when its mean is at most
``INKED_CELL_MEAN`` on the whitened page, whose paper is pure white.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from khoso.imaging.cells import whole_cell_means

#: Side of a cell, in pixels at 300 dpi.
CELL_PX = 4
#: A cell at most this mean is inked (the whitened page's paper is 255).
INKED_CELL_MEAN = 235
#: A blank run at least this wide between inked parts of one text line is a gutter between columns
#: (8 mm; the widest space between words of justified text is about 3 mm).
GUTTER_PX = 96
#: Rows of ink at least this high make a text line (a lower band is dust or a rule's edge).
TEXT_LINE_MIN_PX = 16
#: An unbroken run of inked cells this long is a rule line: tesseract's layout removes those.
RULE_DOWN_PX = 300
RULE_ACROSS_PX = 600
#: A square of this side, nearly all inked, is a picture area (a photograph, a drawing, a solid seal).
SOLID_SQUARE_PX = 64
SOLID_SHARE = 0.95


@dataclass(frozen=True)
class LayoutCheck:
    """The answer and, when the page needs the full layout analysis, the first reason found."""

    one_block: bool
    reason: str = ""


def reads_as_one_block(page: Image.Image, dpi: int = 300) -> LayoutCheck:
    """Whether the prepared ``page`` (mode ``"L"`` with white paper, or bilevel ``"1"``) is one column of
    text with no rule line and no picture area, so tesseract may read it in single-block mode."""
    cell = max(1, round(CELL_PX * dpi / 300))
    gray = np.asarray(page if page.mode in ("L", "1") else page.convert("L"))
    if gray.dtype == bool:  # bilevel: True is paper
        gray = np.where(gray, 255, 0).astype(np.uint8)
    inked = whole_cell_means(gray, cell) <= INKED_CELL_MEAN
    if not inked.any():
        return LayoutCheck(True)

    def cells(pixels: int) -> int:
        return max(1, round(pixels * dpi / 300 / cell))

    side = cells(SOLID_SQUARE_PX)
    if side <= min(inked.shape):
        share = cv2.boxFilter(
            inked.astype(np.float32), -1, (side, side), normalize=True, borderType=cv2.BORDER_CONSTANT
        )
        if float(share.max()) >= SOLID_SHARE:
            return LayoutCheck(False, "picture area")
    as_bytes = inked.view(np.uint8)
    if _has_run(as_bytes, (1, cells(RULE_DOWN_PX))) or _has_run(as_bytes, (cells(RULE_ACROSS_PX), 1)):
        return LayoutCheck(False, "rule line")
    if _has_gutter(inked, cells(TEXT_LINE_MIN_PX), cells(GUTTER_PX)):
        return LayoutCheck(False, "columns")
    return LayoutCheck(True)


def _has_run(inked: np.ndarray, kernel: tuple[int, int]) -> bool:
    """Whether an unbroken run of inked cells fills ``kernel`` (width, height) anywhere: the erosion
    keeps a cell only where the whole kernel around it is inked."""
    width, height = kernel
    if height > inked.shape[0] or width > inked.shape[1]:
        return False
    return bool(
        cv2.erode(inked, np.ones((height, width), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0).any()
    )


def _has_gutter(inked: np.ndarray, min_line_cells: int, gutter_cells: int) -> bool:
    """Whether a band of inked rows (a text line, or lines that touch) has a blank run of at least
    ``gutter_cells`` columns between two of its inked columns."""
    rows = inked.any(axis=1)
    for start, stop in _runs(rows):
        if stop - start < min_line_cells:
            continue
        columns = inked[start:stop].any(axis=0)
        inked_columns = np.flatnonzero(columns)
        if inked_columns.size > 1 and int(np.diff(inked_columns).max()) > gutter_cells:
            return True
    return False


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The (start, stop) of each run of true values."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.view(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
