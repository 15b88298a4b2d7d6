"""Preflight: refuse a bad input file before a single byte of it is stored.

Every file arriving for ingest (web upload, watched folder, CLI) passes through :func:`preflight`
first. Why a separate, early step: once a file is stored, it has an identifier, a checksum and an
audit trail, and removing it becomes a records-management act. A half-uploaded JPEG, a text file
renamed ``.jpg``, a password-protected PDF or a "decompression bomb" must therefore be rejected
at the door, with a Vietnamese-first message that tells the operator what to fix.

Design choices:

* The type is decided by **content** (magic bytes), never by the file name extension.
* Pixel limits are enforced from the **header only**: Pillow's plugin classes are instantiated
  directly (``JpegImageFile(path)``), which parses the header without decoding and without
  Pillow's own global decompression-bomb check, so our :class:`Limits` is the single rule and no
  process-wide setting (``Image.MAX_IMAGE_PIXELS``) is touched.
* Integrity is checked cheaply: JPEG is entropy-decoded at 1/8 scale (``draft``), which still
  reads every byte of the scan data, and must end with the EOI marker; PNG chunk CRCs are
  verified up to ``IEND``; TIFF strip/tile extents must lie inside the file; PDFs are opened by
  qpdf *without* xref recovery, so a truncated PDF is refused instead of silently "repaired"
  with pages missing.
* :func:`iter_page_images` yields one page at a time, so memory is bounded by the largest page,
  not the file; it passes JPEG data through untouched wherever possible (no generation loss).
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pikepdf
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

from khoso.core.errors import (
    BlankPdfError,
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    InputFileError,
    PageLimitError,
    PixelLimitError,
    SizeLimitError,
    UnsupportedTypeError,
)
from khoso.core.text import nfc

Kind = Literal["jpeg", "png", "tiff", "pdf"]

MIME_BY_KIND: dict[str, str] = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "pdf": "application/pdf",
}

#: Resolution assumed when a file does not say (TT 05 minimum for maps and drawings).
DEFAULT_DPI = 300.0
#: Resolution at which PDF pages without a pass-through image are rendered.
RENDER_DPI = 300.0
#: A placed image counts as "full page" if it covers the page box within this fraction.
FULL_PAGE_TOLERANCE = 0.02
#: How deep to follow Form XObjects nested inside each other when looking for content.
MAX_FORM_DEPTH = 8
#: A PDF may place its PDF header after some junk; readers accept it within the first KiB.
PDF_HEADER_WINDOW = 1024

_GIB = 1024**3


@dataclass(frozen=True)
class Limits:
    """Ceilings a single input file must respect.

    ``max_pixels_per_page`` is 200 million: an A0 sheet (841 × 1189 mm) scanned at 300 dpi,
    the TT 05 resolution for maps and technical drawings, is 9,933 × 14,043 ≈ 139 million
    pixels, so 200 million leaves room for oversize sheets and scanner margins while one
    decoded RGB page stays under 600 MB of memory. (A0 at 600 dpi would be 558 million pixels,
    1.7 GB decoded: such scans must be delivered tiled or at 300 dpi.)
    """

    max_bytes: int = 2 * _GIB
    max_pixels_per_page: int = 200_000_000
    max_pages: int = 5000


@dataclass(frozen=True)
class PageSource:
    """What the header (or the PDF page dictionary) says about one page, before decoding.

    ``width``/``height`` are pixels: of the image, of the single full-page image of a PDF page,
    or of the page rendered at :data:`RENDER_DPI` otherwise. ``dpi`` is ``None`` when the file
    does not say. ``passthrough`` is true for a PDF page whose only image is one full-page,
    upright JPEG (DCTDecode) that can be extracted byte for byte; image files are always
    passed through (see :func:`iter_page_images`), so it is false for them.
    """

    index: int
    width: int
    height: int
    dpi: tuple[float, float] | None
    mode: str
    single_full_page_image: bool = False
    passthrough: bool = False


@dataclass(frozen=True)
class Preflight:
    """The accepted file: its NFC name, detected kind, MIME type, size in bytes and pages.

    ``signatures`` counts the filled signature fields of a PDF (digital signatures and document
    time stamps): such a file is kept byte for byte and its signatures are verified at ingest.
    """

    name: str
    kind: Kind
    mime: str
    size: int
    pages: list[PageSource] = field(default_factory=list)
    signatures: int = 0


@dataclass(frozen=True)
class PageImage:
    """One page, ready for QC and OCR, plus the bytes to archive for it (a JPEG file's page is decoded
    only when its pixels are first used).

    ``original`` is what goes into the archival PDF: the file's own bytes for JPEG and PNG,
    a lossless PNG re-encoding of each TIFF frame, the raw DCT stream of a pass-through PDF
    page, or a PNG of the page rendered by PDFium. ``dpi_assumed`` is true when the source did
    not state a resolution and :data:`DEFAULT_DPI` was used.
    """

    index: int
    image: Image.Image
    dpi: tuple[float, float]
    original: bytes
    mime: str
    dpi_assumed: bool = False


# --------------------------------------------------------------------------------------------
# Type detection


def sniff(path: Path, *, name: str | None = None) -> Kind:
    """Return the file's kind from its magic bytes; raise :class:`UnsupportedTypeError`."""
    with open(path, "rb") as handle:
        head = handle.read(PDF_HEADER_WINDOW)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if b"%PDF-" in head:
        return "pdf"
    raise UnsupportedTypeError(name=nfc(name or Path(path).name))


