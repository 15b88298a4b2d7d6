"""Step (2) and (3) of TT 04/2014: cataloguing worksheets (phiếu tin), their checks, and data entry.

A worksheet is the cataloguer's description of one file or one of its documents, written by a
versioned guideline. It does not touch the archive of record: only values that passed the
entry check reach ``ArchiveFile`` and ``Document``. Every check leaves a report whose errors name
the field and the worker whose work was wrong, so supervisors get error rates per field and per
person (standards.md §4, §7.2), and the correction loop can be enforced: no pass while a blocking
error is open.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from khoso.cataloguing.fields import DOCUMENT, FILE


class Guideline(models.Model):
    """Hướng dẫn biên mục: the rules cataloguers follow, one current version per project."""

    project = models.ForeignKey("workflow.Project", on_delete=models.PROTECT, related_name="guidelines")
    version = models.PositiveSmallIntegerField("Phiên bản")
    title = models.CharField("Tên hướng dẫn", max_length=300)
    text = models.TextField("Nội dung hướng dẫn")
    effective_date = models.DateField("Ngày áp dụng")
    double_keying = models.BooleanField(
        "Nhập hai lần độc lập", default=False, help_text="Hai người nhập cùng một phiếu tin; người kiểm tra đối chiếu."
    )
    is_current = models.BooleanField("Đang áp dụng", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Hướng dẫn biên mục"
        verbose_name_plural = "Hướng dẫn biên mục"
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="guideline_project_version"),
            models.UniqueConstraint(fields=["project"], condition=Q(is_current=True), name="guideline_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (phiên bản {self.version})"


class Worksheet(models.Model):
    """Phiếu tin: the TT05 field values of one file (ordinal 0) or one of its documents (ordinal ≥ 1)."""

    class Kind(models.TextChoices):
        FILE = FILE, "Phiếu tin hồ sơ"
        DOCUMENT = DOCUMENT, "Phiếu tin tài liệu"

    item = models.ForeignKey("workflow.ProjectFile", on_delete=models.PROTECT, related_name="worksheets")
    kind = models.CharField("Loại phiếu", max_length=10, choices=Kind.choices)
    ordinal = models.PositiveIntegerField("Số thứ tự tài liệu", default=0)
    data = models.JSONField("Giá trị các trường", default=dict)
    guideline = models.ForeignKey(Guideline, verbose_name="Theo hướng dẫn", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người biên mục", on_delete=models.PROTECT, related_name="+"
    )
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("Lượt", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Phiếu tin"
        verbose_name_plural = "Phiếu tin"
        ordering = ["item", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "ordinal"], name="worksheet_item_kind_ordinal")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return "Phiếu tin hồ sơ" if self.kind == FILE else f"Phiếu tin tài liệu số {self.ordinal}"


class Keying(models.Model):
    """One operator's entry of one worksheet (pass 1, or pass 2 when the guideline asks for double keying)."""

    worksheet = models.ForeignKey(Worksheet, on_delete=models.PROTECT, related_name="keyings")
    keyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người nhập", on_delete=models.PROTECT, related_name="+"
    )
    pass_no = models.PositiveSmallIntegerField("Lượt nhập", choices=[(1, "Lần 1"), (2, "Lần 2")])
    data = models.JSONField("Giá trị đã nhập", default=dict)
    round = models.PositiveSmallIntegerField("Lượt", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Lượt nhập phiếu tin"
        verbose_name_plural = "Lượt nhập phiếu tin"
        ordering = ["worksheet", "pass_no"]
        constraints = [
            models.UniqueConstraint(fields=["worksheet", "pass_no"], name="keying_worksheet_pass"),
            models.UniqueConstraint(fields=["worksheet", "keyer"], name="keying_worksheet_keyer"),
        ]

    def __str__(self) -> str:
        return f"{self.worksheet} – lần {self.pass_no} ({self.keyer})"


class CheckReport(models.Model):
    """Biên bản kiểm tra: one check of one file's worksheets (or of their keying) in one round."""

    class Stage(models.TextChoices):
        CATALOGUE = "bien_muc", "Kiểm tra biên mục"
        ENTRY = "nhap_lieu", "Kiểm tra nhập phiếu tin"

    item = models.ForeignKey("workflow.ProjectFile", on_delete=models.PROTECT, related_name="check_reports")
    stage = models.CharField("Giai đoạn", max_length=10, choices=Stage.choices)
    round = models.PositiveSmallIntegerField("Lượt")
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người kiểm tra", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField("Đã ghi vào hồ sơ lưu trữ", null=True, blank=True)

    class Meta:
        verbose_name = "Biên bản kiểm tra phiếu tin"
        verbose_name_plural = "Biên bản kiểm tra phiếu tin"
        ordering = ["item", "stage", "round"]
        constraints = [models.UniqueConstraint(fields=["item", "stage", "round"], name="report_item_stage_round")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} – lượt {self.round}"


class CheckedSheet(models.Model):
    """What a report covered: one sheet (or one keying of it) and whose work it was, for the rates."""

    report = models.ForeignKey(CheckReport, on_delete=models.CASCADE, related_name="sheets")
    worksheet = models.ForeignKey(Worksheet, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Worksheet.Kind.choices)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    field_count = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["report", "worker"], name="checked_sheet_worker")]

    def __str__(self) -> str:
        return f"{self.report} – {self.worksheet}"


