"""Fixtures of the API tests: one fonds holding an object of every class, the actors, their tokens.

Classes: public (01), conditional (02), secret (03), public but on the restricted-use list, deleted,
and ``secret_document`` (a public file holding a document with a state-secret class: the file shows,
the document and its page do not without ``archive.view_secret``). Actors: anonymous, a reader not yet
approved, an approved reader, staff of another fonds, staff of the fonds, an administrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from khoso.access.models import FondsGrant, Restriction
from khoso.api import services as api_services
from khoso.archive.models import ArchiveFile, Box, Document, Fonds, Institution, Inventory, Page
from khoso.capture.models import Delivery as CaptureDelivery
from khoso.readers.models import Reader, ReaderRequest
from khoso.storage.services import object_put_bytes
from samples import blank_jpeg, blank_pdf  # tests/samples.py

ACTORS = ("anonymous", "reader", "approved_reader", "staff_other_fonds", "staff_fonds", "admin")
CLASSES = ("public", "conditional", "secret", "restricted", "deleted", "secret_document")
MODES = {"public": "01", "conditional": "02", "secret": "03", "restricted": "01", "deleted": "01"}
MARKERS = {cls: f"dauvet{cls.replace('_', '')}" for cls in CLASSES}
PASSWORD = "mat-khau-thu-nghiem-123"


@dataclass
class World:
    fonds: Fonds
    other_fonds: Fonds
    inventory: Inventory
    box: Box
    files: dict[str, ArchiveFile] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    requests: dict[str, ReaderRequest] = field(default_factory=dict)
    users: dict[str, User | None] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, actor: str) -> dict[str, str]:
        token = self.tokens.get(actor)
        return {"Authorization": f"Token {token}"} if token else {}


def _make_file(world: World, cls: str, number: int) -> None:
    marker = MARKERS[cls]
    secret_document = cls == "secret_document"
    archive_file = ArchiveFile.objects.create(
        fonds=world.fonds,
        inventory=world.inventory,
        box=world.box,
        file_code=f"{world.fonds.code}.1995.{number:02d}.TH",
        organ_id="000.00.00.H15",
        file_catalog=1995,
        file_notation=f"{number:02d}.TH",
        # the public file of a secret document must not carry the marker: the marker tracks the secret
        title="Hồ sơ tổng hợp năm 1995" if secret_document else f"Hồ sơ {marker} về quy hoạch tỉnh Đắk Lắk năm 1995",
        maintenance="01",
        mode=MODES.get(cls, "01"),
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Thử nghiệm API",
    )
    document = Document.objects.create(
        file=archive_file,
        ordinal=1,
        doc_id=f"DOC-API-{number}",
        doc_code=f"{archive_file.file_code}.001",
        maintenance="01",
        type_name="02",
        code_number=str(number),
        code_notation="QĐ-UBND",
        issued_date=date(1995, 3, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject=f"Quyết định {marker} về quy hoạch",
        language="01",
        number_of_page=1,
        mode=MODES.get(cls, "01"),
        secret_class="Mật" if secret_document else "",
    )
    capture = CaptureDelivery.objects.create(
        file=archive_file, source=CaptureDelivery.Source.UPLOAD, names=["1.jpg"], page_count=1
    )
    page = Page.objects.create(
        file=archive_file,
        document=document,
        delivery=capture,
        number=1,
        original=object_put_bytes(data=blank_jpeg(), mime="image/jpeg"),
        original_name="1.jpg",
        rendition=object_put_bytes(data=blank_pdf(), mime="application/pdf"),
        thumbnail=object_put_bytes(data=blank_jpeg((60, 84)), mime="image/jpeg"),
        width=300,
        height=420,
        dpi=300,
        ocr_text=f"Quyết định của Ủy ban nhân dân tỉnh Đắk Lắk {marker} năm 1995",
        stage=Page.Stage.DONE,
        qc_passed=True,
    )
    world.files[cls], world.documents[cls], world.pages[cls] = archive_file, document, page


def build_world() -> World:
    institution = Institution.objects.create(code="H15.API", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    common: dict[str, Any] = dict(
        history="Thành lập năm 1976.", archives_time="1976-2000", paper_total=10, key_groups="Tổng hợp", language="01"
    )
    fonds = Fonds.objects.create(institution=institution, code="UBND-API", name="Phông UBND tỉnh Đắk Lắk", **common)
    other = Fonds.objects.create(institution=institution, code="SNV-API", name="Phông Sở Nội vụ Đắk Lắk", **common)
    world = World(
        fonds=fonds,
        other_fonds=other,
        inventory=Inventory.objects.create(fonds=fonds, number=1, title="Mục lục hồ sơ 1976–2000"),
        box=Box.objects.create(fonds=fonds, stack="K1", shelf="G2", tier="1", number="15"),
    )
    for number, cls in enumerate(CLASSES, start=1):
        _make_file(world, cls, number)
    Restriction.objects.create(
        fonds=fonds, file=world.files["restricted"], reason="Liên quan đời tư", start_date=date(2000, 1, 1)
    )
    ArchiveFile.objects.filter(pk=world.files["deleted"].pk).update(deleted_at=timezone.now(), deleted_reason="Sai")
    Document.objects.filter(pk=world.documents["deleted"].pk).update(deleted_at=timezone.now())

    def reader(name: str, status: str) -> User:
        user = User.objects.create_user(name, password=PASSWORD, email=f"{name}@example.vn")
        Reader.objects.create(
            user=user, full_name=f"Độc giả {name}", citizen_id="001200000001", email=user.email, status=status
        )
        return user

    deciders = Permission.objects.filter(codename__in=["change_reader", "change_readerrequest"])
    staff_other = User.objects.create_user("nhanvien_snv_api", password=PASSWORD, is_staff=True)
    FondsGrant.objects.create(user=staff_other, fonds=other, can_edit=True)
    staff_other.user_permissions.add(*deciders)
    staff = User.objects.create_user("nhanvien_ubnd_api", password=PASSWORD, is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=fonds, can_edit=True)
    staff.user_permissions.add(*deciders, Permission.objects.get(codename="view_dashboard"))
    world.users = {
        "anonymous": None,
        "reader": reader("docgia_moi_api", Reader.Status.PENDING),
        "approved_reader": reader("docgia_api", Reader.Status.APPROVED),
        "staff_other_fonds": staff_other,
        "staff_fonds": staff,
        "admin": User.objects.create_superuser("quantri_api", "qt@example.vn", PASSWORD),
    }
    for actor, user in world.users.items():
        if user is not None:
            world.tokens[actor] = api_services.token_create(username=user.username, name="thu-nghiem")[1]
    approved = world.users["approved_reader"]
    assert approved is not None
    for number, cls in enumerate(CLASSES, start=1):
        world.requests[cls] = ReaderRequest.objects.create(
            code=f"YC-API-{number:06d}",
            reader=approved.reader,  # type: ignore[attr-defined]
            kind=ReaderRequest.Kind.READ,
            file=world.files[cls],
            purpose="01",
            purpose_content="Nghiên cứu lịch sử địa phương",
            fee_object_type="01",
            due_date=timezone.localdate() + timedelta(days=8),
        )
    from khoso.search.services import index_rebuild

    index_rebuild()
    return world


@pytest.fixture
def world(db, settings) -> World:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world()


@pytest.fixture
def live_world(transactional_db, settings) -> World:  # type: ignore[no-untyped-def]
    """The same world, committed, for tests against a live server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world()
