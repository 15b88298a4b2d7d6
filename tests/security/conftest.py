"""Shared by the security tests: the hostile upload corpus of engineering.md C5 T7, generated here.

Each entry: (upload name, bytes, a phrase of the Vietnamese rule the refusal must name).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pikepdf
from PIL import Image


def scan_jpeg(size: tuple[int, int] = (620, 877)) -> bytes:
    image = Image.new("L", size, 235)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, dpi=(200, 200))
    return buffer.getvalue()


def scan_pdf(pdf: pikepdf.Pdf | None = None) -> pikepdf.Pdf:
    """A one-page PDF whose page is one full-page JPEG, as a scanner writes it."""
    pdf = pdf or pikepdf.new()
    data = scan_jpeg()
    image = pikepdf.Stream(pdf, data)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = 620, 877, 8
    image.ColorSpace, image.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.DCTDecode
    page = pdf.add_blank_page(page_size=(223.2, 315.72))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pikepdf.Stream(pdf, b"q 223.2 0 0 315.72 0 0 cm /Im0 Do Q")
    return pdf


def _bytes(pdf: pikepdf.Pdf, **save: object) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **save)  # type: ignore[arg-type]
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    whole = _bytes(scan_pdf())
    return whole[: len(whole) // 2]


def encrypted_pdf() -> bytes:
    return _bytes(scan_pdf(), encryption=pikepdf.Encryption(owner="chu", user="", R=6))


def javascript_pdf() -> bytes:
    pdf = scan_pdf()
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = action
    return _bytes(pdf)


def embedded_file_pdf() -> bytes:
    pdf = scan_pdf()
    attachment = pikepdf.AttachedFileSpec(pdf, b"<html><script>alert(1)</script></html>", filename="x.html")
    pdf.attachments["x.html"] = attachment
    return _bytes(pdf)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_html_polyglot() -> bytes:
    """A valid PNG that is also an HTML page with a script (HTML after IEND and in a text chunk)."""
    image = Image.new("L", (620, 877), 235)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(200, 200))
    png = buffer.getvalue()
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + _png_chunk(b"tEXt", b"Comment\x00" + html) + png[iend:] + html


def zip_named_pdf() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tai-lieu.txt", "Không phải PDF")
    return buffer.getvalue()


def huge_declared_tiff() -> bytes:
    """A 1-pixel strip in a TIFF whose header declares 100,000 × 100,000 pixels."""
    entries = [
        (256, 4, 1, 100_000),  # ImageWidth LONG
        (257, 4, 1, 100_000),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression none
        (262, 3, 1, 1),  # BlackIsZero
        (273, 4, 1, 0),  # StripOffsets (patched below)
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, 100_000),  # RowsPerStrip
        (279, 4, 1, 1),  # StripByteCounts
    ]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + len(entries) * 12 + 4
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = data_offset if tag == 273 else value
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + struct.pack("<I", 0) + b"\x80"


def many_empty_pages_pdf(pages: int = 20_000) -> bytes:
    """Written by hand (a page tree of ``pages`` empty pages): pikepdf takes a minute to append 20,000."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = [0]

    def emit(body: bytes) -> None:
        offsets.append(out.tell())
        out.write(f"{len(offsets) - 1} 0 obj\n".encode() + body + b"\nendobj\n")

    first_page = 3
    emit(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(f"{first_page + n} 0 R".encode() for n in range(pages))
    emit(b"<< /Type /Pages /Count " + str(pages).encode() + b" /Kids [" + kids + b"] >>")
    for _ in range(pages):
        emit(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    xref = out.tell()
    out.write(f"xref\n0 {len(offsets)}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets[1:]))
    out.write(f"trailer\n<< /Size {len(offsets)} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def nested_zip_bomb(inner_megabytes: int = 100) -> bytes:
    """A zip in a zip: the inner member inflates 100 MB of zeros from about 100 KB (ratio > 1000)."""
    inner = io.BytesIO()
    with (
        zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("0.bin", "w", force_zip64=True) as member,
    ):
        block = bytes(1024 * 1024)
        for _ in range(inner_megabytes):
            member.write(block)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(3):
            archive.writestr(f"lop-{n}.zip", inner.getvalue())
    return outer.getvalue()


def zip_of_many_entries(entries: int = 10_001) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(entries):
            archive.writestr(f"{n:05d}.txt", b"")
    return buffer.getvalue()


CORPUS = [
    # (case, upload name, builder, a phrase of the rule named in the refusal)
    ("0 byte", "rong.pdf", lambda: b"", "rỗng (0 byte)"),
    ("PDF bị cắt cụt", "cat-cut.pdf", truncated_pdf, "bị hỏng hoặc bị cắt cụt"),
    ("PDF mã hóa", "ma-hoa.pdf", encrypted_pdf, "được mã hóa hoặc đặt mật khẩu"),
    ("PDF có JavaScript", "javascript.pdf", javascript_pdf, "JavaScript"),
    ("PDF có tệp đính kèm", "dinh-kem.pdf", embedded_file_pdf, "tệp đính kèm"),
    ("PNG + HTML", "anh.png", png_html_polyglot, "dữ liệu lạ"),
    (".pdf là ZIP", "ho-so.pdf", zip_named_pdf, "không phải ảnh JPEG, PNG, TIFF hay tệp PDF"),
    ("TIFF 100.000²", "lon.tif", huge_declared_tiff, "vượt giới hạn"),
    ("PDF 20.000 trang trống", "20000-trang.pdf", many_empty_pages_pdf, "vượt giới hạn"),
    ("zip bom lồng nhau", "bom.zip", nested_zip_bomb, "không phải ảnh JPEG, PNG, TIFF hay tệp PDF"),
    ("zip 10.001 mục", "nhieu-muc.zip", zip_of_many_entries, "không phải ảnh JPEG, PNG, TIFF hay tệp PDF"),
]
