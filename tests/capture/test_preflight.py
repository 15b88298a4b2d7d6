"""Preflight refuses every kind of bad input before storage, and describes good input per page.

Each rule of :mod:`khoso.capture.preflight` has a test here; the files are built in ``tmp_path``
from a real corpus scan, Pillow and pikepdf, so the suite needs no fixtures on disk.
"""

from __future__ import annotations

import io
import resource
import shutil
import struct
import time
import unicodedata
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from khoso.capture.preflight import (
    Limits,
    Preflight,
    iter_page_images,
    preflight,
    sniff,
)
from khoso.core.errors import (
    BlankPdfError,
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    PageLimitError,
    PixelLimitError,
    SizeLimitError,
    UnsupportedTypeError,
)

CORPUS_PAGE = Path("/work/shared/corpus/ocr-vie/P01/HS001/page-001.jpg")


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path) -> Path:
    """Overrides the suite-wide fixture, which needs pytest-django's ``settings``.

    This module reads no Django setting, so it also runs with ``-p no:django``.
    """
    return tmp_path


@pytest.fixture
def scan_jpeg(tmp_path: Path) -> Path:
    """A real 300-dpi A4 colour scan (JFIF density 300)."""
    assert CORPUS_PAGE.exists(), f"the OCR corpus is missing: {CORPUS_PAGE}"
    target = tmp_path / "scan.jpg"
    shutil.copyfile(CORPUS_PAGE, target)
    return target


def _small_page(mode: str = "RGB", size: tuple[int, int] = (620, 877)) -> Image.Image:
    image = Image.new("RGB", size, (245, 240, 225))
    for y in range(100, size[1] - 100, 40):
        image.paste((20, 20, 20), (60, y, size[0] - 60, y + 8))
    return image.convert(mode)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# --------------------------------------------------------------------------------------------
# Type detection, size, names


def test_jpeg_scan_is_accepted_with_dpi_mode_and_size(scan_jpeg: Path) -> None:
    started = time.perf_counter()
    pre = preflight(scan_jpeg)
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"preflight of a 300-dpi A4 JPEG: {elapsed_ms:.1f} ms")  # noqa: T201
    assert pre.kind == "jpeg"
    assert pre.mime == "image/jpeg"
    assert pre.size == scan_jpeg.stat().st_size
    [page] = pre.pages
    assert (page.index, page.width, page.height, page.mode) == (0, 2481, 3507, "RGB")
    assert page.dpi == (300.0, 300.0)


def test_type_is_sniffed_from_content_not_extension(scan_jpeg: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "report.pdf"
    shutil.copyfile(scan_jpeg, disguised)
    assert sniff(disguised) == "jpeg"
    assert preflight(disguised).kind == "jpeg"


def test_zero_byte_file_is_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError) as caught:
        preflight(empty)
    assert "empty.jpg" in caught.value.message


def test_text_file_named_jpg_is_unsupported(tmp_path: Path) -> None:
    fake = tmp_path / "scan.jpg"
    fake.write_text("Đây không phải ảnh quét.\n", encoding="utf-8")
    with pytest.raises(UnsupportedTypeError):
        preflight(fake)


def test_oversize_file_is_refused_before_reading_it(scan_jpeg: Path) -> None:
    with pytest.raises(SizeLimitError) as caught:
        preflight(scan_jpeg, limits=Limits(max_bytes=1000))
    assert caught.value.params["limit"] == 1000


def test_names_are_normalised_to_nfc(scan_jpeg: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Tờ trình số 12.jpg")
    pre = preflight(scan_jpeg, name=decomposed)
    assert pre.name == unicodedata.normalize("NFC", "Tờ trình số 12.jpg")
    assert pre.name != decomposed


def test_error_messages_carry_the_nfc_name(tmp_path: Path) -> None:
    empty = tmp_path / "x"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError) as caught:
        preflight(empty, name=unicodedata.normalize("NFD", "Quyết định.tif"))
    assert unicodedata.normalize("NFC", "Quyết định.tif") in caught.value.message


# --------------------------------------------------------------------------------------------
# Corrupt and truncated images


