"""Route × actor matrix of the QLVB endpoint (deny by default; ``tests/test_routes.py`` requires this file).

Actors: anonymous; a staff member without ``qlvb.ingest``; a sender holding ``qlvb.ingest`` but no grant
on the fonds; the sender with an edit grant; an administrator. A sender without the grant is not refused
at the door: its record is refused as naming a file outside its Danh mục (nothing about it leaks).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from qlvb_kit import LOG_URL, URL, make_record  # tests/qlvb/conftest.py

from khoso.access.models import FondsGrant
from khoso.api.services import token_create

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "staff", "sender_no_grant", "sender", "admin")
#: route → (method, expected status per actor)
POLICY: dict[str, tuple[str, dict[str, int]]] = {
    "qlvb_ingest": (
        "POST",
        {"anonymous": 401, "staff": 403, "sender_no_grant": 400, "sender": 201, "admin": 201},
    ),
    "qlvb_ingest_log": ("GET", {"anonymous": 401, "staff": 200, "sender_no_grant": 200, "sender": 200, "admin": 200}),
}
URLS = {"qlvb_ingest": URL, "qlvb_ingest_log": LOG_URL}


def _actor(name: str, fonds: Any) -> str | None:
    """The actor's API token (``None`` for anonymous)."""
    if name == "anonymous":
        return None
    user_model = get_user_model()
    if name == "admin":
        user = user_model.objects.create_superuser(name, password="mat-khau-dai-12345")
    else:
        user = user_model.objects.create_user(name, password="mat-khau-dai-12345")
    if name.startswith("sender"):
        user.user_permissions.add(Permission.objects.get(content_type__app_label="qlvb", codename="ingest"))
    if name in {"staff", "sender"}:
        FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    return token_create(username=name, name="thử")[1]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", POLICY)
def test_route_matrix(route: str, actor: str, fonds: Any, agency_file: Any, queued_pages: Any) -> None:
    method, expected = POLICY[route]
    key = _actor(actor, fonds)
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    if method == "POST":
        response = Client().post(URL, json.dumps(make_record()), content_type="application/json", **headers)
    else:
        response = Client().get(URLS[route], **headers)
    assert response.status_code == expected[actor], (route, actor, response.content[:300])
    if actor == "anonymous":
        assert response["WWW-Authenticate"].startswith("Token")
