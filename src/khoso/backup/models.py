"""The backup log (nhật ký sao lưu, TT 05 Phụ lục VII) and the insurance copies (bản sao bảo hiểm) per fonds.

A log row is written when a backup starts and completed when it ends, so a backup that dies midway
stays visible as "running" until the next one marks it interrupted: the log never claims more than
the disk holds. Pruning old backups is logged the same way (kind ``prune``), with the backups it
removed and the pool objects it freed; a target that could not be written at all still gets its row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Outcome(models.TextChoices):
    RUNNING = "dang_chay", "Đang chạy"
    OK = "thanh_cong", "Thành công"
    FAILED = "loi", "Lỗi"
    INTERRUPTED = "gian_doan", "Bị gián đoạn"


class BackupLog(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", "Toàn bộ"
        INCREMENTAL = "incremental", "Gia tăng"
        PRUNE = "prune", "Dọn bản cũ"

    class Trigger(models.TextChoices):
        SCHEDULED = "lich", "Theo lịch"
        MANUAL = "thu_cong", "Thủ công"

    name = models.CharField("Tên bản sao lưu", max_length=100, blank=True)
    kind = models.CharField("Loại sao lưu", max_length=12, choices=Kind.choices)
    trigger = models.CharField("Hình thức", max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("Bắt đầu", auto_now_add=True)
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    target = models.CharField("Thư mục đích", max_length=1000)
    engine = models.CharField("Loại CSDL", max_length=20, blank=True)
    objects_total = models.PositiveBigIntegerField("Tổng số đối tượng", default=0)
    bytes_total = models.PositiveBigIntegerField("Tổng dung lượng (byte)", default=0)
    objects_copied = models.PositiveBigIntegerField("Số đối tượng đã chép", default=0)
    bytes_copied = models.PositiveBigIntegerField("Dung lượng đã chép (byte)", default=0)
    objects_verified = models.PositiveBigIntegerField("Số đối tượng đã kiểm tra mã băm", default=0)
    dump_sha256 = models.CharField("SHA-256 bản kết xuất CSDL", max_length=64, blank=True)
    manifest_sha256 = models.CharField("SHA-256 bản kê", max_length=64, blank=True)
    removed_backups = models.JSONField("Bản sao lưu đã xóa theo chế độ lưu giữ", default=list, blank=True)
    objects_removed = models.PositiveBigIntegerField("Số đối tượng đã xóa khỏi kho sao lưu", default=0)
    bytes_removed = models.PositiveBigIntegerField("Dung lượng đã giải phóng (byte)", default=0)
    outcome = models.CharField("Kết quả", max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField("Thông báo lỗi", blank=True)

    class Meta:
        verbose_name = "Nhật ký sao lưu"
        verbose_name_plural = "Nhật ký sao lưu"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name or self.pk} – {self.get_outcome_display()}"


class InsuranceCopy(models.Model):
    """One run of the insurance copy of a fonds into a target folder or device."""

    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", on_delete=models.PROTECT, related_name="insurance_copies"
    )
    target = models.CharField("Thư mục / thiết bị đích", max_length=1000)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người lập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("Bắt đầu", auto_now_add=True)
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    files = models.PositiveIntegerField("Số hồ sơ", default=0)
    pages = models.PositiveBigIntegerField("Số trang", default=0)
    bytes = models.PositiveBigIntegerField("Dung lượng (byte)", default=0)
    files_written = models.PositiveIntegerField("Số tệp đã ghi lần này", default=0)
    bytes_written = models.PositiveBigIntegerField("Dung lượng đã ghi lần này (byte)", default=0)
    manifest_sha256 = models.CharField("SHA-256 bản kê", max_length=64, blank=True)
    outcome = models.CharField("Kết quả", max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField("Thông báo lỗi", blank=True)

    class Meta:
        verbose_name = "Bản sao bảo hiểm"
        verbose_name_plural = "Bản sao bảo hiểm"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.fonds.code} → {self.target} ({self.get_outcome_display()})"
