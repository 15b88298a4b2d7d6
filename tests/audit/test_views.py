"""The staff list of the audit trail: filters by object, actor and dates (dd/mm/yyyy), in Vietnamese."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from khoso.audit import services
from khoso.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(User.objects.create_superuser("quantri"))
    return client


@pytest.fixture
def entries(archive_file, fonds):  # type: ignore[no-untyped-def]
    someone = User.objects.create_user("nguyenvana")
    made = [
        services.append(
            {
                "action": "file_edit",
                "actor_id": someone.pk,
                "actor_name": "nguyenvana",
                "time": datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
                **services.object_fields(archive_file),
            }
        ),
        services.append(
            {"action": "fonds_create", "actor_name": "tranthib", "time": datetime(2026, 4, 9, 3, 0, tzinfo=UTC)}
        ),
    ]
    return made


def test_filters_by_object_actor_and_date(admin_client: Client, entries, archive_file) -> None:  # type: ignore[no-untyped-def]
    url = reverse("audit_list")
    page = admin_client.get(url, {"doi_tuong": archive_file.file_code}).content.decode()
    assert "file_edit" in page and "fonds_create" not in page
    page = admin_client.get(url, {"nguoi": "tranthib"}).content.decode()
    assert "fonds_create" in page and "file_edit" not in page
    page = admin_client.get(url, {"tu_ngay": "01/04/2026", "den_ngay": "30/04/2026"}).content.decode()
    assert "fonds_create" in page and "file_edit" not in page
    assert "09/04/2026" in page  # dates shown dd/mm/yyyy


def test_a_bad_date_is_refused_in_vietnamese(admin_client: Client, entries) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.get(reverse("audit_list"), {"tu_ngay": "2026-04-01"})
    assert response.status_code == 400
    assert "Nhập ngày theo dạng dd/mm/yyyy" in response.content.decode()
    response = admin_client.get(reverse("audit_list"), {"tu_ngay": "02/04/2026", "den_ngay": "01/04/2026"})
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu." in response.content.decode()


def test_the_detail_page_shows_digests_and_hashes(admin_client: Client, entries) -> None:  # type: ignore[no-untyped-def]
    entry: AuditEntry = entries[0]
    page = admin_client.get(reverse("audit_detail", kwargs={"seq": entry.seq})).content.decode()
    assert entry.entry_hash in page and entry.prev_hash in page and entry.digest_after in page
    assert "02/03/2026" in page


def test_viewing_the_trail_writes_nothing(admin_client: Client, entries) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    admin_client.get(reverse("audit_list"))
    assert AuditEntry.objects.count() == before
