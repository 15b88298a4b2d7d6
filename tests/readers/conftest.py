"""Fixtures of the readers tests: two fonds, files of every access class, readers and staff.

Pages carry real images (originals) and real one-page PDFs (renditions), so copies can be merged,
stamped and signed, and reading-copy images watermarked, without running OCR.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from PIL import Image, ImageDraw

from khoso.access.models import FondsGrant, Restriction
from khoso.archive.models import ArchiveFile, Document, Fonds, Institution, Page
from khoso.capture.models import Delivery as CaptureDelivery
from khoso.readers.models import Reader
from khoso.storage.services import object_put_bytes

PASSWORD = "mat-khau-thu-nghiem-123"
ARCHIVE_NAME = "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"


@pytest.fixture(autouse=True)
def reader_settings(settings, tmp_path: Path) -> None:
    settings.LANGUAGE_CODE = "vi"
    settings.KHOSO_ARCHIVE_NAME = ARCHIVE_NAME
    settings.KHOSO_PUBLIC_URL = "https://luutru.example.vn"
    settings.KHOSO_HOLIDAYS = []
    settings.KHOSO_READING_DAYS = 15
    settings.KHOSO_PURGE_DAYS = 5
    settings.KHOSO_REVIEW_WORKING_DAYS = 6
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One test CA for the session (key generation is slow); a signer is loaded from it per test."""
    from khoso.signing.testca import ensure_test_ca

    return ensure_test_ca(tmp_path_factory.mktemp("signing"), agency_name=ARCHIVE_NAME)


@pytest.fixture
def signing(settings, test_ca) -> Any:  # type: ignore[no-untyped-def]
    settings.KHOSO_SIGNING_P12 = Path(test_ca.p12_path)
    settings.KHOSO_SIGNING_P12_PASSWORD = ""
    return test_ca


def page_image(number: int, size: tuple[int, int] = (600, 850)) -> Image.Image:
    """A page with some structure everywhere, so a watermark shows as a difference of pixels."""
    image = Image.new("RGB", size, (236, 232, 220))
    draw = ImageDraw.Draw(image)
    for y in range(40, size[1] - 20, 24):
        draw.line((40, y, size[0] - 40, y), fill=(90, 90, 90), width=2)
    draw.text((50, 10), f"Trang {number}", fill="black")
    return image


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, dpi=(300, 300))
    return buffer.getvalue()


def _pdf(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=100)
    return buffer.getvalue()


def make_file(fonds: Fonds, *, notation: str, mode: str = "01", pages: int = 0, **fields: Any) -> ArchiveFile:
    archive_file = ArchiveFile.objects.create(
        fonds=fonds,
        file_code=f"{fonds.code}.2001.{notation}",
        organ_id=fonds.code,
        file_catalog=2001,
        file_notation=notation,
        title=fields.pop("title", f"Hồ sơ {notation} về công tác năm 2001"),
        maintenance="01",
        mode=mode,
        language="01",
        start_date=date(2001, 1, 2),
        end_date=date(2001, 12, 30),
        description="Thử nghiệm",
        number_of_page=pages,
        **fields,
    )
    if pages:
        capture = CaptureDelivery.objects.create(
            file=archive_file, source=CaptureDelivery.Source.UPLOAD, names=["a.jpg"], page_count=pages
        )
        for number in range(1, pages + 1):
            image = page_image(number)
            Page.objects.create(
                file=archive_file,
                delivery=capture,
                number=number,
                original=object_put_bytes(data=_jpeg(image), mime="image/jpeg"),
                original_name=f"{number}.jpg",
                rendition=object_put_bytes(data=_pdf(image), mime="application/pdf"),
                width=image.width,
                height=image.height,
                dpi=300,
                stage=Page.Stage.DONE,
                qc_passed=True,
            )
    return archive_file


def make_document(
    archive_file: ArchiveFile, *, ordinal: int, first_page: int, pages: int, mode: str = "01"
) -> Document:
    document = Document.objects.create(
        file=archive_file,
        ordinal=ordinal,
        doc_id=f"{archive_file.file_code}.{ordinal:03d}",
        doc_code=f"{archive_file.file_code}.{ordinal:03d}",
        maintenance="01",
        type_name="01",
        issued_date=date(2001, 3, 4),
        organ_name="UBND tỉnh Đắk Lắk",
        subject=f"Quyết định số {ordinal} về quy hoạch",
        language="01",
        number_of_page=pages,
        first_page=first_page,
        mode=mode,
    )
    Page.objects.filter(file=archive_file, number__gte=first_page, number__lt=first_page + pages).update(
        document=document
    )
    return document