def test_truncated_jpeg_is_corrupt(scan_jpeg: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(scan_jpeg.read_bytes()[: scan_jpeg.stat().st_size // 2])
    with pytest.raises(CorruptFileError):
        preflight(truncated)


def test_truncated_png_is_corrupt(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    _small_page().save(buffer, format="PNG")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(CorruptFileError):
        preflight(truncated)


def test_png_with_flipped_bit_is_corrupt(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    _small_page().save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[len(data) // 2] ^= 0x40
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError):
        preflight(damaged)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_truncated_tiff_is_corrupt(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    _small_page().save(buffer, format="TIFF", compression="tiff_lzw")
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(CorruptFileError):
        preflight(truncated)


# --------------------------------------------------------------------------------------------
# Pixel limit from the header only


def test_png_declaring_100000_square_pixels_is_refused_from_the_header(tmp_path: Path) -> None:
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)  # 8-bit RGB
    idat = zlib.compress(b"\x00" * 64)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
    )
    assert bomb.stat().st_size < 200
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(PixelLimitError) as caught:
        preflight(bomb)
    elapsed_ms = (time.perf_counter() - started) * 1000
    rss_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kib) / 1024
    assert caught.value.params["width"] == 100_000
    assert caught.value.params["height"] == 100_000
    # 10^10 RGB pixels would be 30 GB: anything but a header read would show up here.
    assert rss_growth_mib < 50
    assert elapsed_ms < 1000


def test_pixel_limit_applies_to_each_tiff_frame(tmp_path: Path) -> None:
    multi = tmp_path / "multi.tif"
    first, second = _small_page(), _small_page(size=(1200, 1200))
    first.save(multi, save_all=True, append_images=[second])
    with pytest.raises(PixelLimitError):
        preflight(multi, limits=Limits(max_pixels_per_page=1_000_000))


# --------------------------------------------------------------------------------------------
# Page images from image files


def test_jpeg_page_passes_the_file_bytes_through(scan_jpeg: Path) -> None:
    pre = preflight(scan_jpeg)
    [page] = list(iter_page_images(scan_jpeg, pre))
    assert page.original == scan_jpeg.read_bytes()
    assert page.mime == "image/jpeg"
    assert page.dpi == (300.0, 300.0)
    assert not page.dpi_assumed
    assert page.image.size == (2481, 3507)


def test_png_without_dpi_is_assumed_300_and_marked(tmp_path: Path) -> None:
    plain = tmp_path / "plain.png"
    _small_page().save(plain)
    pre = preflight(plain)
    assert pre.pages[0].dpi is None
    [page] = list(iter_page_images(plain, pre))
    assert page.dpi == (300.0, 300.0)
    assert page.dpi_assumed
    assert page.original == plain.read_bytes()
    assert page.mime == "image/png"


def test_multi_page_tiff_yields_each_frame_as_lossless_png(tmp_path: Path) -> None:
    frames = [_small_page("RGB"), _small_page("L"), _small_page("1")]
    multi = tmp_path / "hoso.tif"
    frames[0].save(multi, save_all=True, append_images=frames[1:], dpi=(400, 400), compression="tiff_lzw")
    pre = preflight(multi)
    assert pre.kind == "tiff"
    assert [(p.index, p.mode, p.dpi) for p in pre.pages] == [
        (0, "RGB", (400.0, 400.0)),
        (1, "L", (400.0, 400.0)),
        (2, "1", (400.0, 400.0)),
    ]
    pages = list(iter_page_images(multi, pre))
    assert [p.index for p in pages] == [0, 1, 2]
    for original_frame, page in zip(frames, pages, strict=True):
        assert page.mime == "image/png"
        reopened = Image.open(io.BytesIO(page.original))
        assert reopened.mode == original_frame.mode
        assert reopened.tobytes() == original_frame.tobytes()  # lossless


def test_tiff_over_the_page_limit_is_refused(tmp_path: Path) -> None:
    multi = tmp_path / "many.tif"
    frame = _small_page(size=(50, 50))
    frame.save(multi, save_all=True, append_images=[frame] * 5)
    with pytest.raises(PageLimitError):
        preflight(multi, limits=Limits(max_pages=3))


# --------------------------------------------------------------------------------------------
# PDF


def _pdf_with_scan(jpeg: Path, target: Path, *, extra_text_page: bool = False) -> Path:
    """A PDF whose first page is ``jpeg`` placed full page at its 300 dpi (A4)."""
    pdf = pikepdf.new()
    with Image.open(jpeg) as image:
        width_px, height_px = image.size
    width_pt, height_pt = width_px * 72 / 300, height_px * 72 / 300
    stream = pikepdf.Stream(pdf, jpeg.read_bytes())
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = width_px, height_px
    stream.ColorSpace = pikepdf.Name.DeviceRGB
    stream.BitsPerComponent = 8
    stream.Filter = pikepdf.Name.DCTDecode
    page = pdf.add_blank_page(page_size=(width_pt, height_pt))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream))
    page.Contents = pdf.make_stream(f"q {width_pt} 0 0 {height_pt} 0 0 cm /Im0 Do Q".encode())
    if extra_text_page:
        _add_text_page(pdf)
    pdf.save(target)
    return target


def _add_text_page(pdf: pikepdf.Pdf) -> None:
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
    font.BaseFont = pikepdf.Name.Helvetica
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 24 Tf 72 720 Td (Bien ban ban giao) Tj ET")


def test_pdf_page_with_one_full_page_jpeg_is_passed_through(scan_jpeg: Path, tmp_path: Path) -> None:
    source = _pdf_with_scan(scan_jpeg, tmp_path / "scan.pdf", extra_text_page=True)
    started = time.perf_counter()
    pre = preflight(source)
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"preflight of a 2-page PDF: {elapsed_ms:.1f} ms")  # noqa: T201
    assert (pre.kind, pre.mime) == ("pdf", "application/pdf")
    scan_page, text_page = pre.pages
    assert scan_page.single_full_page_image and scan_page.passthrough
    assert (scan_page.width, scan_page.height, scan_page.mode) == (2481, 3507, "RGB")
    assert scan_page.dpi == pytest.approx((300.0, 300.0), abs=0.5)
    assert not text_page.passthrough and text_page.dpi is None

    pages = list(iter_page_images(source, pre))
    assert pages[0].original == scan_jpeg.read_bytes()  # the raw DCT stream, untouched
    assert pages[0].mime == "image/jpeg"
    assert pages[0].image.size == (2481, 3507)
    assert pages[1].mime == "image/png"
    assert pages[1].dpi == (300.0, 300.0)
    assert pages[1].image.size == (text_page.width, text_page.height) == (2480, 3509)
    assert Image.open(io.BytesIO(pages[1].original)).format == "PNG"