# --------------------------------------------------------------------------------------------
# Preflight


def preflight(path: Path, *, name: str | None = None, limits: Limits = Limits()) -> Preflight:
    """Check ``path`` against every ingest rule and describe its pages; raise on the first breach.

    ``name`` is the name the user gave (an upload's file name); it defaults to the path's name
    and is normalised to NFC. Nothing is decoded beyond what the integrity checks need.
    """
    path = Path(path)
    display_name = nfc(name if name is not None else path.name)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(name=display_name)
    if size > limits.max_bytes:
        raise SizeLimitError(name=display_name, size=size, limit=limits.max_bytes)
    kind = sniff(path, name=display_name)
    if kind == "jpeg":
        pages = [_preflight_jpeg(path, display_name, limits)]
    elif kind == "png":
        pages = [_preflight_png(path, display_name, limits)]
    elif kind == "tiff":
        pages = _preflight_tiff(path, display_name, size, limits)
    else:
        pages, signatures = _preflight_pdf(path, display_name, limits)
        return Preflight(
            name=display_name, kind=kind, mime=MIME_BY_KIND[kind], size=size, pages=pages, signatures=signatures
        )
    return Preflight(name=display_name, kind=kind, mime=MIME_BY_KIND[kind], size=size, pages=pages)


def _check_pixels(name: str, width: int, height: int, limits: Limits) -> None:
    if width <= 0 or height <= 0:
        raise CorruptFileError(name=name, reason=f"kích thước ảnh {width} × {height}")
    if width * height > limits.max_pixels_per_page:
        raise PixelLimitError(name=name, width=width, height=height, limit=limits.max_pixels_per_page)


def _dpi_from_info(info: Mapping[Any, Any]) -> tuple[float, float] | None:
    """Pillow's ``info["dpi"]`` (JFIF, EXIF, pHYs or TIFF tags); ``None`` if absent or bogus."""
    dpi = info.get("dpi")
    if not dpi:
        return None
    try:
        x_dpi, y_dpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return None
    # A JFIF density of 1:1 is an aspect ratio, not a resolution.
    if x_dpi <= 1 or y_dpi <= 1:
        return None
    return (x_dpi, y_dpi)


def _open_header(path: Path, kind: Kind, name: str) -> ImageFile.ImageFile:
    """Open ``path`` with its plugin class directly: header only, no global bomb check."""
    plugin: Any = {
        "jpeg": JpegImagePlugin.JpegImageFile,
        "png": PngImagePlugin.PngImageFile,
        "tiff": TiffImagePlugin.TiffImageFile,
    }[kind]
    try:
        return plugin(str(path))
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise CorruptFileError(name=name, reason=f"không đọc được phần đầu tệp ({exc})") from exc


