"""Models of the archive of record, carrying the TT 05/2025 fields (standards.md §2).

Field names follow TT05's camelCase element names in snake_case (``fileCode`` → ``file_code``)
so that packages map one-to-one. Coded values (typeName, language, maintenance, mode, …) are
stored as their TT05 codes and checked against :class:`Vocabulary` rows, which a migration loads
and an administrator may edit: the law changes, the code should not have to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from khoso.core.collation import stored_sort_key


class VocabularyKind(models.TextChoices):
    TYPE_NAME = "typeName", "Tên loại tài liệu"
    LANGUAGE = "language", "Ngôn ngữ"
    MAINTENANCE = "maintenance", "Thời hạn lưu trữ"
    MODE = "mode", "Chế độ sử dụng"
    CONFIDENCE_LEVEL = "confidenceLevel", "Mức độ tin cậy"
    FORMAT = "format", "Tình trạng vật lý"
    RISK_RECOVERY_STATUS = "riskRecoveryStatus", "Tình trạng dự phòng"
    FONDS_STATUS = "fondsStatus", "Trạng thái phông"
    SECRET_CLASS = "secretClass", "Độ mật"
    ORIGINAL_STATUS = "originalStatus", "Độ gốc (loại bản)"
    DAMAGE = "damage", "Tình trạng hư hỏng"
    PROVINCE = "province", "Tỉnh, thành phố"
    PURPOSE = "purpose", "Mục đích sử dụng"
    FEE_OBJECT_TYPE = "feeObjectType", "Đối tượng thu phí"
    PARTY_FONDS = "partyFonds", "Nhóm phông Lưu trữ Đảng (QĐ 270-QĐ/TW)"


class Vocabulary(models.Model):
    kind = models.CharField("Danh mục", max_length=40, choices=VocabularyKind.choices)
    code = models.CharField("Mã", max_length=20)
    label_vi = models.CharField("Tên (tiếng Việt)", max_length=200)
    label_en = models.CharField("Tên (tiếng Anh)", max_length=200, blank=True)
    position = models.PositiveIntegerField("Thứ tự", default=0)
    active = models.BooleanField("Đang dùng", default=True)

    class Meta:
        verbose_name = "Giá trị danh mục"
        verbose_name_plural = "Danh mục dùng chung"
        ordering = ["kind", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="vocabulary_kind_code")]

    def __str__(self) -> str:
        return f"{self.code} – {self.label_vi}"


class Agency(models.Model):
    """An agency identifier (mã định danh cơ quan, QĐ 20/2020): data, since mergers change codes."""

    code = models.CharField("Mã định danh", max_length=35, unique=True)
    name = models.CharField("Tên cơ quan", max_length=300)
    valid_until = models.DateField("Hết hiệu lực", null=True, blank=True)

    class Meta:
        verbose_name = "Cơ quan (mã định danh)"
        verbose_name_plural = "Cơ quan (mã định danh)"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Institution(models.Model):
    """An archive institution (cơ quan lưu trữ): a historical archive centre or an agency archive.

    ``profile`` says whose rules its holdings follow: the State archives' (TT 05/2025/TT-BNV) or the
    Party archives' (HD 40-HD/VPTW, fonds per QĐ 270-QĐ/TW), whose documents carry more fields and whose
    fonds belong to a group of the Party fonds list (``khoso.archive.profiles``).
    """

    class Profile(models.TextChoices):
        STATE = "nha_nuoc", "Lưu trữ Nhà nước (TT 05/2025/TT-BNV)"
        PARTY = "dang", "Lưu trữ Đảng (HD 40-HD/VPTW, QĐ 270-QĐ/TW)"

    code = models.CharField("Mã cơ quan lưu trữ", max_length=35, unique=True)
    name = models.CharField("Tên cơ quan lưu trữ", max_length=300)
    agency = models.ForeignKey(Agency, verbose_name="Mã định danh", null=True, blank=True, on_delete=models.PROTECT)
    profile = models.CharField(
        "Hệ thống lưu trữ",
        max_length=10,
        choices=Profile.choices,
        default=Profile.STATE,
        help_text="Lưu trữ Đảng: tài liệu có thêm người ký, loại bản, chuyên đề, số lượng tệp, độ mật; "
        "mỗi phông thuộc một nhóm của danh mục Phông Lưu trữ Đảng.",
    )

    class Meta:
        verbose_name = "Cơ quan lưu trữ"
        verbose_name_plural = "Cơ quan lưu trữ"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Fonds(models.Model):
    """Phông / công trình / sưu tập lưu trữ (TT05 Đ4; lengths from TT02, standards.md §2.1)."""

    class Status(models.TextChoices):
        OPEN = "mo", "Mở"
        CLOSED = "dong", "Đóng"

    institution = models.ForeignKey(
        Institution, verbose_name="Cơ quan lưu trữ", on_delete=models.PROTECT, related_name="fonds"
    )
    code = models.CharField("Mã phông", max_length=13)
    name = models.CharField("Tên phông", max_length=200)
    status = models.CharField("Trạng thái", max_length=4, choices=Status.choices, default=Status.OPEN)
    organ_id = models.CharField(
        "Mã định danh cơ quan hình thành phông",
        max_length=35,
        blank=True,
        help_text="Dùng để lập mã hồ sơ; phông đóng có thể dùng mã phông.",
    )
    history = models.TextField("Lịch sử đơn vị hình thành phông")
    archives_time = models.CharField("Thời gian tài liệu", max_length=30)
    paper_total = models.DecimalField("Tổng số tài liệu (mét giá)", max_digits=10, decimal_places=2)
    key_groups = models.CharField("Phương án phân loại / nhóm tài liệu chủ yếu", max_length=300)
    language = models.CharField("Ngôn ngữ", max_length=100)
    risk_recovery = models.BooleanField("Chế độ dự phòng", default=False)
    description = models.CharField("Ghi chú", max_length=1000, blank=True)
    party_group = models.CharField(
        "Nhóm phông Lưu trữ Đảng",
        max_length=20,
        blank=True,
        help_text="Mã trong danh mục Phông Lưu trữ Đảng (QĐ 270-QĐ/TW); bắt buộc khi cơ quan lưu trữ là Lưu trữ Đảng.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Phông lưu trữ"
        verbose_name_plural = "Phông lưu trữ"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="fonds_institution_code")]
        permissions = [
            ("view_secret", "Xem tài liệu Mật (chế độ sử dụng 03)"),
            ("export_secret", "Xuất gói tin chứa tài liệu Mật, có ghi lý do / export packages holding secret material"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


#: The descriptive fields of a fonds (TT05 §2.1 and the Party group), after its code and name, as the admin,
#: the API and the backup's metadata list them.
FONDS_DESCRIPTION_FIELDS = (
    "status",
    "organ_id",
    "history",
    "archives_time",
    "paper_total",
    "key_groups",
    "language",
    "risk_recovery",
    "description",
    "party_group",
)


class Inventory(models.Model):
    """Mục lục hồ sơ, numbered per fonds."""

    fonds = models.ForeignKey(Fonds, verbose_name="Phông", on_delete=models.PROTECT, related_name="inventories")
    number = models.PositiveIntegerField("Mục lục số", validators=[MinValueValidator(1)])
    title = models.CharField("Tên mục lục", max_length=300, blank=True)

    class Meta:
        verbose_name = "Mục lục hồ sơ"
        verbose_name_plural = "Mục lục hồ sơ"
        ordering = ["fonds", "number"]
        constraints = [models.UniqueConstraint(fields=["fonds", "number"], name="inventory_fonds_number")]

    def __str__(self) -> str:
        return f"{self.fonds.code} – Mục lục số {self.number}"


class Box(models.Model):
    """Hộp, with its place in the stacks: kho → giá → tầng → hộp."""

    fonds = models.ForeignKey(Fonds, verbose_name="Phông", on_delete=models.PROTECT, related_name="boxes")
    stack = models.CharField("Kho", max_length=20)
    shelf = models.CharField("Giá", max_length=20)
    tier = models.CharField("Tầng", max_length=20, blank=True)
    number = models.CharField("Hộp số", max_length=20)

    class Meta:
        verbose_name = "Hộp"
        verbose_name_plural = "Hộp"
        ordering = ["fonds", "stack", "shelf", "tier", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fonds", "stack", "shelf", "tier", "number"], name="box_location")
        ]

    def __str__(self) -> str:
        tier = f", tầng {self.tier}" if self.tier else ""
        return f"Kho {self.stack}, giá {self.shelf}{tier}, hộp {self.number}"

    @property
    def location(self) -> str:
        """Stack/shelf/box, as written inside paperFileCode."""
        return f"{self.stack}/{self.shelf}/{self.number}"


class ArchiveFile(models.Model):
    """Hồ sơ: the 18 TT05 EAD fields (standards.md §2.2) plus the links of the hierarchy.

    ``kind`` tells a hồ sơ from a gói tài liệu: loose documents not filed into a hồ sơ, kept together
    as one row so that every page, search entry and transfer that knows files knows them too. For a
    gói tài liệu ``file_code`` is the mã gói tin (standards.md §1.8: agency id + year + transfer number
    2 digits + sequence 7 digits, so ``file_notation`` is ``01.0000001``), ``source`` says văn bản đi
    (0) or đến (1), and the hồ sơ-only fields are derived from its documents (dates, mode, language).
    """

    class Kind(models.TextChoices):
        FILE = "ho_so", "Hồ sơ"
        LOOSE = "tai_lieu", "Gói tài liệu (tài liệu rời, không lập hồ sơ)"

    class Source(models.TextChoices):
        OUTGOING = "0", "Văn bản đi"
        INCOMING = "1", "Văn bản đến"

    fonds = models.ForeignKey(Fonds, verbose_name="Phông", on_delete=models.PROTECT, related_name="files")
    inventory = models.ForeignKey(
        Inventory, verbose_name="Mục lục", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    box = models.ForeignKey(
        Box, verbose_name="Hộp", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    kind = models.CharField("Loại", max_length=8, choices=Kind.choices, default=Kind.FILE)
    file_code = models.CharField("Mã hồ sơ", max_length=100, unique=True)
    organ_id = models.CharField("Mã định danh cơ quan", max_length=35)
    file_catalog = models.PositiveSmallIntegerField("Năm hình thành hồ sơ")
    file_notation = models.CharField("Số và ký hiệu hồ sơ", max_length=20)
    title = models.CharField("Tiêu đề hồ sơ", max_length=1000)
    maintenance = models.CharField("Thời hạn lưu trữ", max_length=100)
    mode = models.CharField("Chế độ sử dụng", max_length=30)
    language = models.CharField("Ngôn ngữ", max_length=100)
    start_date = models.DateField("Thời gian bắt đầu")
    end_date = models.DateField("Thời gian kết thúc")
    keyword = models.CharField("Từ khóa", max_length=100, blank=True)
    total_doc = models.PositiveIntegerField(
        "Tổng số tài liệu", default=0, validators=[MaxValueValidator(9_999_999_999)]
    )
    number_of_paper = models.PositiveIntegerField("Số lượng tờ", null=True, blank=True)
    number_of_page = models.PositiveIntegerField("Số lượng trang", default=0)
    format = models.CharField("Tình trạng vật lý", max_length=50, blank=True)
    infor_sign = models.CharField("Ký hiệu thông tin", max_length=30, blank=True)
    confidence_level = models.CharField("Mức độ tin cậy", max_length=40, blank=True)
    paper_file_code = models.CharField("Mã hồ sơ gốc giấy", max_length=100, blank=True)
    risk_recovery = models.BooleanField("Chế độ dự phòng", default=False)
    risk_recovery_status = models.CharField("Tình trạng dự phòng", max_length=2, blank=True)
    description = models.CharField("Ghi chú", max_length=2000)
    source = models.CharField("Nguồn tài liệu (đi/đến)", max_length=1, choices=Source.choices, blank=True)
    pdf = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Bản PDF/A",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf_pages_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the page renditions the PDF/A was built from."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField("Đã xóa lúc", null=True, blank=True)
    deleted_reason = models.CharField("Lý do xóa", max_length=500, blank=True)
    # NĐ 30/2020 Đ30 k2: a file is due in the agency archive 1 year after its work ended, or 3 months after a
    # construction project is settled; an agency archive records when it arrived (the deadlines board asks)
    archived_on = models.DateField("Ngày nộp lưu vào Lưu trữ cơ quan", null=True, blank=True)
    construction_settled_on = models.DateField("Ngày quyết toán công trình (hồ sơ XDCB)", null=True, blank=True)
    title_sort = models.BinaryField("Khóa sắp xếp tiêu đề (ICU tiếng Việt)", editable=False, default=b"")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Hồ sơ"
        verbose_name_plural = "Hồ sơ"
        ordering = ["fonds", "file_catalog", "file_code"]
        indexes = [models.Index(fields=["fonds", "title_sort", "file_code"], name="file_fonds_title_sort")]

    def __str__(self) -> str:
        return f"{self.file_code} – {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Kept here, not in a service, so no path that saves a file can leave its place in title order stale.
        self.title_sort = stored_sort_key(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_sort"}
        super().save(*args, **kwargs)


#: The descriptive TT05 fields of a file (standards.md §2.2), in TT05's order, without the parts of the
#: file code (organ, year, notation), which never change once the code is made.
FILE_DESCRIPTION_FIELDS = (
    "title",
    "maintenance",
    "mode",
    "language",
    "start_date",
    "end_date",
    "keyword",
    "total_doc",
    "number_of_paper",
    "number_of_page",
    "format",
    "infor_sign",
    "confidence_level",
    "paper_file_code",
    "risk_recovery",
    "risk_recovery_status",
    "description",
)


class Document(models.Model):
    """Văn bản / tài liệu: the TT05 SIP EAD_doc fields (standards.md §2.3)."""

    file = models.ForeignKey(ArchiveFile, verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="documents")
    ordinal = models.PositiveIntegerField("Số thứ tự trong hồ sơ", validators=[MinValueValidator(1)])
    doc_id = models.CharField("Mã định danh tài liệu", max_length=100, unique=True)
    doc_code = models.CharField("Mã lưu trữ của tài liệu", max_length=100, unique=True)
    maintenance = models.CharField("Thời hạn lưu trữ", max_length=100)
    type_name = models.CharField("Tên loại tài liệu", max_length=10)
    code_number = models.CharField("Số của tài liệu", max_length=11, blank=True)
    code_notation = models.CharField("Ký hiệu của tài liệu", max_length=30, blank=True)
    issued_date = models.DateField("Ngày tháng năm tài liệu")
    organ_name = models.CharField("Cơ quan, tổ chức, cá nhân ban hành", max_length=200)
    subject = models.CharField("Trích yếu nội dung", max_length=500)
    language = models.CharField("Ngôn ngữ", max_length=100)
    number_of_page = models.PositiveIntegerField("Số lượng trang", validators=[MaxValueValidator(9999)])
    first_page = models.PositiveIntegerField("Từ trang", null=True, blank=True)
    infor_sign = models.CharField("Ký hiệu thông tin", max_length=30, blank=True)
    keyword = models.CharField("Từ khóa", max_length=100, blank=True)
    mode = models.CharField("Chế độ sử dụng", max_length=20)
    confidence_level = models.CharField("Mức độ tin cậy", max_length=30, blank=True)
    autograph = models.CharField("Bút tích", max_length=2000, blank=True)
    format = models.CharField("Tình trạng vật lý", max_length=50, blank=True)
    risk_recovery = models.BooleanField("Chế độ dự phòng", default=False)
    risk_recovery_status = models.CharField("Tình trạng dự phòng", max_length=2, blank=True)
    process = models.BooleanField("Quy trình xử lý", null=True, blank=True)
    description = models.CharField("Ghi chú", max_length=500, blank=True)
    secret_class = models.CharField("Độ mật", max_length=20, blank=True)
    original_status = models.CharField("Độ gốc (loại bản)", max_length=20, blank=True)
    # Party archives (HD 40-HD/VPTW) describe these too; State archives leave them empty (profiles.py).
    signer = models.CharField("Người ký", max_length=100, blank=True)
    topic = models.CharField("Chuyên đề", max_length=200, blank=True)
    number_of_files = models.PositiveIntegerField(
        "Số lượng tệp", null=True, blank=True, validators=[MaxValueValidator(9999)]
    )
    deleted_at = models.DateTimeField("Đã xóa lúc", null=True, blank=True)
    deleted_reason = models.CharField("Lý do xóa", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Tài liệu"
        verbose_name_plural = "Tài liệu"
        ordering = ["file", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["file", "ordinal"], name="document_file_ordinal")]

    def __str__(self) -> str:
        return f"{self.doc_code} – {self.subject}"


#: What a document says about itself (TT05 EAD_doc, then the Party profile's fields), as the API, the backup's
#: metadata.xml and the detail pages list it: everything but its place (file, ordinal, identifiers) and bookkeeping.
DOCUMENT_DESCRIPTION_FIELDS = (
    "maintenance",
    "type_name",
    "code_number",
    "code_notation",
    "issued_date",
    "organ_name",
    "subject",
    "language",
    "number_of_page",
    "first_page",
    "infor_sign",
    "keyword",
    "mode",
    "confidence_level",
    "autograph",
    "format",
    "risk_recovery",
    "risk_recovery_status",
    "process",
    "description",
    "secret_class",
    "original_status",
    "signer",
    "topic",
    "number_of_files",
)


class DocumentLink(models.Model):
    """A document filed elsewhere in the same fonds that a hồ sơ or gói tài liệu also holds ("linked" or
    "holey" document, TT 05 §6.3): packages reference its data instead of copying them again."""

    file = models.ForeignKey(ArchiveFile, verbose_name="Hồ sơ", on_delete=models.CASCADE, related_name="links")
    document = models.ForeignKey(Document, verbose_name="Tài liệu", on_delete=models.PROTECT, related_name="links")
    position = models.PositiveIntegerField("Thứ tự", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Tài liệu liên kết"
        verbose_name_plural = "Tài liệu liên kết"
        ordering = ["file", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["file", "document"], name="document_link_unique")]

    def __str__(self) -> str:
        return f"{self.file.file_code} → {self.document.doc_code}"


class Page(models.Model):
    """One scanned page (trang) of a file, with its original, rendition, QC result and OCR text."""

    class Stage(models.TextChoices):
        RECEIVED = "received", "Đã nhận"
        PROCESSING = "processing", "Đang xử lý"
        DONE = "done", "Hoàn thành"
        FAILED = "failed", "Lỗi"

    file = models.ForeignKey(ArchiveFile, verbose_name="Hồ sơ", on_delete=models.PROTECT, related_name="pages")
    document = models.ForeignKey(
        Document, verbose_name="Tài liệu", null=True, blank=True, on_delete=models.SET_NULL, related_name="pages"
    )
    delivery = models.ForeignKey(
        "capture.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="pages"
    )
    number = models.PositiveIntegerField("Trang số")
    source_index = models.PositiveIntegerField("Vị trí trong tệp nộp", default=0)
    original = models.ForeignKey(
        "storage.StoredObject", verbose_name="Bản gốc", on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField("Tên tệp gốc", max_length=255)
    rendition = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Trang PDF",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    thumbnail = models.ForeignKey(
        "storage.StoredObject",
        verbose_name="Ảnh thu nhỏ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    dpi = models.FloatField(default=0)
    qc = models.JSONField("Kết quả kiểm tra chất lượng", default=dict, blank=True)
    qc_passed = models.BooleanField("Đạt chất lượng", null=True)
    needs_rescan = models.BooleanField("Cần quét lại", default=False)
    ocr_text = models.TextField("Văn bản nhận dạng", blank=True)
    words = models.JSONField("Vị trí từ", default=list, blank=True)
    stage = models.CharField("Trạng thái", max_length=12, choices=Stage.choices, default=Stage.RECEIVED)
    error = models.TextField("Lỗi", blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Trang"
        verbose_name_plural = "Trang"
        ordering = ["file", "number"]
        constraints = [models.UniqueConstraint(fields=["file", "number"], name="page_file_number")]
        indexes = [
            models.Index(fields=["stage", "lease_until"], name="page_stage_lease"),
            # Dashboards count the few failing pages of a project among millions: partial indexes keep it cheap.
            models.Index(fields=["file"], condition=models.Q(qc_passed=False), name="page_qc_failed"),
            models.Index(fields=["file"], condition=models.Q(needs_rescan=True), name="page_needs_rescan"),
            models.Index(fields=["created_at"], name="page_created"),  # the director's throughput per day
        ]

    def __str__(self) -> str:
        return f"{self.file.file_code} – trang {self.number}"
