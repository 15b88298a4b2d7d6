"""Deny by default for the custody routes: every route × actor, against a declared policy.

Actors: anonymous; an outsider (logged in, not in the project); a member holding another role
(the scanner operator, who owns no step of a file waiting to leave the shelf); the member holding
the route's role; an administrator. Pages are 404 to outsiders, actions 403 to the wrong role.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.custody import services
from khoso.custody import urls as custody_urls
from khoso.custody.models import Discrepancy, Kind

# route → (kind, method, role holder): kind is "member" (any project member) or "role" (the named member only).
POLICY: dict[str, tuple[str, str, str]] = {
    "custody_project": ("member", "GET", ""),
    "custody_box": ("role", "GET", "planner"),
    "custody_discrepancies": ("member", "GET", ""),
    "custody_item": ("member", "GET", ""),
    "custody_record": ("role", "POST", "planner"),
    "custody_resolve": ("role", "POST", "approver"),
    "custody_receipt": ("member", "GET", ""),
}
ROUTES = [p.name for p in custody_urls.urlpatterns if isinstance(p, URLPattern)]
ACTORS = ["anonymous", "outsider", "other_role", "role_holder", "admin"]
POSTED = {"kind": Kind.VE_SINH.value, "note": "Đã đếm lại, đủ số tờ.", "confirmed": "4"}


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), sorted(set(ROUTES) ^ set(POLICY))


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, approved_project, people, client: Client, route_matrix) -> None:  # type: ignore[no-untyped-def]
    kind, method, holder = POLICY[route]
    item = approved_project.items.first()
    event = services.movement_record(
        item=item, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], sheets_counted=3, to_party="Tổ biên mục"
    )
    discrepancy = Discrepancy.objects.get()
    pattern = next(p for p in custody_urls.urlpatterns if p.name == route)
    values = {
        "project_id": approved_project.pk,
        "item_id": item.pk,
        "event_id": event.pk,
        "discrepancy_id": discrepancy.pk,
    }
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
    response = client.post(url, POSTED) if method == "POST" else client.get(url)
    route_matrix.check(response, kind, actor, method)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "status"), [("planner", 302), ("approver", 302), ("cataloguer", 403)])
def test_discrepancies_are_resolved_by_planner_or_approver_only(name, status, approved_project, people, client) -> None:  # type: ignore[no-untyped-def]
    item = approved_project.items.first()
    services.movement_record(
        item=item, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], sheets_counted=3, to_party="Tổ biên mục"
    )
    discrepancy = Discrepancy.objects.get()
    client.force_login(people[name])
    response = client.post(reverse("custody_resolve", kwargs={"discrepancy_id": discrepancy.pk}), POSTED)
    assert response.status_code == status
    discrepancy.refresh_from_db()
    assert (discrepancy.status == Discrepancy.Status.RESOLVED) == (status == 302)


@pytest.mark.django_db
def test_the_team_owning_the_step_may_record_but_no_one_else(approved_project, people, client, put_in_state) -> None:  # type: ignore[no-untyped-def]
    from khoso.workflow.states import State

    item = approved_project.items.first()
    url = reverse("custody_record", kwargs={"item_id": item.pk})
    client.force_login(people["cataloguer"])
    assert client.post(url, POSTED).status_code == 403  # the file is still the stack keeper's
    put_in_state(item, State.BIEN_MUC, people["planner"])
    assert client.post(url, POSTED).status_code == 302
    client.force_login(people["approver"])
    assert client.post(url, POSTED).status_code == 403
