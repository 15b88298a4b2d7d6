"""Fixtures of the handover tests: copy folders inside the test's own directory, files with a product."""

from __future__ import annotations

from pathlib import Path

import pytest

from samples import with_product as with_product_kit  # tests/samples.py


@pytest.fixture
def copy_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "ban-sao"
    root.mkdir()
    settings.KHOSO_COPY_ROOTS = [root]
    return root


@pytest.fixture
def with_product():  # type: ignore[no-untyped-def]
    """``with_product(archive_file, pages=2)``: give a file a PDF/A and page originals in the object store."""
    return with_product_kit


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