def _preflight_jpeg(path: Path, name: str, limits: Limits) -> PageSource:
    with _open_header(path, "jpeg", name) as image:
        _check_pixels(name, image.width, image.height, limits)
        page = PageSource(
            index=0,
            width=image.width,
            height=image.height,
            dpi=_dpi_from_info(image.info),
            mode=image.mode,
        )
        _require_jpeg_eoi(path, name)
        # draft() makes libjpeg decode DC coefficients only (1/8 scale), yet the whole entropy-
        # coded stream is still read, so a truncated or corrupt scan raises here.
        try:
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            _load_strict(image)
        except (OSError, SyntaxError, ValueError) as exc:
            raise CorruptFileError(name=name, reason=f"dữ liệu JPEG hỏng ({exc})") from exc
    return page


def _require_jpeg_eoi(path: Path, name: str) -> None:
    """A complete JPEG ends with FF D9 (some writers append a few padding bytes after it)."""
    with open(path, "rb") as handle:
        handle.seek(0, io.SEEK_END)
        length = handle.tell()
        handle.seek(max(0, length - 64))
        tail = handle.read()
    if b"\xff\xd9" not in tail:
        raise CorruptFileError(name=name, reason="thiếu dấu kết thúc ảnh JPEG (EOI), tệp bị cắt cụt")


def _load_strict(image: ImageFile.ImageFile) -> None:
    """Decode ``image`` refusing truncated data whatever the process-wide Pillow setting says."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # pragma: no cover - another module changed it
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for preflight")
    image.load()


def _preflight_png(path: Path, name: str, limits: Limits) -> PageSource:
    with _open_header(path, "png", name) as image:
        _check_pixels(name, image.width, image.height, limits)
        page = PageSource(
            index=0,
            width=image.width,
            height=image.height,
            dpi=_dpi_from_info(image.info),
            mode=image.mode,
        )
        # verify() walks every chunk up to IEND checking CRCs, without inflating pixel data.
        try:
            image.verify()
        except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
            raise CorruptFileError(name=name, reason=f"dữ liệu PNG hỏng ({exc})") from exc
    foreign = _png_foreign_data(path)
    if foreign:
        raise ActiveContentError(name=name, what=foreign)
    return page


class ActiveContentError(InputFileError):
    """A file that is also something else (a polyglot) or carries code or attachments (T7)."""

    code = "noi_dung_chu_dong"
    message_vi = "Tệp {name} chứa {what}: kho chỉ nhận ảnh quét và PDF không có mã chạy, tệp đính kèm hay dữ liệu lạ."
    message_en = "File {name} contains {what}: only scans and PDFs without scripts, attachments or foreign data."


_MARKUP = (b"<script", b"<html", b"<!doctype", b"<iframe", b"<svg", b"<body", b"javascript:")
_TEXT_CHUNK_READ = 1024 * 1024


def _png_foreign_data(path: Path) -> str | None:
    """What besides an image a PNG carries: bytes after IEND, or markup in a text chunk (polyglots)."""
    with open(path, "rb") as handle:
        handle.seek(8)
        while header := handle.read(8):
            if len(header) < 8:
                return None  # truncation is verify()'s finding
            length, kind = struct.unpack(">I4s", header)
            if kind in (b"tEXt", b"iTXt", b"zTXt"):
                text = handle.read(min(length, _TEXT_CHUNK_READ)).lower()
                if any(marker in text for marker in _MARKUP):
                    return "mã HTML/JavaScript trong phần chú thích của ảnh PNG"
                handle.seek(length - min(length, _TEXT_CHUNK_READ) + 4, io.SEEK_CUR)
            else:
                handle.seek(length + 4, io.SEEK_CUR)
            if kind == b"IEND":
                return "dữ liệu lạ sau dấu kết thúc ảnh PNG (IEND)" if handle.read(1) else None
    return None


_TIFF_STRIP_OFFSETS, _TIFF_STRIP_BYTES = 273, 279
_TIFF_TILE_OFFSETS, _TIFF_TILE_BYTES = 324, 325


def _preflight_tiff(path: Path, name: str, size: int, limits: Limits) -> list[PageSource]:
    pages: list[PageSource] = []
    with _open_header(path, "tiff", name) as image:
        index = 0
        while True:
            if index >= limits.max_pages:
                raise PageLimitError(name=name, pages=f"hơn {limits.max_pages}", limit=limits.max_pages)
            _check_pixels(name, image.width, image.height, limits)
            _check_tiff_extents(image, name, size, index)
            pages.append(
                PageSource(
                    index=index,
                    width=image.width,
                    height=image.height,
                    dpi=_dpi_from_info(image.info),
                    mode=image.mode,
                )
            )
            try:
                image.seek(index + 1)
            except EOFError:
                break
            except (OSError, SyntaxError, ValueError, struct.error) as exc:
                raise CorruptFileError(name=name, reason=f"thư mục ảnh TIFF hỏng ({exc})") from exc
            index += 1
    return pages


def _check_tiff_extents(image: ImageFile.ImageFile, name: str, size: int, index: int) -> None:
    """Every strip or tile of the frame must lie inside the file (catches truncation)."""
    tags = image.tag_v2  # type: ignore[attr-defined]
    offsets = tags.get(_TIFF_STRIP_OFFSETS) or tags.get(_TIFF_TILE_OFFSETS)
    counts = tags.get(_TIFF_STRIP_BYTES) or tags.get(_TIFF_TILE_BYTES)
    if offsets is None or counts is None:
        raise CorruptFileError(name=name, reason=f"trang {index + 1}: thiếu vị trí dữ liệu ảnh")
    if isinstance(offsets, int):
        offsets = (offsets,)
    if isinstance(counts, int):
        counts = (counts,)
    if len(offsets) != len(counts):
        raise CorruptFileError(name=name, reason=f"trang {index + 1}: bảng dải ảnh không khớp")
    for offset, count in zip(offsets, counts, strict=True):
        if offset + count > size:
            raise CorruptFileError(name=name, reason=f"trang {index + 1}: dữ liệu ảnh vượt quá cuối tệp (bị cắt cụt)")


# --------------------------------------------------------------------------------------------
# PDF


@dataclass
class _PlacedImage:
    xobject: pikepdf.Object
    ctm: tuple[float, float, float, float, float, float]


@dataclass
class _PdfPageFacts:
    images: list[_PlacedImage] = field(default_factory=list)
    inline_images: int = 0
    has_text: bool = False


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(
    m: tuple[float, float, float, float, float, float],
    n: tuple[float, float, float, float, float, float],
) -> tuple[float, float, float, float, float, float]:
    """PDF matrix product ``m × n`` (``m`` applied first)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


