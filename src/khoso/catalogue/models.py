"""An uploaded catalogue kept by its digest between the preview and the commit.

The archivist looks at a dry-run preview and then commits *that* sheet: the upload is stored in the
object store under its SHA-256 and the commit names the digest (and the digest of the plan it was
shown), so a sheet replaced or a database changed in between is refused instead of written blind.
Imports are kept after commit as the record of where catalogue entries came from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CatalogueImport(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "xem_truoc", "Đã xem trước, chưa ghi"
        COMMITTED = "da_ghi", "Đã ghi vào kho"

    fonds = models.ForeignKey("archive.Fonds", verbose_name="Phông", on_delete=models.PROTECT, related_name="+")
    inventory = models.ForeignKey(
        "archive.Inventory",
        verbose_name="Mục lục (mặc định cho hồ sơ mới)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField("Tên tệp", max_length=255)
    sheet = models.ForeignKey(
        "storage.StoredObject", verbose_name="Tệp đã tải lên", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("Trạng thái", max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.JSONField("Tóm tắt", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người tải lên", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("Tải lên lúc", auto_now_add=True)
    committed_at = models.DateTimeField("Ghi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Lần nhập mục lục"
        verbose_name_plural = "Các lần nhập mục lục"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def sha256(self) -> str:
        """The digest the sheet is stored under (the stored object's key)."""
        return str(self.sheet_id)
