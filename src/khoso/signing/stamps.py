"""The visible marks of the copies a reader receives (TT 05/2025 Đ37 and Đ40, standards.md §6.4).

- A reading copy (bản đọc, Đ37) carries the archive's name at the bottom centre of every page, so a
  screenshot or a print of it always says where it came from; the online viewer serves page images,
  so :func:`watermark_image` burns the same mark into an image.
- An uncertified copy (bản sao không xác thực, Đ40) carries «BẢN SAO» at the top right of the first
  page, Times New Roman 10 pt, black (Đ8.1), so it is never mistaken for the original. (A certified
  copy gets the same words from its signature's appearance, see :mod:`khoso.signing.pades`.)

The mark is an overlay: one Form XObject drawn after the page's own content, so the scanned image and
the OCR text layer are not touched (not even re-encoded), and a PDF/A input keeps its metadata, output
intent and embedded fonts (the overlay's font is an embedded TrueType subset with a ToUnicode map, drawn
in DeviceGray, which PDF/A-2 allows under any output intent). The text is NFC, so copying it out of the
PDF gives back the same string the database holds. Liberation Serif 2 stands in for Times New Roman
(see :mod:`khoso.signing.fonts`).

Positions are the ones the reader sees: a page with ``/Rotate`` gets its mark at its displayed top right
(or bottom centre), upright, inside the ``/CropBox``.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen import canvas as rl_canvas

from khoso.core.errors import CorruptFileError, EncryptedPdfError
from khoso.core.text import nfc
from khoso.signing.fonts import EDGE, LEADING, MM, SIZE, font_name, font_path, wrap

COPY_MARK = "BẢN SAO"
#: Baseline of the (last line of the) archive name above the bottom edge of a reading copy.
BOTTOM = 8 * MM
#: A long archive name wraps to this share of the page width.
MAX_WIDTH_SHARE = 0.8

#: Draws the mark on a reportlab canvas whose origin is the displayed bottom-left corner.
Painter = Callable[[rl_canvas.Canvas, float, float], None]


def _open(pdf: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PasswordError as error:
        raise EncryptedPdfError(name="PDF") from error
    except pikepdf.PdfError as error:
        raise CorruptFileError(name="PDF", reason=str(error)) from error


def _page_geometry(page: pikepdf.Page) -> tuple[pikepdf.Rectangle, int]:
    box = pikepdf.Rectangle(page.cropbox)
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return box, rotate


def _overlay(width: float, height: float, paint: Painter) -> bytes:
    """One page of ``width`` × ``height`` points (the crop box as displayed) with the mark drawn on it."""
    output = io.BytesIO()
    # The initial font must be ours: reportlab otherwise lists Helvetica (not embedded: not PDF/A) in the resources.
    canvas = rl_canvas.Canvas(
        output, pagesize=(width, height), pageCompression=1, initialFontName=font_name(), initialFontSize=SIZE
    )
    canvas.setFillGray(0)
    paint(canvas, width, height)
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def _apply(pdf: bytes, paint: Painter, *, first_page_only: bool) -> bytes:
    document = _open(pdf)
    with document:
        forms: dict[tuple[float, float, int], pikepdf.Object] = {}
        overlays: list[pikepdf.Pdf] = []
        pages = document.pages[:1] if first_page_only else document.pages
        for page in pages:
            box, rotate = _page_geometry(page)
            width, height = float(box.width), float(box.height)
            shown = (height, width) if rotate in (90, 270) else (width, height)
            key = (round(shown[0], 3), round(shown[1], 3), rotate)
            if key not in forms:
                source = pikepdf.open(io.BytesIO(_overlay(*shown, paint)))
                overlays.append(source)
                forms[key] = document.copy_foreign(source.pages[0].as_form_xobject())
            # qpdf turns the form against the page's /Rotate, so it stands upright as displayed.
            page.add_overlay(forms[key], box)
        output = io.BytesIO()
        document.save(output)
        for source in overlays:
            source.close()
    return output.getvalue()


def _top_right(lines: list[str]) -> Painter:
    def paint(canvas: rl_canvas.Canvas, width: float, height: float) -> None:
        canvas.setFont(font_name(), SIZE)
        baseline = height - EDGE - SIZE
        for line in lines:
            canvas.drawRightString(width - EDGE, baseline, line)
            baseline -= LEADING

    return paint


def _bottom_centre(text: str) -> Painter:
    def paint(canvas: rl_canvas.Canvas, width: float, height: float) -> None:
        canvas.setFont(font_name(), SIZE)
        lines = wrap(text, width * MAX_WIDTH_SHARE)
        baseline = BOTTOM + LEADING * (len(lines) - 1)
        for line in lines:
            canvas.drawCentredString(width / 2, baseline, line)
            baseline -= LEADING

    return paint


def stamp_copy(pdf: bytes) -> bytes:
    """The uncertified copy (TT05 Đ40): «BẢN SAO» at the top right of page 1 only, TNR 10 pt, black."""
    return _apply(pdf, _top_right([COPY_MARK]), first_page_only=True)


def stamp_reading_copy(pdf: bytes, *, archive_name: str) -> bytes:
    """The reading copy (TT05 Đ37): ``archive_name`` at the bottom centre of every page, TNR 10 pt, black."""
    name = nfc(archive_name).strip()
    if not name:
        raise ValueError("Tên lưu trữ không được để trống. / The archive name must not be empty.")
    return _apply(pdf, _bottom_centre(name), first_page_only=False)


# -- images for the online reader ------------------------------------------------------------------

#: Text height as a share of the image height: a little larger than 10 pt on an A4 page (1.2 %),
#: because the viewer shows the page smaller than paper; never below MIN_PIXELS, so a thumbnail
#: still shows a legible name.
IMAGE_TEXT_SHARE = 0.015
MIN_PIXELS = 12
#: Opacity (0–255) of the white backing behind the name, so it reads on a dark scan while the
#: page stays visible through it.
BACKING_ALPHA = 170


def image_band_height(height: int, width: int, archive_name: str) -> int:
    """How many pixel rows at the bottom of an image :func:`watermark_image` may change."""
    size, lines = _image_layout(height, width, nfc(archive_name).strip())
    return _band(size, len(lines))


def _band(size: int, line_count: int) -> int:
    padding = max(2, size // 3)
    margin = max(2, size // 2)
    return margin + 2 * padding + round(size * 1.2) * line_count


def _image_layout(height: int, width: int, name: str) -> tuple[int, list[str]]:
    size = max(MIN_PIXELS, round(height * IMAGE_TEXT_SHARE))
    font = ImageFont.truetype(str(font_path()), size)
    limit = width * 0.9
    lines: list[str] = []
    for word in name.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= limit:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return size, lines or [""]


def watermark_image(image: Image.Image, *, archive_name: str) -> Image.Image:
    """A copy of ``image`` with ``archive_name`` burnt in at the bottom centre (the reading copy's mark).

    Black text on a translucent white band, sized to the image (at least 12 px high), wrapped to
    90 % of its width; only the bottom ``image_band_height`` rows change. The input is not modified;
    the result has the input's mode when that is L, RGB or RGBA, otherwise RGB.
    """
    name = nfc(archive_name).strip()
    if not name:
        raise ValueError("Tên lưu trữ không được để trống. / The archive name must not be empty.")
    width, height = image.size
    size, lines = _image_layout(height, width, name)
    font = ImageFont.truetype(str(font_path()), size)
    line_height = round(size * 1.2)
    padding = max(2, size // 3)
    margin = max(2, size // 2)
    text_width_px = max(font.getlength(line) for line in lines)
    top = height - margin - 2 * padding - line_height * len(lines)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left = (width - text_width_px) / 2 - padding
    draw.rectangle(
        (max(0, left), max(0, top), min(width - 1, width - left), height - margin - 1),
        fill=(255, 255, 255, BACKING_ALPHA),
    )
    for index, line in enumerate(lines):
        draw.text(
            (width / 2, top + padding + index * line_height),
            line,
            font=font,
            fill=(0, 0, 0, 255),
            anchor="ma",
        )
    mode = image.mode if image.mode in ("L", "RGB", "RGBA") else "RGB"
    marked = Image.alpha_composite(image.convert("RGBA"), layer)
    return marked.convert(mode)


__all__ = ["COPY_MARK", "image_band_height", "stamp_copy", "stamp_reading_copy", "watermark_image"]
