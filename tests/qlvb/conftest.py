"""Fixtures of the QLVB endpoint tests: a sending service account with a real API token, records, files.

Page processing (OCR) is not what these tests are about: ``queued_pages`` records the page ids queued on
commit instead of running the pipeline, so a test can check that tasks were queued, and when.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import pikepdf
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from PIL import Image

URL = "/api/v1/qlvb/documents/"
LOG_URL = "/api/v1/qlvb/records/"
FILE_CODE = "000.00.00.H15.2024.01.TH"


@functools.cache
def pdf_bytes(colour: tuple[int, int, int] = (240, 236, 226)) -> bytes:
    """A one-page scan-like PDF, the same bytes for the same colour (a resend must be byte-identical)."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 420), colour).save(buffer, "PDF", resolution=100)
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:  # a clean xref table, as a QLVB would send
        del pdf.docinfo["/CreationDate"]
        output = io.BytesIO()
        pdf.save(output, deterministic_id=True)
    return output.getvalue()


def file_entry(data: bytes, name: str = "15-QD-UBND.pdf", **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Name": name,
        "Sha256": hashlib.sha256(data).hexdigest(),
        "Content": base64.b64encode(data).decode("ascii"),
    }
    entry.update(overrides)
    return entry


def make_record(doc_id: str = "QLVB-2024-000123", **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "DocId": doc_id,
        "FileCode": FILE_CODE,
        "TypeName": "02",
        "CodeNumber": "15",
        "CodeNotation": "QĐ-UBND",
        "IssuedDate": "05/03/2024",
        "OrganName": "Ủy ban nhân dân tỉnh Đắk Lắk",
        "Subject": "Quyết định phê duyệt kế hoạch số hóa tài liệu lưu trữ năm 2024",
        "Language": "01",
        "Process": 1,
        "SignerInfo": {"Position": "Chủ tịch", "FullName": "Nguyễn Văn A"},
        "Files": [file_entry(pdf_bytes())],
    }
    record.update(overrides)
    return {key: value for key, value in record.items() if value is not None}


@pytest.fixture
def agency_file(fonds):  # type: ignore[no-untyped-def]
    """A hồ sơ of the agency's Danh mục hồ sơ for 2024, in the ``fonds`` fixture."""
    from khoso.archive.services import file_create

    return file_create(
        fonds=fonds,
        file_code=FILE_CODE,
        title="Hồ sơ kế hoạch số hóa tài liệu lưu trữ năm 2024",
        mode="01",
        language="01",
        start_date=date(2024, 1, 2),
        end_date=date(2024, 12, 31),
        description="Người lập hồ sơ: Trần Thị B",
    )


@pytest.fixture
def sender(fonds):  # type: ignore[no-untyped-def]
    """The QLVB system's service account: qlvb.ingest and an edit grant on the fonds."""
    from django.contrib.auth import get_user_model

    from khoso.access.models import FondsGrant

    user = get_user_model().objects.create_user("qlvb-tinh", password="mat-khau-dai-12345")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="qlvb", codename="ingest"))
    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def token(sender) -> str:  # type: ignore[no-untyped-def]
    from khoso.api.services import token_create

    _, key = token_create(username=sender.username, name="Hệ thống QLVB tỉnh")
    return key


@pytest.fixture
def post(token: str) -> Callable[..., Any]:
    """``post(body)`` sends JSON with the sender's token; ``post(body, token=None)`` anonymously."""

    def send(body: Any, *, key: str | None = token, **extra: Any) -> Any:
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
        return Client().post(URL, json.dumps(body), content_type="application/json", **headers, **extra)

    return send


@pytest.fixture
def queued_pages(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    queued: list[int] = []
    monkeypatch.setattr("khoso.capture.services._enqueue_pages", lambda page_ids: queued.extend(page_ids))
    return queued


# The test modules import these helpers as ``qlvb_kit`` (the import mode puts no test folder on sys.path).
sys.modules.setdefault("qlvb_kit", sys.modules[__name__])
