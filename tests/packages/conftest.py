"""Fixtures of the package tests: a filled hồ sơ (documents, pages with tiny JPEG and PDF objects)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

PACKAGE_UUID = uuid.UUID("9c13e70e-1f2a-4b3c-8d4e-5f6a7b8c9d0e")
CREATED = datetime.fromisoformat("2026-03-05T09:08:07.123456+07:00")


@pytest.fixture(autouse=True)
def package_data(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    settings.KHOSO_PACKAGE_MAX_BYTES = 4_000_000
    return settings.DATA_DIR


def tiny_jpeg(shade: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (16, 16), shade).save(buffer, format="JPEG")
    return buffer.getvalue()


def tiny_pdf(title: str) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.docinfo["/Title"] = title
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


@pytest.fixture
def filled_file(archive_file):  # type: ignore[no-untyped-def]
    """The conftest ``archive_file`` with two documents, three pages (originals + renditions) and a PDF."""
    from khoso.archive.models import Page
    from khoso.archive.services import document_create
    from khoso.storage.services import object_put_bytes

    documents = [
        document_create(
            archive_file=archive_file,
            type_name="02",
            code_number="15",
            code_notation="QĐ-UBND",
            issued_date=date(1995, 3, 4),
            organ_name="UBND tỉnh Đắk Lắk",
            subject="Quyết định phê duyệt quy hoạch",
            number_of_page=2,
            mode="01",
        ),
        document_create(
            archive_file=archive_file,
            type_name="14",
            issued_date=date(1995, 11, 20),
            organ_name="Sở Kế hoạch và Đầu tư",
            subject="Báo cáo tình hình thực hiện quy hoạch",
            number_of_page=1,
            mode="01",
        ),
    ]
    owners = [documents[0], documents[0], documents[1]]
    for number, document in enumerate(owners, start=1):
        Page.objects.create(
            file=archive_file,
            document=document,
            number=number,
            original=object_put_bytes(data=tiny_jpeg(40 * number), mime="image/jpeg"),
            original_name=f"scan_{number:03d}.jpg",
            rendition=object_put_bytes(data=tiny_pdf(f"trang {number}"), mime="application/pdf"),
            stage=Page.Stage.DONE,
        )
    archive_file.refresh_from_db()  # document_create recounted totalDoc in the database
    archive_file.pdf = object_put_bytes(data=tiny_pdf("hồ sơ"), mime="application/pdf")
    archive_file.number_of_page = 3
    archive_file.save()
    archive_file.refresh_from_db()
    return archive_file


@pytest.fixture
def export_package(filled_file, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``export_package(kind, name=None, **kw)`` writes the filled file's package and returns its path."""
    from khoso.packages.services import package_export, package_type_of

    def export(kind: str, name: str | None = None, **kwargs: Any) -> Path:
        out = tmp_path / (name or f"{kind}.zip")
        kwargs.setdefault("package_uuid", PACKAGE_UUID)
        kwargs.setdefault("created", CREATED)
        package_export(file_code=filled_file.file_code, package_type=package_type_of(kind), out=out, **kwargs)
        return out

    return export


def forget_file(archive_file) -> None:  # type: ignore[no-untyped-def]
    """Make this instance a fresh one for the file: no rows, no objects of it (as on another machine)."""
    from khoso.storage.models import StoredObject
    from khoso.storage.services import object_store

    digests = {archive_file.pdf_id} - {None}
    for page in archive_file.pages.all():
        digests |= {page.original_id, page.rendition_id} - {None}
    archive_file.pages.all().delete()
    archive_file.documents.all().delete()
    type(archive_file).objects.filter(pk=archive_file.pk).delete()
    StoredObject.objects.filter(sha256__in=digests).delete()
    for digest in digests:
        object_store().delete(digest)


