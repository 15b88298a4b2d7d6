"""Transfers between archives (nộp lưu): a batch of received packages, one item per package = one hồ sơ.

Receiving only checks: each ZIP is kept in a staging folder of the batch and validated there, and the
item records what the package says (file code, title, retention, counts) and every broken rule, so
the receiving archivist decides per file with the findings in front of them. Nothing enters the
archive until an item is accepted; accepting imports the package in the same transaction that marks
the item. Items and batches are never deleted: they are the record behind the transfer list (mục
lục hồ sơ nộp lưu) and the receipt (biên bản giao nhận), NĐ 30/2020 Đ30 (standards.md §6.1 item 7).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TransferBatch(models.Model):
    """One delivery (lần nộp lưu) from a source agency into one fonds."""

    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", on_delete=models.PROTECT, related_name="transfer_batches"
    )
    source_agency = models.CharField("Cơ quan, đơn vị nộp lưu", max_length=300)
    note = models.TextField("Ghi chú", blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người tiếp nhận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField("Thời điểm tiếp nhận", auto_now_add=True)
    #: name of the batch's folder under DATA_DIR/staging/transfers (random, never from user input)
    staging_key = models.CharField("Thư mục tạm", max_length=32, unique=True)
    closed_at = models.DateTimeField("Thời điểm hoàn tất", null=True, blank=True)

    class Meta:
        verbose_name = "Lần nộp lưu"
        verbose_name_plural = "Các lần nộp lưu"
        ordering = ["-received_at", "-id"]
        permissions = [("receive_transfer", "Tiếp nhận, duyệt hồ sơ nộp lưu / receive transferred files")]

    def __str__(self) -> str:
        return f"Lần nộp lưu {self.pk} – {self.source_agency}"


class TransferItem(models.Model):
    """One received package (one hồ sơ): what it says, what is wrong with it, and the decision."""

    class State(models.TextChoices):
        RECEIVED = "da_nhan", "Đã nhận, chờ duyệt"
        ACCEPTED = "chap_nhan", "Đã chấp nhận"
        REJECTED = "tu_choi", "Đã từ chối"

    batch = models.ForeignKey(TransferBatch, verbose_name="Lần nộp lưu", on_delete=models.PROTECT, related_name="items")
    sequence = models.PositiveIntegerField("Số thứ tự")
    package_name = models.CharField("Tên tệp gói tin", max_length=255)
    package_size = models.BigIntegerField("Dung lượng gói tin (byte)", default=0)
    package_sha256 = models.CharField("SHA-256 gói tin", max_length=64, blank=True)
    package_type = models.CharField("Loại gói tin", max_length=20, blank=True)
    objid = models.CharField("OBJID", max_length=200, blank=True)
    fonds_code = models.CharField("Mã phông trong gói tin", max_length=100, blank=True)
    file_code = models.CharField("Mã hồ sơ", max_length=100, blank=True)
    title = models.CharField("Tiêu đề hồ sơ", max_length=1000, blank=True)
    maintenance = models.CharField("Thời hạn bảo quản", max_length=100, blank=True)
    start_date = models.CharField("Thời gian bắt đầu", max_length=10, blank=True)
    end_date = models.CharField("Thời gian kết thúc", max_length=10, blank=True)
    number_of_paper = models.PositiveIntegerField("Số tờ", null=True, blank=True)
    number_of_page = models.PositiveIntegerField("Số trang", null=True, blank=True)
    paper_file_code = models.CharField("Mã hồ sơ gốc giấy", max_length=100, blank=True)
    data_files = models.PositiveIntegerField("Số tệp tin điện tử", default=0)
    data_bytes = models.BigIntegerField("Dung lượng tệp tin (byte)", default=0)
    findings = models.JSONField("Lỗi phát hiện khi kiểm tra", default=list, blank=True)
    state = models.CharField("Trạng thái", max_length=10, choices=State.choices, default=State.RECEIVED)
    reason = models.TextField("Lý do", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người quyết định",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("Thời điểm quyết định", null=True, blank=True)
    archive_file = models.ForeignKey(
        "archive.ArchiveFile",
        verbose_name="Hồ sơ đã nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "Hồ sơ nộp lưu"
        verbose_name_plural = "Hồ sơ nộp lưu"
        ordering = ["batch", "sequence"]
        constraints = [models.UniqueConstraint(fields=["batch", "sequence"], name="transfer_item_sequence")]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.file_code or self.package_name}"

    @property
    def valid(self) -> bool:
        return not self.findings


class PackageRecord(models.Model):
    """A package this archive wrote (xuất) or took in (nhập): the register that holey references resolve
    against. A later package points at a data file of an earlier one by its METS file ID (SIP) or by the
    earlier package's folder, path, size and ID (AIP, standards.md §6.3), so both sides keep what each
    package held. An export of secret material also records who authorised it and why."""

    class Direction(models.TextChoices):
        EXPORT = "xuat", "Xuất"
        IMPORT = "nhap", "Nhập"

    direction = models.CharField("Chiều", max_length=4, choices=Direction.choices)
    package_type = models.CharField("Loại gói tin", max_length=20)
    objid = models.CharField("OBJID", max_length=200)
    fonds = models.ForeignKey("archive.Fonds", verbose_name="Phông", on_delete=models.PROTECT, related_name="+")
    archive_file = models.ForeignKey(
        "archive.ArchiveFile",
        verbose_name="Hồ sơ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="package_records",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người thực hiện", null=True, blank=True, on_delete=models.SET_NULL
    )
    secret = models.BooleanField("Có tài liệu Mật", default=False)
    reason = models.TextField("Lý do xuất", blank=True)
    created_at = models.DateTimeField("Thời điểm", auto_now=True)

    class Meta:
        verbose_name = "Gói tin đã xuất/nhập"
        verbose_name_plural = "Gói tin đã xuất/nhập"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["direction", "objid"], name="package_record_objid")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.package_type} {self.objid}"


class PackageMember(models.Model):
    """One data file of a registered package: its METS file ID and path there, and what it holds here."""

    record = models.ForeignKey(PackageRecord, verbose_name="Gói tin", on_delete=models.CASCADE, related_name="members")
    file_id = models.CharField("Mã định danh tệp (METS)", max_length=60, db_index=True)
    path = models.CharField("Đường dẫn trong gói", max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.BigIntegerField("Dung lượng (byte)")
    document = models.ForeignKey(
        "archive.Document", verbose_name="Tài liệu", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "Tệp của gói tin"
        verbose_name_plural = "Tệp của gói tin"
        ordering = ["record", "path"]
        constraints = [models.UniqueConstraint(fields=["record", "path"], name="package_member_path")]

    def __str__(self) -> str:
        return f"{self.record.objid}/{self.path}"
