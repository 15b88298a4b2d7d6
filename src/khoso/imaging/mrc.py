"""Mixed raster content (MRC): a scanned text page as a sharp bitonal mask over a small colour page.

Why: a province keeps millions of pages twice over, so every kilobyte of the reading copy counts.
A 300-dpi colour JPEG of a text page spends most of its bytes on the edges of the letters. MRC
splits the page into what the eye needs at full resolution and what it does not:

* the **mask**: the ink, bitonal at the scan's resolution, coded losslessly with CCITT Group 4
  (no symbol matching, so a ``d`` can never become an ``đ`` nor a tone mark change: lossy
  JBIG2/JB2 does exactly that and is never used for archives);
* the **background**: the paper with the ink removed, downsampled ÷3 and JPEG-coded, which keeps
  the paper tone, stains and faint pencil in 24-bit colour at a few kilobytes;
* the **foreground**: the colour of the ink, either one colour (black or dark grey typescript) or
  a tiny low-resolution colour image painted through the mask;
* **patches**: wherever the three layers would not reproduce the scan (a red seal, a photo, a map,
  a signature or a thin pen line in blue ink), the scan itself, cut out at full resolution as a JPEG
  with colour at every pixel.

When the patches would cover most of the page the page stays a plain JPEG; when the page has no
colour at all (white paper, neutral ink, no pencil paler than the ink) it becomes a single Group 4
image, the smallest lossless form. Only Pillow (libtiff for Group 4, libjpeg), OpenCV and numpy are
used; assembling the layers into PDF objects is :mod:`khoso.ocr.pdfa`'s job, so this module has no
PDF and no Django in it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
from PIL import Image, TiffImagePlugin

from khoso.imaging import _libtiff
from khoso.imaging.cells import whole_cell_means

#: Downsampling of the background layer (300 dpi → 100 dpi).
BACKGROUND_FACTOR = 3
#: Downsampling of the foreground (ink colour) layer (300 dpi → 25 dpi).
FOREGROUND_FACTOR = 12
#: Side, in pixels at 300 dpi, of the blocks in which the reconstruction is compared to the scan.
BLOCK_PX = 32
#: Side of the cells of :func:`bitonal_from_preview`'s preview: a JPEG's own blocks, which libjpeg
#: decodes at ⅛ scale from their DC coefficients alone.
PREVIEW_FACTOR = 8
#: Share of a preview's cells that must be plain paper (no ink in or around them) to judge the paper by.
MIN_PAPER_SHARE = 0.2
#: Share of ink (of 255) from which a cell of the ink-colour layer counts as inked (a tenth), and from
#: which its colour is looked at for a thin off-colour stroke (4 %: a one-pixel line of the mask).
_INKED_CELL, _TOUCHED_CELL = 25, 10
#: Ink at most this grey (0-255) is dark enough to be drawn black (``_is_neutral_dark``: every channel ≤ 110).
NEUTRAL_DARK_LEVEL = 110


@dataclass(frozen=True)
class MrcOptions:
    """Tuning of the segmentation and coding; the defaults were chosen on the OCR corpus."""

    #: A pixel is ink when this many grey levels darker than its neighbourhood's mean…
    ink_offset: int = 18
    #: …or darker than this absolutely (fills the inside of large dark areas).
    ink_dark_level: int = 90
    background_quality: int = 35
    foreground_quality: int = 50
    patch_quality: int = 75
    #: Mean absolute error (grey levels, 0–255) of a block's reconstruction that marks it as detail.
    detail_error: float = 14.0
    #: Chroma (max − min of R, G, B) above which a pixel is colour rather than tinted paper.
    colour_chroma: int = 60
    #: Fraction of colour pixels that makes a block a colour region (seal, signature, photo).
    colour_fraction: float = 0.04
    #: Patches covering more than this fraction of the page: keep the whole page as a JPEG.
    fallback_fraction: float = 0.45
    #: A page whose background is this light and this neutral everywhere is bitonal…
    white_paper_level: int = 225
    neutral_chroma: int = 12
    #: …unless more than ``max_mark_cells`` cells of the background (÷3) are darker than
    #: ``white_paper_level − mark_contrast``: a pencil note too pale for the mask is only there.
    mark_contrast: int = 20
    max_mark_cells: int = 8
    #: Ink cells whose colour (Cb, Cr) lies this far from the page's usual ink colour are coloured
    #: strokes (a thin pen line, a tick in red) and are kept as full-resolution cut-outs.
    off_colour_ink: float = 30.0
    #: Ink colour spread (5th to 95th percentile, per channel, of the ink-colour cells) under
    #: which one fill colour is used; thin strokes alone spread black ink over ~45 levels.
    uniform_ink_spread: int = 56


@dataclass(frozen=True)
class EncodedImage:
    """One coded raster, ready to be wrapped in a PDF image XObject."""

    data: bytes
    codec: Literal["ccitt-g4", "jpeg"]
    width: int
    height: int
    colour: Literal["bilevel", "gray", "rgb"]
    #: CCITT only: 1 bits of the coded data are black (``/BlackIs1 true`` in the PDF).
    black_is_1: bool = False


@dataclass(frozen=True)
class Patch:
    """A full-resolution cut-out of the scan; ``left``/``top`` in pixels, origin top-left."""

    image: EncodedImage
    left: int
    top: int


@dataclass(frozen=True)
class MrcPage:
    """The layers of one page, all in the pixel frame of the scan (``width`` × ``height``).

    ``kind`` is ``"bitonal"`` (``mask`` only, drawn as a black-and-white image), ``"mrc"``
    (``background``, then ``patches``, then the ink: ``foreground`` through ``mask``, or
    ``ink_colour`` through ``mask`` when ``foreground`` is None) or ``"jpeg"`` (no layers: the
    page is mostly picture and the caller keeps the scan as one JPEG). The mask decodes to 0
    samples where the ink is (see :attr:`EncodedImage.black_is_1`).
    """

    kind: Literal["bitonal", "mrc", "jpeg"]
    width: int
    height: int
    mask: EncodedImage | None = None
    background: EncodedImage | None = None
    foreground: EncodedImage | None = None
    ink_colour: tuple[int, int, int] = (0, 0, 0)
    patches: tuple[Patch, ...] = field(default=())

    @property
    def image_bytes(self) -> int:
        """Bytes of all coded rasters of the page (without PDF overhead)."""
        images = [self.mask, self.background, self.foreground, *(patch.image for patch in self.patches)]
        return sum(len(image.data) for image in images if image is not None)


# --------------------------------------------------------------------------- entry point


def encode_page(
    image: Image.Image,
    *,
    dpi: float = 300.0,
    mask: Image.Image | None = None,
    gray: Image.Image | None = None,
    options: MrcOptions | None = None,
) -> MrcPage:
    """Split ``image`` (a whole scanned page) into MRC layers.

    ``mask``, when given, is a bilevel (mode ``"1"``) image of the same size and frame, black
    (0) where the ink is, e.g. the binarised copy the OCR already made; otherwise the mask is
    computed here. ``gray``, when given, is the page's luma (mode ``"L"``, same size), e.g. the
    JPEG's Y channel the pipeline decoded for QC and OCR, so it is not converted again. Pixel
    sizes scale with ``dpi`` (the defaults are for 300 dpi).
    """
    options = options or MrcOptions()
    width, height = image.size
    if image.mode == "1":
        return MrcPage(kind="bitonal", width=width, height=height, mask=encode_g4(image))
    layers = split_layers(image, dpi=dpi, mask=mask, gray=gray, options=options)
    rgb, ink, background, foreground, is_gray = (
        layers.rgb,
        layers.ink,
        layers.background,
        layers.foreground,
        layers.is_gray,
    )
    boxes = _detail_boxes(rgb, ink, background, foreground, dpi / 300.0, options)
    covered = sum((right - left) * (bottom - top) for left, top, right, bottom in boxes)
    if covered > options.fallback_fraction * width * height:
        return MrcPage(kind="jpeg", width=width, height=height)
    for left, top, right, bottom in boxes:
        ink[top:bottom, left:right] = False

    inked_cells = foreground[_cells_with_ink(ink, FOREGROUND_FACTOR)]
    uniform_ink = _spread(inked_cells) <= options.uniform_ink_spread
    ink_colour = _ink_fill_colour(inked_cells) if uniform_ink else (0, 0, 0)
    mask_image = Image.fromarray(~ink)  # bool → mode "1", True (white) where there is no ink
    if (
        not boxes
        and uniform_ink
        and _is_white_paper(background, options)
        and _is_neutral_dark(ink_colour, options)
        and not _has_faint_marks(layers.luma, ink, options)
    ):
        return MrcPage(kind="bitonal", width=width, height=height, mask=encode_g4(mask_image))
    patches = tuple(
        Patch(
            image=_jpeg(rgb[top:bottom, left:right], options.patch_quality, is_gray, full_chroma=True),
            left=left,
            top=top,
        )
        for left, top, right, bottom in boxes
    )
    return MrcPage(
        kind="mrc",
        width=width,
        height=height,
        mask=encode_g4(mask_image),
        background=_jpeg(background, options.background_quality, is_gray),
        foreground=None if uniform_ink else _jpeg(foreground, options.foreground_quality, is_gray),
        ink_colour=ink_colour,
        patches=patches,
    )


def bitonal_from_preview(
    preview: np.ndarray,
    gray: Image.Image,
    mask: Image.Image,
    *,
    dpi: float = 300.0,
    options: MrcOptions | None = None,
) -> MrcPage | None:
    """The page as one Group 4 image of ``mask``, when a ⅛-scale preview plainly shows it is one;
    ``None`` when the layers must decide (:func:`encode_page`).

    Why: black text on white paper ends as one Group 4 image of the OCR's mask (``encode_page``'s
    ``"bitonal"`` kind), but to learn that ``encode_page`` decodes the colour scan at full size and
    builds the background, the ink colour and the detail grid: about 0.25 CPU-s per page. The
    thumbnail's small decode of the JPEG is already there, and that preview, the page's luma
    (``gray``, mode ``"L"``) and the mask (mode ``"1"``, ink black) are enough to see such a page.
    Each test takes one of ``encode_page``'s rules and is stricter than it, so that a page let through
    comes out as ``encode_page`` would make it, byte for byte (checked on 82 pages, 22/11/2026): no
    cell with any colour (a thin stroke of blue or red still tints the 8×8 cells it crosses), paper as
    white and neutral as the white-paper rule asks, ink of one dark neutral tone, no 32-pixel block
    that the mask and those two tones do not reproduce (a grey photo, a faded stamp), and no pale
    marks beside the ink (a pencil note), this last by the very test ``encode_page`` makes.

    ``preview`` is H×W×3 (RGB) or H×W uint8, one value per :data:`PREVIEW_FACTOR`-pixel cell of the
    page, partial cells at the right and bottom included (:func:`preview_cells`, or a JPEG decoded at
    ⅛ scale). The blocks compared are no larger than ``encode_page``'s at this ``dpi``.
    """
    options = options or MrcOptions()
    width, height = mask.size
    cells = (-(-height // PREVIEW_FACTOR), -(-width // PREVIEW_FACTOR))
    if preview.shape[:2] != cells or gray.size != mask.size or mask.mode != "1" or gray.mode != "L":
        return None
    darkest_channel = preview
    if preview.ndim == 3:
        darkest_channel, chroma = _darkest_and_chroma(preview)
        if int(chroma.max()) > options.neutral_chroma:
            return None
        preview = cv2.cvtColor(np.ascontiguousarray(preview), cv2.COLOR_RGB2GRAY)
    ink = ~np.asarray(mask, dtype=bool)
    coverage = _box_mean(ink.view(np.uint8) * np.uint8(255), PREVIEW_FACTOR).astype(np.float32) / 255.0
    # Paper: cells with no ink whose neighbours have none either (the strokes' grey rims stay out).
    paper_cells = cv2.erode((coverage == 0).view(np.uint8), np.ones((3, 3), np.uint8)).view(bool)
    if paper_cells.sum() < MIN_PAPER_SHARE * paper_cells.size:
        return None
    if np.percentile(darkest_channel[paper_cells], 0.5) < options.white_paper_level:
        return None
    paper = preview[paper_cells]
    ink_cells = _cells_with_ink(ink, FOREGROUND_FACTOR)
    luma = np.asarray(gray)
    ink_tone_cells = _ink_tone(luma, ink, FOREGROUND_FACTOR)[ink_cells]
    if len(ink_tone_cells) >= 4:
        low, high = np.percentile(ink_tone_cells, [5, 95])
        if high - low > options.uniform_ink_spread:
            return None
    ink_tone = float(np.percentile(ink_tone_cells, 30)) if len(ink_tone_cells) else 0.0
    if ink_tone > NEUTRAL_DARK_LEVEL:
        return None
    model = coverage * np.float32(ink_tone) + (1.0 - coverage) * np.float32(np.median(paper))
    error = np.abs(preview.astype(np.float32) - model)
    block = max(1, int(BLOCK_PX * dpi / 300.0) // PREVIEW_FACTOR)
    if float(_box_mean_float(error, block).max()) > options.detail_error:
        return None
    if _has_faint_marks(luma, ink, options):
        return None
    return MrcPage(kind="bitonal", width=width, height=height, mask=encode_g4(mask))


def preview_cells(image: Image.Image, *, factor: int = PREVIEW_FACTOR) -> np.ndarray:
    """:func:`bitonal_from_preview`'s preview: the mean of each ``factor``×``factor`` cell of ``image``,
    the page at full size (8) or a JPEG decoded at ¼ scale (2)."""
    if image.mode == "L":
        return _box_mean(np.asarray(image), factor)
    return _box_mean(_as_rgb_array(image), factor)


def _ink_tone(luma: np.ndarray, ink: np.ndarray, factor: int) -> np.ndarray:
    """Mean grey level of the ink pixels in each ``factor``×``factor`` cell (0 where there are none)."""
    total, share = _masked_cell_means(luma, ink, factor)
    return total / np.maximum(share, 1e-6)


def _masked_cell_means(pixels: np.ndarray, where: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Per ``factor``×``factor`` cell: the mean of ``pixels`` with the others counted as 0, and the share
    of ``where`` pixels (0-1); their quotient is the mean over the ``where`` pixels alone."""
    weight = where.view(np.uint8)
    total = _box_mean(cv2.bitwise_and(pixels, pixels, mask=weight), factor).astype(np.float32)
    share = _box_mean(weight * np.uint8(255), factor).astype(np.float32) / 255.0
    return total, share


