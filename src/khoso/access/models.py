"""Grants of fonds to staff. Without a grant a staff member sees nothing of a fonds."""

from django.conf import settings
from django.db import models


class FondsGrant(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người dùng", on_delete=models.CASCADE, related_name="fonds_grants"
    )
    fonds = models.ForeignKey("archive.Fonds", verbose_name="Phông", on_delete=models.CASCADE, related_name="grants")
    can_edit = models.BooleanField("Được sửa và nộp bản quét", default=False)

    class Meta:
        verbose_name = "Quyền trên phông"
        verbose_name_plural = "Quyền trên phông"
        constraints = [models.UniqueConstraint(fields=["user", "fonds"], name="grant_user_fonds")]

    def __str__(self) -> str:
        return f"{self.user} → {self.fonds.code}"


class Restriction(models.Model):
    """One entry of the restricted-use list (danh mục tài liệu hạn chế sử dụng).

    An entry covers a whole fonds, one file or one document from ``start_date`` to ``end_date``
    inclusive; material opens by itself the day after ``end_date`` (no end date: until the entry
    is removed). While an entry is in force its material is treated as not public: the portal,
    reader search, autocomplete, sitemaps, thumbnails and exports leave it out; staff with a grant
    on the fonds still work on it.
    """

    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", on_delete=models.CASCADE, related_name="restrictions"
    )
    file = models.ForeignKey(
        "archive.ArchiveFile",
        verbose_name="Hồ sơ",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="restrictions",
    )
    document = models.ForeignKey(
        "archive.Document",
        verbose_name="Tài liệu",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="restrictions",
    )
    reason = models.CharField("Lý do hạn chế", max_length=500)
    start_date = models.DateField("Hạn chế từ ngày")
    end_date = models.DateField("Hạn chế đến hết ngày", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Tài liệu hạn chế sử dụng"
        verbose_name_plural = "Danh mục tài liệu hạn chế sử dụng"
        ordering = ["fonds", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="restriction_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        target = self.document or self.file or self.fonds
        return f"{target} ({self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y})" if self.end_date else f"{target}"


class AccessChange(models.Model):
    """A proposed change of access rights (NĐ 30/2020/NĐ-CP, Phụ lục VI: four-eyes).

    Nothing changes when it is proposed: the change takes effect only when a second person with the
    right to confirm it does so (``decided_by`` is never ``proposed_by``). ``before`` is the state
    the proposer saw; confirming refuses when the target has changed since, so nobody confirms a
    change against a state they were not shown. ``target_key`` names the target so that only one
    change per target is pending at a time.
    """

    class Kind(models.TextChoices):
        FILE_ACCESS = "ho_so", "Chế độ sử dụng của hồ sơ"
        DOCUMENT_ACCESS = "tai_lieu", "Chế độ sử dụng, độ mật của tài liệu"
        RESTRICTION_ADD = "han_che_them", "Thêm vào danh mục hạn chế sử dụng"
        RESTRICTION_CHANGE = "han_che_sua", "Sửa thời hạn hạn chế sử dụng"
        RESTRICTION_END = "han_che_ket_thuc", "Kết thúc sớm hạn chế sử dụng"
        GRANT = "quyen_phong", "Quyền trên phông"
        ROLE = "vai_tro", "Vai trò của người dùng"
        UNLOCK = "mo_khoa", "Mở khóa hồ sơ"

    class Status(models.TextChoices):
        PENDING = "cho", "Chờ xác nhận"
        CONFIRMED = "xac_nhan", "Đã xác nhận, có hiệu lực"
        REJECTED = "tu_choi", "Bị từ chối"

    kind = models.CharField("Loại thay đổi", max_length=20, choices=Kind.choices)
    status = models.CharField("Trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    target_key = models.CharField("Đối tượng", max_length=100)
    fonds = models.ForeignKey(
        "archive.Fonds", verbose_name="Phông", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(
        "archive.ArchiveFile", verbose_name="Hồ sơ", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "archive.Document", verbose_name="Tài liệu", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    restriction = models.ForeignKey(
        Restriction,
        verbose_name="Mục hạn chế",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người được phân quyền",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_changes_about",
    )
    group = models.ForeignKey(
        "auth.Group", verbose_name="Vai trò", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lock = models.ForeignKey(
        "access.FileLock", verbose_name="Khóa", null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    before = models.JSONField("Trước thay đổi", default=dict)
    after = models.JSONField("Sau thay đổi", default=dict)
    reason = models.CharField("Lý do", max_length=1000)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người đề nghị", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("Đề nghị lúc", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Người quyết định",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("Quyết định lúc", null=True, blank=True)
    decision_note = models.CharField("Ghi chú khi quyết định", max_length=1000, blank=True)
    applied_at = models.DateTimeField("Có hiệu lực lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Đề nghị thay đổi quyền truy cập"
        verbose_name_plural = "Đề nghị thay đổi quyền truy cập"
        ordering = ["-proposed_at", "-pk"]
        permissions = [
            ("propose_access_change", "Đề nghị thay đổi chế độ sử dụng, độ mật, danh mục hạn chế, mở khóa"),
            ("confirm_access_change", "Xác nhận hoặc từ chối thay đổi quyền truy cập (người thứ hai)"),
            ("manage_grants", "Đề nghị, xác nhận phân quyền phông và vai trò người dùng"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["target_key"], condition=models.Q(status="cho"), name="access_change_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("proposed_by")),
                name="access_change_four_eyes",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="access_change_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.target_key} ({self.get_status_display()})"


class FileLock(models.Model):
    """A set of files frozen against edit, move and delete (NĐ 30/2020/NĐ-CP, Phụ lục VI).

    The set is a whole fonds, one inventory, one box or chosen files. Locking takes effect at once
    (it only holds material still); unlocking is an :class:`AccessChange` a second person confirms.
    """

    class Scope(models.TextChoices):
        FONDS = "phong", "Toàn bộ phông"
        INVENTORY = "muc_luc", "Một mục lục"
        BOX = "hop", "Một hộp"
        FILES = "ho_so", "Các hồ sơ được chọn"

    scope = models.CharField("Phạm vi", max_length=10, choices=Scope.choices)
    fonds = models.ForeignKey("archive.Fonds", verbose_name="Phông", on_delete=models.PROTECT, related_name="locks")
    inventory = models.ForeignKey(
        "archive.Inventory", verbose_name="Mục lục", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    box = models.ForeignKey(
        "archive.Box", verbose_name="Hộp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    files = models.ManyToManyField("archive.ArchiveFile", verbose_name="Hồ sơ", blank=True, related_name="locks")
    reason = models.CharField("Lý do khóa", max_length=1000)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Người khóa", on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField("Khóa lúc", auto_now_add=True)
    released_at = models.DateTimeField("Mở khóa lúc", null=True, blank=True)

    class Meta:
        verbose_name = "Khóa hồ sơ"
        verbose_name_plural = "Khóa hồ sơ"
        ordering = ["-locked_at", "-pk"]
        indexes = [models.Index(fields=["fonds", "released_at"], name="file_lock_fonds_active")]

    def __str__(self) -> str:
        return f"Khóa số {self.pk} ({self.describe()})"

    def describe(self) -> str:
        """The locked set in words: «phông UBND-DL», «mục lục số 2», «hộp …», «3 hồ sơ»."""
        if self.scope == self.Scope.FONDS:
            return f"toàn bộ phông {self.fonds.code}"
        if self.scope == self.Scope.INVENTORY and self.inventory is not None:
            return f"mục lục số {self.inventory.number} của phông {self.fonds.code}"
        if self.scope == self.Scope.BOX and self.box is not None:
            return f"hộp {self.box}"
        return f"{self.files.count()} hồ sơ được chọn"
