"""Custody of the paper while it is being digitized (TT 04/2014 steps 1 and 4, standards.md §4).

Every physical movement of a file (hồ sơ) is one :class:`CustodyEvent`: who recorded it, when, from
whom to whom, and what was counted. A file is in exactly one place at a time, and that place is
never stored on the file: it is the place its last event left it in, so the history and the current
place cannot disagree. A movement of a whole box writes one event per file of the box, all sharing
one ``batch`` so that a single handover receipt (biên bản giao nhận) prints them together.

Counts are the archive's guarantee that nothing is lost between the stacks and the scanner: a
sheet count that differs from the one expected opens a :class:`Discrepancy`, which blocks the
file's guarded workflow steps until a planner or approving archivist resolves it with a note.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Place(models.TextChoices):
    """Where the paper of a file is; listed in the order a file travels through one custody cycle."""

    TREN_GIA = "tren_gia", "Trên giá trong kho"
    NOI_GIAO_NHAN = "noi_giao_nhan", "Đã lấy khỏi giá, tại nơi giao nhận"
    BIEN_MUC = "bien_muc", "Tổ biên mục đang giữ"
    SO_HOA = "so_hoa", "Tổ số hóa đang giữ"
    DA_BOC_TACH = "da_boc_tach", "Đã bóc tách, làm phẳng (tổ số hóa)"
    DA_HOAN_TRA = "da_hoan_tra", "Đã trả về bộ phận bảo quản, chờ lên giá"


PLACE_EN = {
    Place.TREN_GIA: "on the shelf",
    Place.NOI_GIAO_NHAN: "off the shelf, at the handover point",
    Place.BIEN_MUC: "with the cataloguing team",
    Place.SO_HOA: "with the scanning team",
    Place.DA_BOC_TACH: "unbound and flattened",
    Place.DA_HOAN_TRA: "returned to storage, awaiting re-shelving",
}


class Kind(models.TextChoices):
    """The movements of standards.md §4 steps (1) and (4), in their order."""

    LAY_KHOI_GIA = "lay_khoi_gia", "Lấy tài liệu khỏi giá, đưa đến nơi giao nhận"
    GIAO_BIEN_MUC = "giao_bien_muc", "Giao tài liệu cho tổ biên mục"
    VAN_CHUYEN_BIEN_MUC = "van_chuyen_bien_muc", "Vận chuyển tài liệu từ kho đến nơi biên mục"
    VE_SINH = "ve_sinh", "Vệ sinh tài liệu"
    GIAO_SO_HOA = "giao_so_hoa", "Giao tài liệu và phiếu tin cho tổ số hóa"
    VAN_CHUYEN_SO_HOA = "van_chuyen_so_hoa", "Vận chuyển tài liệu đến nơi số hóa"
    GIAO_NGUOI_QUET = "giao_nguoi_quet", "Giao tài liệu cho người vận hành máy quét"
    BOC_TACH = "boc_tach", "Bóc tách, làm phẳng tài liệu"
    HOAN_TRA = "hoan_tra", "Trả tài liệu về bộ phận bảo quản"
    VAN_CHUYEN_VE_KHO = "van_chuyen_ve_kho", "Vận chuyển tài liệu về kho"
    LEN_GIA = "len_gia", "Đưa tài liệu trở lại giá (hoàn kho)"


class CustodyEvent(models.Model):
    """One file moved (or handled in place) once: the row the file's current place is derived from.

    ``boxes_counted`` and ``files_counted`` are the figures counted for the whole movement the
    event belongs to (its ``batch``): a box moved with its 12 files gives 12 events that each say
    "1 box, 12 files". ``sheets_counted`` is this file's own count.
    """

    project = models.ForeignKey(
        "workflow.Project", verbose_name="Đề án", on_delete=models.PROTECT, related_name="custody_events"
    )
    item = models.ForeignKey(
        "workflow.ProjectFile", verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="custody_events"
    )
    box = models.ForeignKey(
        "archive.Box", verbose_name="Hộp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.UUIDField("Lượt giao nhận", default=uuid.uuid4, db_index=True)
    kind = models.CharField("Thao tác", max_length=24, choices=Kind.choices)
    place = models.CharField("Nơi tài liệu sau thao tác", max_length=16, choices=Place.choices)
    from_party = models.CharField("Bên giao", max_length=200, blank=True)
    to_party = models.CharField("Bên nhận", max_length=200, blank=True)
    location = models.CharField("Địa điểm", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người ghi nhận", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("Thời gian", auto_now_add=True, db_index=True)
    boxes_counted = models.PositiveIntegerField("Số hộp kiểm đếm", default=0)
    files_counted = models.PositiveIntegerField("Số hồ sơ kiểm đếm", default=1)
    sheets_counted = models.PositiveIntegerField("Số tờ kiểm đếm", null=True, blank=True)
    sheets_expected = models.PositiveIntegerField("Số tờ theo sổ sách", null=True, blank=True)
    note = models.TextField("Ghi chú", blank=True)

    class Meta:
        verbose_name = "Sự kiện giao nhận, bảo quản"
        verbose_name_plural = "Sự kiện giao nhận, bảo quản"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "-at", "-id"], name="custody_item_last")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()}"


class Discrepancy(models.Model):
    """Counted ≠ expected at a movement: an open one blocks the file's guarded steps."""

    class Measure(models.TextChoices):
        SHEETS = "so_to", "Số tờ"
        FILES = "so_ho_so", "Số hồ sơ"

    class Status(models.TextChoices):
        OPEN = "mo", "Chưa giải quyết"
        RESOLVED = "da_giai_quyet", "Đã giải quyết"

    project = models.ForeignKey(
        "workflow.Project", verbose_name="Đề án", on_delete=models.PROTECT, related_name="discrepancies"
    )
    event = models.ForeignKey(
        CustodyEvent, verbose_name="Sự kiện giao nhận", on_delete=models.PROTECT, related_name="discrepancies"
    )
    # empty for a files count of a box movement: it concerns every file of the event's batch
    item = models.ForeignKey(
        "workflow.ProjectFile",
        verbose_name="Hồ sơ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discrepancies",
    )
    measure = models.CharField("Chỉ tiêu", max_length=10, choices=Measure.choices)
    expected = models.PositiveIntegerField("Số theo sổ sách")
    counted = models.PositiveIntegerField("Số kiểm đếm")
    status = models.CharField("Trạng thái", max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField("Phát hiện lúc", auto_now_add=True)
    resolution = models.TextField("Cách giải quyết", blank=True)
    confirmed = models.PositiveIntegerField(
        "Số xác nhận sau kiểm đếm lại", null=True, blank=True, help_text="Số dùng để đối chiếu ở lần giao nhận sau."
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField("Giải quyết lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Chênh lệch kiểm đếm"
        verbose_name_plural = "Chênh lệch kiểm đếm"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="discrepancy_project_status")]

    def __str__(self) -> str:
        return (
            f"CL-{self.pk}: {self.get_measure_display().lower()} kiểm đếm {self.counted}, "
            f"theo sổ sách {self.expected} ({self.event.get_kind_display()})"
        )
