"""What the API does besides the permission matrix: TT 05 names, pagination bounds, throttling,
one audit entry per state-changing request, Vietnamese errors, the schema behind login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from khoso.audit.models import AuditEntry
from khoso.readers.models import ReaderRequest

pytestmark = pytest.mark.django_db


def test_tt05_field_names_and_content_links(world: Any) -> None:
    client = Client()
    admin = world.headers("admin")
    file_json = client.get(
        reverse("api-file-detail", kwargs={"file_code": world.files["public"].file_code}), headers=admin
    )
    body = file_json.json()
    for name in ("fileCode", "fileCatalog", "fileNotation", "organId", "startDate", "numberOfPage", "inforSign"):
        assert name in body, name
    assert body["fileCode"] == world.files["public"].file_code
    document = client.get(
        reverse("api-document-detail", kwargs={"pk": world.documents["public"].pk}), headers=admin
    ).json()
    assert {"docCode", "typeName", "codeNumber", "codeNotation", "issuedDate", "organName", "secretClass"} <= set(
        document
    )
    page = client.get(reverse("api-page-detail", kwargs={"pk": world.pages["public"].pk}), headers=admin).json()
    assert page["contentUrl"] == reverse("page_image", args=[world.files["public"].file_code, 1])
    assert page["pdfUrl"].endswith("/trang.pdf") and page["thumbnailUrl"].endswith("/anh-nho.jpg")


def test_page_size_is_bounded(world: Any) -> None:
    response = Client().get(reverse("api-file-list"), {"pageSize": 100000}, headers=world.headers("admin"))
    assert response.status_code == 200
    from khoso.api.pagination import MAX_PAGE_SIZE

    assert len(response.json()["results"]) <= MAX_PAGE_SIZE
    past_the_end = Client().get(reverse("api-file-list"), {"page": 999}, headers=world.headers("admin"))
    assert past_the_end.status_code == 404
    bad_filter = Client().get(reverse("api-file-list"), {"fonds": "mot"}, headers=world.headers("admin"))
    assert bad_filter.status_code == 400 and "số nguyên" in bad_filter.json()["fonds"]


def test_throttle_answers_429_with_retry_after(world: Any, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_RATE_LIMIT = "3/minute"
    client = Client()
    statuses = [
        client.get(reverse("api-fonds-list"), headers=world.headers("staff_fonds")).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(reverse("api-fonds-list"), headers=world.headers("staff_fonds"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Quá nhiều yêu cầu" in refused.json()["detail"]


def test_schema_is_behind_login_and_lists_every_resource(world: Any) -> None:
    assert Client().get(reverse("api-schema")).status_code == 401
    response = Client().get(reverse("api-schema"), {"format": "json"}, headers=world.headers("reader"))
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/fonds/", "/api/v1/files/{file_code}/", "/api/v1/search/pages/", "/api/v1/tasks/"):
        assert path in paths, path
    assert response.json()["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_each_action_writes_one_audit_entry_by_the_token_user(world: Any) -> None:
    client = Client()
    item = world.requests["public"]
    before = AuditEntry.objects.count()
    decided = client.post(
        reverse("api-reader-request-decide", kwargs={"pk": item.pk}),
        {"approve": False, "reason": "Tài liệu đang tu bổ"},
        content_type="application/json",
        headers=world.headers("staff_fonds"),
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == ReaderRequest.Status.REJECTED
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert len(entries) == 1
    assert entries[0].actor_id == world.users["staff_fonds"].pk
    assert entries[0].action == "api-reader-request-decide"
    again = client.post(  # already decided: refused with the rule named, nothing written
        reverse("api-reader-request-decide", kwargs={"pk": item.pk}),
        {"approve": True},
        content_type="application/json",
        headers=world.headers("staff_fonds"),
    )
    assert again.status_code == 409 and "đã được xử lý" in again.json()["message"]
    assert AuditEntry.objects.count() == before + 1


def test_reader_creates_a_request_with_vietnamese_errors(world: Any) -> None:
    client = Client()
    reader = world.headers("approved_reader")
    body = {
        "file": world.files["public"].pk,
        "kind": "doc",
        "purpose": "01",
        "purposeContent": "Nghiên cứu",
        "feeObjectType": "01",
    }
    created = client.post(reverse("api-reader-request-list"), body, content_type="application/json", headers=reader)
    assert created.status_code == 201, created.content
    assert (
        created.json()["requestId"].startswith("YC-") and created.json()["fileCode"] == world.files["public"].file_code
    )
    wrong = client.post(
        reverse("api-reader-request-list"), {**body, "purpose": "ZZ"}, content_type="application/json", headers=reader
    )
    assert wrong.status_code == 400 and "mục đích" in wrong.json()["message"]
    assert wrong.json()["code"] == "du_lieu_khong_hop_le"


def test_reports_cover_the_granted_fonds_only(world: Any) -> None:
    client = Client()
    staff = client.get(reverse("api-report-fonds-statistics"), headers=world.headers("staff_fonds")).json()
    assert [row["code"] for row in staff["fonds"]] == ["UBND-API"]
    assert staff["totals"]["fonds"] == 1 and "digitizedSharePages" in staff["totals"]
    admin = client.get(reverse("api-report-fonds-statistics"), headers=world.headers("admin")).json()
    assert {row["code"] for row in admin["fonds"]} == {"UBND-API", "SNV-API"}
    annual = client.get(reverse("api-report-annual"), {"year": 2026}, headers=world.headers("admin"))
    assert annual.status_code == 200 and annual.json()["due"] == "2026-12-14"  # the last working day before 15/12
    assert client.get(reverse("api-report-annual"), headers=world.headers("admin")).status_code == 400
    dashboard = client.get(reverse("api-report-dashboard"), {"days": 7}, headers=world.headers("admin")).json()
    assert len(dashboard["throughput"]) == 7 and "lastFullBackup" in dashboard["preservation"]


def test_reading_non_public_material_is_audited_with_the_proposed_registry_lines(world: Any, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The READS lines this app asks for in khoso/audit/registry.py: one read entry per non-public object."""
    from khoso.audit import registry

    for route, target in {
        "api-file-detail": registry.FILE,
        "api-document-detail": registry.url("archive.Document", pk="pk"),
        "api-page-detail": registry.url("archive.Page", pk="pk"),
    }.items():
        monkeypatch.setitem(registry.READS, route, target)
    client = Client()
    before = AuditEntry.objects.count()
    for cls in ("public", "conditional"):
        response = client.get(
            reverse("api-page-detail", kwargs={"pk": world.pages[cls].pk}), headers=world.headers("admin")
        )
        assert response.status_code == 200
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [(entry.action, entry.actor_id) for entry in entries] == [("api-page-detail", world.users["admin"].pk)]


def test_the_schema_validates_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``khoso spectacular --validate --fail-on-warn``: needs SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] =
    khoso.api.schema.ENUM_NAME_OVERRIDES in the settings (choice sets sharing a field name)."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text(encoding="utf-8").startswith("openapi: 3")
