"""Route × actor matrix of /thoi-han/ (tests/test_routes.py requires one per URL module).

Anonymous → login page. The board needs a kind of deadline to follow: a reader, or staff holding a fonds but no
right that carries a deadline, get 403; the reading room, a report viewer, the reporter and the administrator
get the board (each with only their own items). Recording the annual report as sent needs
``deadlines.add_reportsubmission``: 403 for everyone else, a redirect back to the board for those who hold it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "reader", "plain", "staff_a", "viewer", "reporter", "admin")
POLICY: dict[str, tuple[str, dict[str, str | int]]] = {
    "deadlines_board": (
        "GET",
        {
            "anonymous": "login",
            "reader": 403,
            "plain": 403,
            "staff_a": 200,
            "viewer": 200,
            "reporter": 200,
            "admin": 200,
        },
    ),
    "deadlines_report_submit": (
        "POST",
        {
            "anonymous": "login",
            "reader": 403,
            "plain": 403,
            "staff_a": 403,
            "viewer": 403,
            "reporter": 302,
            "admin": 302,
        },
    ),
}


def test_every_route_is_in_the_matrix() -> None:
    from khoso.deadlines.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == set(POLICY)


@pytest.mark.parametrize("route", sorted(POLICY))
def test_route_actor_matrix(route: str, place) -> None:  # type: ignore[no-untyped-def]
    method, expected = POLICY[route]
    today = timezone.localdate()
    observed: dict[str, str | int] = {}
    for actor in ACTORS:
        client = Client()
        if actor != "anonymous":
            client.force_login(place.users[actor])
        if method == "GET":
            response = client.get(reverse(route))
            assert actor == "anonymous" or client.post(reverse(route)).status_code in (403, 405)
        else:
            response = client.post(
                reverse(route), {"year": today.year, "submitted_on": today.strftime("%d/%m/%Y"), "reference": "01/BC"}
            )
            assert client.get(reverse(route)).status_code in (302, 405)  # POST only (anonymous: login first)
        if response.status_code == 302 and response["Location"].startswith(reverse("login")):
            observed[actor] = "login"
        else:
            observed[actor] = response.status_code
    assert observed == expected
