"""The Django admin shows grants, the restricted list, roles and rights but changes none of them: those go
through four-eyes proposals."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from khoso.access.models import FondsGrant

pytestmark = pytest.mark.django_db


def test_rights_are_read_only_in_the_admin(fonds) -> None:  # type: ignore[no-untyped-def]
    root = User.objects.create_superuser("goc", password="mat-khau-thu-nghiem-123")
    target = User.objects.create_user("nhan-vien", is_staff=True)
    grant = FondsGrant.objects.create(user=target, fonds=fonds)
    client = Client()
    client.force_login(root)
    assert client.get("/quan-tri/access/fondsgrant/").status_code == 200
    assert client.get("/quan-tri/access/fondsgrant/add/").status_code == 403
    assert client.post(f"/quan-tri/access/fondsgrant/{grant.pk}/change/", {"can_edit": "on"}).status_code == 403
    assert client.get("/quan-tri/access/restriction/add/").status_code == 403
    assert client.get("/quan-tri/auth/group/add/").status_code == 403
    form = client.get(f"/quan-tri/auth/user/{target.pk}/change/").content.decode()
    assert 'name="groups"' not in form and 'name="is_superuser"' not in form and 'name="user_permissions"' not in form
    approver = Group.objects.get(name="Lưu trữ viên phê duyệt")
    client.post(
        f"/quan-tri/auth/user/{target.pk}/change/",
        {"username": "nhan-vien", "groups": [approver.pk], "is_superuser": "on", "is_active": "on"},
    )
    target.refresh_from_db()
    assert not target.is_superuser and not target.groups.exists()
    assert FondsGrant.objects.get(pk=grant.pk).can_edit is False
