"""Deny by default: every route of ``khoso.readers.urls`` × every actor (× object class where it applies).

The policy table below must name every route; a route missing from it fails
``test_every_route_is_in_the_policy_table`` (and ``test_route_access`` for that route), so nobody
can add a reader page without deciding who may use it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from khoso.readers import urls as reader_urls
from khoso.readers.models import Delivery, ReaderRequest
from khoso.storage.services import object_put_bytes

pytestmark = pytest.mark.django_db

# kind → who may use the route:
#   register        anonymous only (a logged-in user is sent to their reader page)
#   user            any logged-in user (the page shows only their own account and requests)
#   approved_reader approved readers, for material their catalogue shows (public; conditional too);
#                   secret, restricted, deleted: 404 for everyone; others logged in: 403 (not a reader)
#   account_staff   readers.change_reader (superuser always); others 403
#   request_staff   readers.change_readerrequest (superuser always); others 403
#   request_object  the request's fonds is visible to the staff member and they hold the permission;
#                   anyone else 404 (existence does not leak)
#   owner           the reader who made the request, and superusers; anyone else 404
#   fonds_staff     anyone with a fonds (grant) or superuser; others 403
#   receipt         the paying reader, staff of the request's fonds and superusers; anyone else 404
POLICY: dict[str, tuple[str, str]] = {
    "reader_home": ("user", "GET"),
    "reader_register": ("register", "GET"),
    "reader_accounts": ("account_staff", "GET"),
    "reader_account_decide": ("account_staff", "POST"),
    "reader_request_create": ("approved_reader", "GET"),
    "reader_requests": ("request_staff", "GET"),
    "reader_request_review": ("request_object", "GET"),
    "reader_read": ("owner", "GET"),
    "reader_read_page": ("owner", "GET"),
    "reader_download": ("owner", "GET"),
    "reader_usage": ("fonds_staff", "GET"),
    "reader_receipt": ("receipt", "GET"),
}

ACTORS = ["anonymous", "pending", "reader", "other_reader", "staff", "staff_other", "superuser"]
OBJECTS = ["public", "conditional", "secret", "restricted", "deleted"]
ROUTES = [p.name for p in reader_urls.urlpatterns if isinstance(p, URLPattern)]
STAFF = {"staff", "staff_other", "superuser"}


def expected(kind: str, actor: str, obj: str) -> str:
    """'ok', 'login' (redirect to the login page), 'forbidden' (403), 'hidden' (404) or 'away' (302 elsewhere)."""
    if kind == "register":
        return "ok" if actor == "anonymous" else "away"
    if actor == "anonymous":
        return "login"
    if kind == "user":
        return "ok"
    if kind in {"account_staff", "request_staff", "fonds_staff"}:
        return "ok" if actor in STAFF else "forbidden"
    if kind == "request_object":
        return "ok" if actor in {"staff", "superuser"} else "hidden"
    if kind == "owner":
        return "ok" if actor in {"reader", "superuser"} else "hidden"
    if kind == "receipt":
        return "ok" if actor in {"reader", "staff", "superuser"} else "hidden"
    # approved_reader
    if obj in {"secret", "restricted", "deleted"}:
        return "hidden"
    approved = actor in {"reader", "other_reader"}
    if obj == "conditional" and not approved:
        return "hidden"  # not even in their catalogue
    return "ok" if approved else "forbidden"


@pytest.fixture
def objects(world):  # type: ignore[no-untyped-def]
    """A request on each object class and a delivery of each kind, made directly (no signing needed)."""
    reader = world.reader("reader")
    now = timezone.now()
    requests = {}
    for index, name in enumerate(OBJECTS):
        requests[name] = ReaderRequest.objects.create(
            code=f"YC-2026-{index + 1:06d}",
            reader=reader,
            kind="doc",
            file=world.files[name],
            purpose="01",
            purpose_content="Nghiên cứu",
            fee_object_type="01",
            due_date=timezone.localdate() + timedelta(days=8),
            status=ReaderRequest.Status.DELIVERED,
            fee_vnd=10000,
            paid_at=now,
            receipt_number=f"BL2026-{index + 1:06d}",
        )
    pdf = object_put_bytes(data=b"%PDF-1.4\n%%EOF\n", mime="application/pdf")
    deliveries = {}
    for kind in ("doc", "sao"):
        deliveries[kind] = Delivery.objects.create(
            request=requests["public"],
            kind=kind,
            token=(kind * 43)[:43],
            content=pdf if kind == "sao" else None,
            page_count=3,
            expires_at=now + timedelta(days=15),
            purge_after=now + timedelta(days=20),
        )
    return requests, deliveries


def _url(route: str, world, objects, obj: str) -> str:  # type: ignore[no-untyped-def]
    requests, deliveries = objects
    if route == "reader_request_create":
        return reverse(route) + f"?ho_so={world.files[obj].pk}"
    if route == "reader_account_decide":
        return reverse(route, args=[world.reader("pending").pk])
    if route in {"reader_request_review", "reader_receipt"}:
        return reverse(route, args=[requests["public"].pk])
    if route in {"reader_read", "reader_read_page"}:
        token = deliveries["doc"].token
        return reverse(route, args=[token, 1] if route == "reader_read_page" else [token])
    if route == "reader_download":
        return reverse(route, args=[deliveries["sao"].token])
    return reverse(route)


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), "routes without an access rule: " + ", ".join(sorted(set(ROUTES) - set(POLICY)))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, world, objects, client: Client) -> None:
    assert route in POLICY, f"route «{route}» is not in the policy table of {__file__}"
    kind, method = POLICY[route]
    for obj in OBJECTS if kind == "approved_reader" else ["public"]:
        client.logout()
        user = world.users[actor]
        if user is not None:
            client.force_login(user)
        url = _url(route, world, objects, obj)
        response = client.post(url) if method == "POST" else client.get(url)
        outcome = expected(kind, actor, obj)
        login_url = reverse("login")
        to_login = response.status_code == 302 and response["Location"].startswith(login_url)
        where = (route, actor, obj, response.status_code)
        if outcome == "login":
            assert to_login, where
        elif outcome == "forbidden":
            assert response.status_code == 403, where
        elif outcome == "hidden":
            assert response.status_code == 404, where
        elif outcome == "away":
            assert response.status_code == 302 and not to_login, where
        elif method == "GET":
            assert response.status_code == 200, where
        else:
            assert response.status_code == 302 and not to_login, where
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # read to the end: the client then closes it safely


def test_guessing_ids_and_tokens_tells_nothing(world, objects, client: Client) -> None:
    requests, _ = objects
    client.force_login(world.users["staff_other"])
    hidden = client.get(reverse("reader_request_review", args=[requests["public"].pk]))
    missing = client.get(reverse("reader_request_review", args=[requests["public"].pk + 1000]))
    assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content
    client.force_login(world.users["other_reader"])
    for token in ("doc" * 15, "a", "x" * 70, ("doc" * 43)[:43]):
        assert client.get(reverse("reader_read", args=[token])).status_code == 404
