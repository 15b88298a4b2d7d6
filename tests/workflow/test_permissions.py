"""Deny by default for the workflow routes: every route × actor, against a declared policy.

Actors: anonymous; an outsider (logged in, not in the project); a member holding another role
(the scanner operator); the member holding the route's role; an administrator. Project and file
pages are 404 to outsiders (their existence does not leak) and actions 403 to the wrong role.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.workflow import urls as workflow_urls

# route → (kind, method, role holder): kind is "user" (any logged-in user), "create" (superuser or
# workflow.add_project), "member" (any project member), "role" (the named member only).
POLICY: dict[str, tuple[str, str, str]] = {
    "project_list": ("user", "GET", ""),
    "my_queue": ("user", "GET", ""),
    "project_create": ("create", "GET", ""),
    "project_detail": ("member", "GET", ""),
    "project_select": ("role", "POST", "planner"),
    "project_member_add": ("role", "POST", "planner"),
    "project_submit": ("role", "POST", "planner"),
    "project_approve": ("role", "POST", "approver"),
    "project_reject": ("role", "POST", "approver"),
    "project_close": ("role", "POST", "approver"),
    "item_detail": ("member", "GET", ""),
    "item_transition": ("role", "POST", "planner"),
    "item_claim": ("role", "POST", "planner"),
    "item_release": ("role", "POST", "planner"),
}
ROUTES = [p.name for p in workflow_urls.urlpatterns if isinstance(p, URLPattern)]
ACTORS = ["anonymous", "outsider", "other_role", "role_holder", "admin"]


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), sorted(set(ROUTES) ^ set(POLICY))


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, approved_project, people, client: Client, route_matrix) -> None:  # type: ignore[no-untyped-def]
    kind, method, holder = POLICY[route]
    item = approved_project.items.first()
    pattern = next(p for p in workflow_urls.urlpatterns if p.name == route)
    values = {"project_id": approved_project.pk, "item_id": item.pk}
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
    response = client.post(url, {"target": "XUAT_KHO"}) if method == "POST" else client.get(url)
    route_matrix.check(response, kind, actor, method)
