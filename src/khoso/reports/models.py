"""The yearly plan of a digitization project (seed 002: 2026 650 m, 2027 700 m, 2028 815 m).

``workflow.Project`` holds one target for its whole span; the Ministry and the province are told
figures year by year and fonds by fonds (seed 000 lists the fonds of each year with their counted
pages), so a plan year holds its lines. A line keeps its shelf metres and, when the archive has
counted them, its counted pages: the estimate (metres × the project's pages per metre) is always
derived, never stored, so counting never overwrites it (standards.md §7.1).
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models


class PlanYear(models.Model):
    project = models.ForeignKey(
        "workflow.Project", verbose_name="Đề án", on_delete=models.CASCADE, related_name="plan_years"
    )
    year = models.PositiveSmallIntegerField("Năm")
    budget_vnd = models.PositiveBigIntegerField(
        "Kinh phí được phân bổ (đồng)",
        null=True,
        blank=True,
        help_text="Để trống: số trang × đơn giá của đề án.",
    )
    decision = models.CharField("Quyết định phân bổ kinh phí", max_length=200, blank=True)

    class Meta:
        verbose_name = "Kế hoạch năm"
        verbose_name_plural = "Kế hoạch năm"
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="plan_year_once")]
        permissions = [("view_dashboard", "Xem bảng điều khiển và báo cáo số hóa / view the director's dashboard")]

    def __str__(self) -> str:
        return f"{self.project.code} – {self.year}"


class PlanLine(models.Model):
    """One fonds (or one block of material not yet a fonds here) planned for one year."""

    plan_year = models.ForeignKey(PlanYear, verbose_name="Kế hoạch năm", on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField("Thứ tự", default=0)
    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField("Tên phông / khối tài liệu", max_length=300)
    metres = models.DecimalField("Số mét giá", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    pages_counted = models.PositiveBigIntegerField("Số trang đã kiểm đếm", null=True, blank=True)

    class Meta:
        verbose_name = "Dòng kế hoạch năm"
        verbose_name_plural = "Dòng kế hoạch năm"
        ordering = ["plan_year", "position", "id"]
        indexes = [models.Index(fields=["fonds"], name="plan_line_fonds")]

    def __str__(self) -> str:
        return f"{self.label}: {self.metres} m"
