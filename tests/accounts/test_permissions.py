"""Route × actor matrix of the accounts routes (what tests/test_authorization_sweep.py will hold).

With the second factor off (as in the sweep): anonymous visitors go to the login page; every
signed-in account may open its own enrolment page (posting no code is refused, 400); the verify
page sends an account without a confirmed device to enrolment.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.accounts.urls import urlpatterns
from khoso.archive.models import Fonds, Institution
from khoso.readers.models import Reader

ACTORS = ["anonymous", "pending_reader", "reader", "staff_other_fonds", "admin"]
POLICY = {
    # name: {method: outcome for a signed-in actor}; anonymous is always "login"
    "accounts_totp_enrol": {"GET": "ok", "POST": "refused"},
    "accounts_totp_verify": {"GET": "to_enrol", "POST": "to_enrol"},
}


def test_every_accounts_route_is_in_the_policy() -> None:
    assert {pattern.name for pattern in urlpatterns} == set(POLICY)


def _actor(name: str) -> User | None:
    if name == "anonymous":
        return None
    if name == "admin":
        return User.objects.create_superuser("quantri", password="mat-khau-dai-12")
    user = User.objects.create_user(name, password="mat-khau-dai-12")
    if name in ("pending_reader", "reader"):
        Reader.objects.create(
            user=user,
            full_name="Nguyễn Văn Đọc",
            citizen_id="001200000002",
            email="doc@example.vn",
            status=Reader.Status.PENDING if name == "pending_reader" else Reader.Status.APPROVED,
        )
    if name == "staff_other_fonds":
        institution = Institution.objects.create(code="H15", name="Lưu trữ tỉnh")
        fonds = Fonds.objects.create(
            institution=institution,
            code="KHAC",
            name="Phông khác",
            history="",
            archives_time=str(date.today().year),
            paper_total=1,
            key_groups="",
            language="01",
        )
        FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    return user


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", sorted(POLICY))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_route_access(db, route: str, actor: str, method: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    user = _actor(actor)
    if user is not None:
        client.force_login(user)
    url = reverse(route)
    response = client.post(url, {"code": "12"}) if method == "POST" else client.get(url)
    outcome = "login" if user is None else POLICY[route][method]
    if outcome == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif outcome == "to_enrol":
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts_totp_enrol"))
    elif outcome == "refused":
        assert response.status_code == 400 and "Mã xác thực không đúng" in response.content.decode()
    else:
        assert response.status_code == 200 and "<svg" in response.content.decode()
