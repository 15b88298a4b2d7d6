"""Deny by default for the cataloguing routes: every route × actor, against a declared policy.

Actors: anonymous; an outsider (logged in, not in the project); a member holding another role
(the scanner operator); the member holding the route's role; an administrator. Pages of a project
or file are 404 to outsiders (their existence does not leak) and 403 to the wrong role.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.cataloguing import selectors, services
from khoso.cataloguing import urls as cataloguing_urls
from khoso.cataloguing.models import CheckError, Difference
from khoso.workflow.states import State

from .conftest import document_values, file_values

# route → (kind, method, role holder): "member" (any project member), "role" (the named member only).
POLICY: dict[str, tuple[str, str, str]] = {
    "guideline_list": ("member", "GET", ""),
    "guideline_publish": ("role", "GET", "planner"),
    "error_report": ("role", "GET", "checker"),
    "worksheet_edit": ("role", "GET", "cataloguer"),
    "worksheet_document": ("role", "GET", "cataloguer"),
    "catalogue_check": ("role", "GET", "checker"),
    "check_start": ("role", "POST", "checker"),
    "check_error_add": ("role", "POST", "checker"),
    "error_fix": ("role", "POST", "cataloguer"),
    "keying_list": ("role", "GET", "keyer"),
    "keying_sheet": ("role", "GET", "keyer"),
    "entry_check": ("role", "GET", "checker"),
    "difference_resolve": ("role", "POST", "checker"),
}
ROUTES = [p.name for p in cataloguing_urls.urlpatterns if isinstance(p, URLPattern)]
ACTORS = ["anonymous", "outsider", "other_role", "role_holder", "admin"]


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), sorted(set(ROUTES) ^ set(POLICY))


@pytest.fixture
def walked(item, people, catalogue, put_in_state):  # type: ignore[no-untyped-def]
    """A file with sheets, a cataloguing error, a keying and a difference, now at the entry check."""
    catalogue(item, people["cataloguer"], total_doc=1)
    put_in_state(item, State.KIEM_TRA_BIEN_MUC, people["cataloguer"])
    sheet = selectors.file_sheet(item=item)
    services.check_error_add(
        item=item, by=people["checker"], worksheet=sheet, field="title", severity="nghiem_trong", message="Sai."
    )
    put_in_state(item, State.NHAP_LIEU, people["checker"])
    for each in selectors.sheets_of(item=item):
        values = file_values(title="Tiêu đề gõ khác", total_doc=1) if each.kind == "ho_so" else document_values(1)
        services.keying_save(worksheet=each, by=people["keyer"], values=values)
    put_in_state(item, State.KIEM_TRA_NHAP, people["keyer"])
    services.check_start(item=item, by=people["checker"])
    return item


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, walked, people, client: Client, route_matrix) -> None:  # type: ignore[no-untyped-def]
    kind, method, holder = POLICY[route]
    values = {
        "project_id": walked.project_id,
        "item_id": walked.pk,
        "ordinal": 1,
        "error_id": CheckError.objects.get().pk,
        "worksheet_id": selectors.file_sheet(item=walked).pk,
        "difference_id": Difference.objects.get().pk,
    }
    pattern = next(p for p in cataloguing_urls.urlpatterns if p.name == route)
    url = reverse(route, kwargs={k: v for k, v in values.items() if k in pattern.pattern.converters})
    user = {
        "anonymous": None,
        "outsider": people["outsider"],
        "other_role": people["scanner"],
        "role_holder": people[holder or "planner"],
        "admin": people["admin"],
    }[actor]
    if user is not None:
        client.force_login(user)
    response = client.post(url, {}) if method == "POST" else client.get(url)
    route_matrix.check(response, kind, actor, method)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "who"),
    [
        ("worksheet_edit", "checker"),  # the checker reads the sheets, never writes them
        ("worksheet_document", "checker"),
        ("guideline_publish", "cataloguer"),
        ("keying_sheet", "cataloguer"),
    ],
)
def test_writing_needs_the_step_role_even_where_reading_is_allowed(route, who, walked, people, client) -> None:  # type: ignore[no-untyped-def]
    kwargs = {
        "worksheet_edit": {"item_id": walked.pk},
        "worksheet_document": {"item_id": walked.pk, "ordinal": 1},
        "guideline_publish": {"project_id": walked.project_id},
        "keying_sheet": {"item_id": walked.pk, "worksheet_id": selectors.file_sheet(item=walked).pk},
    }[route]
    client.force_login(people[who])
    response = client.post(reverse(route, kwargs=kwargs), {"title": "x"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_scanner_operator_and_the_keyer_do_not_see_the_error_report(walked, people, client) -> None:  # type: ignore[no-untyped-def]
    url = reverse("error_report", kwargs={"project_id": walked.project_id})
    for name, status in (("keyer", 403), ("scanner", 403), ("planner", 200), ("approver", 200), ("contractor", 200)):
        client.force_login(people[name])
        assert client.get(url).status_code == status, name
