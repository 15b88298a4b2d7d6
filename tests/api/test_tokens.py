"""API tokens: only the digest is stored, the header forms, revocation, expiry, the CLI."""

from __future__ import annotations

import datetime
import hashlib
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from khoso.api import errors, services
from khoso.api.models import ApiToken

pytestmark = pytest.mark.django_db

FONDS_URL = "/api/v1/fonds/"


@pytest.fixture
def user() -> User:
    return User.objects.create_user("lap_trinh", password="mat-khau-thu-nghiem-123")


def test_only_the_digest_is_stored(user: User) -> None:
    token, key = services.token_create(username="lap_trinh", name="QLVB tỉnh")
    row = ApiToken.objects.get(pk=token.pk)
    assert row.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in row.__dict__.values()}
    assert key.startswith("ks_") and row.prefix == key[:10]


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token"])
def test_both_header_forms_sign_in(user: User, keyword: str, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _, key = services.token_create(username="lap_trinh", name="script")
    with django_capture_on_commit_callbacks(execute=True):  # the last-used time is written after the commit
        response = Client().get(FONDS_URL, HTTP_AUTHORIZATION=f"{keyword} {key}")
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_anonymous_gets_401_with_www_authenticate() -> None:
    response = Client().get(FONDS_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("header", ["Token ks_khong_dung", "Token", "Token a b", "Bearer " + "x" * 40])
def test_bad_tokens_are_refused(user: User, header: str) -> None:
    response = Client().get(FONDS_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_revoked_expired_and_inactive_are_refused(user: User) -> None:
    _, revoked = services.token_create(username="lap_trinh", name="cu")
    services.token_revoke(username="lap_trinh", name="cu")
    _, expired = services.token_create(username="lap_trinh", name="het-han", days=1)
    ApiToken.objects.filter(name="het-han").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for key, word in ((revoked, "thu hồi"), (expired, "hết hạn")):
        response = Client().get(FONDS_URL, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 401
        assert word in response.json()["detail"]
    _, live = services.token_create(username="lap_trinh", name="song")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert Client().get(FONDS_URL, HTTP_AUTHORIZATION=f"Token {live}").status_code == 401


def test_service_rules(user: User) -> None:
    services.token_create(username="lap_trinh", name="một")
    with pytest.raises(errors.TokenNameTaken):
        services.token_create(username="lap_trinh", name="một")
    with pytest.raises(errors.TokenNameMissing):
        services.token_create(username="lap_trinh", name="   ")
    with pytest.raises(errors.TokenUserUnknown):
        services.token_create(username="khong_co", name="x")
    with pytest.raises(errors.TokenExpiryInPast):
        services.token_create(username="lap_trinh", name="y", days=0)
    with pytest.raises(errors.TokenNotFound):
        services.token_revoke(username="lap_trinh", name="không có")
    assert ApiToken.objects.count() == 1


def test_cli_create_list_revoke(user: User) -> None:
    out = io.StringIO()
    call_command(
        "api-token", "create", "--user", "lap_trinh", "--name", "QLVB", "--days", "30", stdout=out, stderr=io.StringIO()
    )
    key = out.getvalue().strip()
    assert Client().get(FONDS_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    out = io.StringIO()
    call_command("api-token", "list", "--user", "lap_trinh", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [row["name"] for row in rows] == ["QLVB"] and rows[0]["revoked_at"] is None
    assert key not in out.getvalue()
    call_command("api-token", "revoke", "--user", "lap_trinh", "--name", "QLVB", stdout=io.StringIO())
    assert Client().get(FONDS_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    with pytest.raises(CommandError):
        call_command("api-token", "revoke", "--user", "lap_trinh", "--name", "QLVB", stdout=io.StringIO())


def test_using_a_token_writes_no_audit_entry(user: User) -> None:
    from khoso.audit.models import AuditEntry

    _, key = services.token_create(username="lap_trinh", name="script")
    before = AuditEntry.objects.count()
    Client().post("/api/v1/reader-requests/", {}, HTTP_AUTHORIZATION=f"Token {key}", content_type="application/json")
    assert AuditEntry.objects.count() == before
