"""API tokens: how programs (a QLVB system, scripts) sign in to the REST API.

Only the SHA-256 digest of a token is stored; the token itself is shown once, when it is made, so a
copy of the database gives no access. A token belongs to a user and acts with exactly that user's
rights (grants per fonds, roles); it can expire and be revoked, and remembers when it was last used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người dùng", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("Tên", max_length=100)
    prefix = models.CharField("Phần đầu (để nhận ra)", max_length=12)
    digest = models.CharField("Mã băm SHA-256", max_length=64, unique=True)
    created_at = models.DateTimeField("Tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("Dùng lần cuối", null=True, blank=True)
    expires_at = models.DateTimeField("Hết hạn lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("Thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Khóa API"
        verbose_name_plural = "Khóa API"
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_name_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user} – {self.name} ({self.prefix}…)"
