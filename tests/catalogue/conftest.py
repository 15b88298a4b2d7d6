"""A fonds with two files and three documents (one of them secret), its staff, and sheet builders."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User

from khoso.access.models import FondsGrant
from khoso.archive import services as archive_services
from khoso.archive.models import Fonds, Institution, Inventory

COMMON: dict[str, Any] = dict(
    history="Thành lập năm 1976.", archives_time="1976-2000", paper_total=10, key_groups="Tổng hợp", language="01"
)


@pytest.fixture
def fonds(db) -> Fonds:  # type: ignore[no-untyped-def]
    institution = Institution.objects.create(code="H15", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    return Fonds.objects.create(
        institution=institution, code="UBND-DL", name="Phông UBND tỉnh Đắk Lắk", organ_id="000.00.00.H15", **COMMON
    )


@pytest.fixture
def other_fonds(fonds: Fonds) -> Fonds:
    return Fonds.objects.create(institution=fonds.institution, code="SNV-DL", name="Phông Sở Nội vụ", **COMMON)


@pytest.fixture
def inventory(fonds: Fonds) -> Inventory:
    return Inventory.objects.create(fonds=fonds, number=1, title="Mục lục số 1")


def _file(fonds: Fonds, notation: str, title: str, **extra: Any) -> Any:
    fields: dict[str, Any] = dict(
        file_catalog=1995,
        file_notation=notation,
        title=title,
        maintenance="01",
        mode="01",
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        number_of_page=12,
        description="Người lập: Nguyễn Văn A",
    )
    fields.update(extra)
    return archive_services.file_create(fonds=fonds, **fields)


def _document(archive_file: Any, subject: str, **extra: Any) -> Any:
    fields: dict[str, Any] = dict(
        type_name="02",
        code_number="15",
        code_notation="QĐ-UBND",
        issued_date=date(1995, 3, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject=subject,
        number_of_page=3,
    )
    fields.update(extra)
    return archive_services.document_create(archive_file=archive_file, **fields)


@pytest.fixture
def holdings(fonds: Fonds, inventory: Inventory) -> dict[str, Any]:
    first = _file(fonds, "01.TH", "Hồ sơ quy hoạch tỉnh Đắk Lắk năm 1995", inventory=inventory, keyword="quy hoạch")
    second = _file(fonds, "02.TH", "Hồ sơ hội nghị tổng kết năm 1995", inventory=inventory)
    secret_file = _file(fonds, "03.MAT", "Hồ sơ mật về biên giới", mode="03", inventory=inventory)
    return {
        "first": first,
        "second": second,
        "secret_file": secret_file,
        "doc1": _document(first, "Quyết định phê duyệt quy hoạch"),
        "doc2": _document(first, "Báo cáo kết quả thực hiện", type_name="14", number_of_page=5),
        "secret_doc": _document(first, "Công văn về an ninh", type_name="22", secret_class="mat"),
        "doc_secret_file": _document(secret_file, "Báo cáo tình hình biên giới", type_name="14"),
    }


@pytest.fixture
def archivist(fonds: Fonds) -> User:
    """Staff with an edit grant on the fonds, no right to secret material, may propose access changes."""
    user = User.objects.create_user("bien-muc", password="x", is_staff=True)
    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    user.user_permissions.add(Permission.objects.get(codename="propose_access_change"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def secret_archivist(fonds: Fonds) -> User:
    user = User.objects.create_user("luu-tru-mat", password="x", is_staff=True)
    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    user.user_permissions.add(Permission.objects.get(codename="view_secret"))
    return User.objects.get(pk=user.pk)


def xlsx_bytes(rows: list[list[Any]], title: str = "Mục lục") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def csv_bytes(rows: list[list[Any]], *, bom: bool = True, encoding: str = "utf-8") -> bytes:
    import csv

    output = io.StringIO(newline="")
    csv.writer(output, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + output.getvalue()).encode(encoding)


@pytest.fixture
def make_xlsx():  # type: ignore[no-untyped-def]
    return xlsx_bytes


@pytest.fixture
def make_csv():  # type: ignore[no-untyped-def]
    return csv_bytes
