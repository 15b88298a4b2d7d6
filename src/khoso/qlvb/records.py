"""One QLVB record as it arrives: the NĐ 30/2020 Phụ lục VI input fields, read, normalised and checked.

Why a field table instead of a DRF serializer: the sending system needs *every* broken rule of a
record at once, each named by its NĐ 30 element name and explained in Vietnamese first, and the
record's content digest must be computed over the normalised values (NFC text, ISO dates, codes), so
that a faithful resend is recognised even if its Unicode form or key spelling differs.

Keys are matched without regard to case or underscores, so the NĐ 30 element names (``IssuedDate``)
and the TT 05 ones (``issuedDate``, ``numberOfPage``) both work. Fields of NĐ 30 that the archive's
document model does not hold (signer, recipients, processing trace, due dates) are checked for shape
and kept in the ingest log as received.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from khoso.archive.models import Vocabulary, VocabularyKind
from khoso.core import codes
from khoso.core.errors import ArchiveError
from khoso.core.text import fold, nfc
from khoso.qlvb import errors
from khoso.qlvb.errors import Problem

BORN_DIGITAL_LEVELS = {"01", "03"}  # TT05 confidenceLevel: gốc điện tử, hỗn hợp
DEFAULT_CONFIDENCE_LEVEL = "01"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")


@dataclass(frozen=True)
class Field:
    name: str  # NĐ 30 PL VI element name, used in every message and in the log
    label: str
    label_en: str
    kind: str  # text, int, date, bool, vocabulary, languages, type_name, object, any
    max_length: int = 0
    required: bool = False
    attr: str = ""  # the Document field it fills; "" = kept in the ingest log only
    vocabulary: str = ""
    aliases: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field("DocId", "Mã định danh văn bản", "document identifier", "text", 100, True, aliases=("identifier",)),
    Field("FileCode", "Mã hồ sơ", "file code", "text", 100),
    Field("OrganId", "Mã định danh cơ quan", "agency identifier", "text", 35),
    Field("FileCatalog", "Năm hình thành hồ sơ", "year the file was created", "int", 9999),
    Field("FileNotation", "Số và ký hiệu hồ sơ", "file number and notation", "text", 20),
    Field("DocOrdinal", "Số thứ tự văn bản trong hồ sơ", "document number in the file", "int", 9_999_999),
    Field("TypeName", "Tên loại văn bản", "document type", "type_name", 100, True, "type_name"),
    Field("CodeNumber", "Số của văn bản", "document number", "text", 11, attr="code_number"),
    Field("CodeNotation", "Ký hiệu của văn bản", "document notation", "text", 30, attr="code_notation"),
    Field("IssuedDate", "Ngày, tháng, năm văn bản", "issue date", "date", required=True, attr="issued_date"),
    Field("OrganName", "Cơ quan, tổ chức ban hành", "issuing body", "text", 200, True, "organ_name"),
    Field("Subject", "Trích yếu nội dung", "subject", "text", 500, True, "subject"),
    Field("Language", "Ngôn ngữ", "language", "languages", 100, attr="language"),
    Field(
        "PageAmount", "Số lượng trang", "number of pages", "int", 9999, attr="number_of_page", aliases=("numberofpage",)
    ),
    Field("Description", "Ghi chú", "notes", "text", 500, attr="description"),
    Field("Mode", "Chế độ sử dụng", "access mode", "vocabulary", attr="mode", vocabulary=VocabularyKind.MODE),
    Field(
        "Maintenance",
        "Thời hạn bảo quản",
        "retention",
        "vocabulary",
        attr="maintenance",
        vocabulary=VocabularyKind.MAINTENANCE,
    ),
    Field(
        "ConfidenceLevel",
        "Mức độ tin cậy",
        "confidence level",
        "vocabulary",
        attr="confidence_level",
        vocabulary=VocabularyKind.CONFIDENCE_LEVEL,
    ),
    Field("Process", "Quy trình xử lý", "processing workflow attached", "bool", attr="process"),
    Field("InforSign", "Ký hiệu thông tin", "information sign", "text", 30, attr="infor_sign"),
    Field("Keyword", "Từ khóa", "keywords", "text", 100, attr="keyword"),
    Field("Autograph", "Bút tích", "autograph", "text", 2000, attr="autograph"),
    Field("Format", "Tình trạng vật lý", "physical condition", "vocabulary", attr="format", vocabulary="format"),
    Field("RiskRecovery", "Chế độ dự phòng", "backup-copy regime", "bool", attr="risk_recovery"),
    Field(
        "RiskRecoveryStatus",
        "Tình trạng dự phòng",
        "backup-copy status",
        "vocabulary",
        attr="risk_recovery_status",
        vocabulary=VocabularyKind.RISK_RECOVERY_STATUS,
    ),
    Field(
        "SecretClass",
        "Độ mật",
        "secret class",
        "vocabulary",
        attr="secret_class",
        vocabulary=VocabularyKind.SECRET_CLASS,
    ),
    Field(
        "OriginalStatus",
        "Độ gốc",
        "original status",
        "vocabulary",
        attr="original_status",
        vocabulary=VocabularyKind.ORIGINAL_STATUS,
    ),
    # NĐ 30 PL VI fields the document model does not hold: checked, then kept in the ingest log.
    Field("SignerInfo", "Thông tin người ký", "signer", "object"),
    Field("To", "Nơi nhận", "recipients", "any"),
    Field("Priority", "Mức độ khẩn, độ mật", "urgency", "int", 9),
    Field("IssuedAmount", "Số lượng bản phát hành", "copies issued", "int", 999),
    Field("DueDate", "Hạn xử lý", "due date", "date"),
    Field("ArrivalDate", "Ngày đến", "arrival date", "date"),
    Field("ArrivalNumber", "Số đến", "arrival number", "int", 9_999_999_999),
    Field("ToPlaces", "Đơn vị, người nhận", "routed to", "text", 1000),
    Field("TraceHeaderList", "Ý kiến chỉ đạo, tình trạng xử lý", "processing trace", "any"),
    Field("Files", "Tệp văn bản", "files", "any"),
)


def _key(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


_BY_KEY: dict[str, Field] = {}
for _field in FIELDS:
    for _name in (_field.name, *_field.aliases):
        _BY_KEY[_key(_name)] = _field

FILE_KEYS = {"name": "Name", "filename": "Name", "sha256": "Sha256", "content": "Content", "part": "Part"}


@dataclass
class FileSpec:
    index: int
    name: str
    sha256: str
    content: bytes | None = None  # decoded base64
    part: str = ""  # or the name of the multipart part that holds it


@dataclass
class ParsedRecord:
    index: int
    external_id: str = ""
    organ_id: str = ""
    file_code: str = ""
    ordinal: int | None = None
    document_fields: dict[str, Any] = field(default_factory=dict)
    log: dict[str, Any] = field(default_factory=dict)  # normalised, JSON-ready: what the digest covers
    files: list[FileSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def digest(self, file_digests: list[str]) -> str:
        """SHA-256 of the normalised metadata and the files' digests, in order: equal for a faithful resend."""
        canonical = json.dumps(
            {"metadata": self.log, "files": file_digests}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def nfc_deep(value: Any) -> Any:
    """NFC-normalise every string inside ``value`` (keys too), the form everything is stored in."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc(str(key)): nfc_deep(item) for key, item in value.items()}
    if isinstance(value, list):
        return [nfc_deep(item) for item in value]
    return value


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def first_unstorable_character(value: Any) -> str | None:
    """The first C0 control character (other than tab and line breaks) or lone surrogate in any string or key."""
    if isinstance(value, str):
        for char in value:
            code = ord(char)
            if (code < 0x20 and char not in _ALLOWED_CONTROLS) or code == 0x7F or 0xD800 <= code <= 0xDFFF:
                return char
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_unstorable_character(str(key)) or first_unstorable_character(item)
            if found is not None:
                return found
        return None
    if isinstance(value, list):
        for item in value:
            found = first_unstorable_character(item)
            if found is not None:
                return found
    return None


class Vocabularies:
    """The active codes of each vocabulary, read once per batch."""

    def __init__(self) -> None:
        self._codes: dict[str, dict[str, str]] = {}

    def codes(self, kind: str) -> dict[str, str]:
        if kind not in self._codes:
            rows = Vocabulary.objects.filter(kind=kind, active=True).values_list("code", "label_vi")
            self._codes[kind] = dict(rows)
        return self._codes[kind]

    def problem(self, spec: Field, value: str, kind: str) -> Problem:
        allowed = ", ".join(self.codes(kind))
        return Problem(
            "ma_khong_co_trong_danh_muc",
            spec.name,
            f"Trường {spec.name} ({spec.label}): mã «{value}» không có trong danh mục {kind} "
            f"(các mã hợp lệ: {allowed}).",
            f"Field {spec.name}: code {value!r} is not in vocabulary {kind} (valid codes: {allowed}).",
        )


def _text(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return nfc(value).strip()


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"0", "1", "true", "false"}:
        return value.strip().lower() in {"1", "true"}
    return None


def parse_date(value: Any) -> date | None:
    match = DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check(spec: Field, raw: Any, vocabularies: Vocabularies, problems: list[Problem]) -> Any:
    """The normalised value of one field, or None after adding the broken rule to ``problems``."""
    kind = spec.kind
    if kind in {"text", "type_name", "vocabulary", "languages"}:
        if kind == "languages" and isinstance(raw, list):
            raw = ",".join(str(item) for item in raw)
        text = _text(raw)
        if text is None:
            problems.append(errors.bad_type(spec.name, spec.label, "chuỗi ký tự", "a string"))
            return None
        if spec.max_length and len(text) > spec.max_length:
            problems.append(errors.too_long(spec.name, spec.label, len(text), spec.max_length))
            return None
        if kind == "type_name":
            return _type_name(spec, text, vocabularies, problems)
        if kind == "vocabulary" and text not in vocabularies.codes(spec.vocabulary):
            problems.append(vocabularies.problem(spec, text, spec.vocabulary))
            return None
        if kind == "languages":
            parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
            unknown = [part for part in parts if part not in vocabularies.codes(VocabularyKind.LANGUAGE)]
            if unknown or not parts:
                problems.append(vocabularies.problem(spec, ",".join(unknown) or text, VocabularyKind.LANGUAGE))
                return None
            return ",".join(parts)
        return text
    if kind == "int":
        number = _integer(raw)
        if number is None or not 0 <= number <= spec.max_length:
            problems.append(errors.bad_number(spec.name, spec.label, raw, spec.max_length))
            return None
        return number
    if kind == "date":
        parsed = parse_date(raw)
        if parsed is None:
            problems.append(errors.bad_date(spec.name, spec.label, raw))
        return parsed
    if kind == "bool":
        flag = _boolean(raw)
        if flag is None:
            problems.append(errors.bad_boolean(spec.name, spec.label, raw))
        return flag
    if kind == "object" and not isinstance(raw, dict):
        problems.append(errors.bad_type(spec.name, spec.label, "một đối tượng JSON", "a JSON object"))
        return None
    return nfc_deep(raw)


def _type_name(spec: Field, text: str, vocabularies: Vocabularies, problems: list[Problem]) -> str | None:
    """TT05 code (``02``, or ``2``) or the type's Vietnamese name (``Quyết định``, with or without marks)."""
    known = vocabularies.codes(VocabularyKind.TYPE_NAME)
    candidate = text.zfill(2) if text.isdigit() else text
    if candidate in known:
        return candidate
    by_name = {fold(label): code for code, label in known.items()}
    code = by_name.get(fold(text))
    if code is None:
        problems.append(vocabularies.problem(spec, text, VocabularyKind.TYPE_NAME))
    return code


def _json_ready(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def parse_record(index: int, raw: Any, vocabularies: Vocabularies, today: date | None = None) -> ParsedRecord:
    """Read one record; ``problems`` lists every rule it breaks (an empty list: it may be stored)."""
    record = ParsedRecord(index=index)
    if not isinstance(raw, dict):
        record.problems.append(errors.bad_type(f"records[{index}]", "Bản ghi", "một đối tượng JSON", "a JSON object"))
        return record
    today = today or timezone.localdate()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = _BY_KEY.get(_key(nfc(str(key))))
        if spec is None:
            record.problems.append(errors.unknown_field(nfc(str(key))))
            continue
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            continue  # empty: as if absent
        if spec.name == "Files":
            values["Files"] = value
            continue
        checked = _check(spec, value, vocabularies, record.problems)
        if checked is not None:
            values[spec.name] = checked
    for spec in FIELDS:
        if spec.required and spec.name not in values and not _broken(record, spec.name):
            record.problems.append(errors.required(spec.name, spec.label, spec.label_en))
    _read_file_code(record, values)
    _cross_field_rules(record, values, today)
    record.external_id = values.get("DocId", "")
    record.ordinal = values.get("DocOrdinal")
    record.document_fields = {spec.attr: values[spec.name] for spec in FIELDS if spec.attr and spec.name in values}
    record.document_fields.setdefault("confidence_level", DEFAULT_CONFIDENCE_LEVEL)
    record.log = {name: _json_ready(value) for name, value in values.items() if name != "Files"}
    record.log["FileCode"] = record.file_code
    record.files = _read_files(values.get("Files"), record.problems)
    return record


def _broken(record: ParsedRecord, name: str) -> bool:
    return any(problem.field == name for problem in record.problems)


def _read_file_code(record: ParsedRecord, values: dict[str, Any]) -> None:
    """FileCode, or its three NĐ 30 parts OrganId + FileCatalog + FileNotation."""
    code = values.get("FileCode")
    parts = [values.get(name) for name in ("OrganId", "FileCatalog", "FileNotation")]
    try:
        if code:
            parsed = codes.parse_file_code(code)
            given = (values.get("OrganId"), values.get("FileCatalog"), values.get("FileNotation"))
            mine = (parsed.organ_id, parsed.year, parsed.notation)
            if any(value is not None and value != own for value, own in zip(given, mine, strict=True)):
                record.problems.append(
                    Problem(
                        "ma_ho_so_khong_khop",
                        "FileCode",
                        f"Mã hồ sơ {code} không khớp với OrganId, FileCatalog, FileNotation đã gửi.",
                        f"File code {code} does not match the OrganId, FileCatalog and FileNotation sent.",
                    )
                )
                return
        elif all(part is not None for part in parts):
            code = codes.build_file_code(str(parts[0]), int(str(parts[1])), str(parts[2]))
            parsed = codes.parse_file_code(code)
        else:
            if not any(_broken(record, name) for name in ("FileCode", "OrganId", "FileCatalog", "FileNotation")):
                record.problems.append(
                    errors.required("FileCode", "Mã hồ sơ (hoặc OrganId, FileCatalog, FileNotation)", "file code")
                )
            return
    except ArchiveError as error:
        record.problems.append(Problem.of(error, "FileCode"))
        return
    record.file_code = str(parsed)
    record.organ_id = parsed.organ_id


def _cross_field_rules(record: ParsedRecord, values: dict[str, Any], today: date) -> None:
    issued = values.get("IssuedDate")
    if isinstance(issued, date) and issued > today:
        record.problems.append(
            errors.future_date("IssuedDate", "Ngày, tháng, năm văn bản", issued.strftime("%d/%m/%Y"))
        )
    level = values.get("ConfidenceLevel", DEFAULT_CONFIDENCE_LEVEL)
    if level in BORN_DIGITAL_LEVELS and "Process" not in values and not _broken(record, "Process"):
        record.problems.append(
            Problem(
                "truong_bat_buoc",
                "Process",
                "Trường Process (Quy trình xử lý) bắt buộc với văn bản gốc điện tử hoặc hỗn hợp "
                "(ConfidenceLevel 01/03, TT 05/2025): 1 nếu có tệp quy trình xử lý, 0 nếu không.",
                "Field Process is required for born-digital or mixed documents (ConfidenceLevel 01/03, TT 05/2025).",
            )
        )
    if values.get("RiskRecovery") and "RiskRecoveryStatus" not in values and not _broken(record, "RiskRecoveryStatus"):
        record.problems.append(
            Problem(
                "truong_bat_buoc",
                "RiskRecoveryStatus",
                "Trường RiskRecoveryStatus (Tình trạng dự phòng) bắt buộc khi RiskRecovery = 1 (TT 05/2025).",
                "Field RiskRecoveryStatus is required when RiskRecovery = 1 (TT 05/2025).",
            )
        )


def _read_files(raw: Any, problems: list[Problem]) -> list[FileSpec]:
    if raw is None:
        problems.append(errors.no_files())
        return []
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        problems.append(errors.bad_type("Files", "Tệp văn bản", "một danh sách tệp", "a list of files"))
        return []
    specs = []
    for index, item in enumerate(raw):
        spec = _read_file(index, item, problems)
        if spec is not None:
            specs.append(spec)
    return specs


def _read_file(index: int, item: Any, problems: list[Problem]) -> FileSpec | None:
    add: Callable[[str, str, str], None] = lambda code, vi, en: problems.append(  # noqa: E731
        errors.file_problem(index, code, vi, en)
    )
    if not isinstance(item, dict):
        add(
            "kieu_khong_hop_le", f"Files[{index}] phải là một đối tượng JSON.", f"Files[{index}] must be a JSON object."
        )
        return None
    values: dict[str, Any] = {}
    for key, value in item.items():
        name = FILE_KEYS.get(_key(str(key)))
        if name is None:
            add(
                "truong_khong_xac_dinh",
                f"Files[{index}]: trường {key} không xác định.",
                f"Files[{index}]: unknown field {key}.",
            )
        else:
            values[name] = value
    name = _text(values.get("Name")) or ""
    name = _UNSAFE_NAME.sub("_", name)[:255]
    if not name:
        add("truong_bat_buoc", f"Files[{index}]: trường Name (tên tệp) bắt buộc.", f"Files[{index}]: Name is required.")
    digest = (_text(values.get("Sha256")) or "").lower()
    if not SHA256.match(digest):
        add(
            "ma_bam_khong_hop_le",
            f"Files[{index}]: trường Sha256 bắt buộc, là mã băm SHA-256 của tệp (64 ký tự hệ 16).",
            f"Files[{index}]: Sha256 is required: the file's SHA-256 as 64 hexadecimal characters.",
        )
    content, part = values.get("Content"), _text(values.get("Part")) or ""
    if (content is None) == (not part):
        add(
            "thieu_noi_dung_tep",
            f"Files[{index}]: gửi nội dung tệp bằng đúng một trong hai cách: Content (base64) hoặc Part "
            "(tên phần multipart chứa tệp).",
            f"Files[{index}]: send the content exactly one way: Content (base64) or Part (a multipart part name).",
        )
        return None
    decoded = None
    if content is not None:
        try:
            decoded = base64.b64decode(str(content), validate=True)
        except (binascii.Error, ValueError):
            add(
                "base64_khong_hop_le",
                f"Files[{index}] ({name}): trường Content không phải dữ liệu base64 hợp lệ.",
                f"Files[{index}] ({name}): Content is not valid base64.",
            )
            return None
    if not name or not SHA256.match(digest):
        return None
    return FileSpec(index=index, name=name, sha256=digest, content=decoded, part=part)
