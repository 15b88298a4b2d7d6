"""Fixtures of the scanning tests: small generated scans, a file waiting at the scanning step.

Pages are drawn with Pillow (text in DejaVu Sans at 300 dpi, 24-bit colour) so the foundation's
automatic QC passes them, and kept tiny because OCR runs for real with Tesseract.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from khoso.archive.models import ArchiveFile, Page
from khoso.capture.models import Delivery
from khoso.storage.services import object_put_bytes
from khoso.workflow.states import State

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def page_jpeg(text: str, *, size: tuple[int, int] = (700, 900), blank: bool = False) -> bytes:
    """A 300-dpi colour JPEG with a few lines of ``text`` (white paper when ``blank``)."""
    image = Image.new("RGB", size, "white")
    if not blank:
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(FONT, 30)
        for line in range(6):
            draw.text((40, 70 + line * 55), f"{text} {line + 1}", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, dpi=(300, 300))
    return buffer.getvalue()


@pytest.fixture
def write_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``write_page(folder, name, text, blank=False)`` writes a generated scan and returns its path."""

    def write(folder: Path, name: str, text: str = "Quyết định", *, blank: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(page_jpeg(text, blank=blank))
        return path

    return write


def _done_pages(archive_file: ArchiveFile, count: int, *, qc_passed: bool = True) -> list[Page]:
    """Processed pages (stage done, a thumbnail, an automatic QC result) made without OCR or a rendition."""
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


@pytest.fixture
def scan_item(approved_project, people, put_in_state):  # type: ignore[no-untyped-def]
    """The project's first file, waiting at SO_HOA (moved there by the checker); worksheet: 2 pages, 1 sheet."""
    item = approved_project.items.select_related("file", "project").first()
    ArchiveFile.objects.filter(pk=item.file_id).update(number_of_page=2, number_of_paper=1)
    item.file.refresh_from_db()
    return put_in_state(item, State.SO_HOA, people["checker"])


@pytest.fixture
def done_pages():  # type: ignore[no-untyped-def]
    """``done_pages(archive_file, count, qc_passed=True)`` adds processed pages without running OCR."""
    return _done_pages


@pytest.fixture(name="page_jpeg")
def page_jpeg_fixture():  # type: ignore[no-untyped-def]
    return page_jpeg
