"""The audit trail (nhật ký kiểm tra): one row per state change and per read of non-public material.

Rows are only ever appended (``khoso.audit.services.append``), each linked to the one before by
a SHA-256 hash chain (``khoso.audit.chain``); on PostgreSQL a trigger refuses UPDATE, DELETE and
TRUNCATE. The actor and the fonds are plain ids without a database constraint, so deleting a user
or a fonds never has to touch (and so never may touch) a row of the trail; ``actor_name`` keeps the
name the actor had at the time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "thay_doi", "Thay đổi"
        READ = "xem", "Xem tài liệu không công khai"

    seq = models.BigIntegerField("Số thứ tự", primary_key=True)
    time = models.DateTimeField("Thời điểm")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người thực hiện",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("Tên người thực hiện", max_length=150)
    action = models.CharField("Thao tác", max_length=100, db_index=True)
    route = models.CharField("Địa chỉ (tên tuyến)", max_length=100, blank=True)
    kind = models.CharField("Loại", max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    object_type = models.CharField("Loại đối tượng", max_length=100, blank=True)
    object_id = models.CharField("Mã đối tượng", max_length=64, blank=True)
    object_label = models.CharField("Đối tượng", max_length=255, blank=True)
    fonds_id = models.BigIntegerField("Phông", null=True, blank=True)
    digest_before = models.CharField("SHA-256 trước", max_length=64, blank=True)
    digest_after = models.CharField("SHA-256 sau", max_length=64, blank=True)
    ip = models.GenericIPAddressField("Địa chỉ IP", null=True, blank=True)
    request_id = models.CharField("Mã yêu cầu", max_length=64, blank=True)
    detail = models.JSONField("Chi tiết", default=dict, blank=True)
    prev_hash = models.CharField("Mã băm mục trước", max_length=64)
    entry_hash = models.CharField("Mã băm", max_length=64, unique=True)

    class Meta:
        verbose_name = "Mục nhật ký kiểm tra"
        verbose_name_plural = "Nhật ký kiểm tra"
        ordering = ["-seq"]
        default_permissions = ("view",)  # rows are appended by the system, never added, changed or deleted
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "time"], name="audit_actor_time"),
            models.Index(fields=["fonds_id", "time"], name="audit_fonds_time"),
            models.Index(fields=["time"], name="audit_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}".strip()

    def hashed_fields(self) -> dict[str, object]:
        from khoso.audit.chain import HASHED_FIELDS

        return {name: getattr(self, name) for name in HASHED_FIELDS}
