"""Recognise the text of one scanned page: image preparation and the :func:`ocr_page` call.

Why prepare the image ourselves: tesseract's own thresholding of a 300-dpi colour scan costs
about 40 % of its run time, and the page is already decoded here (its luma only). The page is
split by one global threshold (3×3 Gaussian, Otsu; the light evened out first only where it is
uneven), and tesseract gets the page with its paper made white and its ink left in its own grey
levels (:func:`whiten_paper`), deskewed (bicubic; bilinear softened diacritics: 24 corpus errors
against 21) after the threshold so that only the ink's box is interpolated (:func:`prepare_page`).
On the six corpus pages (21/11/2026, tesseract 5.3 ``vie``, deskewed before the threshold) that
read at 0.11 % character error rate against 0.17 % for tesseract on the colour JPEG, 0.14 % for
the plain grey page and 0.18 % for the 1-bit page, at the 1-bit page's CPU (the plain grey page
costs ~15 % more); on 12 generated pages (half degraded) 0.52 % against 0.59 % (1-bit) and 0.66 %
(grey); threshold first: 0.09 % and 0.54 %.
OpenCV's adaptive threshold (0.21 %) and Sauvola (0.20-0.30 %) broke thin diacritics. The page
goes to tesseract as pixels in memory (:mod:`khoso.ocr._exec.tesseract`). Deskew happens here,
on the grey copy only: the scan itself is never re-rasterised (:mod:`khoso.ocr.pdfa` rotates it
losslessly in the PDF content stream).

Coordinates: tesseract sees the *deskewed* frame; :class:`Word` boxes are mapped back to the
*original* image frame (pixels, origin top-left) so search highlights can be drawn on the scan,
and keep their deskewed box for the text layer (:mod:`khoso.ocr.textlayer`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
from PIL import Image

from khoso.core.text import nfc
from khoso.imaging.cells import whole_cell_means
from khoso.ocr._exec import tesseract
from khoso.ocr.errors import OcrError
from khoso.ocr.layout import reads_as_one_block

WHITE = 255
#: Paper kept around the ink when the page goes to tesseract (:func:`ink_crop`), in pixels at 300 dpi.
OCR_MARGIN_PX = 80


@dataclass(frozen=True)
class Word:
    """One recognised word; the box is in pixels of the ORIGINAL (not deskewed) image."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    block: int
    paragraph: int
    line: int
    #: The box (left, top, width, height) in the deskewed frame tesseract saw, which is also
    #: the frame of the text layer in the rendered PDF page (:mod:`khoso.ocr.textlayer`).
    deskewed_box: tuple[int, int, int, int] = field(default=(0, 0, 0, 0), compare=False)


@dataclass(frozen=True)
class OcrResult:
    """The OCR of one page: its text in reading order and the words with their boxes."""

    text: str
    words: list[Word]
    width: int
    height: int
    dpi: int
    skew_degrees: float
    #: How tesseract found the lines: ``"one block"`` (single-block mode, :mod:`khoso.ocr.layout`) or
    #: ``"full"`` (its automatic layout analysis).
    layout: Literal["one block", "full"] = "full"


def grayscale(image: Image.Image) -> np.ndarray:
    """The page as a uint8 grayscale array (ITU-R 601 luma, as Pillow's ``convert("L")``)."""
    return np.asarray(image if image.mode == "L" else image.convert("L"))


def deskew_gray(gray: np.ndarray, skew_degrees: float) -> np.ndarray:
    """``gray`` rotated by ``skew_degrees`` (counter-clockwise on screen, as :meth:`PIL.Image.Image.rotate`)
    about its centre, same canvas size, corners filled white."""
    if not skew_degrees:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), skew_degrees, 1.0)
    return cv2.warpAffine(
        gray,
        matrix,
        (width, height),
        flags=cv2.INTER_CUBIC,  # bilinear softened diacritics: 24 corpus errors against 21
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=WHITE,
    )


#: Spread (grey levels, 2nd to 98th percentile) of the paper tone above which the light is
#: evened out before the global threshold: a book's gutter, a lid shadow, a dim scanner edge.
UNEVEN_PAPER_LEVELS = 40


def _paper_tone(gray: np.ndarray) -> np.ndarray:
    """The paper's tone at 1/16 scale: text removed by a max filter, then a median."""
    return cv2.medianBlur(cv2.dilate(whole_cell_means(gray, 16), np.ones((5, 5), np.uint8)), 5)


