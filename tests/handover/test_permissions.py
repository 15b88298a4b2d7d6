"""Deny by default for the handover routes: every route × actor, against a declared policy.

Actors: anonymous; an outsider (logged in, not in the project); a member holding another role
(the scanner operator); the member holding the route's role; an administrator. Project and file
pages are 404 to outsiders, writes 403 to the wrong role; any member reads and prints.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.handover import urls as handover_urls
from khoso.handover.models import CopyRun, CopyTarget

# route → (kind, method, role holder): kind is "member" (any project member) or "role" (the named member only).
POLICY: dict[str, tuple[str, str, str]] = {
    "selection_page": ("member", "GET", ""),
    "selection_add": ("role", "POST", "planner"),
    "selection_rescore": ("role", "POST", "planner"),
    "selection_xlsx": ("member", "GET", ""),
    "selection_pdf": ("member", "GET", ""),
    "condition_edit": ("role", "GET", "planner"),
    "copies_page": ("member", "GET", ""),
    "copy_target_add": ("role", "POST", "contractor"),
    "copy_project": ("role", "POST", "contractor"),
    "copy_run_verify": ("role", "POST", "contractor"),
    "copy_run_manifest": ("member", "GET", ""),
    "copy_item_page": ("member", "GET", ""),
    "copy_item": ("role", "POST", "contractor"),
    "acceptance_item_page": ("member", "GET", ""),
    "minutes_page": ("member", "GET", ""),
    "minutes_acceptance_pdf": ("member", "GET", ""),
    "minutes_handover_pdf": ("member", "GET", ""),
    "dossier_zip": ("member", "GET", ""),
}
ROUTES = [p.name for p in handover_urls.urlpatterns if isinstance(p, URLPattern)]
ACTORS = ["anonymous", "outsider", "other_role", "role_holder", "admin"]


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), sorted(set(ROUTES) ^ set(POLICY))


@pytest.fixture
def handed_over(approved_project, people, put_in_state, copy_root):  # type: ignore[no-untyped-def]
    for item in approved_project.items.all():
        put_in_state(item, "BAN_GIAO", people["approver"])
    target = CopyTarget.objects.create(
        project=approved_project,
        name="Ổ cứng số 1",
        kind="thiet_bi",
        path=str(copy_root / "o-cung"),
        medium_id="HDD-1",
        created_by=people["contractor"],
    )
    run = CopyRun.objects.create(target=target, by=people["contractor"], status=CopyRun.Status.VERIFIED)
    return approved_project, run


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, handed_over, people, client: Client, route_matrix) -> None:  # type: ignore[no-untyped-def]
    project, run = handed_over
    kind, method, holder = POLICY[route]
    item = project.items.first()
    pattern = next(p for p in handover_urls.urlpatterns if p.name == route)
    values = {"project_id": project.pk, "item_id": item.pk, "run_id": run.pk, "file_id": item.file_id}
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
