"""Sample objects the tests share: the TT 05 values a careful cataloguer writes on a sheet, generated
300-dpi scans, blank scans and PDFs, processed pages made without OCR, and a file with a finished product.

One module so the cataloguing, scanning, handover, audit, API and sweep tests build the same objects the
same way. ``tests/conftest.py`` loads it as ``samples`` (the import mode puts no test folder on sys.path).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def file_values(**overrides: Any) -> dict[str, Any]:
    """A file sheet (phiếu tin hồ sơ) of two documents, six pages on four sheets."""
    values: dict[str, Any] = dict(
        title="Hồ sơ về quy hoạch phát triển kinh tế – xã hội tỉnh Đắk Lắk năm 1995",
        maintenance="01",
        mode="01",
        language="01",
        start_date=date(1995, 1, 5),
        end_date=date(1995, 12, 20),
        keyword="quy hoạch",
        total_doc=2,
        number_of_paper=4,
        number_of_page=6,
        format="01",
        risk_recovery=False,
        description="Người lập hồ sơ: Nguyễn Văn A",
    )
    values.update(overrides)
    return values


def document_values(ordinal: int, **overrides: Any) -> dict[str, Any]:
    """The document sheet (phiếu tin tài liệu) of decision number ``ordinal``."""
    values: dict[str, Any] = dict(
        type_name="02",
        code_number=f"{ordinal}",
        code_notation="QĐ-UBND",
        issued_date=date(1995, 3, ordinal),
        organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
        subject=f"Quyết định số {ordinal} về quy hoạch vùng cà phê",
        maintenance="01",
        language="01",
        number_of_page=3,
        mode="01",
        risk_recovery=False,
    )
    values.update(overrides)
    return values


def page_jpeg(text: str, *, size: tuple[int, int] = (700, 900), blank: bool = False) -> bytes:
    """A 300-dpi colour JPEG with a few lines of ``text`` (white paper when ``blank``): the automatic QC
    passes it, and it is small because OCR runs for real."""
    image = Image.new("RGB", size, "white")
    if not blank:
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(FONT, 30)
        for line in range(6):
            draw.text((40, 70 + line * 55), f"{text} {line + 1}", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, dpi=(300, 300))
    return buffer.getvalue()


def blank_jpeg(size: tuple[int, int] = (300, 420)) -> bytes:
    """A small 300-dpi scan of empty paper."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 236, 226)).save(buffer, "JPEG", quality=80, dpi=(300, 300))
    return buffer.getvalue()


def blank_pdf() -> bytes:
    """A one-page PDF of empty paper."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 420), (240, 236, 226)).save(buffer, "PDF", resolution=100)
    return buffer.getvalue()


def done_pages(archive_file: Any, count: int, *, qc_passed: bool = True) -> list[Any]:
    """Processed pages (stage done, a thumbnail, an automatic QC result) made without OCR or a rendition."""
    from khoso.archive.models import Page
    from khoso.capture.models import Delivery
    from khoso.storage.services import object_put_bytes

    delivery = Delivery.objects.create(file=archive_file, source=Delivery.Source.CLI, names=["a.jpg"], page_count=count)
    start = archive_file.pages.count()
    pages = []
    for number in range(start + 1, start + count + 1):
        original = object_put_bytes(data=page_jpeg(f"Trang {number} {archive_file.pk}"), mime="image/jpeg")
        thumbnail = object_put_bytes(data=page_jpeg(f"nho {number}", size=(60, 80)), mime="image/jpeg")
        problems = [] if qc_passed else [{"code": "trang_trang", "message_vi": "Trang trắng", "severity": "error"}]
        pages.append(
            Page.objects.create(
                file=archive_file,
                delivery=delivery,
                number=number,
                original=original,
                original_name=f"{number}.jpg",
                thumbnail=thumbnail,
                dpi=300,
                stage=Page.Stage.DONE,
                qc={"dpi": [300.0, 300.0], "problems": problems},
                qc_passed=qc_passed,
                needs_rescan=not qc_passed,
            )
        )
    return pages


def with_product(archive_file: Any, pages: int = 2) -> Any:
    """Give a file a PDF/A and page originals in the object store (what the copy step copies)."""
    from khoso.archive.models import ArchiveFile, Page
    from khoso.storage.services import object_put_bytes

    pdf = object_put_bytes(data=f"%PDF-1.7 PDF/A của {archive_file.file_code}".encode(), mime="application/pdf")
    ArchiveFile.objects.filter(pk=archive_file.pk).update(pdf=pdf)
    for number in range(1, pages + 1):
        original = object_put_bytes(
            data=f"TIFF trang {number} của {archive_file.file_code}".encode(), mime="image/tiff"
        )
        Page.objects.create(file=archive_file, number=number, original=original, original_name=f"scan-{number}.tif")
    archive_file.refresh_from_db()
    return archive_file