_OPERATORS = "q Q cm Do BI INLINE IMAGE Tj TJ ' \""


def _scan_content(
    owner: pikepdf.Object | pikepdf.Page,
    resources: pikepdf.Object | None,
    ctm: tuple[float, float, float, float, float, float],
    facts: _PdfPageFacts,
    depth: int,
) -> None:
    """Collect images (with their CTM) and text shown by ``owner``'s content, following forms."""
    xobjects = resources.get("/XObject") if resources is not None else None
    stack: list[tuple[float, float, float, float, float, float]] = []
    for instruction in pikepdf.parse_content_stream(owner, _OPERATORS):
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm" and len(operands) == 6:
            ctm = _multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op in ("Tj", "TJ", "'", '"'):
            facts.has_text = True
        elif op == "INLINE IMAGE":
            facts.inline_images += 1
        elif op == "Do" and operands and xobjects is not None:
            xobject = xobjects.get(str(operands[0]))
            if xobject is None:
                continue
            subtype = xobject.get("/Subtype")
            if subtype == pikepdf.Name.Image:
                facts.images.append(_PlacedImage(xobject=xobject, ctm=ctm))
            elif subtype == pikepdf.Name.Form and depth < MAX_FORM_DEPTH:
                form_matrix = tuple(float(v) for v in xobject.get("/Matrix", _IDENTITY))
                _scan_content(
                    xobject,
                    xobject.get("/Resources", resources),
                    _multiply(form_matrix, ctm),  # type: ignore[arg-type]
                    facts,
                    depth + 1,
                )