@dataclass
class World:
    fonds: Fonds
    other_fonds: Fonds
    files: dict[str, ArchiveFile]
    document: Document
    users: dict[str, User | None]

    def reader(self, name: str) -> Reader:
        user = self.users[name]
        assert user is not None
        return user.reader


def _staff(name: str, fonds: Fonds) -> User:
    user = User.objects.create_user(name, email=f"{name}@luutru.example.vn", password=PASSWORD, is_staff=True)
    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="readers", codename__in=["change_reader", "change_readerrequest"]
        )
    )
    return User.objects.get(pk=user.pk)  # fresh permission cache


def _reader(name: str, status: str) -> User:
    user = User.objects.create_user(name, email=f"{name}@example.vn", password=PASSWORD)
    Reader.objects.create(
        user=user,
        full_name=f"Nguyễn Thị {name.title()}",
        citizen_id="001200000001",
        email=f"{name}@example.vn",
        status=status,
    )
    return user


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    institution = Institution.objects.create(code="LTLS", name="Trung tâm Lưu trữ lịch sử")
    common = dict(history="Lịch sử", archives_time="1990-2005", paper_total=1, key_groups="Hành chính", language="01")
    fonds = Fonds.objects.create(institution=institution, code="H49", name="Phông UBND tỉnh", **common)
    other = Fonds.objects.create(institution=institution, code="H15", name="Phông Sở Nội vụ", **common)
    files = {
        "public": make_file(fonds, notation="01", pages=3, title="Hồ sơ quy hoạch tỉnh Đắk Lắk"),
        "conditional": make_file(fonds, notation="02", mode="02", pages=1),
        "secret": make_file(fonds, notation="03", mode="03", pages=1),
        "restricted": make_file(fonds, notation="04", pages=1),
        "deleted": make_file(fonds, notation="05", pages=1, deleted_at=timezone.now(), deleted_reason="Trùng"),
        "paper": make_file(fonds, notation="06"),
        "other_fonds": make_file(other, notation="07", pages=1),
    }
    Restriction.objects.create(
        fonds=fonds, file=files["restricted"], reason="Đang chỉnh lý", start_date=timezone.localdate() - timedelta(1)
    )
    document = make_document(files["public"], ordinal=1, first_page=2, pages=2)
    users: dict[str, User | None] = {
        "anonymous": None,
        "pending": _reader("chờ", Reader.Status.PENDING),
        "reader": _reader("docgia", Reader.Status.APPROVED),
        "other_reader": _reader("docgiakhac", Reader.Status.APPROVED),
        "staff": _staff("nhanvien", fonds),
        "staff_other": _staff("nhanvienkhac", other),
        "superuser": User.objects.create_superuser("quantri", "quantri@luutru.example.vn", PASSWORD),
    }
    return World(fonds, other, files, document, users)


@pytest.fixture
def submit():  # type: ignore[no-untyped-def]
    """``submit(reader, file, kind="doc", document=None)``: a request through the service."""
    from khoso.readers import services

    def make(reader: Reader, archive_file: ArchiveFile, kind: str = "doc", document: Document | None = None):  # type: ignore[no-untyped-def]
        return services.request_submit(
            reader=reader,
            archive_file=archive_file,
            document=document,
            kind=kind,
            purpose="01",
            purpose_content="Nghiên cứu lịch sử địa phương",
            fee_object_type="01",
            research_topic="Quy hoạch tỉnh Đắk Lắk 1976–2000",
        )

    return make


@pytest.fixture
def approve(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``approve(item, by)``: the decision and, after commit, the delivery task (eager), as in production."""
    from khoso.readers import services

    def run(item, by, *, approve: bool = True, reason: str = ""):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            services.request_decide(item=item, by=by, approve=approve, reason=reason)
        item.refresh_from_db()
        return item

    return run
