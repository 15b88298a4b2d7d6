"""Shared fixtures for the OCR tests: each page is recognised once per test session.

Why session scope: one tesseract run on a full 300-dpi page costs ~2 CPU-seconds, and the
alignment, rendering and assembly tests can all reuse the same result.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from khoso.ocr import accuracy
from khoso.ocr._exec import tesseract
from khoso.ocr.engine import OcrResult, ocr_page

CORPUS = Path("/work/shared/corpus/ocr-vie")
PAGE_ONE = CORPUS / "P01/HS001/page-001.jpg"
PAGE_ONE_TRUTH = CORPUS / "truth/HS001-001.txt"
DPI = 300


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path) -> Path:
    """Override of the Django-settings fixture in ``tests/conftest.py``: khoso.ocr has no
    Django, and these tests must run with ``-p no:django``."""
    return tmp_path


@pytest.fixture(autouse=True)
def tasks_run_in_process() -> None:
    """Override of the Celery fixture in ``tests/conftest.py``: no task queue here."""


def _require_corpus_and_tesseract() -> None:
    assert PAGE_ONE.exists(), f"the OCR corpus is missing: {PAGE_ONE}"
    tesseract.check_language("vie")  # raises DependencyError naming what ./install.sh should have installed


def character_error_rate(hypothesis: str, truth: str) -> float:
    """CER after NFC and whitespace collapsing, as the corpus README defines it."""
    return accuracy.character_error_rate([hypothesis], [truth])


@pytest.fixture(scope="session")
def cer() -> Callable[[str, str], float]:
    return character_error_rate


@pytest.fixture(scope="session")
def page_one_bytes() -> bytes:
    _require_corpus_and_tesseract()
    return PAGE_ONE.read_bytes()


@pytest.fixture(scope="session")
def page_one_truth() -> str:
    return PAGE_ONE_TRUTH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def page_one_ocr(page_one_bytes: bytes) -> OcrResult:
    """The whole corpus page, recognised without deskew."""
    return ocr_page(Image.open(io.BytesIO(page_one_bytes)), dpi=DPI)


@pytest.fixture(scope="session")
def top_crop_jpeg(page_one_bytes: bytes) -> bytes:
    """The top third of page one as a quality-75 JPEG: quick to recognise."""
    image = Image.open(io.BytesIO(page_one_bytes)).convert("RGB")
    crop = image.crop((0, 150, image.width, 1250))
    buffer = io.BytesIO()
    crop.save(buffer, format="JPEG", quality=75, dpi=(DPI, DPI))
    return buffer.getvalue()


@pytest.fixture(scope="session")
def top_crop_ocr(top_crop_jpeg: bytes) -> OcrResult:
    return ocr_page(Image.open(io.BytesIO(top_crop_jpeg)), dpi=DPI)


@pytest.fixture(scope="session")
def manifest() -> list[dict[str, object]]:
    return json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
