"""``Authorization: Token <key>`` (or ``Bearer <key>``) for Django REST framework.

The key is looked up by its SHA-256 digest (the only form stored). A revoked or expired token, or one
whose user is inactive, is refused with 401 and a Vietnamese message naming the rule; a request
without the header is left to the other authenticators (session) and then to ``IsAuthenticated``,
which answers 401 with ``WWW-Authenticate: Token``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from khoso.api import services
from khoso.api.models import ApiToken

KEYWORDS = ("token", "bearer")
REALM = 'Token realm="api"'


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Tiêu đề Authorization phải có dạng «Token <khóa>». / The Authorization header must read 'Token <key>'."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Khóa API không hợp lệ. / Invalid API token.") from error
        return self.authenticate_key(key)

    def authenticate_key(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=services.token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Khóa API không hợp lệ. / Invalid API token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Khóa API đã bị thu hồi. / The API token was revoked.")
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("Khóa API đã hết hạn. / The API token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "Tài khoản của khóa API đã bị khóa. / The API token's account is inactive."
            )
        services.token_touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return REALM
