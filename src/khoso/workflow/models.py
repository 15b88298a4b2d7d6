"""Digitization projects (đề án / kế hoạch số hóa), their members, their files and every step taken.

Estimated and counted figures are kept apart (standards.md §7.1): a project stores its targets
and its own conversion factors (pages per shelf metre, VND per page); counted pages come from the
files' metadata and from the scanned pages themselves, never overwrite the estimate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from khoso.workflow.states import Role, State

PAGES_PER_METRE = 5000
PRICE_PER_PAGE_VND = 4384


class Contractor(models.Model):
    """A digitization vendor: seed 000 requires a licensed legal entity."""

    name = models.CharField("Tên đơn vị", max_length=300)
    tax_code = models.CharField("Mã số thuế", max_length=20, blank=True)
    licence = models.CharField("Giấy phép / đăng ký kinh doanh dịch vụ lưu trữ", max_length=100)

    class Meta:
        verbose_name = "Nhà thầu số hóa"
        verbose_name_plural = "Nhà thầu số hóa"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "du_thao", "Dự thảo"
        SUBMITTED = "cho_duyet", "Chờ phê duyệt"
        APPROVED = "da_duyet", "Đã phê duyệt"
        CLOSED = "ket_thuc", "Đã kết thúc"

    code = models.CharField("Mã đề án", max_length=40, unique=True)
    name = models.CharField("Tên đề án / kế hoạch", max_length=500)
    institution = models.ForeignKey(
        "archive.Institution", verbose_name="Cơ quan lưu trữ", on_delete=models.PROTECT, related_name="+"
    )
    fonds = models.ManyToManyField("archive.Fonds", verbose_name="Phông", related_name="projects")
    year_from = models.PositiveSmallIntegerField("Từ năm")
    year_to = models.PositiveSmallIntegerField("Đến năm")
    target_metres = models.DecimalField("Khối lượng (mét giá)", max_digits=10, decimal_places=2)
    target_pages = models.PositiveBigIntegerField(
        "Số trang mục tiêu", null=True, blank=True, help_text="Để trống: ước tính từ mét giá."
    )
    pages_per_metre = models.PositiveIntegerField(
        "Số trang A4 / mét giá", default=PAGES_PER_METRE, validators=[MinValueValidator(1)]
    )
    price_per_page = models.PositiveIntegerField("Đơn giá (đồng / trang A4)", default=PRICE_PER_PAGE_VND)
    budget_vnd = models.PositiveBigIntegerField("Kinh phí được duyệt (đồng)", null=True, blank=True)
    contractor = models.ForeignKey(
        Contractor, verbose_name="Nhà thầu", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    status = models.CharField("Trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    decision = models.CharField("Quyết định phê duyệt", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("Ngày phê duyệt", null=True, blank=True)
    rejection_reason = models.TextField("Lý do chưa duyệt", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Đề án số hóa"
        verbose_name_plural = "Đề án số hóa"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def estimated_pages(self) -> int:
        """Pages estimated from shelf metres with the project's own factor (5,000 by default)."""
        pages = (self.target_metres * self.pages_per_metre).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(pages)

    @property
    def planned_pages(self) -> int:
        return self.target_pages if self.target_pages is not None else self.estimated_pages

    @property
    def estimated_cost(self) -> int:
        """VND: planned pages × unit price (4,384 by default)."""
        return self.planned_pages * self.price_per_page


class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles")
    role = models.CharField("Vai trò", max_length=24, choices=Role.choices)
    contractor = models.ForeignKey(Contractor, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "Thành viên đề án"
        verbose_name_plural = "Thành viên đề án"
        constraints = [models.UniqueConstraint(fields=["project", "user", "role"], name="member_project_user_role")]
        indexes = [models.Index(fields=["user", "project"], name="member_user_project")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class ProjectFile(models.Model):
    """A whole file (hồ sơ) selected for a project: the unit that walks through the six steps."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="items")
    file = models.ForeignKey("archive.ArchiveFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("Bước", max_length=24, choices=State.choices, default=State.KE_HOACH)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.DecimalField("Điểm ưu tiên", max_digits=6, decimal_places=2, default=Decimal(0))
    priority_reasons = models.JSONField("Lý do ưu tiên", default=list, blank=True)
    round = models.PositiveSmallIntegerField("Lượt kiểm tra", default=0)
    state_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Hồ sơ trong đề án"
        verbose_name_plural = "Hồ sơ trong đề án"
        ordering = ["-priority", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "file"], name="project_file_once")]
        indexes = [
            models.Index(fields=["project", "state", "-priority", "id"], name="item_queue"),
            models.Index(fields=["assignee", "state"], name="item_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.file.file_code} – {self.get_state_display()}"


class WorkflowEvent(models.Model):
    """One step taken: who, when, from which state to which, with what counts (standards.md §4)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    item = models.ForeignKey(ProjectFile, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("Thao tác", max_length=40)
    source = models.CharField("Từ bước", max_length=24, blank=True)
    target = models.CharField("Đến bước", max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    counts = models.JSONField("Số lượng", default=dict, blank=True)
    note = models.TextField("Ghi chú", blank=True)

    class Meta:
        verbose_name = "Nhật ký quy trình"
        verbose_name_plural = "Nhật ký quy trình"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["project", "actor", "at"], name="event_throughput"),
            models.Index(fields=["item", "at"], name="event_item"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.source}→{self.target}"


class DailyThroughput(models.Model):
    """Steps completed per project, day, person and step, counted as they happen.

    Supervisors read throughput per person per day all day long; at provincial scale a project logs
    tens of thousands of steps a week, so the figure is kept as a counter, not recomputed from the log.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("Ngày")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField("Bước", max_length=24, choices=State.choices)
    steps = models.PositiveIntegerField("Số hồ sơ", default=0)

    class Meta:
        verbose_name = "Năng suất theo ngày"
        verbose_name_plural = "Năng suất theo ngày"
        constraints = [
            models.UniqueConstraint(fields=["project", "day", "actor", "step"], name="throughput_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.actor_id} {self.step}: {self.steps}"
