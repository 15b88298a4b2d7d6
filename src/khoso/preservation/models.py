"""Where each object's copies live, whether they were verified, and the record of every check.

A copy counts only once it is VERIFIED: read back from its location and hashed to the digest the
database kept at ingest (Archivematica's replica model, ISO 16363 4.4.1.2). The digest itself
lives only in ``StoredObject.sha256``, apart from the copies, so whoever can rewrite a copy
cannot also rewrite the value it is checked against. Every check, copy and repair leaves a
``PremisEvent``; every audit leaves an ``AuditRun`` with its counts.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class StorageLocation(models.Model):
    """A place holding a full copy of the holdings: this machine's object store, a folder, a bucket."""

    class Kind(models.TextChoices):
        LOCAL = "local", "Thư mục cục bộ / Local folder"
        S3 = "s3", "Kho S3 / S3-compatible store"

    name = models.CharField("Tên nơi lưu trữ", max_length=100, unique=True)
    kind = models.CharField("Loại", max_length=8, choices=Kind.choices, default=Kind.LOCAL)
    is_primary = models.BooleanField("Kho chính của máy chủ", default=False, editable=False)
    path = models.CharField("Đường dẫn thư mục", max_length=500, blank=True)
    endpoint_url = models.CharField("Địa chỉ S3 (endpoint)", max_length=300, blank=True)
    bucket = models.CharField("Bucket", max_length=100, blank=True)
    region = models.CharField("Vùng (region)", max_length=50, blank=True)
    access_key_env = models.CharField(
        "Biến môi trường chứa access key", max_length=100, blank=True, help_text="Không lưu khóa trong CSDL."
    )
    secret_key_env = models.CharField(
        "Biến môi trường chứa secret key", max_length=100, blank=True, help_text="Không lưu khóa trong CSDL."
    )
    active = models.BooleanField("Đang dùng", default=True)
    created_at = models.DateTimeField("Tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "Nơi lưu trữ"
        verbose_name_plural = "Nơi lưu trữ"
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_primary"], condition=models.Q(is_primary=True), name="storage_location_one_primary"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Replica(models.Model):
    """One copy of one object in one location, and what we last learnt about it."""

    class State(models.TextChoices):
        PENDING = "pending", "Chờ sao chép"
        STAGING = "staging", "Đang sao chép"
        VERIFIED = "verified", "Đã xác minh"
        MISSING = "missing", "Mất"
        CORRUPT = "corrupt", "Hỏng"

    stored_object = models.ForeignKey(
        "storage.StoredObject", verbose_name="Đối tượng số", on_delete=models.CASCADE, related_name="replicas"
    )
    location = models.ForeignKey(
        StorageLocation, verbose_name="Nơi lưu trữ", on_delete=models.CASCADE, related_name="replicas"
    )
    state = models.CharField("Trạng thái", max_length=10, choices=State.choices, default=State.PENDING)
    last_checked_at = models.DateTimeField("Kiểm tra lần cuối", null=True, blank=True)
    last_verified_at = models.DateTimeField("Xác minh đúng lần cuối", null=True, blank=True)
    error = models.CharField("Lỗi gần nhất", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Bản sao"
        verbose_name_plural = "Bản sao"
        constraints = [models.UniqueConstraint(fields=["stored_object", "location"], name="replica_object_location")]
        indexes = [
            models.Index(fields=["location", "state"], name="replica_location_state"),
            models.Index(fields=["last_checked_at"], name="replica_last_checked"),
        ]

    def __str__(self) -> str:
        return f"{self.stored_object_id[:12]}… @ {self.location_id}: {self.state}"


class AuditRun(models.Model):
    """One fixity audit: what it covered, what it found, what it repaired, how long it took."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Định kỳ hằng ngày"
        SAMPLE = "sample", "Lấy mẫu ngẫu nhiên"
        ON_DEMAND = "on_demand", "Theo yêu cầu"

    kind = models.CharField("Loại kiểm tra", max_length=10, choices=Kind.choices)
    scope = models.CharField("Phạm vi", max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người yêu cầu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("Bắt đầu")
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    objects_checked = models.PositiveIntegerField("Số đối tượng", default=0)
    copies_checked = models.PositiveIntegerField("Số bản sao đã kiểm tra", default=0)
    bytes_checked = models.BigIntegerField("Số byte đã đọc", default=0)
    ok = models.PositiveIntegerField("Bản sao đúng", default=0)
    corrupt = models.PositiveIntegerField("Bản sao hỏng", default=0)
    missing = models.PositiveIntegerField("Bản sao mất", default=0)
    unexpected = models.PositiveIntegerField("Đối tượng lạ", default=0)
    db_mismatch = models.PositiveIntegerField("Lệch mã băm CSDL", default=0)
    repaired = models.PositiveIntegerField("Đã phục hồi", default=0)
    unrecoverable = models.PositiveIntegerField("Không thể phục hồi", default=0)
    findings = models.JSONField("Phát hiện", default=list, blank=True)

    class Meta:
        verbose_name = "Lượt kiểm tra toàn vẹn"
        verbose_name_plural = "Lượt kiểm tra toàn vẹn"
        ordering = ["-started_at"]
        permissions = [("manage_preservation", "Quản lý bảo quản: xem bản sao, chạy kiểm tra toàn vẹn")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.scope} – {self.started_at:%d/%m/%Y %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def healthy(self) -> bool:
        """All well, or all repaired: nothing unrecoverable and no disagreement with the database."""
        return self.unrecoverable == 0 and self.db_mismatch == 0


class PremisEvent(models.Model):
    """A PREMIS 3 event (LoC event vocabulary): a fixity check, replication or recovery of one copy, or a
    signature made on a rendition or checked on a received PDF (no location: it concerns the object)."""

    class Type(models.TextChoices):
        FIXITY_CHECK = "fixity check", "Kiểm tra toàn vẹn / fixity check"
        REPLICATION = "replication", "Sao chép / replication"
        RECOVERY = "recovery", "Phục hồi / recovery"
        SIGNATURE_GENERATION = "digital signature generation", "Ký số / digital signature generation"
        SIGNATURE_VALIDATION = "digital signature validation", "Kiểm tra chữ ký số / digital signature validation"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Thành công"
        FAILURE = "failure", "Thất bại"

    #: id.loc.gov/vocabulary/preservation/eventType/<code>
    LOC_CODES = {
        "fixity check": "fix",
        "replication": "rep",
        "recovery": "rec",
        "digital signature generation": "dsg",
        "digital signature validation": "dig",
    }

    event_type = models.CharField("Loại sự kiện", max_length=40, choices=Type.choices)
    outcome = models.CharField("Kết quả", max_length=10, choices=Outcome.choices)
    detail = models.CharField("Chi tiết", max_length=1000)
    object_sha256 = models.CharField("SHA-256 của đối tượng", max_length=64, db_index=True)
    location = models.ForeignKey(
        StorageLocation, verbose_name="Nơi lưu trữ", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    location_name = models.CharField("Tên nơi lưu trữ", max_length=100, blank=True)
    agent = models.CharField("Tác nhân (phần mềm)", max_length=100)
    audit_run = models.ForeignKey(
        AuditRun, verbose_name="Lượt kiểm tra", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    occurred_at = models.DateTimeField("Thời điểm", db_index=True)

    class Meta:
        verbose_name = "Sự kiện bảo quản (PREMIS)"
        verbose_name_plural = "Sự kiện bảo quản (PREMIS)"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.outcome} {self.object_sha256[:12]}… @ {self.location_name}"

    @property
    def occurred_at_iso(self) -> str:
        """ISO 8601 in Vietnam time, ``2026-05-08T14:03:21+07:00``, as PREMIS eventDateTime is written."""
        return self.occurred_at.astimezone(VIETNAM).isoformat(timespec="seconds")


class StagingSweep(models.Model):
    """One sweep of the staging areas: every leftover of a killed write it removed, and what it could not do."""

    started_at = models.DateTimeField("Bắt đầu")
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    older_than_seconds = models.PositiveIntegerField("Chỉ dọn phần tạm cũ hơn (giây)")
    removed_count = models.PositiveIntegerField("Số phần tạm đã xóa", default=0)
    removed_bytes = models.BigIntegerField("Dung lượng đã giải phóng (byte)", default=0)
    kept = models.PositiveIntegerField("Số phần tạm giữ lại (còn mới hoặc đang sao chép)", default=0)
    removed = models.JSONField("Đã xóa", default=list, blank=True)
    errors = models.JSONField("Lỗi", default=list, blank=True)

    class Meta:
        verbose_name = "Lượt dọn vùng tạm"
        verbose_name_plural = "Lượt dọn vùng tạm"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M}: {self.removed_count} đã xóa / removed"
