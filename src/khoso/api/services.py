"""Writes of the API app: making and revoking API tokens.

A token is ``ks_`` + 32 random bytes (URL-safe base64); the database keeps its SHA-256 digest and a
short prefix so people can tell their tokens apart. The token is returned once, by
:func:`token_create`, and cannot be shown again.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from khoso.api import errors
from khoso.api.models import ApiToken
from khoso.core.text import collapse_spaces, nfc

TOKEN_PREFIX = "ks_"
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _active_user(username: str) -> User:
    user_model = get_user_model()
    user = user_model._default_manager.filter(username=nfc(username), is_active=True).first()
    if user is None:
        raise errors.TokenUserUnknown(username=username)
    return user  # type: ignore[return-value]  # the project's user model is django.contrib.auth's User


def _clean_name(name: str) -> str:
    cleaned = collapse_spaces(nfc(name or "")).strip()
    if not cleaned or len(cleaned) > 100:
        raise errors.TokenNameMissing()
    return cleaned


def token_create(*, username: str, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``username``; returns the row and the token (shown once, never stored)."""
    user = _active_user(username)
    cleaned = _clean_name(name)
    if days is not None and days < 1:
        raise errors.TokenExpiryInPast()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=cleaned, prefix=key[:10], digest=token_digest(key), expires_at=expires_at
            )
    except IntegrityError as error:
        raise errors.TokenNameTaken(username=username, name=cleaned) from error
    return token, key


def token_revoke(*, username: str, name: str) -> ApiToken:
    """Revoke the live token ``name`` of ``username``. Revoked tokens stay listed (when, by whom used)."""
    user = _active_user(username)
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=user, name=_clean_name(name), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise errors.TokenNotFound(username=username, name=name)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_touch(token: ApiToken) -> None:
    """Remember that a token was used (at most once a minute: one write, not one per request).

    Queued on commit so the write stays out of the request's audit observation: using a token is not a
    change of the archive's state.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    token.last_used_at = now
    transaction.on_commit(lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now))
