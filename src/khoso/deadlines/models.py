"""The few facts deadlines need that no other app keeps, and the record of reminders sent.

- :class:`ReportSubmission`: the archivist's note that the year's report went to the Ministry (seed 001),
  which ends that year's reminder.
- :class:`StorageMedium`: a carrier holding the holdings (disk, tape, optical disc, NAS) with the day it came
  into service, its rated life and the migration interval, so TT 05's media migrations can fall due.
  Preservation's ``StorageLocation`` says where copies are, not on what or since when.
- :class:`ReminderSent`: one row per reminder e-mailed, so an item entering "sắp đến hạn" or "quá hạn" is
  announced once to each person, not every day.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from khoso.deadlines import rules


class ReportSubmission(models.Model):
    """The annual report of ``year`` was sent (seed 001: before 15 December)."""

    year = models.PositiveSmallIntegerField(
        "Năm báo cáo", unique=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    submitted_on = models.DateField("Ngày gửi")
    reference = models.CharField("Số, ký hiệu văn bản gửi", max_length=100, blank=True)
    note = models.CharField("Ghi chú", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người ghi nhận", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("Ghi nhận lúc", auto_now_add=True)

    class Meta:
        verbose_name = "Báo cáo năm đã gửi"
        verbose_name_plural = "Báo cáo năm đã gửi"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Báo cáo năm {self.year}: gửi ngày {self.submitted_on:%d/%m/%Y}"


class StorageMedium(models.Model):
    """A storage medium (vật mang tin) holding a copy of the holdings, and when its data must move on."""

    class Kind(models.TextChoices):
        HARD_DISK = "o_cung", "Ổ cứng (HDD)"
        SOLID_STATE = "ssd", "Ổ thể rắn (SSD)"
        TAPE = "bang_tu", "Băng từ (LTO)"
        OPTICAL = "dia_quang", "Đĩa quang (CD, DVD, BD, M-DISC)"
        NETWORK = "nas", "Thiết bị lưu trữ mạng (NAS, SAN)"
        OTHER = "khac", "Khác"

    name = models.CharField("Nhãn vật mang tin", max_length=100, unique=True)
    kind = models.CharField("Loại", max_length=10, choices=Kind.choices, default=Kind.HARD_DISK)
    location = models.ForeignKey(
        "preservation.StorageLocation",
        verbose_name="Nơi lưu trữ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    in_service_since = models.DateField("Ngày đưa vào sử dụng")
    last_migrated_on = models.DateField(
        "Ngày di chuyển dữ liệu gần nhất",
        null=True,
        blank=True,
        help_text="Ngày dữ liệu được di chuyển, chuyển đổi lần gần nhất trên vật mang tin này.",
    )
    migration_interval_years = models.PositiveSmallIntegerField(
        "Chu kỳ di chuyển (năm)",
        default=rules.MEDIA_MIGRATION_YEARS,
        validators=[MinValueValidator(1)],
        help_text="TT 05/2025: di chuyển dữ liệu sang vật mang tin mới 03 năm một lần.",
    )
    rated_life_years = models.PositiveSmallIntegerField(
        "Tuổi thọ theo nhà sản xuất (năm)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Dữ liệu phải được di chuyển ít nhất 01 năm trước khi hết tuổi thọ.",
    )
    retired_on = models.DateField("Ngày thôi sử dụng", null=True, blank=True)
    note = models.CharField("Ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "Vật mang tin"
        verbose_name_plural = "Vật mang tin"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ReminderSent(models.Model):
    """A reminder e-mailed to ``recipient`` that an item was in ``state`` with deadline ``due``."""

    kind = models.CharField(
        "Loại thời hạn", max_length=24, choices=[(kind.value, spec.label) for kind, spec in rules.KINDS.items()]
    )
    object_key = models.CharField("Đối tượng", max_length=100)
    due = models.DateField("Hạn")
    state = models.CharField(
        "Trạng thái", max_length=12, choices=[(state.value, label) for state, label in rules.STATE_LABELS.items()]
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người nhận", on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField("Ngày gửi")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Nhắc việc đã gửi"
        verbose_name_plural = "Nhắc việc đã gửi"
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "due", "state", "recipient"], name="reminder_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} ({self.state}) → {self.recipient_id}, {self.sent_on:%d/%m/%Y}"
