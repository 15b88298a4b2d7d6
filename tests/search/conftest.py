"""Fixtures of the catalogue tests: a small archive built through the archive services, so every
change reaches the search index the way it does in production (through the IndexChange log)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest


class Archive:
    """Builds files, documents and OCR'd pages in one fonds (or another one)."""

    def __init__(self, fonds: Any) -> None:
        self.fonds = fonds
        self._notation = 0

    def file(self, title: str, *, year: int = 1995, mode: str = "01", fonds: Any = None, **fields: Any) -> Any:
        from khoso.archive.services import file_create

        self._notation += 1
        data: dict[str, Any] = dict(
            file_catalog=year,
            file_notation=f"{self._notation:02d}.TH",
            title=title,
            mode=mode,
            language="01",
            start_date=date(year, 1, 5),
            end_date=date(year, 12, 20),
            description="Hồ sơ thử nghiệm",
            number_of_paper=4,
        )
        data.update(fields)
        return file_create(fonds=fonds or self.fonds, **data)

    def document(self, archive_file: Any, subject: str, **fields: Any) -> Any:
        from khoso.archive.services import document_create

        data: dict[str, Any] = dict(
            maintenance="01",
            type_name="02",
            code_number="12",
            code_notation="QĐ-UBND",
            issued_date=date(archive_file.file_catalog, 3, 1),
            organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
            subject=subject,
            number_of_page=1,
        )
        data.update(fields)
        return document_create(archive_file=archive_file, **data)

    def page(self, archive_file: Any, text: str, *, document: Any = None, number: int | None = None) -> Any:
        from khoso.archive.models import Page
        from khoso.search.services import index_changed
        from khoso.storage.services import object_put_bytes

        number = number or archive_file.pages.count() + 1
        original = object_put_bytes(data=f"{archive_file.pk}-{number}-{text}".encode(), mime="image/jpeg")
        page = Page.objects.create(
            file=archive_file,
            document=document,
            number=number,
            original=original,
            original_name=f"{number}.jpg",
            ocr_text=text,
            stage=Page.Stage.DONE,
        )
        index_changed(page_ids=[page.pk])
        return page


@pytest.fixture
def archive(fonds) -> Archive:  # type: ignore[no-untyped-def]
    return Archive(fonds)


@pytest.fixture
def other_fonds(institution):  # type: ignore[no-untyped-def]
    from khoso.archive.services import fonds_create

    return fonds_create(
        institution=institution,
        code="UBND-GL",
        name="Phông UBND tỉnh Gia Lai",
        organ_id="000.00.00.H21",
        history="Thành lập năm 1991.",
        archives_time="1991-2000",
        paper_total=50,
        key_groups="Tổng hợp",
        language="01",
    )
