"""Fixtures of the scanning tests: small generated scans, a file waiting at the scanning step.

Pages are drawn with Pillow (text in DejaVu Sans at 300 dpi, 24-bit colour) so the foundation's
automatic QC passes them, and kept tiny because OCR runs for real with Tesseract.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from khoso.archive.models import ArchiveFile
from khoso.workflow.states import State
from samples import done_pages as done_pages_kit  # tests/samples.py
from samples import page_jpeg

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture
def write_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``write_page(folder, name, text, blank=False)`` writes a generated scan and returns its path."""

    def write(folder: Path, name: str, text: str = "Quyết định", *, blank: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(page_jpeg(text, blank=blank))
        return path

    return write


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
    return done_pages_kit


@pytest.fixture(name="page_jpeg")
def page_jpeg_fixture():  # type: ignore[no-untyped-def]
    return page_jpeg
