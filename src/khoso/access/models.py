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


class Restriction(models.Model):
    """One entry of the restricted-use list (danh mục tài liệu hạn chế sử dụng).

    An entry covers a whole fonds, one file or one document from ``start_date`` to ``end_date``
    inclusive; material opens by itself the day after ``end_date`` (no end date: until the entry
    is removed). While an entry is in force its material is treated as not public: the portal,
    reader search, autocomplete, sitemaps, thumbnails and exports leave it out; staff with a grant
    on the fonds still work on it.
    """

    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", on_delete=models.CASCADE, related_name="restrictions"
    )
    file = models.ForeignKey(
        "archive.ArchiveFile",
        verbose_name="Hồ sơ",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="restrictions",
    )
    document = models.ForeignKey(
        "archive.Document",
        verbose_name="Tài liệu",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="restrictions",
    )
    reason = models.CharField("Lý do hạn chế", max_length=500)
    start_date = models.DateField("Hạn chế từ ngày")
    end_date = models.DateField("Hạn chế đến hết ngày", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Tài liệu hạn chế sử dụng"
        verbose_name_plural = "Danh mục tài liệu hạn chế sử dụng"
        ordering = ["fonds", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="restriction_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        target = self.document or self.file or self.fonds
        return f"{target} ({self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y})" if self.end_date else f"{target}"
