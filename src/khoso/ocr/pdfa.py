"""Two-layer PDF pages and their PDF/A-2b assembly, without re-rasterising the scan.

Why not OCRmyPDF: it renders every page again and runs Ghostscript twice (~10 CPU-s a page).
Here the scan is put in the PDF as it is wherever possible — a JPEG passes through as
``DCTDecode`` unless recompressing it saves at least 5 % — and deskew costs nothing: the image
is drawn rotated by a ``cm`` operator in the content stream, so its bytes are never resampled.
The invisible text layer (:mod:`khoso.ocr.textlayer`, written from the word boxes the OCR found on
the deskewed image) is laid on top unrotated, so the visible scan and the text share the deskewed
frame.

The rendition is a reading copy: originals are kept byte-identical elsewhere, which is why a
lossy but visually faithful JPEG re-encoding is acceptable here (lossy JBIG2 never is).
With ``mode="mrc"`` the page is instead split into layers by :mod:`khoso.imaging.mrc` (a
lossless CCITT G4 text mask, a ÷3 colour background, the ink colour, full-resolution cut-outs
for seals and pictures), about a fifteenth of the JPEG's bytes; the layers are drawn inside the
same rotated frame, so geometry and text layer are those of the JPEG page.

Only pikepdf, Pillow and pypdfium2 are used (no PyMuPDF/AGPL code, no Ghostscript).
veraPDF is not available on this machine, so :func:`check_pdfa` is a light self-check of the
rules this module can break, not a conformance validator.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2
from PIL import Image, ImageCms

from khoso.core.text import nfc
from khoso.imaging.mrc import (
    PREVIEW_FACTOR,
    EncodedImage,
    MrcPage,
    bitonal_from_preview,
    encode_page,
    preview_cells,
)
from khoso.ocr import textlayer
from khoso.ocr.engine import OcrResult
from khoso.ocr.errors import RenderError

#: Re-encode a JPEG only when that makes it at least this much smaller.
JPEG_REENCODE_MIN_SAVING = 0.05
POINTS_PER_INCH = 72.0
PRODUCER = "Kho Số (khoso.ocr, pikepdf)"

_IMAGE_NAME = "/Im0"
_TEXT_NAME = "/OcrText0"
_BACKGROUND_NAME = "/Bg0"
_FOREGROUND_NAME = "/Fg0"
_MASK_NAME = "/Mk0"
_PATCH_PREFIX = "/Pt"

#: ``render_page`` modes: the scan as one JPEG, or mixed raster content (:mod:`khoso.imaging.mrc`).
RENDITION_MODES = ("jpeg", "mrc")


# --------------------------------------------------------------------------- one page


def render_page(
    original: bytes,
    *,
    mime: str,
    ocr: OcrResult,
    dpi: tuple[float, float] | float,
    jpeg_quality: int = 75,
    mode: str = "jpeg",
    mask: Image.Image | None = None,
    image: Image.Image | None = None,
    gray: Image.Image | None = None,
    preview: np.ndarray | None = None,
) -> bytes:
    """Return a one-page PDF: the scan (deskewed by ``ocr.skew_degrees``) under its text layer.

    The page measures ``pixels / dpi * 72`` points. ``original`` is the scan file as stored
    (``image/jpeg``, ``image/png`` or ``image/tiff``; a multi-page TIFF contributes its first
    frame). Pixels are taken in stored order: EXIF orientation is the caller's business, and the
    OCR must have been run on the same pixel frame (same width and height).

    ``mode`` is ``"jpeg"`` (the scan as one JPEG, passed through when possible) or ``"mrc"``
    (mixed raster content, :mod:`khoso.imaging.mrc`: a lossless Group 4 text mask over a
    downsampled colour background, full-resolution cut-outs for seals and pictures, a single
    Group 4 image for pages without colour, the plain JPEG when the page is mostly picture).
    For ``"mrc"``, ``image`` may be the already decoded scan, ``gray`` its luma (mode ``"L"``)
    and ``mask`` the OCR's bilevel threshold of the page (ink black) in the scan's own frame, not
    deskewed (:func:`khoso.ocr.engine.prepare_page`), and ``preview`` the scan's 8×8-cell means
    (:func:`khoso.imaging.mrc.preview_cells`), all only to save work.
    """
    x_dpi, y_dpi = (float(dpi), float(dpi)) if isinstance(dpi, int | float) else map(float, dpi)
    if x_dpi <= 0 or y_dpi <= 0:
        raise RenderError(reason=f"dpi must be positive, got {dpi!r}")
    if mode not in RENDITION_MODES:
        raise RenderError(reason=f"rendition mode must be one of {', '.join(RENDITION_MODES)}, got {mode!r}")
    pdf = pikepdf.new()
    layers = None
    if mode == "mrc":
        layers = _mrc_layers(original, mime, image=image, mask=mask, gray=gray, preview=preview, dpi=x_dpi)
    if layers is not None and layers.kind != "jpeg":
        xobjects, image_ops = _mrc_xobjects(pdf, layers)
        width_px, height_px = layers.width, layers.height
    else:
        image_xobject, width_px, height_px = _image_xobject(pdf, original, mime, jpeg_quality)
        xobjects, image_ops = {_IMAGE_NAME: image_xobject}, None
    if (width_px, height_px) != (ocr.width, ocr.height):
        raise RenderError(
            reason=f"image is {width_px}×{height_px} px but the OCR was run on {ocr.width}×{ocr.height} px"
        )
    text_form = textlayer.form_xobject(pdf, ocr.words, ocr.width, ocr.height)

    page_width = width_px / x_dpi * POINTS_PER_INCH
    page_height = height_px / y_dpi * POINTS_PER_INCH
    page = pdf.add_blank_page(page_size=(page_width, page_height))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary({**xobjects, _TEXT_NAME: text_form}))
    page.obj.Contents = pikepdf.Stream(
        pdf,
        _page_content(
            width_px=width_px,
            height_px=height_px,
            x_scale=POINTS_PER_INCH / x_dpi,
            y_scale=POINTS_PER_INCH / y_dpi,
            skew_degrees=ocr.skew_degrees,
            image_ops=image_ops,
        ),
    )
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _page_content(
    *,
    width_px: int,
    height_px: int,
    x_scale: float,
    y_scale: float,
    skew_degrees: float,
    image_ops: Sequence[str] | None = None,
) -> bytes:
    """Content stream: the image rotated about its centre in pixel space, then the text form unrotated.

    In pixel units with y up, a counter-clockwise rotation by the deskew angle (as PIL and
    OpenCV rotate on screen) is the PDF matrix ``[cos sin -sin cos 0 0]``; concatenated ``cm``
    operators apply innermost-last, so the order below reads outside-in. ``image_ops`` draw
    the image layers in that rotated pixel space (default: ``/Im0`` over the whole frame). The
    text form is in the pixels of the deskewed frame, i.e. of the page itself.
    """
    angle = math.radians(skew_degrees)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    centre_x, centre_y = width_px / 2, height_px / 2
    n = _number
    frame_ops = [
        "q",
        f"{n(x_scale)} 0 0 {n(y_scale)} 0 0 cm",  # pixels -> points
    ]
    if skew_degrees:
        frame_ops += [
            f"1 0 0 1 {n(centre_x)} {n(centre_y)} cm",
            f"{n(cos_a)} {n(sin_a)} {n(-sin_a)} {n(cos_a)} 0 0 cm",
            f"1 0 0 1 {n(-centre_x)} {n(-centre_y)} cm",
        ]
    if image_ops is None:
        image_ops = [f"{width_px} 0 0 {height_px} 0 0 cm", f"{_IMAGE_NAME} Do"]
    frame_ops += [*image_ops, "Q"]
    text_ops = ["q", f"{n(x_scale)} 0 0 {n(y_scale)} 0 0 cm", f"{_TEXT_NAME} Do", "Q"]
    return ("\n".join(frame_ops + text_ops) + "\n").encode("ascii")


def _mrc_layers(
    original: bytes,
    mime: str,
    *,
    image: Image.Image | None,
    mask: Image.Image | None,
    gray: Image.Image | None,
    preview: np.ndarray | None = None,
    dpi: float,
) -> MrcPage:
    """The page's MRC layers; a page of neutral ink on white paper, seen on a preview, is one Group 4
    image of ``mask`` without decoding the colour scan (:func:`khoso.imaging.mrc.bitonal_from_preview`)."""
    if mime not in ("image/jpeg", "image/png", "image/tiff"):
        raise RenderError(reason=f"unsupported image type {mime}")
    try:
        if mask is not None and gray is not None:
            if preview is None and image is None and mime == "image/jpeg":
                preview = _jpeg_preview(original)
            if preview is None:
                image = image or _decoded(original)
                preview = preview_cells(image)
            bitonal = bitonal_from_preview(preview, gray, mask, dpi=dpi)
            if bitonal is not None:
                return bitonal
        return encode_page(image or _decoded(original), dpi=dpi, mask=mask, gray=gray)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise RenderError(reason=f"unreadable image: {exc}") from exc


def _decoded(original: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(original))
    image.seek(0)
    image.load()
    return image


def _jpeg_preview(original: bytes) -> np.ndarray | None:
    """The JPEG decoded at ⅛ scale (libjpeg keeps each 8×8 block's mean, its DC coefficient): a few
    milliseconds against ≈ 35 for the full colour decode. ``None`` for a JPEG in another colour model
    (CMYK): the caller then decodes it whole."""
    image = Image.open(io.BytesIO(original))
    if image.mode not in ("RGB", "L"):
        return None
    width, height = image.size
    image.draft(image.mode, (max(1, width // PREVIEW_FACTOR), max(1, height // PREVIEW_FACTOR)))
    image.load()
    cells = (-(-width // PREVIEW_FACTOR), -(-height // PREVIEW_FACTOR))
    return np.asarray(image) if image.size == cells else None


def _mrc_xobjects(pdf: pikepdf.Pdf, layers: MrcPage) -> tuple[dict[str, pikepdf.Object], list[str]]:
    """Image XObjects of the MRC layers and the operators drawing them in pixel space.

    Order: background, full-resolution patches, then the ink, painted through the Group 4
    mask either as a stencil (``ImageMask``) in one fill colour or as the low-resolution
    foreground image with the mask as its explicit ``/Mask``. Explicit masking is not
    transparency, so the page needs no transparency group under PDF/A-2.
    """
    width, height = layers.width, layers.height
    whole = f"{width} 0 0 {height} 0 0 cm"
    assert layers.mask is not None
    if layers.kind == "bitonal":
        return {_IMAGE_NAME: _ccitt_stream(pdf, layers.mask, stencil=False)}, [whole, f"{_IMAGE_NAME} Do"]
    assert layers.background is not None
    xobjects: dict[str, pikepdf.Object] = {_BACKGROUND_NAME: _layer_stream(pdf, layers.background)}
    ops = ["q", whole, f"{_BACKGROUND_NAME} Do", "Q"]
    for index, patch in enumerate(layers.patches):
        name = f"{_PATCH_PREFIX}{index}"
        xobjects[name] = _layer_stream(pdf, patch.image)
        bottom = height - patch.top - patch.image.height  # PDF's y axis points up
        ops += ["q", f"{patch.image.width} 0 0 {patch.image.height} {patch.left} {bottom} cm", f"{name} Do", "Q"]
    mask = _ccitt_stream(pdf, layers.mask, stencil=True)
    if layers.foreground is None:
        red, green, blue = (_number(channel / 255) for channel in layers.ink_colour)
        xobjects[_MASK_NAME] = mask
        ops += ["q", f"{red} {green} {blue} rg", whole, f"{_MASK_NAME} Do", "Q"]
    else:
        foreground = _layer_stream(pdf, layers.foreground)
        foreground.Mask = pdf.make_indirect(mask)
        xobjects[_FOREGROUND_NAME] = foreground
        ops += ["q", whole, f"{_FOREGROUND_NAME} Do", "Q"]
    return xobjects, ops


def _layer_stream(pdf: pikepdf.Pdf, layer: EncodedImage) -> pikepdf.Stream:
    return _dct_stream(pdf, layer.data, "L" if layer.colour == "gray" else "RGB", layer.width, layer.height)


def _ccitt_stream(pdf: pikepdf.Pdf, layer: EncodedImage, *, stencil: bool) -> pikepdf.Stream:
    """A Group 4 image: a black-and-white picture, or a stencil mask painting where its bits are black."""
    stream = pikepdf.Stream(
        pdf,
        layer.data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=layer.width,
        Height=layer.height,
        BitsPerComponent=1,
        Filter=pikepdf.Name.CCITTFaxDecode,
        DecodeParms=pikepdf.Dictionary(
            K=-1, Columns=layer.width, Rows=layer.height, BlackIs1=pikepdf.Boolean(layer.black_is_1)
        ),
    )
    if stencil:
        stream.ImageMask = True
    else:
        stream.ColorSpace = pikepdf.Name.DeviceGray
    return stream


def _image_xobject(pdf: pikepdf.Pdf, original: bytes, mime: str, jpeg_quality: int) -> tuple[pikepdf.Stream, int, int]:
    try:
        image = Image.open(io.BytesIO(original))
        width, height = image.size
        if mime == "image/jpeg" and image.format == "JPEG" and image.mode in ("L", "RGB"):
            encoded = _jpeg_passthrough_or_smaller(original, image, jpeg_quality)
            return _dct_stream(pdf, encoded, image.mode, width, height), width, height
        if mime not in ("image/jpeg", "image/png", "image/tiff"):
            raise RenderError(reason=f"unsupported image type {mime}")
        image.seek(0)
        if image.mode == "1":
            return _bilevel_stream(pdf, image), width, height
        flattened = _flatten(image)
        encoded = _encode_jpeg(flattened, jpeg_quality)
        return _dct_stream(pdf, encoded, flattened.mode, width, height), width, height
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise RenderError(reason=f"unreadable image: {exc}") from exc


def _jpeg_passthrough_or_smaller(original: bytes, image: Image.Image, quality: int) -> bytes:
    """The original JPEG bytes, unless re-encoding at ``quality`` saves ≥ 5 %."""
    reencoded = _encode_jpeg(image, quality)
    if len(reencoded) <= len(original) * (1 - JPEG_REENCODE_MIN_SAVING):
        return reencoded
    return original


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Gray or RGB without alpha (transparency composited on white), for JPEG encoding."""
    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("LA", "RGBA", "PA"):
        gray = image.mode == "LA"
        background = Image.new("RGBA", image.size, "white")
        background.alpha_composite(image.convert("RGBA"))
        return background.convert("L" if gray else "RGB")
    return image.convert("RGB")


def _dct_stream(pdf: pikepdf.Pdf, jpeg: bytes, mode: str, width: int, height: int) -> pikepdf.Stream:
    return pikepdf.Stream(
        pdf,
        jpeg,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=width,
        Height=height,
        ColorSpace=pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )


def _bilevel_stream(pdf: pikepdf.Pdf, image: Image.Image) -> pikepdf.Stream:
    """A 1-bit image, lossless (Flate). Pillow's bit 1 is white, as in PDF's DeviceGray."""
    image.load()
    return pikepdf.Stream(
        pdf,
        zlib.compress(image.tobytes(), 9),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=1,
        Filter=pikepdf.Name.FlateDecode,
    )


# --------------------------------------------------------------------------- PDF/A assembly


def srgb_icc_profile() -> bytes:
    """The sRGB ICC profile (from Pillow's littleCMS) for the PDF/A OutputIntent."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def assemble_pdfa(
    pages: Sequence[bytes | Path],
    out: Path,
    *,
    title: str,
    author: str = "",
    subject: str = "",
    keywords: str = "",
    lang: str = "vi-VN",
) -> None:
    """Merge one-page PDFs (from :func:`render_page`) into one PDF/A-2b file at ``out``.

    The file appears at ``out`` complete or not at all: it is written to a temporary file in
    the same directory and moved into place with :func:`os.replace`. Memory does not grow with
    the size of the pages: the pages are merged by qpdf's own page selection (``qpdf --empty
    --pages``, run in-process by :class:`pikepdf.Job`), which reads each source's streams only
    while the result is written and keeps at most a couple of hundred sources open at a time.
    ``Pdf.pages.extend`` would copy every page's streams into memory first (pikepdf opens files
    in qpdf's immediate-copy mode): 766 MB more for 1,000 JPEG pages making a 690 MB file.
    """
    if not pages:
        raise RenderError(reason="no pages to assemble")
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as workdir:
        sources = [str(path) for path in _page_files(pages, Path(workdir))]
        job = pikepdf.Job(["qpdf", "--empty", "--pages", *sources, "--", str(Path(workdir) / "unused.pdf")])
        with job.create_pdf() as pdf:  # the sources are read while ``pdf`` is written: keep ``job`` alive
            _make_pdfa(pdf, title=title, author=author, subject=subject, keywords=keywords, lang=lang)
            descriptor, temporary_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
            os.close(descriptor)
            temporary = Path(temporary_name)
            try:
                _save(pdf, temporary)
                temporary.replace(out)  # os.replace: atomic within one directory
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise


def _page_files(pages: Sequence[bytes | Path], workdir: Path) -> list[Path]:
    """Each page as a file qpdf can read (bytes are written under ``workdir``), every one opened once
    here so that an unreadable page is named before anything is written."""
    paths: list[Path] = []
    for number, source in enumerate(pages, start=1):
        path = Path(source) if not isinstance(source, bytes) else workdir / f"page-{number:05d}.pdf"
        if isinstance(source, bytes):
            path.write_bytes(source)
        try:
            with pikepdf.open(path):
                pass
        except (pikepdf.PdfError, OSError) as exc:
            raise RenderError(reason=f"page {number} is not a readable PDF: {exc}") from exc
        paths.append(path)
    return paths


def _save(pdf: pikepdf.Pdf, path: Path) -> None:
    """Write ``pdf`` (a seam for tests that simulate a failure half-way through writing)."""
    pdf.save(path, fix_metadata_version=True, min_version="1.7")


def _make_pdfa(pdf: pikepdf.Pdf, *, title: str, author: str, subject: str, keywords: str, lang: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = nfc(title)
        if author:
            meta["dc:creator"] = [nfc(author)]
        if subject:
            meta["dc:description"] = nfc(subject)
        if keywords:
            meta["pdf:Keywords"] = nfc(keywords)
        meta["dc:language"] = [lang]
        meta["dc:format"] = "application/pdf"
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
        meta["xmp:CreateDate"] = now
        meta["xmp:ModifyDate"] = now
        meta["xmp:MetadataDate"] = now
    pdf.Root.Lang = pikepdf.String(lang)
    profile = pikepdf.Stream(pdf, srgb_icc_profile())
    profile.N = 3
    pdf.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                Info=pikepdf.String("sRGB IEC61966-2.1"),
                DestOutputProfile=pdf.make_indirect(profile),
            )
        ]
    )


# --------------------------------------------------------------------------- checks and reading


def check_pdfa(path: Path) -> list[str]:
    """List what breaks the PDF/A-2b rules this module is responsible for; ``[]`` if none.

    A light self-check with pikepdf and pypdfium2, not a validator: veraPDF is not available on
    this machine. It checks the XMP PDF/A identification (part 2, conformance B), the
    OutputIntent, Info/XMP title agreement, the trailer /ID, encryption, JavaScript, font
    embedding and that every page has a text layer.
    """
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        if pdf.is_encrypted:
            problems.append("encrypted")
        meta = pdf.open_metadata()
        if str(meta.get("pdfaid:part", "")) != "2" or str(meta.get("pdfaid:conformance", "")) != "B":
            problems.append("XMP lacks pdfaid:part=2 / pdfaid:conformance=B")
        if "/Metadata" in pdf.Root and "/Filter" in pdf.Root.Metadata:
            problems.append("XMP metadata stream is compressed")
        info_title = str(pdf.docinfo.get("/Title", "")) if pdf.trailer.get("/Info") else ""
        if str(meta.get("dc:title", "")) != info_title:
            problems.append("Info /Title and XMP dc:title differ")
        if not _has_pdfa_output_intent(pdf):
            problems.append("missing GTS_PDFA1 OutputIntent with an ICC profile")
        if "/ID" not in pdf.trailer:
            problems.append("missing trailer /ID")
        if "/Lang" not in pdf.Root:
            problems.append("missing /Lang")
        problems += _javascript_problems(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            for font_name in _unembedded_fonts(page.obj.get("/Resources"), set()):
                problems.append(f"page {number}: font {font_name} is not embedded")
    for number, text in enumerate(extract_text(path), start=1):
        if not text.strip():
            problems.append(f"page {number}: no text layer")
    return problems


def _has_pdfa_output_intent(pdf: pikepdf.Pdf) -> bool:
    for intent in pdf.Root.get("/OutputIntents", pikepdf.Array()):
        if intent.get("/S") == pikepdf.Name.GTS_PDFA1 and "/DestOutputProfile" in intent:
            return True
    return False


def _javascript_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems: list[str] = []
    if "/Names" in pdf.Root and "/JavaScript" in pdf.Root.Names:
        problems.append("document-level JavaScript")
    open_action = pdf.Root.get("/OpenAction")
    if isinstance(open_action, pikepdf.Dictionary) and open_action.get("/S") == pikepdf.Name.JavaScript:
        problems.append("JavaScript open action")
    if "/AA" in pdf.Root:
        problems.append("document additional actions")
    for number, page in enumerate(pdf.pages, start=1):
        if "/AA" in page.obj:
            problems.append(f"page {number}: additional actions")
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.JavaScript:
                problems.append(f"page {number}: JavaScript annotation")
    return problems


def _unembedded_fonts(resources: pikepdf.Object | None, seen: set[tuple[int, int]]) -> Iterator[str]:
    """Names of fonts without an embedded font program, walking nested Form XObjects."""
    if not isinstance(resources, pikepdf.Dictionary):
        return
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        if font.get("/Subtype") == pikepdf.Name.Type3:
            continue
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield str(font.get("/BaseFont", "?"))
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") != pikepdf.Name.Form:
            continue
        if xobject.is_indirect:
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
        yield from _unembedded_fonts(xobject.get("/Resources"), seen)


def page_count(path: Path) -> int:
    """Number of pages of the PDF at ``path``."""
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def extract_text(path: Path) -> list[str]:
    """The text of each page (NFC), as a PDF reader would extract it."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        texts: list[str] = []
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            try:
                texts.append(nfc(text_page.get_text_range()))
            finally:
                text_page.close()
                page.close()
        return texts
    finally:
        document.close()