def _has_faint_marks(luma: np.ndarray, ink: np.ndarray, options: MrcOptions) -> bool:
    """More than ``max_mark_cells`` cells of the background (÷3) noticeably darker than white paper:
    marks too pale for the mask.

    A pencil note lighter than the OCR's threshold is not ink, so on a page drawn as its mask alone it
    would vanish from the reading copy; where it is, the page keeps its background layer. Only cells at
    least a third paper count, so the grey rims of the strokes stay out. One function for
    :func:`encode_page` and :func:`bitonal_from_preview`, which must decide alike.
    """
    paper = ~_grow(ink)
    level = options.white_paper_level - options.mark_contrast
    # A cell whose mean comes out under ``level`` holds a paper pixel under ``level + 2`` (the rounded
    # cell means err by < 1.5 levels at a third paper), so with few such pixels there are few such cells.
    if np.count_nonzero((luma < level + 2) & paper) <= options.max_mark_cells:
        return False
    total, share = _masked_cell_means(luma, paper, BACKGROUND_FACTOR)
    seen = share >= 1 / 3
    return int((total[seen] / share[seen] < level).sum()) > options.max_mark_cells


def _box_mean_float(array: np.ndarray, factor: int) -> np.ndarray:
    """Mean over ``factor``×``factor`` cells of a float array, partial cells included."""
    height, width = array.shape
    padded = np.zeros((-(-height // factor) * factor, -(-width // factor) * factor), np.float32)
    counts = np.zeros_like(padded)
    padded[:height, :width], counts[:height, :width] = array, 1.0
    shape = (padded.shape[0] // factor, factor, padded.shape[1] // factor, factor)
    return padded.reshape(shape).sum(axis=(1, 3)) / counts.reshape(shape).sum(axis=(1, 3))


# --------------------------------------------------------------------------- segmentation


@dataclass(frozen=True)
class Layers:
    """The uncoded layers: ``ink`` (H×W bool), ``background`` (÷3) and ``foreground`` (÷12) RGB, and
    the page's ``luma`` they were segmented on."""

    rgb: np.ndarray
    luma: np.ndarray
    ink: np.ndarray
    background: np.ndarray
    foreground: np.ndarray
    is_gray: bool


def split_layers(
    image: Image.Image,
    *,
    dpi: float = 300.0,
    mask: Image.Image | None = None,
    gray: Image.Image | None = None,
    options: MrcOptions | None = None,
) -> Layers:
    """Segment a grey or colour page into ink mask, paper (background) and ink colour (foreground)."""
    options = options or MrcOptions()
    rgb = _as_rgb_array(image)
    is_gray = image.mode in ("L", "I;16", "I;16B", "I;16L", "I", "LA")
    if gray is not None and gray.mode == "L" and gray.size == image.size:
        luma = np.asarray(gray)
    else:
        luma = rgb[:, :, 0] if is_gray else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    smoothed = cv2.GaussianBlur(luma, (3, 3), 0)
    ink, core = _ink_mask(smoothed, mask, dpi / 300.0, options)
    background = _layer_average(rgb, ~_grow(ink), BACKGROUND_FACTOR, fallback=_paper_colour(rgb, ink))
    foreground = _layer_average(rgb, core, FOREGROUND_FACTOR, fallback=(0, 0, 0))
    if mask is None:
        ink = _strokes_at_true_width(smoothed, ink, background, foreground, options)
    return Layers(rgb=rgb, luma=luma, ink=ink, background=background, foreground=foreground, is_gray=is_gray)


def _as_rgb_array(image: Image.Image) -> np.ndarray:
    """The page as a C-contiguous uint8 H×W×3 array (grey pages repeat their channel)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode in ("LA", "RGBA", "PA", "P"):
        rgba = image.convert("RGBA")
        flattened = Image.new("RGBA", image.size, "white")
        flattened.alpha_composite(rgba)
        image = flattened.convert("L" if image.mode == "LA" else "RGB")
    if image.mode == "L":
        gray = np.asarray(image)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    return np.ascontiguousarray(np.asarray(image if image.mode == "RGB" else image.convert("RGB")))


def _ink_mask(
    smoothed: np.ndarray, given: Image.Image | None, scale: float, options: MrcOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean ink mask (local contrast or absolutely dark) and its core, whose colour is the ink's.

    The core leaves out the anti-aliased rim of the strokes, which is half paper: averaged in,
    it would make black ink look brown on yellowed paper.
    """
    block = max(15, round(51 * scale)) | 1
    darkness = cv2.subtract(cv2.blur(smoothed, (block, block)), smoothed)  # saturates at 0 where lighter
    if given is not None:
        height, width = smoothed.shape
        if given.size != (width, height):
            raise ValueError(f"mask is {given.size[0]}×{given.size[1]} px, the page {width}×{height} px")
        ink = ~np.asarray(given if given.mode == "1" else given.convert("1"), dtype=bool)
    else:
        ink = (darkness > options.ink_offset) | (smoothed < options.ink_dark_level)
    core = ink & ((darkness > 3 * options.ink_offset) | (smoothed < options.ink_dark_level))
    return ink, core


def _strokes_at_true_width(
    smoothed: np.ndarray, ink: np.ndarray, background: np.ndarray, foreground: np.ndarray, options: MrcOptions
) -> np.ndarray:
    """Keep only the ink pixels darker than halfway between the local paper and the local ink.

    The contrast threshold finds the strokes but also takes their light anti-aliased rim, which
    makes letters bold and closes small gaps: a ``d`` whose serif thickens reads as ``đ``. Half
    way between paper and ink is where the eye puts the edge of the stroke.
    """
    height, width = smoothed.shape
    paper = _luma(background)
    # The midpoint at the background's resolution, upsampled once (both layers are smooth).
    ink_level = cv2.resize(_luma(foreground), (paper.shape[1], paper.shape[0]), interpolation=cv2.INTER_LINEAR)
    midpoint = ((paper.astype(np.uint16) + ink_level) // 2).astype(np.uint8)
    edge = cv2.resize(midpoint, (width, height), interpolation=cv2.INTER_LINEAR)
    return (ink & (smoothed < edge)) | (smoothed < options.ink_dark_level)


def _luma(layer: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(layer, cv2.COLOR_RGB2GRAY)


def _grow(ink: np.ndarray) -> np.ndarray:
    """The ink and its one-pixel halo (the anti-aliased edge belongs to neither layer cleanly)."""
    return cv2.dilate(ink.view(np.uint8), np.ones((3, 3), np.uint8)).view(bool)


def _box_mean(array: np.ndarray, factor: int) -> np.ndarray:
    """Mean over ``factor``×``factor`` cells of a uint8 grey or RGB array, rounded; a partial last
    row or column of cells averages the pixels it has.

    Grey: Pillow's ``reduce`` (2.3 ms on a 300-dpi A4 page, half OpenCV's ``INTER_AREA``). RGB:
    Pillow first copies the array into 4-byte pixels, so ``reduce(3)`` took 26 ms against 9 ms for
    OpenCV's area resize of the whole cells (one thread, 22/11/2026); the partial cells at the right
    and bottom edges are averaged here. The two round differently by at most one level.
    """
    if array.ndim == 2:
        return np.asarray(Image.fromarray(array).reduce(factor))
    height, width = array.shape[:2]
    rows, columns = height // factor, width // factor
    if not rows or not columns:
        return np.asarray(Image.fromarray(array).reduce(factor))
    means = np.empty((-(-height // factor), -(-width // factor), array.shape[2]), np.uint8)
    means[:rows, :columns] = whole_cell_means(array, factor)
    channels = array.shape[2]
    if columns * factor < width:
        right = array[: rows * factor, columns * factor :].reshape(rows, factor, -1, channels)
        means[:rows, columns] = _rounded(right.mean(axis=(1, 2)))
    if rows * factor < height:
        bottom = array[rows * factor :]
        cells = bottom[:, : columns * factor].reshape(bottom.shape[0], columns, factor, channels)
        means[rows, :columns] = _rounded(cells.mean(axis=(0, 2)))
        if columns * factor < width:
            means[rows, columns] = _rounded(bottom[:, columns * factor :].mean(axis=(0, 1)))
    return means


def _rounded(means: np.ndarray) -> np.ndarray:
    return (means + 0.5).astype(np.uint8)


def _layer_average(rgb: np.ndarray, where: np.ndarray, factor: int, *, fallback: tuple[int, int, int]) -> np.ndarray:
    """Mean colour of the ``where`` pixels in each ``factor``×``factor`` cell; holes filled from around.

    Cells with no such pixel take the weighted mean of a growing neighbourhood (normalised
    convolution), so the layer is smooth where it is hidden and codes in very few bytes.
    """
    total, share = _masked_cell_means(rgb, where, factor)
    layer = total / np.maximum(share, 1e-6)[:, :, None]
    missing = share <= 0.02
    if missing.any():
        _fill_holes(layer, total, share, missing, fallback)
    return np.clip(layer + 0.5, 0, 255).astype(np.uint8)


def _fill_holes(
    layer: np.ndarray, total: np.ndarray, share: np.ndarray, missing: np.ndarray, fallback: tuple[int, int, int]
) -> None:
    """Fill the ``missing`` cells of ``layer`` in place from the cells around them.

    Normalised convolution over a pyramid: at each level the cell sums (``total``, ``share``) are
    blurred (Gaussian, σ = 2 cells), the holes the blur reaches take blurred total ÷ blurred share
    (sampled bilinearly at their place), and the next level is the sums reduced ÷3, so the reach
    grows 2, 6, 18, … cells of the layer while each level costs a ninth of the one before (the same
    reach by blurring the whole layer at σ = 6 and 18 took 25 and 80 ms a page). The last level is a
    cell or a few, so every hole is filled from the page; ``fallback`` only when nothing shows at all.
    """
    scale = 1
    while missing.any():
        spread_total = cv2.GaussianBlur(total, (9, 9), 2.0)
        spread_share = cv2.GaussianBlur(share, (9, 9), 2.0)
        rows, columns = np.nonzero(missing)
        sums, weights = _bilinear(spread_total, spread_share, rows, columns, scale)
        reached = weights > 1e-9  # blurred zeros stay exactly zero; any other weight is real
        layer[rows[reached], columns[reached]] = sums[reached] / weights[reached][:, None]
        missing[rows[reached], columns[reached]] = False
        if min(share.shape) < 3:
            break
        reduced = (max(1, share.shape[1] // 3), max(1, share.shape[0] // 3))
        total = cv2.resize(total, reduced, interpolation=cv2.INTER_AREA)
        share = cv2.resize(share, reduced, interpolation=cv2.INTER_AREA)
        scale *= 3
    layer[missing] = fallback


def _bilinear(
    total: np.ndarray, share: np.ndarray, rows: np.ndarray, columns: np.ndarray, scale: int
) -> tuple[np.ndarray, np.ndarray]:
    """``total`` and ``share`` of a level reduced ``scale`` times, read at cells (``rows``, ``columns``)
    of the full layer, interpolated between the four nearest reduced cells (at ``scale`` 1, the cells
    themselves)."""
    if scale == 1:
        return total[rows, columns], share[rows, columns]
    height, width = share.shape
    y = np.clip((rows + 0.5) / scale - 0.5, 0, height - 1)
    x = np.clip((columns + 0.5) / scale - 0.5, 0, width - 1)
    top, left = y.astype(np.intp), x.astype(np.intp)
    bottom, right = np.minimum(top + 1, height - 1), np.minimum(left + 1, width - 1)
    down, across = (y - top).astype(np.float32), (x - left).astype(np.float32)
    weights = [((1 - down) * (1 - across)), ((1 - down) * across), (down * (1 - across)), (down * across)]
    cells = [(top, left), (top, right), (bottom, left), (bottom, right)]
    sums = sum(weight[:, None] * total[cell] for weight, cell in zip(weights, cells, strict=True))
    shares = sum(weight * share[cell] for weight, cell in zip(weights, cells, strict=True))
    return np.asarray(sums), np.asarray(shares)


def _paper_colour(rgb: np.ndarray, ink: np.ndarray) -> tuple[int, int, int]:
    sample = rgb[::16, ::16][~ink[::16, ::16]]
    if not len(sample):
        return (255, 255, 255)
    red, green, blue = np.median(sample, axis=0)
    return (int(red), int(green), int(blue))


def _cells_with_ink(ink: np.ndarray, factor: int) -> np.ndarray:
    """Cells of the ÷``factor`` layers at least a tenth of which is ink."""
    return _box_mean(ink.view(np.uint8) * np.uint8(255), factor) > _INKED_CELL


def _spread(cells: np.ndarray) -> int:
    """Largest 5th-to-95th-percentile range, over R, G and B, of the ink-colour cells."""
    if len(cells) < 4:
        return 0
    low, high = np.percentile(cells, [5, 95], axis=0)
    return int((high - low).max())


def _ink_fill_colour(cells: np.ndarray) -> tuple[int, int, int]:
    """One colour for all the ink: the 30th percentile of the inked cells, nearer the stroke cores."""
    if not len(cells):
        return (0, 0, 0)
    red, green, blue = np.percentile(cells, 30, axis=0)
    return (int(red), int(green), int(blue))


def _is_white_paper(background: np.ndarray, options: MrcOptions) -> bool:
    darkest_channel, chroma = _darkest_and_chroma(background[::2, ::2])
    darkest = np.percentile(darkest_channel, 0.5)
    return bool(darkest >= options.white_paper_level and np.percentile(chroma, 99.5) <= options.neutral_chroma)


def _darkest_and_chroma(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel of an RGB array: its darkest channel and its chroma (largest channel minus smallest).

    Channel by channel: numpy's ``min(axis=2)`` walks the three values of each pixel one by one, about
    ten times slower on a page's layers."""
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    darkest = np.minimum(np.minimum(red, green), blue)
    return darkest, np.maximum(np.maximum(red, green), blue) - darkest


def _is_neutral_dark(colour: tuple[int, int, int], options: MrcOptions) -> bool:
    return max(colour) <= NEUTRAL_DARK_LEVEL and max(colour) - min(colour) <= options.neutral_chroma * 2


def _detail_boxes(
    rgb: np.ndarray,
    ink: np.ndarray,
    background: np.ndarray,
    foreground: np.ndarray,
    scale: float,
    options: MrcOptions,
) -> list[tuple[int, int, int, int]]:
    """Rectangles (left, top, right, bottom) where mask + layers would not reproduce the scan.

    Compared on blocks of :data:`BLOCK_PX` pixels: the scan averaged over the block against the
    ink coverage × ink colour + the rest × paper colour. A seal, a photo or a signature in colour
    either differs from that model (tones the mask cannot carry) or has colour pixels, which
    tinted paper does not. A stroke too thin to colour a block (a 2-pixel pen line) shows in the
    ink-colour layer, which averages the ink alone: its cells are off the page's usual ink colour.
    """
    height, width = ink.shape
    # Blocks of 4 × 4 whole cells: the cell means are the pixels' own (an area resize by a whole factor),
    # and a block's pixels are exactly those its box below covers.
    cell = max(2, round(BLOCK_PX * scale / 4))
    block = 4 * cell
    small = _box_mean(rgb, cell)
    fine = (small.shape[1], small.shape[0])
    scan = small.astype(np.float32)
    coverage = _box_mean(ink.view(np.uint8) * np.uint8(255), cell)
    coverage = (coverage.astype(np.float32) / 255.0)[:, :, None]
    paper = cv2.resize(background, fine, interpolation=cv2.INTER_LINEAR).astype(np.float32)
    ink_colour = cv2.resize(foreground, fine, interpolation=cv2.INTER_LINEAR).astype(np.float32)
    model = coverage * ink_colour + (1.0 - coverage) * paper
    error = np.abs(scan - model).mean(axis=2)
    block_error = _box_mean_float(error, 4)
    grid = (block_error.shape[1], block_error.shape[0])

    chroma = _darkest_and_chroma(small)[1] > options.colour_chroma
    block_colour = _box_mean_float(chroma.astype(np.float32), 4)

    detail_blocks = ((block_error > options.detail_error) | (block_colour > options.colour_fraction)).astype(np.uint8)
    rows, columns = np.nonzero(_off_colour_ink_cells(foreground, ink, options))
    for row_corner in (0, FOREGROUND_FACTOR - 1):  # a ÷12 cell may straddle two blocks each way
        block_rows = np.minimum((rows * FOREGROUND_FACTOR + row_corner) // block, grid[1] - 1)
        for column_corner in (0, FOREGROUND_FACTOR - 1):
            block_columns = np.minimum((columns * FOREGROUND_FACTOR + column_corner) // block, grid[0] - 1)
            detail_blocks[block_rows, block_columns] = 1
    if not detail_blocks.any():
        return []
    detail = cv2.dilate(detail_blocks, np.ones((3, 3), np.uint8))
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(detail, connectivity=8)
    boxes = []
    for index in range(1, count):
        left, top, box_width, box_height, _area = stats[index]
        boxes.append(
            (
                int(left * block),
                int(top * block),
                int(min(width, (left + box_width) * block)),
                int(min(height, (top + box_height) * block)),
            )
        )
    return _merge_overlapping(boxes)


def _off_colour_ink_cells(foreground: np.ndarray, ink: np.ndarray, options: MrcOptions) -> np.ndarray:
    """Cells of the ÷12 ink-colour layer whose chroma (Cb, Cr) is ``off_colour_ink`` or more from the
    median of the page's inked cells: black print has one, a blue or red pen stroke another. A cell
    counts from 4 % ink, so that a one-pixel line of the mask (a 2-pixel pen stroke) is seen."""
    share = _box_mean(ink.view(np.uint8) * np.uint8(255), FOREGROUND_FACTOR)
    inked, touched = share > _INKED_CELL, share > _TOUCHED_CELL
    if not inked.any():
        return inked
    chroma = cv2.cvtColor(foreground, cv2.COLOR_RGB2YCrCb)[:, :, 1:].astype(np.float32)
    usual = np.median(chroma[inked], axis=0)
    distance = np.hypot(chroma[:, :, 0] - usual[0], chroma[:, :, 1] - usual[1])
    return touched & (distance >= options.off_colour_ink)


def _merge_overlapping(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Union overlapping rectangles until none overlap (a pixel is never coded twice)."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        for first in range(len(merged)):
            for second in range(first + 1, len(merged)):
                a, b = merged[first], merged[second]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    merged[first] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del merged[second]
                    changed = True
                    break
            if changed:
                break
    return merged


# --------------------------------------------------------------------------- coding


def encode_g4(bilevel: Image.Image) -> EncodedImage:
    """CCITT Group 4 data of a mode ``"1"`` image, one strip (lossless).

    libtiff writes a TIFF, from the bits numpy packs (:mod:`khoso.imaging._libtiff`) or, where that
    is not available, through Pillow; the strip is the raw ``CCITTFaxDecode`` stream with ``K -1``;
    :attr:`EncodedImage.black_is_1` says how the PDF must read its bits so that black pixels decode
    to 0 samples.
    """
    if bilevel.mode != "1":
        raise ValueError(f"Group 4 needs a bilevel image, got mode {bilevel.mode}")
    # One strip: Group 4 strips are coded independently and cannot be concatenated.
    written = _libtiff.g4_tiff(np.packbits(np.asarray(bilevel), axis=1), bilevel.width)
    if written is None:
        saved = io.BytesIO()
        one_strip = {TiffImagePlugin.ROWSPERSTRIP: bilevel.height}
        bilevel.save(saved, format="TIFF", compression="group4", tiffinfo=one_strip)
        written = saved.getvalue()
    with Image.open(io.BytesIO(written)) as tiff:
        assert isinstance(tiff, TiffImagePlugin.TiffImageFile)
        tags = tiff.tag_v2
        offsets, counts = tags[TiffImagePlugin.STRIPOFFSETS], tags[TiffImagePlugin.STRIPBYTECOUNTS]
        offsets = offsets if isinstance(offsets, tuple) else (offsets,)
        counts = counts if isinstance(counts, tuple) else (counts,)
        photometric = tags.get(TiffImagePlugin.PHOTOMETRIC_INTERPRETATION, 0)
        fill_order = tags.get(266, 1)
    if len(offsets) != 1 or fill_order != 1:
        raise ValueError(f"libtiff wrote {len(offsets)} strips with fill order {fill_order}")
    data = written[offsets[0] : offsets[0] + counts[0]]
    return EncodedImage(
        data=data,
        codec="ccitt-g4",
        width=bilevel.width,
        height=bilevel.height,
        colour="bilevel",
        # libtiff codes 0 bits as white runs; Pillow's "1" is min-is-black, i.e. 0 bits are black.
        black_is_1=photometric == 1,
    )


def _jpeg(pixels: np.ndarray, quality: int, gray: bool, *, full_chroma: bool = False) -> EncodedImage:
    """``full_chroma``: colour at every pixel (4:4:4), for cut-outs whose colour is in thin strokes (a
    signature, a pen line, a seal's lettering), which 4:2:0 would halve; ≈ 14 % more bytes for them."""
    array = np.ascontiguousarray(pixels[:, :, 0] if gray else pixels)
    image = Image.fromarray(array)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, subsampling=0 if full_chroma else -1)
    return EncodedImage(
        data=buffer.getvalue(),
        codec="jpeg",
        width=image.width,
        height=image.height,
        colour="gray" if gray else "rgb",
    )
