"""What the archive knows about signatures: its own on each file's PDF/A, and those on PDFs it received.

- :class:`RenditionSignature`: one row per file. The stored rendition (``ArchiveFile.pdf``) is the
  *signed* PDF/A; the PDF/A the signature covers is the first ``pdfa_size`` bytes of it (an
  incremental update appends, never rewrites), so it is not stored twice; its digest is kept to
  prove it. When the key is missing or broken the unsigned PDF/A is stored, the row says why in
  Vietnamese (``reason``), and :func:`khoso.signing.services.sign_pending` signs it later.
- :class:`RenditionVersion`: every object a file's rendition has been (unsigned, signed, each re-time
  stamp), in order. Nothing is deleted: the fixity audits check each version by its SHA-256, and an
  earlier signature can always be shown as it was.
- :class:`SignatureCheck`: the verdict on the signatures of a born-digital PDF at ingest, pointing at
  the delivered bytes exactly as received (never rewritten; OCR works on page images and writes new
  objects).
"""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    NONE = "", "Không có chữ ký"
    B_B = "B-B", "PAdES B-B (cơ bản)"
    B_T = "B-T", "PAdES B-T (có dấu thời gian)"
    B_LT = "B-LT", "PAdES B-LT (kèm thông tin kiểm tra dài hạn)"
    B_LTA = "B-LTA", "PAdES B-LTA (có dấu thời gian lưu trữ)"


class RenditionSignature(models.Model):
    class State(models.TextChoices):
        SIGNED = "da_ky", "Đã ký số"
        UNSIGNED = "chua_ky", "Chưa ký số"

    file = models.OneToOneField(
        "archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="rendition_signature"
    )
    state = models.CharField("Trạng thái", max_length=10, choices=State.choices)
    level = models.CharField("Mức chữ ký", max_length=6, choices=Level.choices, blank=True)
    pdfa_sha256 = models.CharField(
        "SHA-256 của bản PDF/A được ký", max_length=64, help_text="The unsigned PDF/A: a prefix of the signed file."
    )
    pdfa_size = models.BigIntegerField("Kích thước bản PDF/A được ký (byte)")
    signer_name = models.CharField("Người ký", max_length=500, blank=True)
    signed_at = models.DateTimeField("Thời điểm ký", null=True, blank=True)
    timestamp_expires_at = models.DateTimeField(
        "Chứng thư của dấu thời gian mới nhất hết hạn", null=True, blank=True, db_index=True
    )
    reason = models.CharField("Lý do chưa ký / ghi chú", max_length=2000, blank=True)
    attempts = models.PositiveIntegerField("Số lần thử ký", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Chữ ký số của bản PDF/A"
        verbose_name_plural = "Chữ ký số của các bản PDF/A"
        indexes = [models.Index(fields=["state", "timestamp_expires_at"], name="signing_state_expiry")]

    def __str__(self) -> str:
        return f"{self.file_id}: {self.get_state_display()} {self.level}"


class RenditionVersion(models.Model):
    class Kind(models.TextChoices):
        UNSIGNED = "chua_ky", "Bản PDF/A chưa ký"
        SIGNED = "ky_so", "Ký số"
        RETIMESTAMP = "dau_thoi_gian", "Đóng dấu thời gian lưu trữ (B-LTA)"

    file = models.ForeignKey(
        "archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="rendition_versions"
    )
    content = models.ForeignKey(
        "storage.StoredObject", verbose_name="Đối tượng", on_delete=models.PROTECT, related_name="+"
    )
    previous = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Phiên bản trước",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("Loại", max_length=14, choices=Kind.choices)
    level = models.CharField("Mức chữ ký", max_length=6, choices=Level.choices, blank=True)
    note = models.CharField("Ghi chú", max_length=2000, blank=True)
    created_at = models.DateTimeField("Thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "Phiên bản bản PDF/A"
        verbose_name_plural = "Các phiên bản bản PDF/A"
        ordering = ["file", "pk"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.get_kind_display()} {self.content_id[:12]}…"


class SignatureCheck(models.Model):
    file = models.ForeignKey(
        "archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="signature_checks"
    )
    delivery = models.ForeignKey(
        "capture.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="signature_checks"
    )
    content = models.ForeignKey(
        "storage.StoredObject", verbose_name="Tệp PDF nhận được", on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField("Tên tệp", max_length=255)
    signature_count = models.PositiveIntegerField("Số chữ ký", default=0)
    valid = models.BooleanField("Hợp lệ")
    intact = models.BooleanField("Toàn vẹn")
    trusted = models.BooleanField("Chứng thư được tin cậy")
    level = models.CharField("Mức chữ ký", max_length=6, choices=Level.choices, blank=True)
    signer_name = models.CharField("Người ký", max_length=500, blank=True)
    signed_at = models.DateTimeField("Thời điểm ký", null=True, blank=True)
    message_vi = models.CharField("Kết quả", max_length=2000)
    message_en = models.CharField("Result (English)", max_length=2000, blank=True)
    checked_at = models.DateTimeField("Thời điểm kiểm tra", auto_now_add=True)

    class Meta:
        verbose_name = "Kết quả kiểm tra chữ ký số"
        verbose_name_plural = "Kết quả kiểm tra chữ ký số"
        ordering = ["file", "-checked_at"]

    def __str__(self) -> str:
        return f"{self.original_name}: {'hợp lệ' if self.valid else 'không hợp lệ'}"
