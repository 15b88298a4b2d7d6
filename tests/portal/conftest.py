"""A small catalogue with one object of every class the portal must tell apart.

Public, conditional (02), secret (03), restricted (in force), restriction expired and deleted
files and documents, a fonds restricted as a whole, pages with stored thumbnails, and three
visitors: anonymous, a reader waiting for approval and an approved reader.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image

from khoso.access.models import Restriction
from khoso.archive.models import ArchiveFile, Document, Fonds, Institution, Page
from khoso.archive.services import document_create, file_create, fonds_create
from khoso.readers.models import Reader
from khoso.storage.services import object_put_bytes

PASSWORD = "mat-khau-thu-nghiem-123"


@pytest.fixture(autouse=True)
def portal_settings(settings, tmp_path: Path) -> None:
    settings.LANGUAGE_CODE = "vi"
    settings.KHOSO_PUBLIC_URL = "https://lưu-trữ.example.vn"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _jpeg(size: tuple[int, int] = (40, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _fonds(institution: Institution, code: str, name: str, number: int) -> Fonds:
    return fonds_create(
        institution=institution,
        code=code,
        name=name,
        organ_id=f"000.00.{number:02d}.H15",
        history="Thành lập năm 1976.",
        archives_time="1976-2000",
        paper_total=12,
        key_groups="Tài liệu tổng hợp",
        language="01",
    )


def _file(fonds: Fonds, year: int, notation: str, title: str, mode: str = "01", **extra: Any) -> ArchiveFile:
    return file_create(
        fonds=fonds,
        file_catalog=year,
        file_notation=notation,
        title=title,
        mode=mode,
        language="01",
        maintenance="01",
        start_date=date(year, 1, 5),
        end_date=date(year, 12, 20),
        description="Người lập hồ sơ: Nguyễn Văn A",
        number_of_page=2,
        **extra,
    )


def _document(archive_file: ArchiveFile, subject: str, mode: str | None = None, type_name: str = "02") -> Document:
    fields: dict[str, Any] = dict(
        type_name=type_name,
        code_number="15",
        code_notation="QĐ-UBND",
        issued_date=date(archive_file.file_catalog, 3, 4),
        organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
        subject=subject,
        number_of_page=1,
    )
    if mode:
        fields["mode"] = mode
    return document_create(archive_file=archive_file, **fields)


def _page(archive_file: ArchiveFile, number: int, text: str, document: Document | None = None) -> Page:
    original = object_put_bytes(data=_jpeg((200, 300)), mime="image/jpeg")
    thumbnail = object_put_bytes(data=_jpeg() + f"{archive_file.pk}-{number}".encode(), mime="image/jpeg")
    return Page.objects.create(
        file=archive_file,
        document=document,
        number=number,
        original=original,
        original_name=f"{number}.jpg",
        thumbnail=thumbnail,
        width=200,
        height=300,
        dpi=300,
        ocr_text=text,
        words=[[w, 10 + 40 * i, 20, 35, 12] for i, w in enumerate(text.split())],
        stage=Page.Stage.DONE,
        qc_passed=True,
    )


@dataclass
class Catalogue:
    fonds: Fonds
    closed_fonds: Fonds
    other_fonds: list[Fonds]
    files: dict[str, ArchiveFile]
    documents: dict[str, Document]
    pages: dict[str, Page]
    users: dict[str, User | None] = field(default_factory=dict)


def _restrict(
    fonds: Fonds,
    *,
    file: ArchiveFile | None = None,
    document: Document | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Restriction:
    today = timezone.localdate()
    return Restriction.objects.create(
        fonds=fonds,
        file=file,
        document=document,
        reason="Tranh chấp đang giải quyết",
        start_date=start or today - timedelta(days=30),
        end_date=end,
    )


@pytest.fixture
def catalogue(db) -> Catalogue:
    institution = Institution.objects.create(code="H15.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    fonds = _fonds(institution, "UBNDDL", "Phông Ủy ban nhân dân tỉnh Đắk Lắk", 1)
    closed = _fonds(institution, "CADL", "Phông Công an tỉnh Đắk Lắk", 2)
    others = [
        _fonds(institution, "DPT", "Phông Đài phát thanh tỉnh", 3),
        _fonds(institution, "SYT", "Phông Sở Y tế", 4),
    ]
    empty = _fonds(institution, "RONG", "Phông chưa công bố", 5)  # no visible file: never listed
    conditional_only = _fonds(institution, "DK", "Phông chỉ có hồ sơ điều kiện", 6)
    deleted_only = _fonds(institution, "XOA", "Phông chỉ có hồ sơ đã xóa", 7)
    files = {
        "public": _file(fonds, 1995, "01.TH", "Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995", keyword="quy hoạch"),
        "b": _file(fonds, 1997, "02.TH", "Bản đồ hành chính huyện Krông Pắc"),
        "d": _file(fonds, 1990, "03.TH", "Đường giao thông nông thôn"),
        "u": _file(fonds, 1999, "04.TH", "Ủy ban bầu cử tỉnh"),
        "y": _file(fonds, 1992, "05.TH", "Yên định dân cư vùng kinh tế mới"),
        "xss": _file(fonds, 1996, "06.TH", '<script>alert("xss")</script> Hồ sơ thử nghiệm'),
        "conditional": _file(fonds, 1995, "07.TH", "Hồ sơ nhân sự điều kiện Zeta Đắk Lắk 1995", mode="02"),
        "secret": _file(fonds, 1995, "08.TH", "Hồ sơ quốc phòng mật Đắk Lắk 1995", mode="03"),
        "restricted": _file(fonds, 1995, "09.TH", "Hồ sơ tranh chấp đất đai Đắk Lắk 1995"),
        "expired": _file(fonds, 1995, "10.TH", "Hồ sơ kiểm kê rừng Đắk Lắk 1995"),
        "deleted": _file(fonds, 1995, "11.TH", "Hồ sơ xóa bỏ quyết định Đắk Lắk 1995"),
        "closed": _file(closed, 1995, "01.AN", "Hồ sơ an ninh trật tự Đắk Lắk 1995"),
        "other1": _file(others[0], 1980, "01.PT", "Hồ sơ phát thanh"),
        "other2": _file(others[1], 1981, "01.YT", "Hồ sơ y tế"),
        "empty_secret": _file(empty, 1982, "01.R", "Hồ sơ rỗng mật", mode="03"),
        "only_conditional": _file(conditional_only, 1983, "01.DK", "Hồ sơ điều kiện riêng", mode="02"),
        "only_deleted": _file(deleted_only, 1984, "01.X", "Hồ sơ xóa riêng"),
    }
    documents = {
        "public": _document(files["public"], "Quyết định phê duyệt quy hoạch tỉnh Đắk Lắk năm 1995"),
        "report": _document(files["public"], "Báo cáo tổng kết năm 1995", type_name="07"),
        "conditional": _document(files["public"], "Quyết định điều kiện Omega về cán bộ", mode="02"),
        "restricted": _document(files["public"], "Quyết định tranh chấp Sigma ranh giới"),
        "deleted": _document(files["public"], "Quyết định xóa bỏ Kappa"),
        "secret": _document(files["secret"], "Quyết định quốc phòng mật"),
        "in_conditional": _document(files["conditional"], "Quyết định nhân sự Zeta"),
    }
    pages = {
        "public": _page(files["public"], 1, "Quyết định phê duyệt quy hoạch tỉnh Đắk Lắk", documents["public"]),
        "doc_conditional": _page(files["public"], 2, "Cán bộ Omega", documents["conditional"]),
        "doc_restricted": _page(files["public"], 3, "Ranh giới Sigma", documents["restricted"]),
        "doc_deleted": _page(files["public"], 4, "Trang Kappa", documents["deleted"]),
        "loose": _page(files["public"], 5, "Phụ lục bản đồ quy hoạch"),
        "conditional": _page(files["conditional"], 1, "Danh sách nhân sự Zeta", documents["in_conditional"]),
        "secret": _page(files["secret"], 1, "Kế hoạch quốc phòng mật", documents["secret"]),
        "restricted": _page(files["restricted"], 1, "Biên bản tranh chấp"),
        "expired": _page(files["expired"], 1, "Biên bản kiểm kê rừng"),
        "deleted": _page(files["deleted"], 1, "Quyết định xóa bỏ"),
        "closed": _page(files["closed"], 1, "Báo cáo an ninh"),
    }
    now = timezone.now()
    deleted = [files["deleted"].pk, files["only_deleted"].pk]
    ArchiveFile.objects.filter(pk__in=deleted).update(deleted_at=now, deleted_reason="Nhập trùng")
    Document.objects.filter(pk=documents["deleted"].pk).update(deleted_at=now, deleted_reason="Nhập trùng")
    today = timezone.localdate()
    _restrict(fonds, file=files["restricted"])
    _restrict(fonds, document=documents["restricted"], end=today + timedelta(days=10))
    _restrict(fonds, file=files["expired"], start=today - timedelta(days=400), end=today - timedelta(days=1))
    _restrict(closed)
    for name in (
        "public",
        "b",
        "d",
        "u",
        "y",
        "xss",
        "conditional",
        "secret",
        "restricted",
        "expired",
        "deleted",
        "closed",
    ):
        files[name].refresh_from_db()
    return Catalogue(
        fonds=fonds,
        closed_fonds=closed,
        other_fonds=others,
        files=files,
        documents=documents,
        pages=pages,
        users={
            "anonymous": None,
            "pending": _reader("chờ", Reader.Status.PENDING),
            "approved": _reader("duyệt", Reader.Status.APPROVED),
        },
    )


def _reader(name: str, status: str) -> User:
    username = "docgia-" + ("cho" if status == Reader.Status.PENDING else "duyet")
    user = User.objects.create_user(username, password=PASSWORD)
    Reader.objects.create(
        user=user,
        full_name=f"Nguyễn Văn {name}",
        citizen_id="066095000123",
        email=f"{username}@example.vn",
        status=status,
    )
    return user
