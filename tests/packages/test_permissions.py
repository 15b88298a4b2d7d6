"""Deny by default: every route of ``khoso.packages.urls`` × every actor.

Who may use the transfer pages: ``packages.receive_transfer`` (superusers have it), else 403; a batch
whose fonds the user may not write into is 404, the same answer as a batch that does not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.packages import services
from khoso.packages import urls as package_urls
from khoso.packages.models import TransferItem

pytestmark = pytest.mark.django_db

#: route → (method, scope): "site" = no batch in the URL; "batch" = a batch (404 outside the user's fonds)
POLICY: dict[str, tuple[str, str]] = {
    "packages_batch_list": ("GET", "site"),
    "packages_batch_create": ("GET", "site"),
    "packages_batch_detail": ("GET", "batch"),
    "packages_item_accept": ("POST", "batch"),
    "packages_item_reject": ("POST", "batch"),
    "packages_list_pdf": ("GET", "batch"),
    "packages_list_xlsx": ("GET", "batch"),
    "packages_receipt_pdf": ("GET", "batch"),
}
ACTORS = ["anonymous", "outsider", "receiver_other_fonds", "receiver", "superuser"]


#: routes of one hồ sơ (not of a transfer batch): their matrix is in test_secret_export.py
FILE_ROUTES = {"packages_file_export"}


def test_every_route_is_in_the_policy() -> None:
    assert {p.name for p in package_urls.urlpatterns if isinstance(p, URLPattern)} == set(POLICY) | FILE_ROUTES


@pytest.fixture
def batch(delivery, fonds):  # type: ignore[no-untyped-def]
    return services.batch_receive(
        fonds=fonds, source_agency="UBND huyện", packages=[("a.zip", delivery["paths"]["thirty_years"])]
    )


@pytest.fixture
def actors(fonds, receiver) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    from khoso.access.models import FondsGrant

    FondsGrant.objects.create(user=receiver, fonds=fonds, can_edit=True)
    other = User.objects.create_user("nhan-phong-khac")
    other.user_permissions.add(Permission.objects.get(codename="receive_transfer"))
    users = {
        "outsider": User.objects.create_user("nguoi-ngoai"),
        "receiver_other_fonds": other,
        "receiver": receiver,
        "superuser": User.objects.create_superuser("quan-tri"),
    }
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


def _url(route: str, batch) -> str:  # type: ignore[no-untyped-def]
    scope = POLICY[route][1]
    if scope == "site":
        return reverse(route)
    kwargs = {"batch_id": batch.pk}
    if route.startswith("packages_item_"):
        kwargs["item_id"] = batch.items.get().pk
    return reverse(route, kwargs=kwargs)


@pytest.mark.parametrize("route", sorted(POLICY))
@pytest.mark.parametrize("actor", ACTORS)
def test_route_access(route, actor, actors, batch) -> None:  # type: ignore[no-untyped-def]
    method, scope = POLICY[route]
    client = actors[actor]
    url = _url(route, batch)
    response = client.get(url) if method == "GET" else client.post(url, {"reason": "Không thuộc diện nộp lưu"})
    if actor == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif actor == "outsider":
        assert response.status_code == 403
    elif actor == "receiver_other_fonds" and scope == "batch":
        assert response.status_code == 404
    elif method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("packages_batch_detail", kwargs={"batch_id": batch.pk})
    if actor != "receiver" and actor != "superuser":
        assert batch.items.get().state == TransferItem.State.RECEIVED  # a refused actor changed nothing


def test_missing_batch_is_404_even_for_a_superuser(actors) -> None:  # type: ignore[no-untyped-def]
    assert actors["superuser"].get(reverse("packages_batch_detail", kwargs={"batch_id": 999})).status_code == 404
    url = reverse("packages_item_accept", kwargs={"batch_id": 999, "item_id": 1})
    assert actors["receiver"].post(url).status_code == 404
