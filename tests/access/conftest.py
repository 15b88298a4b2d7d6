"""A fonds with people in the staff roles the access app defines, for the four-eyes and lock tests.

``proposer`` and ``confirmer`` are approving archivists (Lưu trữ viên phê duyệt) with a grant on
the fonds; ``admin`` is in the Quản trị viên role (not a superuser) with a grant; ``outsider`` is an
approving archivist of another fonds; ``cataloguer`` holds an edit grant but no access rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile, Box, Document, Fonds, Inventory
from khoso.archive.services import document_create, file_create, fonds_create

APPROVER = "Lưu trữ viên phê duyệt"
ADMINISTRATOR = "Quản trị viên"


@dataclass
class World:
    fonds: Fonds
    other_fonds: Fonds
    file: ArchiveFile
    other_file: ArchiveFile
    document: Document
    inventory: Inventory
    box: Box
    users: dict[str, User]


def make_file(fonds: Fonds, notation: str, *, mode: str = "01", **extra: Any) -> ArchiveFile:
    return file_create(
        fonds=fonds,
        file_catalog=1995,
        file_notation=notation,
        title=f"Hồ sơ {notation} về quy hoạch tỉnh Đắk Lắk",
        mode=mode,
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Người lập hồ sơ: Nguyễn Văn A",
        **extra,
    )


def make_document(archive_file: ArchiveFile, subject: str, **extra: Any) -> Document:
    return document_create(
        archive_file=archive_file,
        type_name="02",
        code_number="15",
        code_notation="QĐ-UBND",
        issued_date=date(1995, 3, 4),
        organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
        subject=subject,
        number_of_page=1,
        **extra,
    )


def person(username: str, *, roles: tuple[str, ...] = (), fonds: tuple[Fonds, ...] = (), edit: bool = False) -> User:
    user = User.objects.create_user(username, password="mat-khau-thu-nghiem-123", is_staff=True)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    for each in fonds:
        FondsGrant.objects.create(user=user, fonds=each, can_edit=edit)
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def world(fonds, institution) -> World:  # type: ignore[no-untyped-def]
    other = fonds_create(
        institution=institution,
        code="SYT",
        name="Phông Sở Y tế",
        organ_id="000.00.04.H15",
        history="Thành lập năm 1976.",
        archives_time="1976-2000",
        paper_total=3,
        key_groups="Tài liệu tổng hợp",
        language="01",
    )
    inventory = Inventory.objects.create(fonds=fonds, number=1, title="Mục lục số 1")
    box = Box.objects.create(fonds=fonds, stack="K1", shelf="G2", number="15")
    archive_file = make_file(fonds, "01.TH", inventory=inventory, box=box)
    other_file = make_file(other, "01.YT")
    document = make_document(archive_file, "Quyết định phê duyệt quy hoạch")
    users = {
        "proposer": person("de-nghi", roles=(APPROVER,), fonds=(fonds,)),
        "confirmer": person("xac-nhan", roles=(APPROVER,), fonds=(fonds,)),
        "admin": person("quan-tri", roles=(ADMINISTRATOR,), fonds=(fonds, other)),
        "admin2": person("quan-tri-2", roles=(ADMINISTRATOR,), fonds=(fonds, other)),
        "outsider": person("phong-khac", roles=(APPROVER,), fonds=(other,)),
        "cataloguer": person("bien-muc", roles=("Biên mục",), fonds=(fonds,), edit=True),
    }
    return World(fonds, other, archive_file, other_file, document, inventory, box, users)


@pytest.fixture
def new_document():  # type: ignore[no-untyped-def]
    return make_document


@pytest.fixture
def new_file():  # type: ignore[no-untyped-def]
    return make_file
