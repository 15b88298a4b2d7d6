"""Fixtures of the web tests: private object store and index, a small archive, four actors."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from PIL import Image, ImageDraw

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile, Fonds, Institution, Page
from khoso.capture.models import Delivery
from khoso.storage.services import object_put_bytes

PASSWORD = "mat-khau-thu-nghiem-123"


@pytest.fixture(autouse=True)
def private_dirs(settings, tmp_path: Path) -> None:
    settings.KHOSO_OBJECTS_DIR = tmp_path / "objects"
    settings.KHOSO_SEARCH_DIR = tmp_path / "search"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    settings.LANGUAGE_CODE = "vi"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def jpeg_bytes(size: tuple[int, int] = (200, 300), text: str = "") -> bytes:
    image = Image.new("RGB", size, "white")
    if text:
        ImageDraw.Draw(image).text((10, 10), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, dpi=(300, 300))
    return buffer.getvalue()


MINI_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj "
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def make_file(fonds: Fonds, *, notation: str, mode: str, title: str, ocr_text: str = "") -> ArchiveFile:
    archive_file = ArchiveFile.objects.create(
        fonds=fonds,
        file_code=f"{fonds.code}.2001.{notation}",
        organ_id=fonds.code,
        file_catalog=2001,
        file_notation=notation,
        title=title,
        maintenance="01",
        mode=mode,
        language="01",
        start_date=date(2001, 1, 2),
        end_date=date(2001, 12, 30),
        description="Thử nghiệm",
    )
    original = object_put_bytes(data=jpeg_bytes(text=title), mime="image/jpeg")
    thumbnail = object_put_bytes(data=jpeg_bytes((40, 60)), mime="image/jpeg")
    rendition = object_put_bytes(data=MINI_PDF + notation.encode(), mime="application/pdf")
    delivery = Delivery.objects.create(file=archive_file, source=Delivery.Source.UPLOAD, names=["a.jpg"], page_count=1)
    Page.objects.create(
        file=archive_file,
        delivery=delivery,
        number=1,
        original=original,
        original_name="a.jpg",
        rendition=rendition,
        thumbnail=thumbnail,
        width=200,
        height=300,
        dpi=300,
        ocr_text=ocr_text,
        words=[[w, 10 + 40 * i, 20, 35, 12] for i, w in enumerate(ocr_text.split())],
        stage=Page.Stage.DONE,
        qc_passed=True,
    )
    pdf = object_put_bytes(data=MINI_PDF + b"file" + notation.encode(), mime="application/pdf")
    ArchiveFile.objects.filter(pk=archive_file.pk).update(pdf=pdf)
    archive_file.refresh_from_db()
    return archive_file


@dataclass
class World:
    fonds: Fonds
    other_fonds: Fonds
    files: dict[str, ArchiveFile]
    users: dict[str, User | None]


@pytest.fixture
def world(db) -> World:
    institution = Institution.objects.create(code="LTLS", name="Trung tâm Lưu trữ lịch sử")
    common = dict(
        history="Lịch sử",
        archives_time="1990-2005",
        paper_total=1,
        key_groups="Hành chính",
        language="01",
    )
    fonds = Fonds.objects.create(institution=institution, code="H49", name="Phông UBND tỉnh", **common)
    other = Fonds.objects.create(institution=institution, code="H15", name="Phông Sở Nội vụ", **common)
    files = {
        "01": make_file(
            fonds,
            notation="01",
            mode="01",
            title="Hồ sơ công khai",
            ocr_text="Quyết định của Ủy ban nhân dân tỉnh Đắk Lắk",
        ),
        "03": make_file(fonds, notation="03", mode="03", title="Hồ sơ mật", ocr_text="Báo cáo mật về Đắk Lắk"),
    }
    superuser = User.objects.create_superuser("quantri", "qt@example.vn", PASSWORD)
    nogrant = User.objects.create_user("nhanvien1", password=PASSWORD, is_staff=True)
    granted = User.objects.create_user("nhanvien2", password=PASSWORD, is_staff=True)
    FondsGrant.objects.create(user=granted, fonds=fonds, can_edit=True)
    from khoso.search.services import index_changed

    index_changed(page_ids=Page.objects.values_list("pk", flat=True))
    return World(
        fonds=fonds,
        other_fonds=other,
        files=files,
        users={
            "anonymous": None,
            "staff_no_grant": nogrant,
            "staff_with_grant": granted,
            "superuser": superuser,
        },
    )


@pytest.fixture
def creator(db) -> User:
    """A staff member allowed to create fonds (archive.add_fonds), no grants yet."""
    user = User.objects.create_user("lapphong", password=PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_fonds", content_type__app_label="archive"))
    return user


@pytest.fixture
def file_factory(db):
    return make_file


@pytest.fixture(name="jpeg_bytes")
def jpeg_bytes_fixture():
    return jpeg_bytes