def separate_ink(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page split by one global threshold: ``(binary, whitened)``.

    ``binary`` is ink 0, paper 255: a 3×3 Gaussian against sensor noise, then Otsu's global
    threshold. ``whitened`` is the page with its paper made white and its ink left in its own
    grey levels (the anti-aliased edges of the strokes included), which is what tesseract reads
    best: fewer errors than the 1-bit page or the plain grey page, at the 1-bit page's cost.

    Where the paper tone varies by more than :data:`UNEVEN_PAPER_LEVELS`, the page is first
    divided by its paper tone so that one threshold fits everywhere. It is not done on evenly lit
    pages: on the corpus it cost 5 more character errors (0.21 % against 0.16 %).
    """
    binary, whitened, _ = _separate(gray)
    return binary, whitened


def _separate(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`separate_ink`, and the threshold it used (on the page as evened out, if it was)."""
    smoothed = cv2.GaussianBlur(gray, (3, 3), 0)
    paper = _paper_tone(smoothed)
    low, high = np.percentile(paper, (2, 98))
    if high - low > UNEVEN_PAPER_LEVELS:
        full = np.maximum(cv2.resize(paper, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR), 1)
        smoothed = cv2.divide(smoothed, full, scale=float(WHITE))
        gray = cv2.divide(gray, full, scale=float(WHITE))
    threshold, binary = cv2.threshold(smoothed, 0, WHITE, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary, cv2.max(gray, binary), float(threshold)


def binarise_gray(gray: np.ndarray) -> np.ndarray:
    """Ink 0, paper 255 (see :func:`separate_ink`)."""
    return separate_ink(gray)[0]


def whiten_paper(gray: np.ndarray) -> np.ndarray:
    """The page with white paper and grey ink (see :func:`separate_ink`)."""
    return separate_ink(gray)[1]


def bilevel_image(binary: np.ndarray) -> Image.Image:
    """A 0/255 array as a Pillow mode ``"1"`` image (1 bit per pixel, 1 = white).

    Packed with numpy: Pillow's ``convert("1")`` dithers (Floyd–Steinberg) even a 0/255 page,
    which cost ~35 ms of a 9-megapixel page for the same bits.
    """
    height, width = binary.shape
    return Image.frombytes("1", (width, height), np.packbits(binary > WHITE // 2, axis=1).tobytes())


def deskew_whitened(whitened: np.ndarray, skew_degrees: float) -> np.ndarray:
    """``whitened`` (white paper, see :func:`separate_ink`) rotated as :func:`deskew_gray` rotates.

    The result is :func:`deskew_gray` of the whole page (up to OpenCV's 1/32-pixel rounding of the
    sample points: one grey level on about 0.05 % of the pixels): everything outside the ink's
    bounding box is white, so only that box (40-76 % of a corpus page) is interpolated and the rest
    of the canvas is filled white. Bicubic interpolation is most of the cost of preparing a page."""
    if not skew_degrees:
        return whitened
    height, width = whitened.shape
    support = 3  # the bicubic kernel reads 2 pixels beyond the point it samples
    box = _ink_box(whitened < WHITE, support)
    if box is None:
        return whitened
    left, top, right, bottom = box
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), skew_degrees, 1.0)
    corners = np.array([[left, top, 1], [right, top, 1], [left, bottom, 1], [right, bottom, 1]], float) @ matrix.T
    out_left = max(int(np.floor(corners[:, 0].min())) - support, 0)
    out_right = min(int(np.ceil(corners[:, 0].max())) + support + 1, width)
    out_top = max(int(np.floor(corners[:, 1].min())) - support, 0)
    out_bottom = min(int(np.ceil(corners[:, 1].max())) + support + 1, height)
    box_matrix = matrix.astype(np.float64)  # from the box's pixel (u, v) to the output box's pixel
    box_matrix[:, 2] += matrix[:, 0] * left + matrix[:, 1] * top - np.array((out_left, out_top), np.float64)
    rotated = np.full_like(whitened, WHITE)
    rotated[out_top:out_bottom, out_left:out_right] = cv2.warpAffine(
        np.ascontiguousarray(whitened[top:bottom, left:right]),
        box_matrix,
        (out_right - out_left, out_bottom - out_top),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=WHITE,
    )
    return rotated


@dataclass(frozen=True)
class PreparedPage:
    """What OCR and the rendition need of a page, made from its luma once."""

    #: Deskewed, for tesseract: white paper and grey ink (mode ``"L"``), or with ``binarise`` 1-bit.
    ocr_input: Image.Image
    #: The ink (black) in the scan's own frame, bilevel: the MRC rendition's text mask.
    scan_mask: Image.Image


def prepare_page(gray: np.ndarray, skew_degrees: float = 0.0, *, binarise: bool = False) -> PreparedPage:
    """Threshold the page in the scan's frame, then deskew the whitened page (:func:`deskew_whitened`).

    Thresholding before the rotation gives the rendition a mask in the scan's frame for every
    page, and lets the rotation skip the margins. On the corpus (22/11/2026) the OCR read 0.09 %
    character errors against 0.11 % for the page deskewed first, and 0.54 % against 0.52 % on 12
    generated pages; preparing took a quarter less CPU."""
    binary, whitened, threshold = _separate(gray)
    deskewed = deskew_whitened(whitened, skew_degrees)
    if not binarise:
        ocr_input = Image.fromarray(deskewed)
    elif deskewed is whitened:
        ocr_input = bilevel_image(binary)
    else:
        ocr_input = bilevel_image(np.where(deskewed > threshold, WHITE, 0).astype(np.uint8))
    return PreparedPage(ocr_input=ocr_input, scan_mask=bilevel_image(binary))


def prepare_for_ocr(
    image: Image.Image, skew_degrees: float = 0.0, *, dpi: int = 300, binarise: bool = False
) -> Image.Image:
    """Return the deskewed page for tesseract (:func:`prepare_page`): grey with white paper (mode ``"L"``),
    or with ``binarise`` bilevel (mode ``"1"``).

    ``skew_degrees`` follows the :meth:`PIL.Image.Image.rotate` convention (counter-clockwise on
    screen); the canvas keeps its size and the corners are filled white. ``dpi`` is accepted for
    callers of the earlier adaptive threshold, whose block size depended on it.
    """
    return prepare_page(grayscale(image), skew_degrees, binarise=binarise).ocr_input


def ocr_page(
    image: Image.Image,
    *,
    dpi: int,
    lang: str = "vie",
    skew_degrees: float | None = None,
    timeout: float = tesseract.DEFAULT_TIMEOUT_SECONDS,
    binarise: bool = False,
    prepared: Image.Image | None = None,
    full_layout: bool = False,
) -> OcrResult:
    """Recognise ``image`` (a whole scanned page at ``dpi``) with tesseract, once.

    ``skew_degrees`` is the deskew correction to apply (see :func:`prepare_for_ocr`); each word
    carries its box in the deskewed frame (for the text layer) and in the original frame. ``None``
    means the skew was not measured: the page is read as it is.
    ``prepared`` is the deskewed grayscale or bilevel page when the caller has made it already
    (the pipeline shares it with the rendition), same size as ``image``; ``image`` then only gives
    the frame and is not decoded again. A levelled page (``skew_degrees`` measured) of one column of
    text is read as one block, without tesseract's layout analysis (:mod:`khoso.ocr.layout`);
    ``full_layout`` always runs that analysis. Levelled, because the single block measures its lines'
    margins in the image's frame: on corpus page 1 left at its 1.5° slant it found one paragraph, and
    18 once deskewed; the layout analysis levels the page itself and found 19.
    """
    levelled = skew_degrees is not None
    skew_degrees = skew_degrees or 0.0
    tesseract.check_language(lang)
    if prepared is None:
        prepared = prepare_for_ocr(image, skew_degrees, dpi=dpi, binarise=binarise)
    elif prepared.size != image.size:
        raise OcrError(reason=f"prepared page is {prepared.size}, the scan {image.size}")
    crop = ink_crop(prepared, margin=round(OCR_MARGIN_PX * dpi / 300))
    page = prepared.crop(crop)
    one_block = levelled and not full_layout and reads_as_one_block(page, dpi).one_block
    output = tesseract.recognise(
        page,
        lang=lang,
        dpi=dpi,
        page_segmentation_mode=tesseract.PSM_SINGLE_BLOCK if one_block else None,
        timeout=timeout,
    )
    words = list(_words_from_tsv(output.tsv, image.width, image.height, skew_degrees, offset=crop[:2]))
    return OcrResult(
        text=_reading_order_text(words),
        words=words,
        width=image.width,
        height=image.height,
        dpi=dpi,
        skew_degrees=skew_degrees,
        layout="one block" if one_block else "full",
    )


#: Columns of tesseract's TSV, in order (the program writes them as a header row, the library does not).
TSV_COLUMNS = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)
_COLUMN = {name: index for index, name in enumerate(TSV_COLUMNS)}
_WORD_LEVEL = "5"


def ink_crop(prepared: Image.Image, *, margin: int) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) of the prepared page's ink, ``margin`` pixels wider on each side.

    Tesseract's layout analysis (thresholding, line finding, connected components) walks every pixel
    it is given; the white margins of an A4 page are 20-60 % of it. Cropped to the ink with an 80-pixel
    margin, the six corpus pages took 7.7 % fewer instructions (callgrind, 63.7 → 58.9 billion; 2.7 %
    on the fullest page, 12.1 % on the emptiest), and 22 pages (corpus, generated, monospaced) read
    with the same number of character errors, one more on one page and one fewer on another
    (22/11/2026). A page with no ink keeps its whole frame."""
    if prepared.mode == "1":
        ink = ~np.asarray(prepared, dtype=bool)
    else:
        ink = np.asarray(prepared if prepared.mode == "L" else prepared.convert("L")) < WHITE
    return _ink_box(ink, margin) or (0, 0, *prepared.size)


def _ink_box(ink: np.ndarray, margin: int) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of ``ink``'s true pixels, ``margin`` wider on each
    side and clipped to the array; ``None`` when there is no ink."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        return None
    height, width = ink.shape
    return (
        max(int(cols[0]) - margin, 0),
        max(int(rows[0]) - margin, 0),
        min(int(cols[-1]) + margin + 1, width),
        min(int(rows[-1]) + margin + 1, height),
    )


def _words_from_tsv(
    tsv: str, width: int, height: int, skew_degrees: float, *, offset: tuple[int, int] = (0, 0)
) -> Iterable[Word]:
    """Words of tesseract's TSV; ``offset`` is where the image tesseract read lies in the page."""
    lines = tsv.splitlines()
    if lines and lines[0].startswith("level"):
        if tuple(lines[0].split("\t")) != TSV_COLUMNS:
            raise OcrError(reason=f"unexpected TSV columns from tesseract: {lines[0][:200]}")
        lines = lines[1:]
    column = _COLUMN
    for row in lines:
        cells = row.split("\t")
        if len(cells) < len(TSV_COLUMNS) or cells[0] != _WORD_LEVEL:
            continue
        text = nfc(cells[column["text"]].strip())
        if not text:
            continue
        box = (
            int(cells[column["left"]]) + offset[0],
            int(cells[column["top"]]) + offset[1],
            int(cells[column["width"]]),
            int(cells[column["height"]]),
        )
        left, top, box_width, box_height = _to_original_frame(box, width, height, skew_degrees)
        yield Word(
            text=text,
            left=left,
            top=top,
            width=box_width,
            height=box_height,
            conf=float(cells[column["conf"]]),
            block=int(cells[column["block_num"]]),
            paragraph=int(cells[column["par_num"]]),
            line=int(cells[column["line_num"]]),
            deskewed_box=box,  # type: ignore[arg-type]
        )