def _page_facts(page: pikepdf.Page, name: str, index: int) -> _PdfPageFacts:
    facts = _PdfPageFacts()
    if "/Contents" not in page.obj:
        return facts
    try:
        _scan_content(page, page.obj.get("/Resources"), _IDENTITY, facts, 0)
    except (pikepdf.PdfError, ValueError, TypeError) as exc:
        raise CorruptFileError(name=name, reason=f"trang {index + 1}: nội dung hỏng ({exc})") from exc
    return facts


def _page_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)  # falls back to the MediaBox
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _covers_page(ctm: tuple[float, ...], box: tuple[float, float, float, float]) -> bool:
    a, b, c, d, e, f = ctm
    corners = [(e, f), (a + e, b + f), (c + e, d + f), (a + c + e, b + d + f)]
    xs = [x for x, _ in corners]
    ys = [y for _, y in corners]
    width, height = box[2] - box[0], box[3] - box[1]
    tol_x, tol_y = FULL_PAGE_TOLERANCE * width, FULL_PAGE_TOLERANCE * height
    return (
        abs(min(xs) - box[0]) <= tol_x
        and abs(max(xs) - box[2]) <= tol_x
        and abs(min(ys) - box[1]) <= tol_y
        and abs(max(ys) - box[3]) <= tol_y
    )


def _image_mode(xobject: pikepdf.Object) -> str:
    try:
        return str(pikepdf.PdfImage(xobject).mode)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - exotic colour spaces: describe, do not refuse
        return "RGB"


def _is_passthrough_jpeg(xobject: pikepdf.Object, ctm: tuple[float, ...], rotate: int) -> bool:
    """One upright DCT image, no masks or decode tweaks, gray or RGB: its bytes are a JPEG file."""
    a, b, c, d, _, _ = ctm
    if rotate % 360 != 0 or abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
        return False
    filters = xobject.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        if len(filters) != 1:
            return False
        filters = filters[0]
    if filters != pikepdf.Name.DCTDecode:
        return False
    if any(key in xobject for key in ("/SMask", "/Mask", "/Decode", "/DecodeParms")):
        return False
    return _image_mode(xobject) in ("L", "RGB")


def _single_full_page_image(page: pikepdf.Page, facts: _PdfPageFacts) -> _PlacedImage | None:
    if len(facts.images) != 1 or facts.inline_images:
        return None
    placed = facts.images[0]
    return placed if _covers_page(placed.ctm, _page_box(page)) else None


def _effective_dpi(placed: _PlacedImage) -> tuple[float, float]:
    a, b, c, d, _, _ = placed.ctm
    width_pt, height_pt = (a * a + b * b) ** 0.5, (c * c + d * d) ** 0.5
    width_px, height_px = int(placed.xobject.Width), int(placed.xobject.Height)
    return (round(width_px * 72 / width_pt, 2), round(height_px * 72 / height_pt, 2))


def _open_pdf(path: Path, name: str) -> pikepdf.Pdf:
    try:
        # No xref recovery: a truncated upload must be refused, not reconstructed with gaps.
        pdf = pikepdf.open(path, attempt_recovery=False)
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError(name=name) from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise CorruptFileError(name=name, reason=f"PDF hỏng ({exc})") from exc
    if pdf.is_encrypted:
        pdf.close()
        raise EncryptedPdfError(name=name)
    return pdf


def _signature_count(pdf: pikepdf.Pdf) -> int:
    """Filled signature fields (``/FT /Sig`` with a value) of the AcroForm, following ``/Kids``."""
    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, pikepdf.Dictionary):
        return 0
    count = 0
    stack = list(form.get("/Fields", pikepdf.Array()))
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if item.get("/FT") == pikepdf.Name.Sig and isinstance(item.get("/V"), pikepdf.Dictionary):
            count += 1
        stack.extend(item.get("/Kids", pikepdf.Array()))
    return count


_SCRIPT_ACTIONS = {"/JavaScript": "mã JavaScript", "/Launch": "lệnh chạy chương trình (Launch)"}


