"""Staff two-factor authentication (issue 6 §5): a staff account reaches no page before a TOTP code.

The codes are made with pyotp from the key the enrolment page shows, as an authenticator app would.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pyotp
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.accounts import totp
from khoso.accounts.models import RecoveryCode, TOTPDevice

PASSWORD = "mat-khau-dai-12"


@pytest.fixture(autouse=True)
def totp_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_STAFF_TOTP = True


@pytest.fixture
def staff(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user("luutru", password=PASSWORD, is_staff=True)


def _login(client: Client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _step() -> int:
    return int(time.time() // totp.INTERVAL)


def _enrol(client: Client) -> tuple[str, list[str]]:
    """Go through enrolment as a person would; return the key and the recovery codes shown."""
    page = client.get(reverse("accounts_totp_enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline
    key = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")  # type: ignore[union-attr]
    code = pyotp.TOTP(key).now()
    done = client.post(reverse("accounts_totp_enrol"), {"code": code, "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", done.content.decode())
    assert len(codes) == totp.RECOVERY_CODE_COUNT
    return key, codes


def test_staff_login_goes_to_enrolment_then_pages_open_after_the_first_code(staff: User, client: Client) -> None:
    _login(client, "luutru")
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts_totp_enrol"))
    key, _codes = _enrol(client)
    assert client.get(reverse("home")).status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed and key not in device.secret_sealed  # stored sealed, not in clear
    assert client.get(reverse("accounts_totp_enrol")).content.decode().count(key[:8]) == 0  # not shown again


def test_login_verify_with_current_code_then_replay_and_wrong_code_are_refused(staff: User) -> None:
    first = Client()
    _login(first, "luutru")
    key, _codes = _enrol(first)
    used_code = pyotp.TOTP(key).now()  # the code just spent at enrolment (same 30-s step)

    second = Client()
    _login(second, "luutru")
    page = second.get(reverse("search"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts_totp_verify"))
    assert "next=%2Ftim-kiem%2F" in page["Location"]

    replay = second.post(reverse("accounts_totp_verify"), {"code": used_code})
    assert replay.status_code == 400
    assert "đã được dùng" in replay.content.decode()

    valid = {totp.code_at(key, step) for step in range(_step() - 1, _step() + 3)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
    refused = second.post(reverse("accounts_totp_verify"), {"code": wrong})
    assert refused.status_code == 400 and "Mã xác thực không đúng" in refused.content.decode()
    assert second.get(reverse("home")).status_code == 302  # still not through

    next_code = totp.code_at(key, _step() + 1)  # the next step's code (clock drift window)
    accepted = second.post(reverse("accounts_totp_verify"), {"code": next_code, "next": "/tim-kiem/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/tim-kiem/"
    assert second.get(reverse("search")).status_code == 200


def test_recovery_code_works_once(staff: User) -> None:
    first = Client()
    _login(first, "luutru")
    _key, codes = _enrol(first)
    assert RecoveryCode.objects.filter(device__user=staff).count() == totp.RECOVERY_CODE_COUNT
    assert not RecoveryCode.objects.filter(digest__in=codes).exists()  # kept hashed

    second = Client()
    _login(second, "luutru")
    used = second.post(reverse("accounts_totp_verify"), {"recovery_code": codes[3].upper()})
    assert used.status_code == 302
    assert second.get(reverse("home")).status_code == 200

    third = Client()
    _login(third, "luutru")
    again = third.post(reverse("accounts_totp_verify"), {"recovery_code": codes[3]})
    assert again.status_code == 400 and "Mã khôi phục không đúng hoặc đã được dùng" in again.content.decode()
    assert third.get(reverse("home")).status_code == 302
    assert third.post(reverse("accounts_totp_verify"), {"recovery_code": codes[4]}).status_code == 302


def test_wrong_codes_lock_the_device_for_the_cool_off(staff: User, settings) -> None:  # type: ignore[no-untyped-def]
    first = Client()
    _login(first, "luutru")
    key, _codes = _enrol(first)
    second = Client()
    _login(second, "luutru")
    valid = {totp.code_at(key, step) for step in range(_step() - 2, _step() + 3)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in valid)
    statuses = [
        second.post(reverse("accounts_totp_verify"), {"code": wrong}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses[-1] == 429
    locked = second.post(reverse("accounts_totp_verify"), {"code": totp.code_at(key, _step() + 1)})
    assert locked.status_code == 429 and "thử lại sau" in locked.content.decode()


def test_staff_by_fonds_grant_is_forced_and_a_reader_is_not(db, fonds) -> None:  # type: ignore[no-untyped-def]
    granted = User.objects.create_user("canbo", password=PASSWORD)
    FondsGrant.objects.create(user=granted, fonds=fonds)
    User.objects.create_user("docgia", password=PASSWORD)
    staff_client, reader_client = Client(), Client()
    _login(staff_client, "canbo")
    _login(reader_client, "docgia")
    assert staff_client.get(reverse("home"))["Location"].startswith(reverse("accounts_totp_enrol"))
    assert reader_client.get(reverse("home")).status_code == 200


def test_scripts_get_a_json_403_instead_of_a_redirect(staff: User, client: Client) -> None:
    _login(client, "luutru")
    response = client.get(reverse("search"), headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["url"] == reverse("accounts_totp_enrol")


def test_verify_redirect_refuses_an_outside_next(staff: User) -> None:
    first = Client()
    _login(first, "luutru")
    key, _ = _enrol(first)
    second = Client()
    _login(second, "luutru")
    response = second.post(
        reverse("accounts_totp_verify"), {"code": totp.code_at(key, _step() + 1), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_totp_reset_command_removes_the_device(staff: User, capsys) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, "luutru")
    _enrol(client)
    call_command("totp-reset", "luutru")
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert "Đã xóa thiết bị xác thực hai lớp" in capsys.readouterr().out
    fresh = Client()
    _login(fresh, "luutru")
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("accounts_totp_enrol"))


def test_setting_off_forces_nobody(staff: User, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_STAFF_TOTP = False
    _login(client, "luutru")
    assert client.get(reverse("home")).status_code == 200


def test_code_matching_rules() -> None:
    secret = totp.new_secret()
    now = datetime.now()
    step = int(now.timestamp() // totp.INTERVAL)
    assert totp.matching_step(secret, totp.code_at(secret, step), last_step=None, now=now) == step
    assert totp.matching_step(secret, totp.code_at(secret, step - 1), last_step=None, now=now) == step - 1
    assert totp.matching_step(secret, totp.code_at(secret, step - 3), last_step=None, now=now) is None
    assert totp.matching_step(secret, totp.code_at(secret, step), last_step=step, now=now) is None
    assert totp.replayed(secret, totp.code_at(secret, step), last_step=step, now=now)
    assert totp.matching_step(secret, "12a456", last_step=None, now=now) is None
    assert totp.unseal(totp.seal(secret, "k1"), "k2") is None
    assert totp.unseal(totp.seal(secret, "k1"), "k1") == secret
