"""Deny by default: every route of ``khoso.audit.urls`` × every actor, and entries of a fonds only
for holders of a grant on it. A route missing from ``POLICY`` fails."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.access.models import FondsGrant
from khoso.archive.models import Fonds, Institution
from khoso.audit import services
from khoso.audit import urls as audit_urls

pytestmark = pytest.mark.django_db

#: route → method; both need audit.view_auditentry, and the entry's fonds for the detail page
POLICY = {"audit_list": "GET", "audit_detail": "GET"}
ACTORS = ["anonymous", "reader", "staff_no_permission", "auditor_other_fonds", "auditor", "superuser"]


def test_every_route_is_in_the_policy() -> None:
    assert {p.name for p in audit_urls.urlpatterns if isinstance(p, URLPattern)} == set(POLICY)


@pytest.fixture
def setting(db):  # type: ignore[no-untyped-def]
    institution = Institution.objects.create(code="H15.NK", name="Trung tâm Lưu trữ")
    common = dict(history="-", archives_time="1976-2000", paper_total=1, key_groups="-", language="01")
    fonds = Fonds.objects.create(institution=institution, code="PHONG-A", name="Phông A", **common)
    other = Fonds.objects.create(institution=institution, code="PHONG-B", name="Phông B", **common)
    permission = Permission.objects.get(codename="view_auditentry")
    users = {
        "reader": User.objects.create_user("docgia"),
        "staff_no_permission": User.objects.create_user("nhanvien", is_staff=True),
        "auditor_other_fonds": User.objects.create_user("kiemtra_b", is_staff=True),
        "auditor": User.objects.create_user("kiemtra_a", is_staff=True),
        "superuser": User.objects.create_superuser("quantri"),
    }
    FondsGrant.objects.create(user=users["staff_no_permission"], fonds=fonds)
    FondsGrant.objects.create(user=users["auditor_other_fonds"], fonds=other)
    FondsGrant.objects.create(user=users["auditor"], fonds=fonds)
    for name in ("auditor_other_fonds", "auditor"):
        users[name].user_permissions.add(permission)
    entry = services.record("thu_nghiem", obj=fonds)  # an entry about fonds A
    return {"users": users, "entry": entry, "fonds": fonds}


EXPECTED = {
    # actor → (list, detail of an entry about fonds A)
    "anonymous": ("login", "login"),
    "reader": (403, 403),
    "staff_no_permission": (403, 403),
    "auditor_other_fonds": (200, 404),
    "auditor": (200, 200),
    "superuser": (200, 200),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", sorted(POLICY))
def test_route_access(route: str, actor: str, setting) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    if actor != "anonymous":
        client.force_login(setting["users"][actor])
    url = reverse(route, kwargs={"seq": setting["entry"].seq} if route == "audit_detail" else {})
    response = client.get(url)
    expected = EXPECTED[actor][0 if route == "audit_list" else 1]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if route == "audit_list" and expected == 200:
        shown = "PHONG-A" in response.content.decode()
        assert shown is (actor != "auditor_other_fonds")  # deny by default: no grant, no entries of the fonds


def test_a_missing_entry_answers_like_a_hidden_one(setting) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(setting["users"]["auditor_other_fonds"])
    hidden = client.get(reverse("audit_detail", kwargs={"seq": setting["entry"].seq}))
    missing = client.get(reverse("audit_detail", kwargs={"seq": setting["entry"].seq + 1000}))
    assert hidden.status_code == missing.status_code == 404
