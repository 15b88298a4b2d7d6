"""The columns of a mục lục hồ sơ and a mục lục văn bản, and every heading an existing catalogue may use.

Catalogues come from many places: our own export, lists typed by archivists (Vietnamese column titles
as printed in TT 05/2025 lists), and databases built under TT 02/2019 with their English field names
(standards.md §2.5). One table here says which heading means which TT 05 field, so the importer and
the exporter cannot drift apart: what we export is what we read back.

Headings are compared in their folded form (no diacritics, no case, letters and digits only), so
"Tiêu đề hồ sơ", "TIEU DE HO SO" and "tieu_de_ho_so" are one heading. Our export writes
"Tiêu đề hồ sơ (title)": the TT 05 element in parentheses is tried first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from khoso.archive.models import VocabularyKind
from khoso.core.text import fold


class Level(StrEnum):
    FILE = "ho-so"
    DOCUMENT = "van-ban"

    @property
    def label(self) -> str:
        return "Mục lục hồ sơ" if self is Level.FILE else "Mục lục văn bản"


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DATE = "date"
    BOOL = "bool"
    CODE = "code"  # one code of a vocabulary
    LANGUAGES = "languages"  # one or more language codes
    KEY = "key"  # an identifier (file code, its parts, docId, docCode, ordinal): read, never written as data


@dataclass(frozen=True)
class Column:
    """One TT 05 field: its model field, its TT 05 element, its Vietnamese title and the other
    headings that mean it (TT 02/2019 names, NĐ 30/2020 names, titles printed in older lists)."""

    field: str
    element: str
    title: str
    kind: Kind = Kind.TEXT
    vocabulary: str = ""
    aliases: tuple[str, ...] = ()
    exported: bool = True

    @property
    def heading(self) -> str:
        return f"{self.title} ({self.element})"


V = VocabularyKind

# -- the identifiers, shared by both levels -----------------------------------------------------------

FILE_CODE = Column(
    "file_code", "fileCode", "Mã hồ sơ", Kind.KEY, aliases=("arcFileCode", "FileCode", "Mã hồ sơ lưu trữ")
)
#: TT 02 builds the file code from four parts: Identifier + OrganId + FileCatalog + FileNotation (§2.5)
IDENTIFIER = Column(
    "identifier", "Identifier", "Mã cơ quan lưu trữ", Kind.KEY, aliases=("Mã cơ quan lưu trữ lịch sử",), exported=False
)
ORGAN_ID = Column(
    "organ_id",
    "OrganId",
    "Mã định danh cơ quan",
    Kind.KEY,
    aliases=("Mã phông", "Mã phông, công trình, sưu tập", "Mã định danh của cơ quan, tổ chức lập danh mục hồ sơ"),
    exported=False,
)
FILE_CATALOG = Column(
    "file_catalog", "FileCatalog", "Năm hình thành hồ sơ", Kind.KEY, aliases=("Năm hồ sơ",), exported=False
)
FILE_NOTATION = Column(
    "file_notation",
    "FileNotation",
    "Số và ký hiệu hồ sơ",
    Kind.KEY,
    aliases=("Số, ký hiệu hồ sơ", "Hồ sơ số", "Số hồ sơ", "Số ký hiệu hồ sơ"),
    exported=False,
)
CODE_PARTS = (IDENTIFIER, ORGAN_ID, FILE_CATALOG, FILE_NOTATION)

# -- shared descriptive fields ------------------------------------------------------------------------

MAINTENANCE = Column(
    "maintenance", "maintenance", "Thời hạn lưu trữ", Kind.CODE, V.MAINTENANCE, ("Thời hạn bảo quản", "Maintenance")
)
LANGUAGE = Column("language", "language", "Ngôn ngữ", Kind.LANGUAGES, aliases=("Language",))
KEYWORD = Column("keyword", "keyword", "Từ khóa", aliases=("Keyword", "Từ khoá"))
FORMAT = Column("format", "format", "Tình trạng vật lý", Kind.CODE, V.FORMAT, ("Format",))
INFOR_SIGN = Column("infor_sign", "inforSign", "Ký hiệu thông tin", aliases=("InforSign",))
CONFIDENCE = Column(
    "confidence_level", "confidenceLevel", "Mức độ tin cậy", Kind.CODE, V.CONFIDENCE_LEVEL, ("ConfidenceLevel",)
)
RISK_RECOVERY = Column("risk_recovery", "riskRecovery", "Chế độ dự phòng", Kind.BOOL, aliases=("RiskRecovery",))
RISK_STATUS = Column(
    "risk_recovery_status",
    "riskRecoveryStatus",
    "Tình trạng dự phòng",
    Kind.CODE,
    V.RISK_RECOVERY_STATUS,
    ("RiskRecoveryStatus",),
)

# -- mục lục hồ sơ (standards.md §2.2) ----------------------------------------------------------------

FILE_COLUMNS: tuple[Column, ...] = (
    FILE_CODE,
    *CODE_PARTS,
    Column("inventory", "inventory", "Mục lục số", Kind.INT, aliases=("Mục lục",)),
    Column("title", "title", "Tiêu đề hồ sơ", aliases=("Title", "Tiêu đề", "Tên đề mục và tiêu đề hồ sơ")),
    MAINTENANCE,
    Column(
        "mode",
        "mode",
        "Chế độ sử dụng",
        Kind.CODE,
        V.MODE,
        ("Rights", "Mức độ tiếp cận", "Chế độ sử dụng, mức độ tiếp cận"),
    ),
    LANGUAGE,
    Column("start_date", "startDate", "Thời gian bắt đầu", Kind.DATE, aliases=("StartDate", "Ngày bắt đầu")),
    Column("end_date", "endDate", "Thời gian kết thúc", Kind.DATE, aliases=("EndDate", "Ngày kết thúc")),
    KEYWORD,
    Column(
        "total_doc",
        "totalDoc",
        "Tổng số tài liệu",
        Kind.INT,
        aliases=("TotalDoc", "DocTotal", "Tổng số tài liệu trong hồ sơ", "Tổng số văn bản trong hồ sơ", "Số văn bản"),
    ),
    Column("number_of_paper", "numberOfPaper", "Số lượng tờ", Kind.INT, aliases=("SheetNumber", "Số tờ")),
    Column(
        "number_of_page",
        "numberOfPage",
        "Số lượng trang",
        Kind.INT,
        aliases=("PageNumber", "PageTotal", "PageAmount", "Số trang", "Tổng số trang của hồ sơ"),
    ),
    FORMAT,
    INFOR_SIGN,
    CONFIDENCE,
    Column("paper_file_code", "paperFileCode", "Mã hồ sơ gốc giấy", aliases=("PaperFileCode",)),
    RISK_RECOVERY,
    RISK_STATUS,
    Column("description", "description", "Ghi chú", aliases=("Description", "Chú giải")),
)

# -- mục lục văn bản (standards.md §2.3) --------------------------------------------------------------

#: TT 02's DocCode (String 25) is TT 05's docId; TT 05's docCode has the same folded heading, so a
#: "docCode" column is told apart by its values (a 7-digit last segment is a TT 05 docCode).
DOC_ID = Column(
    "doc_id",
    "docId",
    "Mã định danh tài liệu",
    Kind.KEY,
    aliases=("Mã định danh văn bản", "DocId"),
)
DOC_CODE = Column(
    "doc_code", "docCode", "Mã lưu trữ của tài liệu", Kind.KEY, aliases=("arcDocCode", "Mã lưu trữ tài liệu", "DocCode")
)
ORDINAL = Column(
    "ordinal",
    "docOrdinal",
    "Số thứ tự trong hồ sơ",
    Kind.KEY,
    aliases=("DocOrdinal", "Số thứ tự văn bản trong hồ sơ", "Số thứ tự văn bản", "STT trong hồ sơ"),
)

DOCUMENT_COLUMNS: tuple[Column, ...] = (
    DOC_ID,
    DOC_CODE,
    FILE_CODE,
    *CODE_PARTS,
    ORDINAL,
    MAINTENANCE,
    Column("type_name", "typeName", "Tên loại tài liệu", Kind.CODE, V.TYPE_NAME, ("TypeName", "Tên loại văn bản")),
    Column("code_number", "codeNumber", "Số của tài liệu", aliases=("CodeNumber", "Số văn bản")),
    Column("code_notation", "codeNotation", "Ký hiệu của tài liệu", aliases=("CodeNotation", "Ký hiệu văn bản")),
    Column(
        "issued_date",
        "issuedDate",
        "Ngày tháng năm tài liệu",
        Kind.DATE,
        aliases=("IssuedDate", "Ngày tháng năm văn bản", "Ngày tháng văn bản", "Ngày ban hành"),
    ),
    Column(
        "organ_name",
        "organName",
        "Cơ quan, tổ chức, cá nhân ban hành",
        aliases=("OrganName", "Tác giả", "Cơ quan ban hành", "Tác giả văn bản"),
    ),
    Column("subject", "subject", "Trích yếu nội dung", aliases=("Subject", "Trích yếu", "Trích yếu nội dung văn bản")),
    LANGUAGE,
    Column(
        "number_of_page",
        "numberOfPage",
        "Số lượng trang",
        Kind.INT,
        aliases=("PageAmount", "PageNumber", "Số trang", "Số lượng trang của văn bản"),
    ),
    Column("first_page", "firstPage", "Từ trang", Kind.INT, aliases=("Tờ số", "Trang số")),
    INFOR_SIGN,
    KEYWORD,
    Column("mode", "mode", "Chế độ sử dụng", Kind.CODE, V.MODE, ("Rights", "Mode", "Mức độ tiếp cận")),
    CONFIDENCE,
    Column("autograph", "autograph", "Bút tích", aliases=("Autograph",)),
    FORMAT,
    RISK_RECOVERY,
    RISK_STATUS,
    Column("process", "process", "Quy trình xử lý", Kind.BOOL, aliases=("Process",)),
    Column("description", "description", "Ghi chú", aliases=("Description", "Chú giải")),
    Column("secret_class", "secretClass", "Độ mật", Kind.CODE, V.SECRET_CLASS, ("SecretClass",)),
    Column("original_status", "originalStatus", "Độ gốc", Kind.CODE, V.ORIGINAL_STATUS, ("OriginalStatus",)),
)

COLUMNS = {Level.FILE: FILE_COLUMNS, Level.DOCUMENT: DOCUMENT_COLUMNS}

#: fields only a mục lục văn bản has: a sheet with one of them is a document list
DOCUMENT_ONLY = frozenset(
    {"doc_id", "doc_code", "ordinal", "type_name", "issued_date", "organ_name", "subject", "autograph"}
)
#: headings of row numbers and other columns that carry nothing to import
IGNORED = frozenset({"stt", "sott", "sothutu", "tt", "id"})

_TRAILING_PARENTHESES = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def heading_key(text: str) -> str:
    """The folded form headings are compared in: "Tiêu đề hồ sơ" → "tieudehoso"."""
    return _NOT_ALNUM.sub("", fold(text))


def _index(columns: tuple[Column, ...]) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in columns:
        for name in (column.element, column.title, *column.aliases):
            index.setdefault(heading_key(name), column)
    return index


_INDEXES = {level: _index(columns) for level, columns in COLUMNS.items()}


def match_heading(text: str, level: Level) -> Column | None:
    """The column a heading means at ``level``: the TT 05 element in trailing parentheses first, then the
    heading without them, then the whole heading."""
    index = _INDEXES[level]
    candidates = []
    found = _TRAILING_PARENTHESES.match(text.strip())
    if found:
        candidates += [found.group(2), found.group(1)]
    candidates.append(text)
    for candidate in candidates:
        column = index.get(heading_key(candidate))
        if column is not None:
            return column
    return None


def guess_level(headings: list[str]) -> Level | None:
    """Which list a heading row belongs to: a document list if any heading is document-only, a file
    list if it names a file code (or its parts) or a title; ``None`` when it is no catalogue heading."""
    document_fields = {column.field for text in headings if (column := match_heading(text, Level.DOCUMENT))}
    if document_fields & DOCUMENT_ONLY:
        return Level.DOCUMENT
    file_fields = {column.field for text in headings if (column := match_heading(text, Level.FILE))}
    if len(file_fields) >= 2 and file_fields & {"file_code", "file_notation", "title"}:
        return Level.FILE
    return None
