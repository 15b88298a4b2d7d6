"""A small catalogue with every class of record the OAI-PMH endpoint must tell apart, and helpers.

Published: two public files (one with a public document, a conditional one, a restricted one and a
deleted one), a public file of a second fonds. Never published: conditional, secret, restricted,
deleted files, a public document inside a secret file, and a fonds restricted as a whole. The
sweep runs once at the end, as the beat schedule would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from khoso.access.models import Restriction
from khoso.archive.models import ArchiveFile, Document, Fonds, Institution
from khoso.archive.services import document_create, file_create, fonds_create

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "o": OAI,
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "ead": "urn:isbn:1-931666-22-9",
    "xlink": "http://www.w3.org/1999/xlink",
}
XSD = Path(__file__).parent / "xsd"
PUBLIC_URL = "https://lưu-trữ.example.vn"
HOST = "xn--lu-tr-frb7253c.example.vn"


@pytest.fixture(autouse=True)
def oai_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_PUBLIC_URL = PUBLIC_URL
    settings.KHOSO_ARCHIVE_NAME = "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
    settings.ADMINS = ["luutru@daklak.gov.vn"]


def make_fonds(institution: Institution, code: str, name: str, number: int) -> Fonds:
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


def make_file(fonds: Fonds, year: int, notation: str, title: str, mode: str = "01", **extra: Any) -> ArchiveFile:
    fields: dict[str, Any] = dict(
        file_catalog=year,
        file_notation=notation,
        title=title,
        mode=mode,
        language="01",
        maintenance="01",
        start_date=date(year, 1, 5),
        end_date=date(year, 12, 20),
        description="Người lập hồ sơ: Nguyễn Văn A",
        number_of_page=6,
        number_of_paper=4,
    )
    fields.update(extra)
    return file_create(fonds=fonds, **fields)


def make_document(archive_file: ArchiveFile, subject: str, mode: str | None = None, **extra: Any) -> Document:
    fields: dict[str, Any] = dict(
        type_name="02",
        code_number="15",
        code_notation="QĐ-UBND",
        issued_date=date(archive_file.file_catalog, 3, 4),
        organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
        subject=subject,
        number_of_page=2,
    )
    if mode:
        fields["mode"] = mode
    fields.update(extra)
    return document_create(archive_file=archive_file, **fields)


@dataclass
class Catalogue:
    institution: Institution
    fonds: Fonds
    second: Fonds
    closed: Fonds
    secret_only: Fonds
    files: dict[str, ArchiveFile]
    documents: dict[str, Document]

    PUBLISHED_FILES = ("public", "public2", "second")
    PUBLISHED_DOCUMENTS = ("public",)

    def published(self) -> set[str]:
        from khoso.oai.selectors import identifier

        return {identifier("ho-so", self.files[name].file_code) for name in self.PUBLISHED_FILES} | {
            identifier("tai-lieu", self.documents[name].doc_code) for name in self.PUBLISHED_DOCUMENTS
        }

    def hidden(self) -> dict[str, str]:
        """class → identifier of objects that must never appear."""
        from khoso.oai.selectors import identifier

        hidden = {f"file:{name}": identifier("ho-so", f.file_code) for name, f in self.files.items()}
        hidden.update({f"document:{name}": identifier("tai-lieu", d.doc_code) for name, d in self.documents.items()})
        for name in self.PUBLISHED_FILES:
            hidden.pop(f"file:{name}")
        for name in self.PUBLISHED_DOCUMENTS:
            hidden.pop(f"document:{name}")
        return hidden


def build_catalogue() -> Catalogue:
    institution = Institution.objects.create(code="H15.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    fonds = make_fonds(institution, "UBNDDL", "Phông Ủy ban nhân dân tỉnh Đắk Lắk", 1)
    second = make_fonds(institution, "SYT DL", "Phông Sở Y tế Đắk Lắk", 2)  # a space: escaped in its setSpec
    closed = make_fonds(institution, "CADL", "Phông Công an tỉnh Đắk Lắk", 3)
    secret_only = make_fonds(institution, "QS", "Phông chỉ có hồ sơ mật", 4)
    files = {
        "public": make_file(
            fonds,
            1995,
            "01.TH",
            "Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995 <&> \x0b",
            keyword="quy hoạch",
            paper_file_code="H15.TTLT.K1/G2/H3.01",
            language="01,02",
        ),
        "public2": make_file(fonds, 1996, "02.TH", "Bản đồ hành chính huyện Krông Pắc"),
        "second": make_file(second, 1980, "01.YT", "Hồ sơ y tế"),
        "conditional": make_file(fonds, 1995, "07.TH", "Hồ sơ nhân sự điều kiện dauvetconditional", mode="02"),
        "secret": make_file(fonds, 1995, "08.TH", "Hồ sơ quốc phòng dauvetsecret", mode="03"),
        "restricted": make_file(fonds, 1995, "09.TH", "Hồ sơ tranh chấp dauvetrestricted"),
        "deleted": make_file(fonds, 1995, "11.TH", "Hồ sơ xóa bỏ dauvetdeleted"),
        "closed": make_file(closed, 1995, "01.AN", "Hồ sơ an ninh dauvetclosed"),
        "secret_only": make_file(secret_only, 1995, "01.QS", "Hồ sơ quân sự dauvetsecretonly", mode="03"),
    }
    documents = {
        "public": make_document(files["public"], "Quyết định phê duyệt quy hoạch tỉnh Đắk Lắk năm 1995"),
        "conditional": make_document(files["public"], "Quyết định điều kiện dauvetdocconditional", mode="02"),
        "restricted": make_document(files["public"], "Quyết định tranh chấp dauvetdocrestricted"),
        "deleted": make_document(files["public"], "Quyết định xóa bỏ dauvetdocdeleted"),
        "in_secret": make_document(files["secret"], "Quyết định trong hồ sơ mật dauvetinsecret", mode="01"),
        "in_conditional": make_document(files["conditional"], "Quyết định trong hồ sơ điều kiện", mode="01"),
    }
    now = timezone.now()
    ArchiveFile.objects.filter(pk=files["deleted"].pk).update(deleted_at=now, deleted_reason="Nhập trùng")
    Document.objects.filter(pk=documents["deleted"].pk).update(deleted_at=now, deleted_reason="Nhập trùng")
    today = timezone.localdate()
    reason = "Tranh chấp đang giải quyết"
    Restriction.objects.create(fonds=fonds, file=files["restricted"], reason=reason, start_date=today)
    Restriction.objects.create(
        fonds=fonds, document=documents["restricted"], reason=reason, start_date=today - timedelta(days=3)
    )
    Restriction.objects.create(fonds=closed, reason=reason, start_date=today - timedelta(days=30))
    for item in files.values():
        item.refresh_from_db()
    from khoso.oai.services import sweep

    sweep()
    return Catalogue(institution, fonds, second, closed, secret_only, files, documents)


@pytest.fixture
def catalogue(db) -> Catalogue:  # type: ignore[no-untyped-def]
    return build_catalogue()


# -- requests --------------------------------------------------------------------------------------


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content)


@pytest.fixture
def oai(client: Client) -> Callable[..., etree._Element]:
    """``oai(verb="ListRecords", metadataPrefix="oai_dc")`` → the parsed response (asserts 200 XML)."""

    def call(_client: Client | None = None, _method: str = "get", **params: str) -> etree._Element:
        response = getattr(_client or client, _method)("/oai/", params)
        assert response.status_code == 200, response.content[:500]
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        return parse(response.content)

    return call


def error_code(root: etree._Element) -> str | None:
    errors = root.findall("o:error", NS)
    return errors[0].get("code") if errors else None


def identifiers(root: etree._Element) -> list[str]:
    return [e.text or "" for e in root.iterfind(".//o:header/o:identifier", NS)]


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / name)))
