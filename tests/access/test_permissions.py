"""Deny by default: every route of ``khoso.access.urls`` × every actor.

Actors: anonymous, a reader waiting for approval, an approved reader, an approving archivist of
another fonds, the approving archivist of the fonds (a second person: the pending change was proposed
by someone else), and an administrator (Quản trị viên role with a grant on the fonds). The policy
table must name every route; a route missing from it fails ``test_every_route_is_in_the_policy``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from khoso.access import services
from khoso.access import urls as access_urls
from khoso.access.models import Restriction
from khoso.readers.models import Reader

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "reader", "approved_reader", "staff_other_fonds", "approver", "admin")


def _row(*outcomes: str) -> dict[str, str]:
    return dict(zip(ACTORS, outcomes, strict=True))


# outcome: HTTP status, or "login" (redirect to the login page), or "done" (a redirect after the POST)
POLICY: dict[str, tuple[str, dict[str, str]]] = {
    "access_change_list": ("GET", _row("login", "403", "403", "200", "200", "200")),
    "access_change_detail": ("GET", _row("login", "403", "403", "404", "200", "200")),
    "access_change_confirm": ("POST", _row("login", "403", "403", "404", "done", "done")),
    "access_change_reject": ("POST", _row("login", "403", "403", "404", "done", "done")),
    "access_file": ("GET", _row("login", "404", "404", "404", "200", "200")),
    "access_document": ("GET", _row("login", "404", "404", "404", "200", "200")),
    "access_restriction_list": ("GET", _row("login", "403", "403", "200", "200", "200")),
    "access_restriction_add": ("POST", _row("login", "403", "403", "400", "done", "done")),
    "access_restriction_change": ("POST", _row("login", "403", "403", "404", "done", "done")),
    "access_restriction_end": ("POST", _row("login", "403", "403", "404", "done", "done")),
    "access_people": ("GET", _row("login", "403", "403", "403", "403", "200")),
    "access_person": ("GET", _row("login", "403", "403", "403", "403", "200")),
    "access_role_propose": ("POST", _row("login", "403", "403", "403", "403", "done")),
    "access_grant_propose": ("POST", _row("login", "403", "403", "403", "403", "done")),
    "access_lock_list": ("GET", _row("login", "403", "403", "200", "200", "200")),
    "access_lock_create": ("POST", _row("login", "403", "403", "400", "done", "done")),
    "access_unlock_propose": ("POST", _row("login", "403", "403", "404", "done", "done")),
}


def test_every_route_is_in_the_policy() -> None:
    assert {p.name for p in access_urls.urlpatterns if isinstance(p, URLPattern)} == set(POLICY)


def _reader(name: str, status: str) -> User:
    user = User.objects.create_user(name)
    Reader.objects.create(
        user=user, full_name="Lê Văn Đọc", citizen_id="066095000123", email=f"{name}@b.vn", status=status
    )
    return user


@pytest.fixture
def objects(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    restriction = Restriction.objects.create(
        fonds=world.fonds, file=world.file, reason="Đời tư", start_date=today - timedelta(days=3)
    )
    change = services.propose_file_access(
        archive_file=world.file, mode="02", reason="Cần điều kiện", by=world.users["proposer"]
    )
    lock = services.lock_files(
        fonds=world.fonds, scope="ho_so", files=[world.file], reason="Thanh tra", by=world.users["proposer"]
    )
    return {"world": world, "restriction": restriction, "change": change, "lock": lock}


def _request(client: Client, route: str, objects) -> object:  # type: ignore[no-untyped-def]
    world = objects["world"]
    today = timezone.localdate()
    subject = world.users["cataloguer"]
    args: dict[str, list] = {
        "access_change_detail": [objects["change"].pk],
        "access_change_confirm": [objects["change"].pk],
        "access_change_reject": [objects["change"].pk],
        "access_file": [world.file.file_code],
        "access_document": [world.document.pk],
        "access_restriction_change": [objects["restriction"].pk],
        "access_restriction_end": [objects["restriction"].pk],
        "access_person": [subject.pk],
        "access_role_propose": [subject.pk],
        "access_grant_propose": [subject.pk],
        "access_unlock_propose": [objects["lock"].pk],
    }
    data = {
        "access_change_confirm": {"note": "Đồng ý"},
        "access_change_reject": {"note": "Không đủ căn cứ"},
        "access_restriction_add": {
            "fonds": world.fonds.pk,
            "target": world.document.doc_code,
            "start_date": today.strftime("%d/%m/%Y"),
            "reason": "Liên quan đời tư",
        },
        "access_restriction_change": {"start_date": today.strftime("%d/%m/%Y"), "end_date": "", "reason": "Sửa"},
        "access_restriction_end": {"reason": "Đã hết lý do"},
        "access_role_propose": {"group": subject.groups.get().pk, "member": "0", "reason": "Chuyển công tác"},
        "access_grant_propose": {"fonds": world.fonds.pk, "access": "view", "reason": "Chỉ xem"},
        "access_lock_create": {"fonds": world.fonds.pk, "scope": "phong", "reason": "Kiểm kê"},
        "access_unlock_propose": {"reason": "Xong thanh tra"},
    }
    url = reverse(route, args=args.get(route, []))
    method, _ = POLICY[route]
    return client.get(url) if method == "GET" else client.post(url, data.get(route, {}))


@pytest.mark.parametrize("route", sorted(POLICY))
@pytest.mark.parametrize("actor", ACTORS)
def test_route_access(route: str, actor: str, objects) -> None:  # type: ignore[no-untyped-def]
    world = objects["world"]
    users = {
        "reader": _reader("doc-gia-cho", Reader.Status.PENDING),
        "approved_reader": _reader("doc-gia-duyet", Reader.Status.APPROVED),
        "staff_other_fonds": world.users["outsider"],
        "approver": world.users["confirmer"],
        "admin": world.users["admin"],
    }
    client = Client()
    if actor != "anonymous":
        client.force_login(users[actor])
    response = _request(client, route, objects)
    expected = POLICY[route][1][actor]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif expected == "done":
        assert response.status_code == 302 and not response["Location"].startswith(reverse("login"))
        assert "error" not in [m.tags for m in response.wsgi_request._messages], route  # the service took it
    else:
        assert response.status_code == int(expected), (route, actor, response.status_code)
