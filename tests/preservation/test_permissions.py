"""Route × actor matrix of /bao-quan/: anonymous → login, a plain user → 403, staff with the right → allowed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from khoso.preservation.models import AuditRun

pytestmark = pytest.mark.django_db

ROUTES = [("GET", "preservation_dashboard", 200), ("POST", "preservation_audit_request", 302)]


@pytest.fixture
def actors(django_user_model):  # type: ignore[no-untyped-def]
    keeper = django_user_model.objects.create_user("thukho", password="mat-khau-dai-12")
    keeper.user_permissions.add(Permission.objects.get(codename="manage_preservation"))
    return {
        "plain": django_user_model.objects.create_user("binhthuong", password="mat-khau-dai-12"),
        "keeper": keeper,
        "admin": django_user_model.objects.create_superuser("quantri", password="mat-khau-dai-12"),
    }


def _call(client, method: str, name: str):  # type: ignore[no-untyped-def]
    url = reverse(name)
    return client.get(url) if method == "GET" else client.post(url, {"fonds": "UBND-DL"})


@pytest.mark.parametrize(("method", "name", "allowed"), ROUTES)
def test_route_matrix(client, actors, fonds, method: str, name: str, allowed: int) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, method, name)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(actors["plain"])
    assert _call(client, method, name).status_code == 403
    for who in ("keeper", "admin"):
        client.force_login(actors[who])
        assert _call(client, method, name).status_code == allowed


def test_dashboard_shows_locations_and_audits(client, actors, holding, local_location) -> None:  # type: ignore[no-untyped-def]
    from khoso.preservation import selectors, services

    services.replicate_pending()
    services.audit(scope=selectors.scope_everything())
    client.force_login(actors["admin"])
    page = client.get(reverse("preservation_dashboard")).content.decode()
    assert local_location.name in page and "Kho chính" in page and "Kiểm tra ngay" in page
    assert "Toàn bộ kho" in page


def test_audit_button_queues_an_audit_of_the_fonds(
    client, actors, holding, archive_file, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(actors["keeper"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("preservation_audit_request"), {"fonds": archive_file.fonds.code})
    assert response.status_code == 302
    run = AuditRun.objects.get()
    assert run.kind == AuditRun.Kind.ON_DEMAND and run.requested_by == actors["keeper"]
    assert run.objects_checked == len(holding)


def test_audit_button_names_an_unknown_file(client, actors) -> None:  # type: ignore[no-untyped-def]
    client.force_login(actors["admin"])
    response = client.post(reverse("preservation_audit_request"), {"file": "KHONG-CO"}, follow=True)
    assert "Không tìm thấy hồ sơ “KHONG-CO”" in response.content.decode()
    assert not AuditRun.objects.exists()
