"""Fixtures of the deadline tests: two fonds, the people responsible for each kind of deadline, and a reader.

``fonds_a`` and ``fonds_b`` belong to one institution; staff of A hold a grant on A only (and the reading-room
right), staff of B on B only; the keeper looks after preservation, the reporter sends the annual report; the
reader has an approved account and no staff right at all. Everyone has an e-mail address.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile, Fonds, Institution
from khoso.readers.models import Reader, ReaderRequest

PASSWORD = "mat-khau-dai-12345"


@dataclass
class Place:
    fonds_a: Fonds
    fonds_b: Fonds
    users: dict[str, User]


def _user(name: str, *codenames: str, staff: bool = True, **extra: Any) -> User:
    user = User.objects.create_user(name, email=f"{name}@example.vn", password=PASSWORD, is_staff=staff, **extra)
    if codenames:
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def place(db) -> Place:  # type: ignore[no-untyped-def]
    institution = Institution.objects.create(code="H10.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Bình Phước")
    common: dict[str, Any] = dict(
        history="Thành lập năm 1997.", archives_time="1997-2020", paper_total=10, key_groups="Tổng hợp", language="01"
    )
    fonds_a = Fonds.objects.create(institution=institution, code="UBND-BP", name="Phông UBND tỉnh Bình Phước", **common)
    fonds_b = Fonds.objects.create(institution=institution, code="SNV-BP", name="Phông Sở Nội vụ Bình Phước", **common)
    staff_a = _user("nhanvien_a", "view_readerrequest", "change_readerrequest")
    staff_b = _user("nhanvien_b", "view_readerrequest", "change_readerrequest")
    FondsGrant.objects.create(user=staff_a, fonds=fonds_a, can_edit=True)
    FondsGrant.objects.create(user=staff_b, fonds=fonds_b, can_edit=True)
    plain = _user("nhanvien_khong_quyen")
    FondsGrant.objects.create(user=plain, fonds=fonds_a)
    reader = _user("docgia", staff=False)
    Reader.objects.create(
        user=reader, full_name="Trần Thị Độc Giả", citizen_id="070200000001", email=reader.email, status="da_duyet"
    )
    users = {
        "staff_a": staff_a,
        "staff_b": staff_b,
        "plain": plain,
        "keeper": _user("thukho", "manage_preservation"),
        "backup": _user("saoluu", "view_backuplog"),
        "reporter": _user("baocao", "view_dashboard", "add_reportsubmission"),
        "viewer": _user("lanhdao", "view_dashboard"),
        "reader": reader,
        "admin": User.objects.create_superuser("quantri", "quantri@example.vn", PASSWORD),
    }
    return Place(fonds_a=fonds_a, fonds_b=fonds_b, users=users)


def make_file(
    fonds: Fonds, notation: str, ended: date, *, maintenance: str = "01", mode: str = "01", **extra: Any
) -> ArchiveFile:
    return ArchiveFile.objects.create(
        fonds=fonds,
        file_code=f"{fonds.code}.{ended.year}.{notation}",
        organ_id="000.00.00.H10",
        file_catalog=ended.year,
        file_notation=notation,
        title=f"Hồ sơ {notation} của {fonds.name}",
        maintenance=maintenance,
        mode=mode,
        language="01",
        start_date=ended - timedelta(days=200),
        end_date=ended,
        description="Thử nghiệm thời hạn",
        **extra,
    )


def make_request(archive_file: ArchiveFile, due: date, *, status: str = "cho_duyet", number: int = 1) -> ReaderRequest:
    reader = Reader.objects.get(user__username="docgia")
    return ReaderRequest.objects.create(
        code=f"YC-{archive_file.fonds.code}-{number:06d}",
        reader=reader,
        kind=ReaderRequest.Kind.READ,
        file=archive_file,
        purpose="01",
        purpose_content="Nghiên cứu lịch sử địa phương",
        fee_object_type="01",
        due_date=due,
        status=status,
    )


def at(day: date, hour: int = 9) -> Any:
    """An aware moment on ``day`` (local time)."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(hour)))


# The test modules import these helpers as ``deadlines_kit`` (the import mode puts no test folder on sys.path).
sys.modules.setdefault("deadlines_kit", sys.modules[__name__])
