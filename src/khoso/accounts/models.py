"""Second factors of staff accounts: one TOTP device per user and its one-time recovery codes.

The secret is kept sealed (see :mod:`khoso.accounts.totp`) and is shown only while the device is
being enrolled; ``last_step`` is the last 30-second step accepted, so a code is never accepted
twice; wrong codes are counted and lock the device for the login cool-off after
``KHOSO_LOGIN_FAILURE_LIMIT`` misses (a 6-digit code must not be guessable by brute force).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TOTPDevice(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="Người dùng", on_delete=models.CASCADE, related_name="totp_device"
    )
    secret_sealed = models.TextField("Khóa bí mật (đã mã hóa)")
    confirmed = models.BooleanField("Đã xác nhận", default=False)
    confirmed_at = models.DateTimeField("Xác nhận lúc", null=True, blank=True)
    last_step = models.BigIntegerField("Bước thời gian đã dùng gần nhất", null=True, blank=True)
    last_used_at = models.DateTimeField("Dùng lần cuối", null=True, blank=True)
    failed_attempts = models.PositiveIntegerField("Số lần nhập sai liên tiếp", default=0)
    locked_until = models.DateTimeField("Khóa đến", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Thiết bị xác thực hai lớp"
        verbose_name_plural = "Thiết bị xác thực hai lớp"

    def __str__(self) -> str:
        return f"{self.user} ({'đã xác nhận' if self.confirmed else 'chưa xác nhận'})"


class RecoveryCode(models.Model):
    device = models.ForeignKey(TOTPDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField("Mã băm", max_length=64)
    used_at = models.DateTimeField("Đã dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Mã khôi phục"
        verbose_name_plural = "Mã khôi phục"
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"{self.device.user} – {'đã dùng' if self.used_at else 'chưa dùng'}"
