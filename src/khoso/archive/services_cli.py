"""Defaults used when a batch script names a file that does not exist yet."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from khoso.archive.models import ArchiveFile, Fonds, Institution
from khoso.archive.services import file_create, fonds_create
from khoso.core import codes

PLACEHOLDER = "Chưa biên mục (tạo tự động khi nộp bản quét)"


def institution_default() -> Institution:
    institution, _ = Institution.objects.get_or_create(
        code=settings.KHOSO_INSTITUTION_CODE, defaults={"name": settings.KHOSO_ARCHIVE_NAME}
    )
    return institution


@transaction.atomic
def file_get_or_create(*, file_code: str, title: str = "", fonds_code: str = "") -> ArchiveFile:
    """The file with this code; created (in a matching or new fonds) when missing."""
    existing = ArchiveFile.objects.filter(file_code=file_code).first()
    if existing:
        return existing
    parts = codes.parse_file_code(file_code)
    fonds = (
        Fonds.objects.filter(code=fonds_code).first()
        if fonds_code
        else Fonds.objects.filter(organ_id=parts.organ_id).first()
        or Fonds.objects.filter(code=parts.organ_id[:13]).first()
    )
    if fonds is None:
        fonds = fonds_create(
            institution=institution_default(),
            code=(fonds_code or parts.organ_id)[:13],
            name=f"Phông {parts.organ_id}",
            organ_id=parts.organ_id,
            history=PLACEHOLDER,
            archives_time=str(parts.year),
            paper_total=0,
            key_groups=PLACEHOLDER,
            language="01",
        )
    year = f"{parts.year:04d}"
    return file_create(
        fonds=fonds,
        file_code=file_code,
        title=title or f"Hồ sơ {file_code}",
        mode="01",
        start_date=f"{year}-01-01",
        end_date=f"{year}-12-31",
        description=PLACEHOLDER,
    )