def rewrite_zip(path: Path, changes: dict[str, bytes | Callable[[bytes], bytes]]) -> Path:
    """A copy of a package ZIP whose members ending in a key of ``changes`` get new bytes (or the bytes
    the callable makes of the old ones); the METS checksums are left as they were."""
    import zipfile

    out = path.with_name(f"changed-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            for suffix, change in changes.items():
                if info.filename.endswith(suffix):
                    data = change(data) if callable(change) else change
            target.writestr(info, data)
    return out


@pytest.fixture
def rewrite() -> Callable[[Path, dict[str, bytes | Callable[[bytes], bytes]]], Path]:
    """:func:`rewrite_zip`, for the test modules (they cannot import this file)."""
    return rewrite_zip


@pytest.fixture
def delivery(filled_file, archive_file_factory, tmp_path: Path):  # type: ignore[no-untyped-def]
    """What an agency archive sends: SIP ZIPs of a permanent file (with documents, pages and a paper
    original in box 2/14/105), a 30-year file, and a permanent file whose EAD was altered in transit.
    The files are then forgotten here, so this instance plays the receiving historical archive."""
    from khoso.packages.services import package_export
    from khoso.packages.tt05 import PackageType

    filled_file.confidence_level = "02"
    filled_file.paper_file_code = "H15.2/14/105.27"
    filled_file.number_of_paper = 2
    filled_file.save()
    thirty_years = archive_file_factory(1996, "02.TH", maintenance="04")
    altered = archive_file_factory(1997, "03.TH")
    paths = {}
    for name, archive_file in (("permanent", filled_file), ("thirty_years", thirty_years), ("altered", altered)):
        out = tmp_path / f"{name}.zip"
        package_export(file_code=archive_file.file_code, package_type=PackageType.SIP_HOSO, out=out, created=CREATED)
        paths[name] = out
    paths["altered"] = rewrite_zip(
        paths["altered"], {"metadata/descriptive/EAD.xml": lambda ead: ead.replace(b"03.TH", b"03.TX")}
    )
    codes = {"permanent": filled_file.file_code, "thirty_years": thirty_years.file_code, "altered": altered.file_code}
    for archive_file in (filled_file, thirty_years, altered):
        forget_file(archive_file)
    return {"paths": paths, "codes": codes}


@pytest.fixture
def receiver(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("tiep-nhan", password="mat-khau-dai-12")
    user.user_permissions.add(Permission.objects.get(codename="receive_transfer"))
    return user


def make_loose_file(
    fonds, *, transfer: int = 1, sequence: int = 1, year: int = 1996, shades: tuple[int, ...] = (60, 90)
):  # type: ignore[no-untyped-def]
    """A gói tài liệu (loose documents, mã gói tin per §1.8) with one document and one page per shade."""
    from khoso.archive.models import ArchiveFile, Page
    from khoso.archive.services import document_create, file_create
    from khoso.packages.tt05 import loose_notation
    from khoso.storage.services import object_put_bytes

    loose = file_create(
        fonds=fonds,
        kind=ArchiveFile.Kind.LOOSE,
        file_catalog=year,
        file_notation=loose_notation(transfer, sequence),
        title=f"Tài liệu rời về phòng chống lụt bão năm {year}",
        source=ArchiveFile.Source.INCOMING,
        mode="01",
        language="01",
        start_date=date(year, 2, 1),
        end_date=date(year, 9, 30),
        number_of_page=len(shades),
        description="Văn thư cơ quan thu thập",
    )
    for number, shade in enumerate(shades, start=1):
        document = document_create(
            archive_file=loose,
            type_name="05",
            code_number=str(number),
            code_notation="CV-UBND",
            issued_date=date(year, 2, 1) if number == 1 else date(year, 9, 30),
            organ_name="UBND huyện Krông Ana",
            subject=f"Công văn số {number} về phòng chống lụt bão",
            number_of_page=1,
            mode="01",
        )
        Page.objects.create(
            file=loose,
            document=document,
            number=number,
            original=object_put_bytes(data=tiny_jpeg(shade), mime="image/jpeg"),
            original_name=f"cv_{number}.jpg",
            rendition=object_put_bytes(data=tiny_pdf(f"{sequence}: công văn {number}"), mime="application/pdf"),
            stage=Page.Stage.DONE,
        )
    loose.refresh_from_db()
    return loose


@pytest.fixture
def loose_file(fonds):  # type: ignore[no-untyped-def]
    return make_loose_file(fonds)


def forget_all(*archive_files) -> None:  # type: ignore[no-untyped-def]
    """A fresh instance for these files: no rows (links, register), no objects of them."""
    from khoso.archive.models import DocumentLink
    from khoso.packages.models import PackageRecord

    PackageRecord.objects.all().delete()
    DocumentLink.objects.filter(file__in=archive_files).delete()
    DocumentLink.objects.filter(document__file__in=archive_files).delete()
    for archive_file in archive_files:
        forget_file(archive_file)


@pytest.fixture
def forget() -> Callable[..., None]:
    return forget_all


@pytest.fixture
def export_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``export_file(archive_file, kind, name=None, **kw)``: write a package of any file; returns its path."""
    from khoso.packages.services import package_export, package_type_of

    def export(archive_file, kind: str, name: str | None = None, **kwargs: Any) -> Path:  # type: ignore[no-untyped-def]
        out = tmp_path / (name or f"{archive_file.pk}-{kind}.zip")
        kwargs.setdefault("created", CREATED)
        package_export(file_code=archive_file.file_code, package_type=package_type_of(kind), out=out, **kwargs)
        return out

    return export
