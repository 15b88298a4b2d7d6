"""Readers and what they ask for (TT 05/2025 Ch. VI, standards.md §6.2 and §6.4).

A citizen registers; the archive approves the account (TT05: within one working day). An
approved reader asks to read a file or a document, or for a copy or a certified copy, also of
paper holdings not yet digitized; the archive decides within six working days. What the reader
receives is a :class:`Delivery`: a reading copy (viewer only, watermarked, expires), a copy
(download, "BẢN SAO"), or a certified copy (PAdES-signed). Every view and download is a
:class:`UsageEvent`. Fees are data (:class:`FeeRate` per service, :class:`FeeGroupRule` per fee group);
a copy is delivered only once its fee is paid or the reader's group is exempt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Reader(models.Model):
    """A citizen's or researcher's account on the public side (độc giả)."""

    class Status(models.TextChoices):
        PENDING = "cho_duyet", "Chờ duyệt"
        APPROVED = "da_duyet", "Đã duyệt"
        REJECTED = "tu_choi", "Bị từ chối"
        SUSPENDED = "tam_khoa", "Tạm khóa"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="Tài khoản", on_delete=models.CASCADE, related_name="reader"
    )
    full_name = models.CharField("Họ và tên", max_length=200)
    citizen_id = models.CharField("Số CCCD / giấy tờ tùy thân", max_length=20)
    birth_date = models.DateField("Ngày sinh", null=True, blank=True)
    phone = models.CharField("Điện thoại", max_length=20, blank=True)
    email = models.EmailField("Thư điện tử")
    address = models.CharField("Địa chỉ", max_length=300, blank=True)
    organisation = models.CharField("Cơ quan, đơn vị công tác", max_length=300, blank=True)
    status = models.CharField("Trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("Duyệt lúc", null=True, blank=True)
    decision_reason = models.CharField("Lý do", max_length=500, blank=True)
    created_at = models.DateTimeField("Đăng ký lúc", auto_now_add=True)

    class Meta:
        verbose_name = "Độc giả"
        verbose_name_plural = "Độc giả"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_status_display()})"


class ReaderRequest(models.Model):
    """A request to read, or for a copy or a certified copy (phiếu yêu cầu khai thác)."""

    class Kind(models.TextChoices):
        READ = "doc", "Đọc trực tuyến (bản đọc)"
        COPY = "sao", "Bản sao không xác thực"
        CERTIFIED = "sao_xt", "Bản sao có xác thực"

    class Status(models.TextChoices):
        SUBMITTED = "cho_duyet", "Chờ duyệt"
        APPROVED = "da_duyet", "Đã duyệt"
        REJECTED = "tu_choi", "Từ chối"
        DELIVERED = "da_giao", "Đã giao"
        CANCELLED = "da_huy", "Đã hủy"

    code = models.CharField("Mã yêu cầu", max_length=40, unique=True)  # TT05 DIP requestID
    reader = models.ForeignKey(Reader, verbose_name="Độc giả", on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField("Hình thức", max_length=8, choices=Kind.choices)
    file = models.ForeignKey(
        "archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="reader_requests"
    )
    document = models.ForeignKey(
        "archive.Document",
        verbose_name="Tài liệu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reader_requests",
    )
    purpose = models.CharField("Mục đích", max_length=2)  # vocabulary "purpose"
    purpose_content = models.CharField("Nội dung mục đích", max_length=500)
    fee_object_type = models.CharField("Đối tượng thu phí", max_length=2)  # vocabulary "feeObjectType"
    research_topic = models.CharField("Đề tài nghiên cứu", max_length=250, blank=True)
    copies = models.PositiveSmallIntegerField("Số bản", default=1)
    description = models.CharField("Ghi chú", max_length=500, blank=True)
    status = models.CharField("Trạng thái", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField("Gửi lúc", auto_now_add=True)
    due_date = models.DateField("Hạn trả lời")  # six working days after submission (TT05)
    reminded_at = models.DateTimeField("Đã nhắc lúc", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("Quyết định lúc", null=True, blank=True)
    decision_reason = models.CharField("Lý do", max_length=500, blank=True)
    fee_vnd = models.PositiveBigIntegerField("Phí (đồng)", default=0)  # the quote shown when the request was made
    fee_basis = models.CharField("Cách tính phí", max_length=300, blank=True)
    paid_at = models.DateTimeField("Đã thu phí lúc", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người thu phí",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    payment_method = models.CharField("Hình thức nộp phí", max_length=20, blank=True)
    payment_reference = models.CharField("Số chứng từ / mã giao dịch", max_length=100, blank=True)
    receipt_number = models.CharField("Số biên lai", max_length=30, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "Yêu cầu khai thác"
        verbose_name_plural = "Yêu cầu khai thác"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "due_date"], name="reader_request_due")]

    def __str__(self) -> str:
        return f"{self.code} – {self.get_kind_display()}"

    @property
    def fee_due(self) -> bool:
        """A fee to pay and not yet paid: the copy waits."""
        return self.fee_vnd > 0 and self.paid_at is None


class FeeRate(models.Model):
    """What one service costs: per request and per page (amounts set by the finance rules in force)."""

    kind = models.CharField("Hình thức", max_length=8, choices=ReaderRequest.Kind.choices, unique=True)
    per_request_vnd = models.PositiveIntegerField("Phí mỗi yêu cầu (đồng)", default=0)
    per_page_vnd = models.PositiveIntegerField("Phí mỗi trang (đồng)", default=0)
    legal_basis = models.CharField("Căn cứ", max_length=300, blank=True)

    class Meta:
        verbose_name = "Mức phí khai thác"
        verbose_name_plural = "Mức phí khai thác"
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.per_request_vnd} đ/yêu cầu + {self.per_page_vnd} đ/trang"


class FeeGroupRule(models.Model):
    """The reduction a fee group (TT 05 ``feeObjectType``) receives: 100 % is an exemption."""

    fee_object_type = models.CharField("Đối tượng thu phí", max_length=2, unique=True)
    discount_percent = models.PositiveSmallIntegerField("Giảm (%)", default=0)
    legal_basis = models.CharField("Căn cứ", max_length=300, blank=True)

    class Meta:
        verbose_name = "Miễn, giảm phí theo đối tượng"
        verbose_name_plural = "Miễn, giảm phí theo đối tượng"
        ordering = ["fee_object_type"]
        constraints = [
            models.CheckConstraint(condition=models.Q(discount_percent__lte=100), name="fee_discount_at_most_100")
        ]

    def __str__(self) -> str:
        return f"{self.fee_object_type}: giảm {self.discount_percent} %"


class Delivery(models.Model):
    """What a reader receives for an approved request (TT05 Đ37, 40–42)."""

    request = models.ForeignKey(
        ReaderRequest, verbose_name="Yêu cầu", on_delete=models.PROTECT, related_name="deliveries"
    )
    kind = models.CharField("Loại bản", max_length=8, choices=ReaderRequest.Kind.choices)
    token = models.CharField(max_length=43, unique=True)  # unguessable id used in URLs
    content = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Tệp giao",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    page_count = models.PositiveIntegerField("Số trang", default=0)
    created_at = models.DateTimeField("Tạo lúc", auto_now_add=True)
    expires_at = models.DateTimeField("Hết hạn lúc")  # at most 15 days after creation
    purge_after = models.DateTimeField("Xóa sau")  # reading copies: 5 days after expiry
    purged_at = models.DateTimeField("Đã xóa lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Bản giao độc giả"
        verbose_name_plural = "Bản giao độc giả"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.request.code} – {self.get_kind_display()}"


class UsageEvent(models.Model):
    """One view or download, by anyone, of anything (NĐ30 PL VI: history of access and viewing)."""

    class Action(models.TextChoices):
        VIEW_FILE = "xem_hs", "Xem hồ sơ"
        VIEW_DOCUMENT = "xem_tl", "Xem tài liệu"
        VIEW_PAGE = "xem_trang", "Xem trang"
        READ_COPY = "doc_ban", "Đọc bản đọc"
        DOWNLOAD = "tai_ve", "Tải về"

    action = models.CharField("Hành động", max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.ForeignKey("archive.ArchiveFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey("archive.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    page_number = models.PositiveIntegerField(null=True, blank=True)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.GenericIPAddressField("Địa chỉ IP", null=True, blank=True)
    surface = models.CharField("Nơi xem", max_length=10, default="portal")  # portal | staff | reader
    at = models.DateTimeField("Lúc", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "Lượt khai thác"
        verbose_name_plural = "Lượt khai thác"
        indexes = [
            models.Index(fields=["file", "action"], name="usage_file_action"),
            models.Index(fields=["document", "action"], name="usage_document_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%d/%m/%Y %H:%M}"
