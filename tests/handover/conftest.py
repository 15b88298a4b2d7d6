"""Fixtures of the handover tests: copy folders inside the test's own directory, files with a product."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def copy_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "ban-sao"
    root.mkdir()
    settings.KHOSO_COPY_ROOTS = [root]
    return root


@pytest.fixture
def with_product():  # type: ignore[no-untyped-def]
    """``with_product(archive_file, pages=2)``: give a file a PDF/A and page originals in the object store."""
    from khoso.archive.models import ArchiveFile, Page
    from khoso.storage.services import object_put_bytes

    def make(archive_file: Any, pages: int = 2) -> Any:
        pdf = object_put_bytes(data=f"%PDF-1.7 PDF/A của {archive_file.file_code}".encode(), mime="application/pdf")
        ArchiveFile.objects.filter(pk=archive_file.pk).update(pdf=pdf)
        for number in range(1, pages + 1):
            original = object_put_bytes(
                data=f"TIFF trang {number} của {archive_file.file_code}".encode(), mime="image/tiff"
            )
            Page.objects.create(file=archive_file, number=number, original=original, original_name=f"scan-{number}.tif")
        archive_file.refresh_from_db()
        return archive_file

    return make


@pytest.fixture
def at_copy_step(approved_project, people, put_in_state, with_product):  # type: ignore[no-untyped-def]
    """The approved project's three files, each with a product, waiting at SAO_CHEP."""
    items = list(approved_project.items.select_related("file").order_by("file__file_code"))
    for item in items:
        with_product(item.file)
        put_in_state(item, "SAO_CHEP", people["inspector"])
    return items


@pytest.fixture
def two_targets(approved_project, people, copy_root):  # type: ignore[no-untyped-def]
    from khoso.handover.services import copy_target_create

    return [
        copy_target_create(
            project=approved_project,
            by=people["contractor"],
            name=name,
            kind=kind,
            path=str(copy_root / folder),
            medium_id=medium,
        )
        for name, kind, folder, medium in [
            ("Máy chủ lưu trữ", "thu_muc", "may-chu", "NAS-01"),
            ("Ổ cứng di động số 1", "thiet_bi", "o-cung-1", "HDD-2026-001"),
        ]
    ]
