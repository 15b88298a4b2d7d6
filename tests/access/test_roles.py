"""The staff roles exist as data (groups) with the permissions the code checks, and keep them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.access.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


def _perms(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_is_a_group_with_its_permissions() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {
        "Quản trị viên",
        "Lưu trữ viên phê duyệt",
        "Biên mục",
        "Nhập liệu",
        "Vận hành máy quét",
        "Kiểm tra chất lượng",
        "Nhà thầu",
        "Độc giả",
    } <= names
    for role in ROLES:
        assert _perms(role.name) == set(role.permissions), role.name  # every listed permission exists
    assert "access.manage_grants" in _perms("Quản trị viên")
    assert "access.manage_grants" not in _perms("Lưu trữ viên phê duyệt")
    assert "packages.receive_transfer" in _perms("Lưu trữ viên phê duyệt")
    assert not _perms("Độc giả") and not _perms("Nhà thầu")
    assert not any(
        "view_secret" in p for role in ROLES for p in role.permissions
    )  # secret access is granted one by one


def test_sync_adds_what_is_missing_and_removes_nothing() -> None:
    group = Group.objects.get(name="Biên mục")
    extra = Permission.objects.get(codename="view_secret")
    group.permissions.remove(Permission.objects.get(codename="view_document"))
    group.permissions.add(extra)
    sync_roles(Group, Permission)
    assert "archive.view_document" in _perms("Biên mục") and "archive.view_secret" in _perms("Biên mục")


def test_a_role_gives_its_pages_but_no_fonds(fonds) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.create_user("quan-tri", is_staff=True)
    user.groups.add(Group.objects.get(name="Quản trị viên"))
    client = Client()
    client.force_login(user)
    assert client.get(reverse("backup_home")).status_code == 200  # the role's right
    assert client.get(reverse("fonds_detail", args=[fonds.pk])).status_code == 404  # deny by default
    FondsGrant.objects.create(user=user, fonds=fonds)
    assert client.get(reverse("fonds_detail", args=[fonds.pk])).status_code == 200
