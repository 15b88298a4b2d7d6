"""A delivery is one arrival of scans for one file: an upload, a watched folder or a CLI call.

It keeps the delivered file (byte-identical), who sent it and how far its pages have come, so
the operator can watch per-page progress and nothing is ever silently dropped.
"""

from django.conf import settings
from django.db import models


class Delivery(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", "Tải lên"
        WATCH = "watch", "Thư mục theo dõi"
        CLI = "cli", "Dòng lệnh"

    class Status(models.TextChoices):
        PROCESSING = "processing", "Đang xử lý"
        DONE = "done", "Hoàn thành"
        NEEDS_RESCAN = "needs_rescan", "Cần quét lại"
        FAILED = "failed", "Lỗi"

    file = models.ForeignKey(
        "archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="deliveries"
    )
    source = models.CharField("Nguồn", max_length=10, choices=Source.choices)
    names = models.JSONField("Tên tệp", default=list)
    page_count = models.PositiveIntegerField("Số trang", default=0)
    status = models.CharField("Trạng thái", max_length=14, choices=Status.choices, default=Status.PROCESSING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Lần nộp bản quét"
        verbose_name_plural = "Các lần nộp bản quét"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file.file_code} – {self.get_source_display()} {self.created_at:%d/%m/%Y %H:%M}"


class WorkerHeartbeat(models.Model):
    """Written by each running worker every few seconds; lets a CLI call know whether anyone listens."""

    hostname = models.CharField(max_length=255, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%d/%m/%Y %H:%M:%S}"
