"""Deny by default for the scanning routes: every route × actor, against a declared policy.

Actors: anonymous; an outsider (logged in, not in the project); a project member without a
scanning role (the cataloguer); the member holding the route's role; an administrator. The file's
pages are 404 to outsiders (its existence does not leak) and 403 to members of other roles.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.scanning import urls as scanning_urls

# route → (method, the person holding the role the route needs)
POLICY: dict[str, tuple[str, str]] = {
    "scan_delivery": ("GET", "scanner"),
    "scan_upload": ("POST", "scanner"),
    "scan_reconcile": ("POST", "scanner"),
    "scan_cover_png": ("GET", "scanner"),
    "scan_cover_pdf": ("GET", "scanner"),
    "scan_qc": ("GET", "inspector"),
    "scan_review": ("POST", "inspector"),
    "scan_accept_passing": ("POST", "inspector"),
    "scan_rescan": ("GET", "scanner"),
    "scan_rescan_upload": ("POST", "scanner"),
    "scan_link": ("GET", "keyer"),
    "scan_link_save": ("POST", "keyer"),
    "scan_link_auto": ("POST", "keyer"),
    "scan_thumbnail": ("GET", "inspector"),
}
ROUTES = [p.name for p in scanning_urls.urlpatterns if isinstance(p, URLPattern)]
ACTORS = ["anonymous", "outsider", "other_role", "role_holder", "admin"]


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), sorted(set(ROUTES) ^ set(POLICY))


def _url(route: str, item_id: int) -> str:
    pattern = next(p for p in scanning_urls.urlpatterns if p.name == route)
    values = {"item_id": item_id, "number": 1}
    return reverse(route, kwargs={k: v for k, v in values.items() if k in pattern.pattern.converters})


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, scan_item, people, done_pages, client: Client) -> None:  # type: ignore[no-untyped-def]
    method, holder = POLICY[route]
    done_pages(scan_item.file, 1)
    user = {
        "anonymous": None,
        "outsider": people["outsider"],
        "other_role": people["cataloguer"],
        "role_holder": people[holder],
        "admin": people["admin"],
    }[actor]
    if user is not None:
        client.force_login(user)
    url = _url(route, scan_item.pk)
    response = client.post(url, {"decision": "dat"}) if method == "POST" else client.get(url)
    if actor == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif actor == "outsider":
        assert response.status_code == 404
    elif actor == "other_role":
        assert response.status_code == 403
    elif method == "GET":
        assert response.status_code == 200
    elif response.status_code == 400:  # allowed in, the empty form is shown again with its errors
        assert route == "scan_link_save" and "error" in response.content.decode()
    else:
        assert response.status_code == 302 and not response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_scanner_may_not_judge_pages_nor_inspector_deliver(scan_item, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["scanner"])
    assert client.get(_url("scan_qc", scan_item.pk)).status_code == 403
    assert client.post(_url("scan_review", scan_item.pk), {"decision": "dat"}).status_code == 403
    assert client.get(_url("scan_link", scan_item.pk)).status_code == 403
    client.force_login(people["inspector"])
    assert client.get(_url("scan_delivery", scan_item.pk)).status_code == 403
    assert client.post(_url("scan_upload", scan_item.pk)).status_code == 403
    client.force_login(people["checker"])
    assert client.get(_url("scan_link", scan_item.pk)).status_code == 200  # the link check reads it
    assert client.post(_url("scan_link_auto", scan_item.pk)).status_code == 403
