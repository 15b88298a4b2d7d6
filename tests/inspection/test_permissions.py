"""Deny by default for the product-inspection routes: every route × actor, against a declared policy.

Actors: anonymous; an outsider (logged in, not in the project); a member holding another role (the
scanner operator); the member holding the route's role; an administrator. Pages are 404 to outsiders
(their existence does not leak), actions 403 to the wrong role.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.inspection import services
from khoso.inspection import urls as inspection_urls
from khoso.inspection.models import CorrectionTask, ErrorClass, InspectionFinding
from khoso.workflow.states import State

from .conftest import items_of

# route → (kind, method, role holder): kind is "member" (any project member) or "role" (the named member only).
POLICY: dict[str, tuple[str, str, str]] = {
    "inspection_list": ("member", "GET", ""),
    "inspection_plan": ("role", "GET", "planner"),
    "inspection_start": ("role", "POST", "inspector"),
    "inspection_stats": ("member", "GET", ""),
    "inspection_corrections": ("member", "GET", ""),
    "inspection_detail": ("member", "GET", ""),
    "inspection_finding_add": ("role", "POST", "inspector"),
    "inspection_finding_delete": ("role", "POST", "inspector"),
    "inspection_close": ("role", "POST", "inspector"),
    "inspection_report": ("member", "GET", ""),
    "inspection_correction_fixed": ("role", "POST", "contractor"),
    "inspection_item": ("member", "GET", ""),
}
ROUTES = [p.name for p in inspection_urls.urlpatterns if isinstance(p, URLPattern)]
ACTORS = ["anonymous", "outsider", "other_role", "role_holder", "admin"]


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), sorted(set(ROUTES) ^ set(POLICY))


@pytest.fixture
def objects(project, plan, people, put_in_state):  # type: ignore[no-untyped-def]
    """A closed inspection that sent the first file to correction, and an open one with a finding."""
    first, second, _ = items_of(project)
    closed = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    services.finding_record(
        inspection=closed, item=first, error_class=ErrorClass.objects.get(code="anh_mo"), by=people["inspector"]
    )
    services.inspection_close(inspection=closed, by=people["inspector"])
    put_in_state(second, State.KIEM_TRA_SAN_PHAM, people["planner"])
    open_one = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    finding = services.finding_record(
        inspection=open_one, item=second, error_class=ErrorClass.objects.get(code="thieu_ocr"), by=people["inspector"]
    )
    return {
        "project_id": project.pk,
        "item_id": first.pk,
        "inspection_id": open_one.pk,
        "finding_id": finding.pk,
        "task_id": CorrectionTask.objects.get(item=first).pk,
        "second": second.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, objects, people, client: Client, route_matrix) -> None:  # type: ignore[no-untyped-def]
    kind, method, holder = POLICY[route]
    pattern = next(p for p in inspection_urls.urlpatterns if p.name == route)
    url = reverse(route, kwargs={k: v for k, v in objects.items() if k in pattern.pattern.converters})
    user = {
        "anonymous": None,
        "outsider": people["outsider"],
        "other_role": people["scanner"],
        "role_holder": people[holder or "planner"],
        "admin": people["admin"],
    }[actor]
    if user is not None:
        client.force_login(user)
    data = {
        "pass_number": 3,
        "item": objects["second"],
        f"i{objects['second']}-error_class": ErrorClass.objects.get(code="sai_ten_tep").pk,
        "note": "",
    }
    response = client.post(url, data) if method == "POST" else client.get(url)
    route_matrix.check(response, kind, actor, method)


@pytest.mark.django_db
def test_a_refused_action_changes_nothing(objects, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["scanner"])
    response = client.post(reverse("inspection_close", kwargs={"inspection_id": objects["inspection_id"]}))
    assert response.status_code == 403
    assert InspectionFinding.objects.filter(pk=objects["finding_id"]).exists()
    client.force_login(people["inspector"])
    response = client.post(reverse("inspection_correction_fixed", kwargs={"task_id": objects["task_id"]}))
    assert response.status_code == 403
    assert CorrectionTask.objects.get(pk=objects["task_id"]).status == CorrectionTask.Status.OPEN