def _pdf_active_content(pdf: pikepdf.Pdf) -> str | None:
    """JavaScript, launch actions or attached files anywhere in the PDF (every object, nested ones too)."""
    for obj in pdf.objects:
        found = _active_in(obj, 0)
        if found:
            return found
    return None


def _active_in(obj: pikepdf.Object, depth: int) -> str | None:
    if depth > MAX_FORM_DEPTH * 4:
        return None
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        keys = set(obj.keys())
        if keys & {"/JS", "/JavaScript"}:
            return "mã JavaScript"
        if keys & {"/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"} or obj.get("/Type") == pikepdf.Name.EmbeddedFile:
            return "tệp đính kèm (EmbeddedFile)"
        if obj.get("/Subtype") in (pikepdf.Name.FileAttachment, pikepdf.Name.RichMedia):
            return "tệp đính kèm (EmbeddedFile)"
        action = obj.get("/S")
        if isinstance(action, pikepdf.Name) and str(action) in _SCRIPT_ACTIONS:
            return _SCRIPT_ACTIONS[str(action)]
        children = [obj.get(key) for key in keys]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return None
    for child in children:
        if isinstance(child, pikepdf.Object) and not child.is_indirect:  # indirect ones: visited from pdf.objects
            found = _active_in(child, depth + 1)
            if found:
                return found
    return None


def _preflight_pdf(path: Path, name: str, limits: Limits) -> tuple[list[PageSource], int]:
    pages: list[PageSource] = []
    with _open_pdf(path, name) as pdf:
        signatures = _signature_count(pdf)
        try:
            page_count = len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise CorruptFileError(name=name, reason=f"cây trang hỏng ({exc})") from exc
        if page_count > limits.max_pages:
            raise PageLimitError(name=name, pages=page_count, limit=limits.max_pages)
        active = _pdf_active_content(pdf)
        if active:
            raise ActiveContentError(name=name, what=active)
        any_content = False
        for index, page in enumerate(pdf.pages):
            facts = _page_facts(page, name, index)
            for placed in facts.images:
                _check_pixels(name, int(placed.xobject.Width), int(placed.xobject.Height), limits)
            any_content = any_content or bool(facts.images or facts.inline_images or facts.has_text)
            pages.append(_describe_pdf_page(page, facts, index, name, limits))
        if not any_content:
            raise BlankPdfError(name=name, pages=page_count)
    return pages, signatures


def _describe_pdf_page(page: pikepdf.Page, facts: _PdfPageFacts, index: int, name: str, limits: Limits) -> PageSource:
    placed = _single_full_page_image(page, facts)
    if placed is not None:
        return PageSource(
            index=index,
            width=int(placed.xobject.Width),
            height=int(placed.xobject.Height),
            dpi=_effective_dpi(placed),
            mode=_image_mode(placed.xobject),
            single_full_page_image=True,
            passthrough=_is_passthrough_jpeg(placed.xobject, placed.ctm, int(page.obj.get("/Rotate", 0))),
        )
    x0, y0, x1, y1 = _page_box(page)
    # PDFium rounds the bitmap size up.
    width = math.ceil((x1 - x0) * RENDER_DPI / 72)
    height = math.ceil((y1 - y0) * RENDER_DPI / 72)
    if int(page.obj.get("/Rotate", 0)) % 180 == 90:
        width, height = height, width
    _check_pixels(name, width, height, limits)
    return PageSource(index=index, width=width, height=height, dpi=None, mode="RGB")


# --------------------------------------------------------------------------------------------
# Page images


def iter_page_images(path: Path, pre: Preflight) -> Iterator[PageImage]:
    """Yield each page of a preflighted file, one at a time, decoded and with its archival bytes.

    * JPEG, PNG: the image and the file's own bytes (no re-encoding).
    * TIFF: each frame, re-encoded **losslessly as PNG** (modes PNG cannot hold, such as CMYK
      or YCbCr, are converted to RGB first).
    * PDF: a page holding one full-page upright JPEG yields that JPEG's raw stream bytes
      (pass-through); any other page is rendered with PDFium and stored as PNG. The render
      resolution is the page image's own resolution when the page holds one full-page image
      (so a 150-dpi scan is not disguised as a 300-dpi one for QC), else :data:`RENDER_DPI`.

    Resolution falls back to :data:`DEFAULT_DPI` with ``dpi_assumed=True`` when unknown.
    """
    path = Path(path)
    if pre.kind in ("jpeg", "png"):
        yield _whole_file_page(path, pre)
    elif pre.kind == "tiff":
        yield from _tiff_pages(path, pre)
    else:
        yield from _pdf_pages(path, pre)


