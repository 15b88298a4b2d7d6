"""Deny by default: every route of ``khoso.backup.urls`` × every actor.

The policy table must name every route; a route missing from it fails ``test_every_route_is_in_the_policy``.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.backup import urls as backup_urls

pytestmark = pytest.mark.django_db

#: route → (method, who may use it): "log" = backup.view_backuplog; "copy" = backup.add_insurancecopy
POLICY: dict[str, tuple[str, str]] = {
    "backup_home": ("GET", "log"),
    "backup_log_pdf": ("GET", "log"),
    "backup_insurance_copy": ("POST", "copy"),
}
ACTORS = ["anonymous", "outsider", "fonds_clerk", "log_reader", "copier", "superuser"]
GRANTS = {"log_reader": {"log"}, "copier": {"log", "copy"}, "superuser": {"log", "copy"}}
PERMISSIONS = {"log": "view_backuplog", "copy": "add_insurancecopy"}


def test_every_route_is_in_the_policy() -> None:
    assert {p.name for p in backup_urls.urlpatterns if isinstance(p, URLPattern)} == set(POLICY)


@pytest.fixture
def actors(small_archive) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    clients = {"anonymous": Client()}
    users = {
        "outsider": small_archive.users["outsider"],
        "fonds_clerk": small_archive.users["clerk"],
        "log_reader": User.objects.create_user("doc-nhat-ky"),
        "copier": User.objects.create_user("lap-ban-sao"),
        "superuser": small_archive.users["admin"],
    }
    users["log_reader"].user_permissions.add(Permission.objects.get(codename="view_backuplog"))
    users["copier"].user_permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS.values()))
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


@pytest.mark.parametrize("route", sorted(POLICY))
@pytest.mark.parametrize("actor", ACTORS)
def test_route_access(route, actor, actors, small_archive, settings, tmp_path) -> None:
    settings.KHOSO_COPY_ROOTS = [tmp_path]
    method, need = POLICY[route]
    url = reverse(route)
    client = actors[actor]
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"fonds": small_archive.fonds.pk, "target": str(tmp_path / "bh")})
    if actor == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif need not in GRANTS.get(actor, set()):
        assert response.status_code == 403
    elif method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"] == reverse("backup_home")
