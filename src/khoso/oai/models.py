"""What the OAI-PMH endpoint has published: one row per identifier, kept after the record is gone.

A harvester that once received a record must later learn that it was withdrawn (deleted, moved to
mode 02/03, put on the restricted-use list): OAI-PMH's ``deletedRecord=persistent`` promise. The
archive's own rows cannot say so, since a restriction starting tomorrow changes no ``updated_at``,
so :mod:`khoso.oai.services` compares what is public now with these rows and stamps every change
(new, changed, withdrawn, back again) with the time it noticed it. Only material that was public
at some point ever gets a row, so nothing about never-public material is stored or shown here.
"""

from __future__ import annotations

from django.db import models


class OaiRecord(models.Model):
    class Kind(models.TextChoices):
        FILE = "ho-so", "Hồ sơ"
        DOCUMENT = "tai-lieu", "Tài liệu"

    identifier = models.CharField("Định danh OAI", max_length=400, unique=True)
    kind = models.CharField("Loại", max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField("Mã bản ghi")  # no foreign key: the tombstone outlives the row
    set_spec = models.CharField("Tập (setSpec)", max_length=300)
    datestamp = models.DateTimeField("Thời điểm thay đổi")
    deleted = models.BooleanField("Đã rút (xóa hoặc không còn công khai)", default=False)
    digest = models.CharField("SHA-256 của siêu dữ liệu công khai", max_length=64, blank=True)

    class Meta:
        verbose_name = "Bản ghi OAI-PMH"
        verbose_name_plural = "Bản ghi OAI-PMH"
        indexes = [
            models.Index(fields=["datestamp", "id"], name="oai_record_datestamp"),
            models.Index(fields=["kind", "object_id"], name="oai_record_object"),
            models.Index(fields=["set_spec", "datestamp", "id"], name="oai_record_set"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}{' (đã rút)' if self.deleted else ''}"


class OaiSweep(models.Model):
    """One full comparison of the public catalogue with :class:`OaiRecord` (for status and tests)."""

    started_at = models.DateTimeField("Bắt đầu")
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    created = models.PositiveIntegerField("Mới", default=0)
    changed = models.PositiveIntegerField("Thay đổi", default=0)
    withdrawn = models.PositiveIntegerField("Rút", default=0)
    public = models.PositiveIntegerField("Đang công khai", default=0)

    class Meta:
        verbose_name = "Lượt đối chiếu OAI-PMH"
        verbose_name_plural = "Lượt đối chiếu OAI-PMH"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M}"