def _to_original_frame(box: tuple[int, ...], width: int, height: int, skew_degrees: float) -> tuple[int, int, int, int]:
    """Map a deskewed-frame box back to the original frame (its axis-aligned bounding box)."""
    left, top, box_width, box_height = box
    if not skew_degrees:
        return left, top, box_width, box_height
    centre_x, centre_y = width / 2, height / 2
    # Undo a counter-clockwise (on screen, y down) rotation by rotating back by -angle.
    angle = math.radians(-skew_degrees)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    xs: list[float] = []
    ys: list[float] = []
    for x, y in (
        (left, top),
        (left + box_width, top),
        (left, top + box_height),
        (left + box_width, top + box_height),
    ):
        dx, dy = x - centre_x, y - centre_y
        xs.append(centre_x + dx * cos_a + dy * sin_a)
        ys.append(centre_y - dx * sin_a + dy * cos_a)
    new_left, new_top = math.floor(min(xs)), math.floor(min(ys))
    return new_left, new_top, math.ceil(max(xs)) - new_left, math.ceil(max(ys)) - new_top


def _reading_order_text(words: list[Word]) -> str:
    """Words of a line joined by spaces, lines by newlines, paragraphs by blank lines."""
    paragraphs: list[list[str]] = []
    current_paragraph: tuple[int, int] | None = None
    current_line: tuple[int, int, int] | None = None
    line_words: list[str] = []
    for word in words:
        paragraph_key = (word.block, word.paragraph)
        line_key = (word.block, word.paragraph, word.line)
        if line_key != current_line:
            if line_words:
                paragraphs[-1].append(" ".join(line_words))
            line_words = []
            current_line = line_key
            if paragraph_key != current_paragraph:
                paragraphs.append([])
                current_paragraph = paragraph_key
        line_words.append(word.text)
    if line_words:
        paragraphs[-1].append(" ".join(line_words))
    return nfc("\n\n".join("\n".join(lines) for lines in paragraphs if lines))
