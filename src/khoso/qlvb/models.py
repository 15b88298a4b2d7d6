"""The ingest log of the QLVB endpoint: who sent which record, when, what came of it, and its digest.

One row per record received, whatever the result, so the agency archive can answer "did the
document-management system send it, and what did we say?" long after the HTTP exchange is gone.

The log also carries idempotency: the QLVB's own identifier of a document (mã định danh văn bản)
together with the agency code (OrganId) names a record for life. A partial unique constraint allows
one "created" row per (agency, identifier), so a record sent twice, or by two requests at once, is
archived once; the content digest tells a faithful repeat ("unchanged") from a changed record, which
is refused because archived records are never rewritten (NĐ 30/2020 Phụ lục VI: integrity).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IngestRecord(models.Model):
    class Result(models.TextChoices):
        CREATED = "created", "Đã tạo"
        UNCHANGED = "unchanged", "Không đổi (đã nhận trước đó)"
        REJECTED = "rejected", "Bị từ chối"

    organ_id = models.CharField("Mã định danh cơ quan", max_length=35, blank=True)
    external_id = models.CharField("Mã định danh văn bản (hệ thống QLVB)", max_length=100, blank=True)
    file_code = models.CharField("Mã hồ sơ", max_length=100, blank=True)
    result = models.CharField("Kết quả", max_length=10, choices=Result.choices)
    content_digest = models.CharField("Mã băm SHA-256 của bản ghi", max_length=64, blank=True)
    file_digests = models.JSONField("Mã băm SHA-256 của các tệp", default=list, blank=True)
    errors = models.JSONField("Lỗi", default=list, blank=True)
    metadata = models.JSONField("Siêu dữ liệu nhận được", default=dict, blank=True)
    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(
        "archive.ArchiveFile", verbose_name="Hồ sơ", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "archive.Document",
        verbose_name="Tài liệu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ingest_records",
    )
    delivery = models.ForeignKey(
        "capture.Delivery", verbose_name="Lần nộp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người gửi", null=True, on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.CharField("Mã yêu cầu", max_length=64, blank=True)
    sent_at = models.DateTimeField("Thời điểm nhận", auto_now_add=True)

    class Meta:
        verbose_name = "Bản ghi nhận từ QLVB"
        verbose_name_plural = "Nhật ký nhận văn bản từ QLVB"
        ordering = ["-sent_at", "-pk"]
        permissions = [("ingest", "Gửi văn bản điện tử từ hệ thống QLVB vào lưu trữ / push QLVB records")]
        constraints = [
            models.UniqueConstraint(
                fields=["organ_id", "external_id"],
                condition=models.Q(result="created"),
                name="qlvb_one_created_record_per_identifier",
            )
        ]
        indexes = [models.Index(fields=["organ_id", "external_id"], name="qlvb_record_identifier")]

    def __str__(self) -> str:
        return f"{self.organ_id}/{self.external_id}: {self.get_result_display()}"
