"""The route × actor matrix of ``khoso.oai.urls``: one public view for everybody.

Whoever is signed in (an unapproved reader, an approved reader, staff holding another fonds, the
administrator) gets byte for byte the anonymous answer: no conditional entries for approved
readers, no restricted or secret material for staff. A route missing from ``POLICY`` fails.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern

from khoso.access.models import FondsGrant
from khoso.oai import urls as oai_urls
from khoso.oai.selectors import identifier
from khoso.readers.models import Reader

from .conftest import error_code, parse

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "reader", "approved_reader", "staff_other_fonds", "admin")
#: route → the same outcome for every actor
POLICY = {"oai": "public"}
_DATE = re.compile(rb"<responseDate>[^<]*</responseDate>")


def test_every_route_is_in_the_policy_table() -> None:
    routes = {p.name for p in oai_urls.urlpatterns if isinstance(p, URLPattern)}
    assert routes == set(POLICY)


def _clients(catalogue) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    def reader(name: str, status: str) -> User:
        user = User.objects.create_user(name, password="mat-khau-thu-nghiem-123")
        Reader.objects.create(
            user=user,
            full_name=f"Nguyễn Văn {name}",
            citizen_id="066095000123",
            email=f"{name}@example.vn",
            status=status,
        )
        return user

    staff = User.objects.create_user("canbo", password="mat-khau-thu-nghiem-123", is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=catalogue.second, can_edit=True)
    users = {
        "reader": reader("docgiacho", Reader.Status.PENDING),
        "approved_reader": reader("docgiaduyet", Reader.Status.APPROVED),
        "staff_other_fonds": staff,
        "admin": User.objects.create_superuser("quantri", password="mat-khau-thu-nghiem-123"),
    }
    clients = {"anonymous": Client()}
    for actor, user in users.items():
        clients[actor] = Client()
        clients[actor].force_login(user)
    return clients


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify"},
        {"verb": "ListSets"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "ListIdentifiers", "metadataPrefix": "ead", "set": "phong:H15.TTLT:UBNDDL"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "conditional"},
        {"verb": "GetRecord", "metadataPrefix": "ead", "identifier": "secret"},
        {"verb": "GetRecord", "metadataPrefix": "ead", "identifier": "restricted"},
    ],
    ids=["identify", "sets", "records", "identifiers", "conditional", "secret", "restricted"],
)
def test_every_actor_gets_the_anonymous_answer(catalogue, params) -> None:  # type: ignore[no-untyped-def]
    if params.get("identifier") in catalogue.files:
        params = {**params, "identifier": identifier("ho-so", catalogue.files[params["identifier"]].file_code)}
    answers = {}
    for actor, client in _clients(catalogue).items():
        for method in ("get", "post"):
            response = getattr(client, method)("/oai/", params)
            assert response.status_code == 200, (actor, method)
            answers[(actor, method)] = _DATE.sub(b"", response.content)
    assert len(set(answers.values())) == 1
    if "identifier" in params:
        assert error_code(parse(next(iter(answers.values())))) == "idDoesNotExist"


def test_unsafe_methods_are_refused(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert Client().put("/oai/?verb=Identify").status_code == 405
    assert Client().delete("/oai/?verb=Identify").status_code == 405
