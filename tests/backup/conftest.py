"""Fixtures of the backup tests: a small archive with objects, staff with and without the secret right,
and ``khoso`` run as a separate process against another data directory (a real fresh instance)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "mat-khau-thu-nghiem-123"


@dataclass
class SmallArchive:
    fonds: Any
    public_file: Any
    secret_file: Any
    users: dict[str, Any]


def _add_pages(archive_file: Any, count: int, *, start: int = 1, rendered: bool = True) -> None:
    from khoso.archive.models import Page
    from khoso.storage.services import object_put_bytes

    for number in range(start, start + count):
        original = object_put_bytes(
            data=f"ảnh quét trang {number} của {archive_file.file_code}".encode(), mime="image/tiff"
        )
        rendition = (
            object_put_bytes(data=f"%PDF trang {number} {archive_file.file_code}".encode(), mime="application/pdf")
            if rendered
            else None
        )
        Page.objects.create(
            file=archive_file,
            number=number,
            original=original,
            original_name=f"trang-{number}.tif",
            rendition=rendition,
            stage=Page.Stage.DONE if rendered else Page.Stage.RECEIVED,
        )


@pytest.fixture
def small_archive(fonds) -> SmallArchive:  # type: ignore[no-untyped-def]
    """Two files of the fonds: public (01) with a PDF/A and 3 pages, secret (03) with 2 pages and no PDF;
    a document; a clerk granted the fonds, a clerk who may also read secret material, an outsider."""
    from django.contrib.auth.models import Permission, User

    from khoso.access.models import FondsGrant
    from khoso.archive.models import ArchiveFile
    from khoso.archive.services import document_create, file_create
    from khoso.storage.services import object_put_bytes

    common = dict(
        file_catalog=1995,
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Người lập hồ sơ: Nguyễn Văn A",
    )
    public = file_create(fonds=fonds, file_notation="01.TH", title="Hồ sơ quy hoạch tỉnh Đắk Lắk", mode="01", **common)
    secret = file_create(fonds=fonds, file_notation="02.MAT", title="Hồ sơ mật về biên giới", mode="03", **common)
    _add_pages(public, 3)
    _add_pages(secret, 2)
    pdf = object_put_bytes(data=f"%PDF-1.7 PDF/A của {public.file_code}".encode(), mime="application/pdf")
    ArchiveFile.objects.filter(pk=public.pk).update(pdf=pdf)
    document_create(
        archive_file=public,
        type_name="01",
        issued_date=date(1995, 3, 4),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định phê duyệt quy hoạch",
        number_of_page=3,
    )
    users = {
        "clerk": User.objects.create_user("thu-kho", password=PASSWORD, is_staff=True),
        "secret_clerk": User.objects.create_user("thu-kho-mat", password=PASSWORD, is_staff=True),
        "outsider": User.objects.create_user("nguoi-ngoai", password=PASSWORD),
        "admin": User.objects.create_superuser("quan-tri", password=PASSWORD),
    }
    for name in ("clerk", "secret_clerk"):
        FondsGrant.objects.create(user=users[name], fonds=fonds)
    users["secret_clerk"].user_permissions.add(Permission.objects.get(codename="view_secret"))
    public.refresh_from_db()
    return SmallArchive(fonds=fonds, public_file=public, secret_file=secret, users=users)


@pytest.fixture
def add_pages():  # type: ignore[no-untyped-def]
    """``add_pages(archive_file, count, start=1, rendered=True)``: pages with objects in the store."""
    return _add_pages


@pytest.fixture
def backup_dir(settings, tmp_path: Path) -> Path:
    settings.KHOSO_BACKUP_DIR = [tmp_path / "sao-luu"]
    return settings.KHOSO_BACKUP_DIR[0]


@dataclass
class Instance:
    """Where a fresh Kho Số instance keeps its data: a data directory, and on PostgreSQL an empty database."""

    data_dir: Path
    env: dict[str, str]


@pytest.fixture
def fresh_instance(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty instance beside the test's own: SQLite in a new data directory, or on PostgreSQL (when the
    suite runs there) a new empty database, dropped afterwards."""
    from urllib.parse import quote

    from django.db import connection

    data_dir = tmp_path / "may-moi"
    if connection.vendor != "postgresql":
        yield Instance(data_dir, {"KHOSO_DATABASE_URL": ""})
        return
    name = f"khoso_restore_{os.getpid()}"
    conf = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = quote(conf["USER"] or "") + (f":{quote(str(conf['PASSWORD']))}" if conf.get("PASSWORD") else "")
    url = f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"
    yield Instance(data_dir, {"KHOSO_DATABASE_URL": url})
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def khoso_at():  # type: ignore[no-untyped-def]
    """``khoso_at(instance, *args)``: run ``khoso`` in a new process configured for ``instance``."""

    def run(
        instance: Instance, *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "KHOSO_DATA_DIR": str(instance.data_dir), **instance.env, **(extra_env or {})}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return subprocess.run(
            [sys.executable, "-m", "khoso", *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    return run