class Difference(models.Model):
    """A field on which the keyings, or a keying and the worksheet, disagree; the checker resolves it."""

    report = models.ForeignKey(CheckReport, on_delete=models.CASCADE, related_name="differences")
    worksheet = models.ForeignKey(Worksheet, on_delete=models.PROTECT, related_name="+")
    field = models.CharField("Trường", max_length=40)
    worksheet_value = models.JSONField("Theo phiếu tin", null=True)
    pass1_value = models.JSONField("Nhập lần 1", null=True)
    pass2_value = models.JSONField("Nhập lần 2", null=True)
    resolved = models.BooleanField("Đã xử lý", default=False)
    resolved_value = models.JSONField("Giá trị đúng", null=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Chênh lệch dữ liệu nhập"
        verbose_name_plural = "Chênh lệch dữ liệu nhập"
        ordering = ["report", "worksheet__ordinal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "worksheet", "field"], name="difference_report_sheet_field")
        ]

    def __str__(self) -> str:
        return f"{self.worksheet} – {self.field}"


class CheckError(models.Model):
    """One error found by a check: which sheet and field, how serious, and whose work it was."""

    class Severity(models.TextChoices):
        BLOCKING = "nghiem_trong", "Lỗi phải sửa (chặn)"
        MINOR = "nhe", "Lỗi nhẹ"

    report = models.ForeignKey(CheckReport, on_delete=models.PROTECT, related_name="errors")
    worksheet = models.ForeignKey(Worksheet, on_delete=models.PROTECT, related_name="errors")
    keying = models.ForeignKey(Keying, null=True, blank=True, on_delete=models.PROTECT, related_name="errors")
    difference = models.ForeignKey(Difference, null=True, blank=True, on_delete=models.CASCADE, related_name="errors")
    field = models.CharField("Trường", max_length=40)
    severity = models.CharField("Mức độ", max_length=12, choices=Severity.choices)
    message = models.TextField("Mô tả lỗi")
    value = models.JSONField("Giá trị lúc kiểm tra", null=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người làm sai", on_delete=models.PROTECT, related_name="+"
    )
    fixed = models.BooleanField("Đã sửa", default=False)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixed_at = models.DateTimeField(null=True, blank=True)
    fixed_value = models.JSONField("Giá trị sau khi sửa", null=True)
    fix_note = models.TextField("Ghi chú sửa lỗi", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Lỗi phiếu tin"
        verbose_name_plural = "Lỗi phiếu tin"
        ordering = ["report", "worksheet__ordinal", "id"]
        indexes = [models.Index(fields=["worksheet", "fixed"], name="check_error_open")]

    def __str__(self) -> str:
        return f"{self.worksheet} – {self.field}: {self.message}"
