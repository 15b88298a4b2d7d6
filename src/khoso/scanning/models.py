"""Records of step (4) of TT 04/2014, scanning: what arrived, how it was counted, judged and replaced.

The archive of record keeps only the current state of each page (``archive.Page``); the scanning
step must also be able to answer *how it got there*: which folder or upload brought the scans and
how it was matched to its file, whether the page count agreed with the worksheet and who explained
a difference, which inspector rejected which page and why, and what the page looked like before
it was rescanned. Every row here is append-only history except :class:`PageReview`, whose latest
decision per page and scan may be changed by the inspector until the file leaves QC.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MatchedBy(models.TextChoices):
    UPLOAD = "upload", "Tải lên tại trang nộp bản quét"
    FOLDER_NAME = "folder", "Mã hồ sơ trong tên thư mục"
    COVER_SHEET = "qr", "Mã QR trên phiếu bìa"


class ScanDelivery(models.Model):
    """One delivery of scans for a file in a project, and how it was matched to that file."""

    item = models.ForeignKey(
        "workflow.ProjectFile", verbose_name="Hồ sơ trong đề án", on_delete=models.PROTECT, related_name="+"
    )
    delivery = models.OneToOneField(
        "capture.Delivery", verbose_name="Lần nộp", on_delete=models.PROTECT, related_name="scan_record"
    )
    matched_by = models.CharField("Cách nhận diện hồ sơ", max_length=10, choices=MatchedBy.choices)
    folder = models.CharField("Thư mục", max_length=500, blank=True)
    cover_sheet_name = models.CharField("Tệp phiếu bìa (đã bỏ khỏi các trang)", max_length=255, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Lần nộp bản quét trong đề án"
        verbose_name_plural = "Các lần nộp bản quét trong đề án"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery} ({self.get_matched_by_display()})"


class WatchRejection(models.Model):
    """A watched folder that could not be delivered: where it was moved and why (nothing is lost)."""

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    folder = models.CharField("Thư mục", max_length=500)
    moved_to = models.CharField("Đã chuyển tới", max_length=1000)
    message = models.TextField("Lỗi")
    message_en = models.TextField("Lỗi (tiếng Anh)", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Thư mục quét bị từ chối"
        verbose_name_plural = "Thư mục quét bị từ chối"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.folder}: {self.message}"


class CountReconciliation(models.Model):
    """The operator's count of a file before QC: pages delivered and sheets counted vs the worksheet.

    A difference is accepted only with a note that explains it, and only for the exact figures the
    note was written against: one more delivery and the explanation no longer applies.
    """

    item = models.ForeignKey(
        "workflow.ProjectFile", verbose_name="Hồ sơ trong đề án", on_delete=models.PROTECT, related_name="+"
    )
    pages_expected = models.PositiveIntegerField("Số trang theo phiếu tin")
    pages_delivered = models.PositiveIntegerField("Số trang đã nhận")
    sheets_expected = models.PositiveIntegerField("Số tờ theo phiếu tin", null=True, blank=True)
    sheets_counted = models.PositiveIntegerField("Số tờ đếm được", null=True, blank=True)
    note = models.TextField("Giải trình chênh lệch", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Đối chiếu số trang, số tờ"
        verbose_name_plural = "Đối chiếu số trang, số tờ"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pages_delivered}/{self.pages_expected} trang"

    @property
    def pages_match(self) -> bool:
        return self.pages_delivered == self.pages_expected

    @property
    def sheets_match(self) -> bool:
        return self.sheets_counted is None or self.sheets_counted == self.sheets_expected


class RejectReason(models.TextChoices):
    BLURRED = "mo", "Mờ"
    SKEWED = "nghieng", "Nghiêng"
    MISSING_PAGE = "thieu_trang", "Thiếu trang"
    WRONG_ORDER = "sai_thu_tu", "Sai thứ tự"
    LOW_RESOLUTION = "do_phan_giai_thap", "Độ phân giải thấp"
    LOST_TEXT = "mat_chu", "Mất chữ"
    CROPPED = "cat_le", "Cắt mất lề"
    OTHER = "khac", "Khác"


class PageReview(models.Model):
    """A QC inspector's decision on one scan of one page.

    ``scan_version`` is the number of rescans the page had when it was judged, so a decision on a
    replaced scan never counts for its replacement; the inspector's latest decision per page and
    scan version is the one that counts.
    """

    class Decision(models.TextChoices):
        ACCEPT = "dat", "Đạt"
        REJECT = "khong_dat", "Không đạt, quét lại"

    page = models.ForeignKey("archive.Page", verbose_name="Trang", on_delete=models.PROTECT, related_name="reviews")
    item = models.ForeignKey(
        "workflow.ProjectFile", verbose_name="Hồ sơ trong đề án", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("Lượt kiểm tra")
    scan_version = models.PositiveSmallIntegerField("Lần quét", default=0)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("Kết luận", max_length=10, choices=Decision.choices)
    reason = models.CharField("Lý do", max_length=20, choices=RejectReason.choices, blank=True)
    note = models.TextField("Ghi chú", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Đánh giá chất lượng trang"
        verbose_name_plural = "Đánh giá chất lượng trang"
        ordering = ["page", "-id"]
        indexes = [models.Index(fields=["item", "page", "scan_version"], name="review_item_page")]

    def __str__(self) -> str:
        return f"{self.page} – {self.get_decision_display()}"


class ScanHistory(models.Model):
    """A scan that was replaced by a rescan: the old objects stay in the store, referenced here."""

    page = models.ForeignKey("archive.Page", verbose_name="Trang", on_delete=models.PROTECT, related_name="history")
    item = models.ForeignKey(
        "workflow.ProjectFile",
        verbose_name="Hồ sơ trong đề án",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveSmallIntegerField("Lần quét bị thay")
    old_original = models.ForeignKey(
        "storage.StoredObject", verbose_name="Bản gốc cũ", on_delete=models.PROTECT, related_name="+"
    )
    old_original_name = models.CharField("Tên tệp gốc cũ", max_length=255, blank=True)
    old_rendition = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Trang PDF cũ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_thumbnail = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Ảnh thu nhỏ cũ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_delivery = models.ForeignKey(
        "capture.Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_qc = models.JSONField("Kết quả kiểm tra tự động cũ", default=dict, blank=True)
    old_qc_passed = models.BooleanField("Đạt kiểm tra tự động (cũ)", null=True)
    reason = models.CharField("Lý do quét lại", max_length=500, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(auto_now_add=True)
    new_original = models.ForeignKey(
        "storage.StoredObject", verbose_name="Bản gốc mới", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Lịch sử quét lại trang"
        verbose_name_plural = "Lịch sử quét lại trang"
        ordering = ["page", "version"]
        constraints = [models.UniqueConstraint(fields=["page", "version"], name="scan_history_page_version")]

    def __str__(self) -> str:
        return f"{self.page} – lần quét {self.version}"
