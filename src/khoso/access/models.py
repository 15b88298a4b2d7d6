"""Grants of fonds to staff. Without a grant a staff member sees nothing of a fonds."""

from django.conf import settings
from django.db import models


class FondsGrant(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người dùng", on_delete=models.CASCADE, related_name="fonds_grants"
    )
    fonds = models.ForeignKey("archive.Fonds", verbose_name="Phông", on_delete=models.CASCADE, related_name="grants")
    can_edit = models.BooleanField("Được sửa và nộp bản quét", default=False)

    class Meta:
        verbose_name = "Quyền trên phông"
        verbose_name_plural = "Quyền trên phông"
        constraints = [models.UniqueConstraint(fields=["user", "fonds"], name="grant_user_fonds")]

    def __str__(self) -> str:
        return f"{self.user} → {self.fonds.code}"
