"""QC accuracy on generated pages (``bench/pages.py``): skew within 0.1°, blank pages found, text kept.

Why generated pages: their skew and their label (blank, page number only, bleed-through, text) are
known exactly. The sets here are small (about a minute of CPU); ``bench/ingest.py --qc-set`` runs
larger ones and prints the figures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from khoso.imaging.qc import check_page

SKEW_TOLERANCE_DEGREES = 0.1


@pytest.fixture(scope="module")
def pages() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "pages.py"
    spec = importlib.util.spec_from_file_location("bench_pages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_skew_is_measured_within_a_tenth_of_a_degree_over_five_degrees(pages: ModuleType) -> None:
    errors = []
    for seed in range(6):
        page = pages.text_page(70_000 + seed, degraded=True)
        result = check_page(page.image.convert("L"), (300.0, 300.0), source_mode="RGB")
        assert result.skew_degrees is not None
        errors.append((page.skew_degrees, result.skew_degrees, abs(result.skew_degrees + page.skew_degrees)))
    assert max(error for _, _, error in errors) <= SKEW_TOLERANCE_DEGREES, errors
    assert {round(made) for made, _, _ in errors} != {0}  # the set really is skewed


def test_a_straight_clean_page_reads_as_straight(pages: ModuleType) -> None:
    page = pages.text_page(71_000, degraded=False)
    result = check_page(page.image, (300.0, 300.0))
    assert result.passed and abs(result.skew_degrees or 0.0) <= SKEW_TOLERANCE_DEGREES


@pytest.mark.parametrize("label", ["blank", "near_blank", "bleed_through"])
def test_blank_near_blank_and_bleed_through_pages_are_reported_blank(pages: ModuleType, label: str) -> None:
    for seed in range(3):
        page = pages.qc_page(72_000 + seed, label)
        result = check_page(page.image.convert("L"), (300.0, 300.0), source_mode="RGB")
        assert result.is_blank, (label, seed, result.ink_ratio, page.degradations)
        assert "trang_trang" in {problem.code for problem in result.problems}


def test_text_pages_full_or_sparse_are_not_reported_blank(pages: ModuleType) -> None:
    for seed in range(4):
        page = pages.qc_page(73_000 + seed, "text")
        result = check_page(page.image.convert("L"), (300.0, 300.0), source_mode="RGB")
        assert not result.is_blank, (seed, result.ink_ratio, page.degradations)


def test_qc_of_a_grayscale_copy_still_judges_the_scan_s_colour_mode(pages: ModuleType) -> None:
    page = pages.text_page(74_000, degraded=False)
    gray = page.image.convert("L")
    assert "mau_duoi_24_bit" not in {p.code for p in check_page(gray, (300.0, 300.0), source_mode="RGB").problems}
    assert "mau_duoi_24_bit" in {p.code for p in check_page(gray, (300.0, 300.0)).problems}
