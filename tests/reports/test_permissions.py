"""Route × actor matrix of /bao-cao/ (tests/test_routes.py requires one per URL module).

Anonymous → login page; a signed-in user without ``reports.view_dashboard`` → 403 (a reader, or staff
holding a fonds); a reporter with a fonds grant and the administrator → 200. Every route is GET only.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.archive.models import Fonds

pytestmark = pytest.mark.django_db

ROUTES = ("reports_dashboard", "reports_annual_xlsx", "reports_annual_pdf", "reports_fonds_xlsx", "reports_fonds_pdf")
POLICY = {"anonymous": "login", "reader": 403, "staff": 403, "reporter": 200, "admin": 200}


@pytest.fixture
def actors(bac_kan, admin_user) -> dict[str, User | None]:  # type: ignore[no-untyped-def]
    snv = Fonds.objects.get(code="SNV")
    staff = User.objects.create_user("nhanvien", password="mat-khau-dai-12", is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=snv)
    reporter = User.objects.create_user("baocao", password="mat-khau-dai-12", is_staff=True)
    reporter.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    FondsGrant.objects.create(user=reporter, fonds=snv)
    reader = User.objects.create_user("docgia", password="mat-khau-dai-12")
    return {"anonymous": None, "reader": reader, "staff": staff, "reporter": reporter, "admin": admin_user}


@pytest.mark.parametrize("route", ROUTES)
def test_route_actor_matrix(route: str, actors: dict[str, User | None]) -> None:
    observed: dict[str, str | int] = {}
    for name, user in actors.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse(route))
        if response.status_code == 302 and response["Location"].startswith(reverse("login")):
            observed[name] = "login"
        else:
            observed[name] = response.status_code
        if user is not None:
            assert client.post(reverse(route)).status_code in (403, 405)  # nothing here writes
    assert observed == POLICY