def _resolve_dpi(dpi: tuple[float, float] | None) -> tuple[tuple[float, float], bool]:
    return (dpi, False) if dpi else ((DEFAULT_DPI, DEFAULT_DPI), True)


def _whole_file_page(path: Path, pre: Preflight) -> PageImage:
    """A JPEG is not decoded again: preflight already read all of its scan data (at ⅛ scale), and
    the whole page decoded is 26 MB for an A4 colour scan, up to 600 MB for a large map, while
    delivery needs only its size. A PNG's compressed pixels are checked here, once."""
    original = path.read_bytes()
    image = _open_header(path, pre.kind, pre.name)
    if pre.kind == "png":
        try:
            _load_strict(image)
        except (OSError, SyntaxError, ValueError) as exc:
            raise CorruptFileError(name=pre.name, reason=str(exc)) from exc
    dpi, assumed = _resolve_dpi(pre.pages[0].dpi)
    return PageImage(0, image, dpi, original, pre.mime, dpi_assumed=assumed)


_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


def _to_png(image: Image.Image, dpi: tuple[float, float]) -> bytes:
    if image.mode not in _PNG_MODES:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=dpi, compress_level=3)
    return buffer.getvalue()


def _tiff_pages(path: Path, pre: Preflight) -> Iterator[PageImage]:
    with _open_header(path, "tiff", pre.name) as tiff:
        for source in pre.pages:
            try:
                tiff.seek(source.index)
                _load_strict(tiff)
                frame = tiff.copy()
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise CorruptFileError(name=pre.name, reason=f"trang {source.index + 1}: {exc}") from exc
            dpi, assumed = _resolve_dpi(source.dpi)
            yield PageImage(source.index, frame, dpi, _to_png(frame, dpi), "image/png", assumed)


def _pdf_pages(path: Path, pre: Preflight) -> Iterator[PageImage]:
    import pypdfium2  # imported lazily: only PDFs that need rendering pay for PDFium

    with _open_pdf(path, pre.name) as pdf:
        rendered = pypdfium2.PdfDocument(str(path))
        try:
            for source, page in zip(pre.pages, pdf.pages, strict=True):
                if source.passthrough:
                    yield _passthrough_page(page, source, pre.name)
                    continue
                dpi = source.dpi if source.single_full_page_image and source.dpi else None
                render_dpi = min(max(dpi[0], dpi[1]), 1200.0) if dpi else RENDER_DPI
                bitmap = rendered[source.index].render(scale=render_dpi / 72)
                image = bitmap.to_pil().convert("RGB")
                yield PageImage(
                    source.index,
                    image,
                    (render_dpi, render_dpi),
                    _to_png(image, (render_dpi, render_dpi)),
                    "image/png",
                )
        finally:
            rendered.close()


def _passthrough_page(page: pikepdf.Page, source: PageSource, name: str) -> PageImage:
    facts = _page_facts(page, name, source.index)
    placed = _single_full_page_image(page, facts)
    if placed is None:  # pragma: no cover - preflight said otherwise; file changed under us
        raise CorruptFileError(name=name, reason=f"trang {source.index + 1} đã thay đổi")
    raw = bytes(placed.xobject.read_raw_bytes())
    try:
        image = JpegImagePlugin.JpegImageFile(io.BytesIO(raw))
        _load_strict(image)
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(name=name, reason=f"trang {source.index + 1}: JPEG hỏng ({exc})") from exc
    dpi, assumed = _resolve_dpi(source.dpi)
    return PageImage(source.index, image, dpi, raw, "image/jpeg", assumed)