def test_truncated_pdf_is_corrupt(scan_jpeg: Path, tmp_path: Path) -> None:
    whole = _pdf_with_scan(scan_jpeg, tmp_path / "whole.pdf", extra_text_page=True)
    data = whole.read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError):
        preflight(truncated)


@pytest.mark.parametrize("user_password", ["", "mat-khau"])
def test_encrypted_pdf_is_refused_even_with_empty_password(tmp_path: Path, user_password: str) -> None:
    pdf = pikepdf.new()
    _add_text_page(pdf)
    locked = tmp_path / "locked.pdf"
    pdf.save(locked, encryption=pikepdf.Encryption(user=user_password, owner="chu-so-huu"))
    with pytest.raises(EncryptedPdfError):
        preflight(locked)


def _blank_pdf(target: Path, pages: int) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(target)
    return target


def test_pdf_of_3000_empty_pages_is_blank_with_bounded_time_and_memory(tmp_path: Path) -> None:
    blank = _blank_pdf(tmp_path / "blank.pdf", 3000)
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(BlankPdfError) as caught:
        preflight(blank)
    elapsed_ms = (time.perf_counter() - started) * 1000
    rss_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kib) / 1024
    print(f"preflight of 3,000 blank PDF pages: {elapsed_ms:.0f} ms")  # noqa: T201
    assert caught.value.params["pages"] == 3000
    assert rss_growth_mib < 100
    assert elapsed_ms < 10_000


def test_pdf_over_the_page_limit_is_refused(tmp_path: Path) -> None:
    blank = _blank_pdf(tmp_path / "blank.pdf", 3000)
    with pytest.raises(PageLimitError) as caught:
        preflight(blank, limits=Limits(max_pages=2000))
    assert caught.value.params == {"name": "blank.pdf", "pages": 3000, "limit": 2000}


def test_pdf_with_text_only_is_not_blank(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    _add_text_page(pdf)
    target = tmp_path / "text.pdf"
    pdf.save(target)
    pre: Preflight = preflight(target)
    assert len(pre.pages) == 2
    assert all(not page.passthrough for page in pre.pages)
