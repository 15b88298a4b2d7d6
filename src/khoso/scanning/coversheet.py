"""Cover sheets (phiếu bìa): a printed page that tells the system which file the scans belong to.

Why: a scan station writes folders with whatever names its software chooses, and operators
mistype file codes. A cover sheet printed from the system and scanned as the first image of a
delivery carries the file code as a QR code (read by OpenCV) and in large type (read by people),
so the delivery is matched without anyone typing the code. The QR payload starts with
:data:`PAYLOAD_PREFIX`, so a QR code printed on an archival document itself is never mistaken
for a cover sheet.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

PAYLOAD_PREFIX = "KHOSO:HOSO:"
#: A4 at 150 dpi: sharp enough to print and to decode after a 200-dpi scan.
SHEET_SIZE = (1240, 1754)
SHEET_DPI = 150
QR_SIDE_PX = 700
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
#: Long side images are reduced to when the full-size decode finds nothing.
DECODE_RETRY_LONG_SIDE = 1200


def payload(file_code: str) -> str:
    return f"{PAYLOAD_PREFIX}{file_code}"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int
) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        attempt = f"{line} {word}".strip()
        if draw.textlength(attempt, font=font) <= width or not line:
            line = attempt
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fit(
    draw: ImageDraw.ImageDraw, text: str, width: int, largest: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = largest
    font = _font(size)
    while size > 24 and draw.textlength(text, font=font) > width:
        size -= 4
        font = _font(size)
    return font


def cover_sheet_image(*, file_code: str, title: str = "", project: str = "") -> Image.Image:
    """An A4 page: heading, the file code in large type, its QR code and the file title."""
    matrix = cv2.QRCodeEncoder.create().encode(payload(file_code))
    modules = matrix.shape[0]
    scale = max(1, QR_SIDE_PX // modules)
    qr = Image.fromarray(matrix).resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    sheet = Image.new("RGB", SHEET_SIZE, "white")
    draw = ImageDraw.Draw(sheet)
    width, _ = SHEET_SIZE
    margin = 90
    heading = _font(44)
    draw.text((width // 2, 110), "PHIẾU BÌA HỒ SƠ SỐ HÓA", font=heading, fill="black", anchor="mm")
    draw.text(
        (width // 2, 170),
        "Quét trang này đầu tiên; hệ thống nhận diện hồ sơ bằng mã QR và bỏ trang này khỏi hồ sơ.",
        font=_font(22),
        fill="black",
        anchor="mm",
    )
    code_font = _fit(draw, file_code, width - 2 * margin, 96)
    draw.text((width // 2, 300), file_code, font=code_font, fill="black", anchor="mm")
    sheet.paste(qr.convert("RGB"), ((width - qr.width) // 2, 400))
    y = 400 + qr.height + 70
    body = _font(32)
    for line in _wrap(draw, title, body, width - 2 * margin)[:6]:
        draw.text((margin, y), line, font=body, fill="black")
        y += 46
    if project:
        draw.text((margin, y + 20), f"Đề án: {project}", font=_font(26), fill="black")
    return sheet


def cover_sheet_png(**fields: str) -> bytes:
    buffer = io.BytesIO()
    cover_sheet_image(**fields).save(buffer, "PNG", dpi=(SHEET_DPI, SHEET_DPI), optimize=True)
    return buffer.getvalue()


def cover_sheet_pdf(**fields: str) -> bytes:
    buffer = io.BytesIO()
    cover_sheet_image(**fields).save(buffer, "PDF", resolution=SHEET_DPI, title="Phiếu bìa hồ sơ")
    return buffer.getvalue()


def _gray(image: Image.Image) -> np.ndarray:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return np.asarray(image.convert("L"))


def decode_cover_sheet(path: Path) -> str | None:
    """The file code of a cover sheet image, or ``None`` when the image is not a cover sheet.

    Any image Pillow reads (JPEG, PNG, TIFF) is tried; a PDF or an unreadable file is simply not a
    cover sheet (preflight reports what is wrong with it afterwards).
    """
    try:
        with Image.open(path) as image:
            image.seek(0)
            gray = _gray(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    detector = cv2.QRCodeDetector()
    attempts = [gray]
    long_side = max(gray.shape)
    if long_side > DECODE_RETRY_LONG_SIDE:
        factor = DECODE_RETRY_LONG_SIDE / long_side
        attempts.append(cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA))
    for candidate in attempts:
        try:
            text, _points, _straight = detector.detectAndDecode(candidate)
        except cv2.error:
            continue
        if text and text.startswith(PAYLOAD_PREFIX):
            return text[len(PAYLOAD_PREFIX) :].strip()
    return None
