"""Records of selection, copying, acceptance and handover (TT 04/2014 steps 1 and 6).

``FileCondition`` is what the survey found about a file (how often readers ask for it, what damage
it shows, whether it is on a special carrier): the inputs of the priority score. ``CopyTarget`` and
``CopyRun`` are the copy log of standards.md §4 step 6: where the product was copied, by whom, when,
with which manifest, and whether every copied byte was read back and matched its SHA-256.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from khoso.workflow.models import Project, ProjectFile


class FileCondition(models.Model):
    """Survey notes of one file (hồ sơ): use, damage (vocabulary ``damage``), special carrier."""

    file = models.OneToOneField(
        "archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.CASCADE, related_name="condition"
    )
    damage_codes = models.JSONField("Tình trạng hư hỏng", default=list, blank=True)
    usage_count = models.PositiveIntegerField("Số lượt khai thác", default=0)
    special_carrier = models.BooleanField("Vật mang tin đặc biệt", default=False)
    note = models.CharField("Ghi chú", max_length=500, blank=True)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    noted_at = models.DateTimeField("Ngày ghi nhận", auto_now=True)

    class Meta:
        verbose_name = "Tình trạng hồ sơ"
        verbose_name_plural = "Tình trạng hồ sơ"

    def __str__(self) -> str:
        return f"{self.file_id}: {', '.join(self.damage_codes) or 'tốt'}"


class CopyTarget(models.Model):
    """A place the product is copied to: a folder on a server or a removable medium (ổ cứng, băng…)."""

    class Kind(models.TextChoices):
        FOLDER = "thu_muc", "Thư mục lưu trữ"
        MEDIUM = "thiet_bi", "Thiết bị lưu trữ rời"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="copy_targets")
    name = models.CharField("Tên nơi lưu", max_length=200)
    kind = models.CharField("Loại", max_length=10, choices=Kind.choices)
    path = models.CharField("Đường dẫn thư mục (nơi gắn thiết bị)", max_length=500)
    medium_id = models.CharField("Mã hiệu thiết bị / nhãn", max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Nơi lưu bản sao"
        verbose_name_plural = "Nơi lưu bản sao"
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "medium_id"], name="copy_target_medium_once"),
            models.UniqueConstraint(fields=["project", "path"], name="copy_target_path_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.medium_id})"


class CopyRun(models.Model):
    """One copy of some files' product onto one target, as a BagIt-style bag with its manifest."""

    class Status(models.TextChoices):
        RUNNING = "dang_chep", "Đang sao chép"
        VERIFIED = "da_xac_minh", "Đã sao chép và xác minh SHA-256"
        FAILED = "loi", "Lỗi, bản sao không dùng được"

    target = models.ForeignKey(CopyTarget, on_delete=models.PROTECT, related_name="runs")
    items = models.ManyToManyField(ProjectFile, related_name="copy_runs", verbose_name="Hồ sơ")
    folder = models.CharField("Thư mục bản sao", max_length=500, blank=True)
    status = models.CharField("Trạng thái", max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField("Bắt đầu", auto_now_add=True)
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    verified_at = models.DateTimeField("Xác minh lần cuối", null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    manifest = models.TextField("Bảng kê SHA-256", blank=True)
    manifest_sha256 = models.CharField("SHA-256 của bảng kê", max_length=64, blank=True)
    file_count = models.PositiveIntegerField("Số tệp", default=0)
    byte_count = models.PositiveBigIntegerField("Dung lượng (byte)", default=0)
    error = models.TextField("Lỗi", blank=True)

    class Meta:
        verbose_name = "Lần sao chép"
        verbose_name_plural = "Lần sao chép"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target} – {self.get_status_display()}"
