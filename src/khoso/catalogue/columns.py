"""The columns of a mục lục hồ sơ and a mục lục văn bản, and every heading an existing catalogue may use.

Catalogues come from many places: our own export, lists typed by archivists (Vietnamese column titles
as printed in TT 05/2025 lists), and databases built under TT 02/2019 with their English field names
(standards.md §2.5). One table here says which heading means which TT 05 field, so the importer and
the exporter cannot drift apart: what we export is what we read back.

Headings are compared in their folded form (no diacritics, no case, letters and digits only), so
"Tiêu đề hồ sơ", "TIEU DE HO SO" and "tieu_de_ho_so" are one heading. Our export writes
"Tiêu đề hồ sơ (title)": the TT 05 element in parentheses is tried first.

A Party archive (``khoso.archive.profiles``) lists its documents in the Party order, under the Party titles
(Số TT, Số, Ký hiệu, Ngày, …, Người ký, Độ mật, Loại bản, …, Chuyên đề, …), with its five fields among
them; the TT 05 fields the Party list does not name follow, so a list exported and read back loses
nothing. "Tên tệp" (the document's scanned files) and "Thời gian tài liệu" (its date) are derived from the
archive: written on export, read back and left alone. A State archive's lists are the TT 05 ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from khoso.archive import profiles
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
    DERIVED = "derived"  # computed from the archive on export (the files of a document): never written as data


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

# -- the Party document list (HD 40-HD/VPTW, standards.md §3.6) ------------------------------------------

SIGNER = Column("signer", "signer", "Người ký", aliases=("Signer", "Người ký văn bản"))
NUMBER_OF_FILES = Column("number_of_files", "numberOfFiles", "Số lượng tệp", Kind.INT, aliases=("Số tệp",))
TOPIC = Column("topic", "topic", "Chuyên đề", aliases=("Topic",))
FILE_NAMES = Column("file_names", "fileNames", "Tên tệp", Kind.DERIVED)
DOCUMENT_TIME = Column("document_time", "documentTime", "Thời gian tài liệu", Kind.DERIVED)

#: (field, title in the Party list), in the Party list's order; the Party fields' titles are profiles.py's
PARTY_DOCUMENT_ORDER: tuple[tuple[str, str], ...] = (
    ("ordinal", "Số TT"),
    ("code_number", "Số"),
    ("code_notation", "Ký hiệu"),
    ("issued_date", "Ngày"),
    ("organ_name", "Cơ quan ban hành"),
    ("type_name", "Tên loại"),
    ("subject", "Trích yếu"),
    ("signer", ""),
    ("secret_class", ""),
    ("original_status", ""),
    ("first_page", "Trang số"),
    ("number_of_page", "Số trang"),
    ("number_of_files", ""),
    ("file_names", "Tên tệp"),
    ("document_time", "Thời gian tài liệu"),
    ("mode", "Chế độ sử dụng"),
    ("keyword", "Từ khóa"),
    ("description", "Ghi chú"),
    ("language", "Ngôn ngữ"),
    ("autograph", "Bút tích"),
    ("topic", ""),
    ("infor_sign", "Ký hiệu thông tin"),
    ("confidence_level", "Mức độ tin cậy"),
    ("format", "Tình trạng vật lý"),
)


def _party_document_columns() -> tuple[Column, ...]:
    """Identifiers first (an edited list updates the same records), then the Party list, then the TT 05
    fields it does not name. A column keeps its TT 05 title among its aliases."""
    known = {column.field: column for column in (*DOCUMENT_COLUMNS, SIGNER, NUMBER_OF_FILES, TOPIC)}
    known |= {FILE_NAMES.field: FILE_NAMES, DOCUMENT_TIME.field: DOCUMENT_TIME}
    listed = []
    for name, party_title in PARTY_DOCUMENT_ORDER:
        column = known[name]
        heading = party_title or profiles.title(profiles.PARTY, name, column.title)
        if heading != column.title:
            column = replace(column, title=heading, aliases=(column.title, *column.aliases))
        listed.append(column)
    names = {column.field for column in listed}
    identifiers = [column for column in DOCUMENT_COLUMNS if column.kind is Kind.KEY and column.field not in names]
    rest = [column for column in DOCUMENT_COLUMNS if column.field not in names and column.kind is not Kind.KEY]
    return (*identifiers, *listed, *rest)


PARTY_DOCUMENT_COLUMNS = _party_document_columns()

COLUMNS = {Level.FILE: FILE_COLUMNS, Level.DOCUMENT: DOCUMENT_COLUMNS}
PROFILE_COLUMNS = {
    profiles.STATE: COLUMNS,
    profiles.PARTY: {Level.FILE: FILE_COLUMNS, Level.DOCUMENT: PARTY_DOCUMENT_COLUMNS},
}


def columns_for(level: Level, profile: str = profiles.STATE) -> tuple[Column, ...]:
    """The columns of a list at ``level`` for an archive of ``profile``."""
    return PROFILE_COLUMNS.get(profile, COLUMNS)[level]


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
    """Folded heading → column. A row-number heading ("Số TT" of a Party list) means a column only with its
    element in parentheses, as our export writes it: typed alone it may number rows across files."""
    index: dict[str, Column] = {}
    for column in columns:
        for name in (column.element, column.title, *column.aliases):
            if heading_key(name) not in IGNORED:
                index.setdefault(heading_key(name), column)
    return index


_INDEXES = {
    profile: {level: _index(columns) for level, columns in by_level.items()}
    for profile, by_level in PROFILE_COLUMNS.items()
}


def match_heading(text: str, level: Level, profile: str = profiles.STATE) -> Column | None:
    """The column a heading means at ``level``: the TT 05 element in trailing parentheses first, then the
    heading without them, then the whole heading."""
    index = _INDEXES.get(profile, _INDEXES[profiles.STATE])[level]
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


def guess_level(headings: list[str], profile: str = profiles.STATE) -> Level | None:
    """Which list a heading row belongs to: a document list if any heading is document-only, a file
    list if it names a file code (or its parts) or a title; ``None`` when it is no catalogue heading."""
    document_fields = {column.field for text in headings if (column := match_heading(text, Level.DOCUMENT, profile))}
    if document_fields & DOCUMENT_ONLY:
        return Level.DOCUMENT
    file_fields = {column.field for text in headings if (column := match_heading(text, Level.FILE, profile))}
    if len(file_fields) >= 2 and file_fields & {"file_code", "file_notation", "title"}:
        return Level.FILE
    return None
