"""Product inspection (kiểm tra sản phẩm, TT 04/2014 step 5): sampling plans, error classes, inspections,
their findings and the correction tasks they give the contractor.

The loop of standards.md §4 — inspect → report → fix → re-inspect — is kept as data so the report can
be reprinted and audited: an inspection records its batch and the sample it drew (seeded by its own id,
so anyone can redraw it), every error found with the worker it is attributed to, and the rates and
verdict computed when it was closed. A finding stays open until a later inspection verifies its fix.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from khoso.workflow.models import Contractor, Project, ProjectFile
from khoso.workflow.states import State

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Severity(models.TextChoices):
    SEVERE = "nghiem_trong", "Nghiêm trọng"
    MINOR = "nhe", "Nhẹ"


#: The step whose worker an error class is attributed to, and the states in which that step is done.
RESPONSIBLE_STEPS: dict[str, tuple[State, ...]] = {
    State.BIEN_MUC: (State.BIEN_MUC, State.SUA_LOI_BIEN_MUC),
    State.NHAP_LIEU: (State.NHAP_LIEU, State.SUA_LOI_NHAP),
    State.SO_HOA: (State.SO_HOA, State.SO_HOA_LAI),
    State.LIEN_KET: (State.LIEN_KET,),
}
RESPONSIBLE_STEP_CHOICES = [("", "Không quy cho người thực hiện")] + [
    (State(step).value, State(step).label) for step in RESPONSIBLE_STEPS
]


class ErrorClass(models.Model):
    """A kind of product error named in the inspection guideline; an administrator may add or retire some."""

    code = models.SlugField("Mã lỗi", max_length=40, unique=True)
    label = models.CharField("Tên lỗi", max_length=200)
    label_en = models.CharField("Tên lỗi (tiếng Anh)", max_length=200)
    severity = models.CharField("Mức độ", max_length=12, choices=Severity.choices, default=Severity.MINOR)
    responsible_step = models.CharField(
        "Quy cho bước",
        max_length=24,
        choices=RESPONSIBLE_STEP_CHOICES,
        blank=True,
        help_text="Lỗi được tính cho người đã hoàn thành bước này (ví dụ ảnh mờ: người quét).",
    )
    order = models.PositiveSmallIntegerField("Thứ tự", default=0)
    active = models.BooleanField("Đang dùng", default=True)

    class Meta:
        verbose_name = "Loại lỗi sản phẩm"
        verbose_name_plural = "Loại lỗi sản phẩm"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label


class SamplingPlan(models.Model):
    """How much of a batch each inspection pass looks at, and how many errors the archive tolerates.

    ``passes`` lists the sample rate in percent of pass 1, 2, …; passes beyond the list use the last
    rate. A plan with no contractor applies to every contractor of the project without its own plan.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sampling_plans")
    contractor = models.ForeignKey(
        Contractor, verbose_name="Nhà thầu", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    passes = models.JSONField("Tỷ lệ lấy mẫu theo lượt (%)", default=list)
    max_error_rate = models.DecimalField(
        "Tỷ lệ hồ sơ lỗi tối đa (%)", max_digits=5, decimal_places=2, default=Decimal(5), validators=PERCENT
    )
    class_thresholds = models.JSONField("Tỷ lệ lỗi tối đa theo loại lỗi (%)", default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Kế hoạch lấy mẫu kiểm tra"
        verbose_name_plural = "Kế hoạch lấy mẫu kiểm tra"
        ordering = ["project", "contractor__name"]

    def __str__(self) -> str:
        who = self.contractor or "mọi nhà thầu"
        return f"{self.project.code} – {who}: " + ", ".join(f"{rate} %" for rate in self.passes)

    def rate_of_pass(self, pass_number: int) -> Decimal:
        index = min(max(pass_number, 1), len(self.passes)) - 1
        return Decimal(str(self.passes[index]))


class Inspection(models.Model):
    """One inspection pass over the files waiting for product inspection in a project (a batch)."""

    class Status(models.TextChoices):
        OPEN = "dang_kiem_tra", "Đang kiểm tra"
        CLOSED = "da_ket_thuc", "Đã kết thúc"

    class Result(models.TextChoices):
        PASSED = "dat", "Đạt"
        FAILED = "khong_dat", "Không đạt"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="inspections")
    plan = models.ForeignKey(SamplingPlan, null=True, on_delete=models.SET_NULL, related_name="inspections")
    contractor = models.ForeignKey(Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pass_number = models.PositiveSmallIntegerField("Lượt kiểm tra", validators=[MinValueValidator(1)])
    sample_rate = models.DecimalField("Tỷ lệ lấy mẫu (%)", max_digits=5, decimal_places=2, validators=PERCENT)
    max_error_rate = models.DecimalField("Tỷ lệ hồ sơ lỗi tối đa (%)", max_digits=5, decimal_places=2)
    class_thresholds = models.JSONField("Tỷ lệ lỗi tối đa theo loại lỗi (%)", default=dict, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người kiểm tra", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("Trạng thái", max_length=14, choices=Status.choices, default=Status.OPEN)
    result = models.CharField("Kết luận", max_length=10, choices=Result.choices, blank=True)
    started_at = models.DateTimeField("Bắt đầu", auto_now_add=True)
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)
    conclusion = models.TextField("Nhận xét", blank=True)

    class Meta:
        verbose_name = "Đợt kiểm tra sản phẩm"
        verbose_name_plural = "Đợt kiểm tra sản phẩm"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="inspection_project_status")]

    def __str__(self) -> str:
        return f"{self.project.code} – lượt {self.pass_number} (#{self.pk})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class InspectionItem(models.Model):
    """A file in an inspection's batch: whether it was drawn into the sample and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "", "Chưa kết luận"
        ACCEPTED = "dat", "Đạt, chuyển sao chép"
        CORRECTION = "sua_loi", "Yêu cầu sửa lỗi"
        REINSPECT = "kiem_tra_lai", "Chờ lượt kiểm tra sau"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="batch")
    item = models.ForeignKey(ProjectFile, on_delete=models.PROTECT, related_name="inspection_entries")
    sampled = models.BooleanField("Được lấy mẫu", default=False)
    verification = models.BooleanField("Kiểm tra lại sau sửa lỗi", default=False)
    pages = models.PositiveIntegerField("Số trang kiểm tra", default=0)
    outcome = models.CharField("Kết quả", max_length=14, choices=Outcome.choices, blank=True, default="")

    class Meta:
        verbose_name = "Hồ sơ trong đợt kiểm tra"
        verbose_name_plural = "Hồ sơ trong đợt kiểm tra"
        ordering = ["inspection", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_once")]

    def __str__(self) -> str:
        return f"#{self.inspection_id} – {self.item.file.file_code}"


class CorrectionTask(models.Model):
    """The fixes one file needs after an inspection; the contractor manager marks it fixed, a later
    inspection verifies it."""

    class Status(models.TextChoices):
        OPEN = "can_sua", "Cần sửa"
        FIXED = "da_sua", "Đã sửa, chờ kiểm tra lại"
        VERIFIED = "da_xac_nhan", "Đã kiểm tra lại, đạt"

    item = models.ForeignKey(ProjectFile, on_delete=models.PROTECT, related_name="correction_tasks")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="corrections")
    contractor = models.ForeignKey(Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("Trạng thái", max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixed_at = models.DateTimeField("Ngày sửa", null=True, blank=True)
    fix_note = models.TextField("Ghi chú sửa lỗi", blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField("Ngày kiểm tra lại", null=True, blank=True)

    class Meta:
        verbose_name = "Yêu cầu sửa lỗi"
        verbose_name_plural = "Yêu cầu sửa lỗi"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "status"], name="correction_item_status")]

    def __str__(self) -> str:
        return f"{self.item.file.file_code} – {self.get_status_display()}"


class InspectionFinding(models.Model):
    """One error found in a sampled file, open until a later inspection verifies its correction."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ProjectFile, on_delete=models.PROTECT, related_name="inspection_findings")
    error_class = models.ForeignKey(ErrorClass, verbose_name="Loại lỗi", on_delete=models.PROTECT, related_name="+")
    page_number = models.PositiveIntegerField("Trang số", null=True, blank=True)
    document = models.ForeignKey(
        "archive.Document", verbose_name="Tài liệu", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("Mô tả lỗi", blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người thực hiện bước gây lỗi",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    correction = models.ForeignKey(
        CorrectionTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField("Đã khắc phục", null=True, blank=True)

    class Meta:
        verbose_name = "Lỗi phát hiện khi kiểm tra"
        verbose_name_plural = "Lỗi phát hiện khi kiểm tra"
        ordering = ["item_id", "page_number", "id"]
        indexes = [models.Index(fields=["item", "resolved_at"], name="finding_item_open")]

    def __str__(self) -> str:
        where = f" trang {self.page_number}" if self.page_number else ""
        return f"{self.item.file.file_code}{where}: {self.error_class.label}"
