"""T11 (engineering.md C5): login lockout with django-axes, and request rate limits.

Lockout is per account *and* address (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``):
a password-guessing client locks itself out of that account; the same person from another
address, and other accounts from the same address, still log in. The "1,000 calls" part runs
against the portal's suggestion and search endpoints here; the REST API carries the same limiter
(``khoso.accounts.ratelimit.Throttle``), checked with a token in ``tests/api/test_behaviour.py``.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from khoso.accounts import ratelimit

PASSWORD = "mat-khau-dai-12"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


@pytest.fixture
def archivist(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user("luutru", password=PASSWORD)


def _login(client: Client, password: str, ip: str, username: str = "luutru"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_t11_twenty_bad_logins_lock_the_account_from_that_address_only(archivist: User, settings) -> None:  # type: ignore[no-untyped-def]
    limit = settings.AXES_FAILURE_LIMIT
    attacker = Client()
    started = time.monotonic()
    statuses = []
    for attempt in range(20):  # bounded: 20 attempts, no retries
        statuses.append(_login(attacker, f"sai-{attempt}", ATTACKER).status_code)
    elapsed = time.monotonic() - started
    assert elapsed < 60
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, "wrong password"
    assert set(statuses[limit:]) == {429}

    locked = _login(attacker, PASSWORD, ATTACKER)  # even the right password: locked
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    page = locked.content.decode()
    assert "Đăng nhập sai quá" in page and "tạm khóa" in page
    assert "_auth_user_id" not in attacker.session

    office = Client()
    assert _login(office, PASSWORD, OFFICE).status_code == 302  # same account, another address
    User.objects.create_user("canbo2", password=PASSWORD)
    assert _login(Client(), PASSWORD, ATTACKER, username="canbo2").status_code == 302  # other account


def test_a_successful_login_resets_the_count(archivist: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "sai", OFFICE).status_code == 200
    assert _login(client, PASSWORD, OFFICE).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "sai", OFFICE).status_code == 200
    assert _login(client, PASSWORD, OFFICE).status_code == 302


def test_t11_one_thousand_calls_from_one_client_are_capped_with_retry_after(db, settings) -> None:  # type: ignore[no-untyped-def]
    # A day-long window: a window boundary cannot fall inside the loop (a minute's could, rarely).
    settings.KHOSO_RATE_LIMIT = "120/day"
    client = Client()
    url = reverse("portal_suggest")
    started = time.monotonic()
    answers = [client.get(url, {"q": "h"}, REMOTE_ADDR=ATTACKER) for _ in range(1000)]
    elapsed = time.monotonic() - started
    assert elapsed < 60
    assert [r.status_code for r in answers[:120]] == [200] * 120
    refused = answers[120:]
    assert {r.status_code for r in refused} == {429}
    last = refused[-1]
    assert 0 < int(last["Retry-After"]) <= 86400
    body = last.json()
    assert body["code"] == "vuot_gioi_han_yeu_cau"
    assert "Quá nhiều yêu cầu: tối đa 120 yêu cầu mỗi ngày" in body["message"]
    # another client is not affected; a signed-in user is counted by account, not address
    assert client.get(url, {"q": "h"}, REMOTE_ADDR=OFFICE).status_code == 200
    user = User.objects.create_user("docgia", password=PASSWORD)
    client.force_login(user)
    assert client.get(url, {"q": "h"}, REMOTE_ADDR=ATTACKER).status_code == 200


def test_portal_search_page_is_limited_with_a_vietnamese_page(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_RATE_LIMIT = "3/day"
    client = Client()
    statuses = [client.get(reverse("portal_home"), REMOTE_ADDR=ATTACKER).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = client.get(reverse("portal_home"), {"q": "đắk lắk"}, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Quá nhiều yêu cầu: tối đa 3 yêu cầu mỗi ngày" in refused.content.decode()


def test_fixed_window_counts_and_reopens(db) -> None:  # type: ignore[no-untyped-def]
    rate = ratelimit.parse_rate("2/minute")
    assert rate == ratelimit.Rate(2, 60)
    start = 6_000_000.0  # a window boundary (divisible by 60)
    assert ratelimit.hit("t", "c", rate, now=start) is None
    assert ratelimit.hit("t", "c", rate, now=start + 1) is None
    assert ratelimit.hit("t", "c", rate, now=start + 20) == 40
    assert ratelimit.hit("t", "c", rate, now=start + 60) is None  # next window
    with pytest.raises(ValueError):
        ratelimit.parse_rate("nhiều/phút")


def test_throttle_has_the_shape_rest_framework_expects(db, rf, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_RATE_LIMIT = "1/hour"
    request = rf.get("/api/", REMOTE_ADDR=ATTACKER)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    throttle = ratelimit.Throttle()
    assert throttle.allow_request(request, None) is True and throttle.wait() is None
    assert throttle.allow_request(request, None) is False
    assert 0 < (throttle.wait() or 0) <= 3600


def test_behind_a_trusted_proxy_each_client_has_its_own_lockout(archivist: User, settings) -> None:  # type: ignore[no-untyped-def]
    """Behind the reverse proxy every request comes from 10.0.0.2; the proxy's X-Forwarded-For names the
    client, so one guessing client does not lock out the whole office."""
    settings.KHOSO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.2"

    def via_proxy(client: Client, password: str, forwarded: str):  # type: ignore[no-untyped-def]
        return client.post(
            reverse("login"),
            {"username": "luutru", "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(attacker, f"sai-{attempt}", f"1.1.1.1, {ATTACKER}")  # a spoofed first hop changes nothing
    assert via_proxy(attacker, PASSWORD, f"9.9.9.9, {ATTACKER}").status_code == 429
    assert via_proxy(Client(), PASSWORD, OFFICE).status_code == 302  # the office, same proxy, other client
    settings.KHOSO_TRUSTED_PROXIES = []  # an untrusted peer's header is ignored: the proxy itself is the client
    assert _login(Client(), PASSWORD, proxy).status_code == 302
