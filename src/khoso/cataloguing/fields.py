"""The TT 05/2025 fields of a worksheet (phiếu tin) and their rules, checked field by field.

A worksheet holds values for the archive of record before they reach it, so its fields are the
archive models' own (``ArchiveFile`` for the file sheet, ``Document`` for a document sheet): the
labels, lengths and coded vocabularies come from there and from ``khoso.archive.services``. The
difference is the shape of the answer: the archive services stop at the first broken rule, while a
cataloguer needs every wrong field of the sheet at once, named, to correct them in one pass.

Values are stored JSON-ready and canonical (NFC text, ISO dates, integers, booleans), so that two
keyings of the same sheet compare equal exactly when they say the same thing.

A document sheet of a Party archive (``khoso.archive.profiles``) also asks for the Party fields (người ký,
độ mật, loại bản, số lượng tệp, chuyên đề) under their Party titles; the functions here take the profile
of the file's institution (``profile_of``), the State profile by default.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from khoso.archive import profiles
from khoso.archive.models import FILE_DESCRIPTION_FIELDS, ArchiveFile, Document, VocabularyKind
from khoso.archive.services import (
    DOCUMENT_VOCABULARIES,
    FILE_VOCABULARIES,
    RISK_RECOVERY_STATUS_REQUIRED,
    check_languages,
    check_vocabulary,
    file_rules,
)
from khoso.core.errors import ArchiveError
from khoso.core.modelfields import concrete_field
from khoso.core.text import nfc

FILE = "ho_so"
DOCUMENT = "tai_lieu"

#: Fields of the file sheet: TT05 §2.2 minus the parts of the file code, which the selection fixed.
FILE_FIELDS = FILE_DESCRIPTION_FIELDS
#: Fields of a document sheet: TT05 SIP EAD_doc (§2.3) minus docId and docCode, derived from the file code.
DOCUMENT_FIELDS = (
    "type_name",
    "code_number",
    "code_notation",
    "issued_date",
    "organ_name",
    "subject",
    "maintenance",
    "language",
    "number_of_page",
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
)
#: Mandatory fields. For a paper file being digitized TT05 also requires the number of sheets and
#: the physical state ("C: digitized files"), so the worksheet asks for them.
REQUIRED = {
    FILE: {
        "title",
        "maintenance",
        "mode",
        "language",
        "start_date",
        "end_date",
        "total_doc",
        "number_of_paper",
        "number_of_page",
        "format",
        "description",
    },
    DOCUMENT: {
        "type_name",
        "issued_date",
        "organ_name",
        "subject",
        "maintenance",
        "language",
        "number_of_page",
        "mode",
    },
}
MODEL: dict[str, type[models.Model]] = {FILE: ArchiveFile, DOCUMENT: Document}
FIELDS = {FILE: FILE_FIELDS, DOCUMENT: DOCUMENT_FIELDS}
VOCABULARIES = {
    FILE: FILE_VOCABULARIES,
    DOCUMENT: {**DOCUMENT_VOCABULARIES, "secret_class": VocabularyKind.SECRET_CLASS},
}
STATE = profiles.STATE


def profile_of(item: Any) -> str:
    """The profile of a workflow item's (or a worksheet's) file: its fonds' institution's."""
    item = getattr(item, "item", item)
    return profiles.of_file(item.file)


def fields_of(kind: str, profile: str = STATE) -> tuple[str, ...]:
    if kind == DOCUMENT:
        return DOCUMENT_FIELDS + tuple(field.name for field in profiles.document_fields(profile))
    return FIELDS[kind]


def required_of(kind: str, profile: str = STATE) -> set[str]:
    required = set(REQUIRED[kind])
    if kind == DOCUMENT:
        required |= {field.name for field in profiles.document_fields(profile) if field.required}
    return required


def model_field(kind: str, name: str) -> models.Field:
    return concrete_field(MODEL[kind], name)


def label(kind: str, name: str, profile: str = STATE) -> str:
    text = str(model_field(kind, name).verbose_name)
    return profiles.title(profile, name, text) if kind == DOCUMENT else text


def _reason(error: ArchiveError) -> str:
    return str(error.params.get("reason", error.message))


def _parse_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError("ngày không hợp lệ, ghi theo dạng dd/mm/yyyy")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(kind: str, name: str, value: Any) -> Any:
    """One field's value in canonical form; raises ``ValueError`` with the Vietnamese reason.

    Checks type, length, bounds and vocabulary, but not whether the field is mandatory.
    """
    field = model_field(kind, name)
    if isinstance(field, models.BooleanField):
        if _empty(value):
            return None if field.null else False
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "có", "co"}:
            return True
        if text in {"0", "false", "không", "khong"}:
            return False
        raise ValueError("chỉ nhận 1 (có) hoặc 0 (không)")
    if _empty(value):
        return "" if isinstance(field, models.CharField) else None
    if isinstance(field, models.DateField):
        return _parse_date(value)
    if isinstance(field, models.IntegerField):
        try:
            number = int(str(value).strip())
        except ValueError as error:
            raise ValueError("phải là số nguyên") from error
        if number < 0:
            raise ValueError("không được âm")
        try:
            for validator in field.validators:
                validator(number)
        except DjangoValidationError as error:
            raise ValueError(" ".join(error.messages)) from error
        return number
    text = nfc(str(value)).strip()
    if field.max_length is not None and len(text) > field.max_length:
        raise ValueError(f"dài {len(text)} ký tự, vượt quá {field.max_length} ký tự (TT 05/2025)")
    if name == "language":
        try:
            return check_languages(text, label=label(kind, name))
        except ArchiveError as error:
            raise ValueError(_reason(error)) from error
    vocabulary = VOCABULARIES[kind].get(name)
    if vocabulary is not None:
        try:
            check_vocabulary(vocabulary, text, label=label(kind, name))
        except ArchiveError as error:
            raise ValueError(_reason(error)) from error
    return text


def validate(kind: str, values: dict[str, Any], profile: str = STATE) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a whole sheet; returns its canonical data and every broken rule as field → reason."""
    data: dict[str, Any] = {}
    problems: dict[str, str] = {}
    required = required_of(kind, profile)
    for name in fields_of(kind, profile):
        raw = values.get(name)
        if name in required and _empty(raw):
            in_profile = kind == DOCUMENT and profiles.document_field(profile, name) is not None
            problems[name] = f"bắt buộc ({profiles.PARTY_RULE})" if in_profile else "bắt buộc (TT 05/2025)"
            continue
        try:
            data[name] = clean_value(kind, name, raw)
        except ValueError as error:
            problems[name] = str(error)
    for name, reason in cross_field_problems(kind, data).items():
        problems.setdefault(name, reason)
    return data, problems


def cross_field_problems(kind: str, data: dict[str, Any]) -> dict[str, str]:
    """Rules that tie fields together, each reported on the field to correct.

    A file sheet's are the archive's own (``file_rules``), so the worksheet and the archive of record
    cannot disagree on what is valid.
    """
    if kind == FILE:
        return file_rules(data)
    problems: dict[str, str] = {}
    if data.get("risk_recovery") and not data.get("risk_recovery_status"):
        problems["risk_recovery_status"] = RISK_RECOVERY_STATUS_REQUIRED
    if data.get("number_of_page") == 0:
        problems["number_of_page"] = "tài liệu phải có ít nhất 1 trang"
    return problems


def typed(kind: str, data: dict[str, Any], profile: str = STATE) -> dict[str, Any]:
    """Canonical sheet data as the archive services take it (dates as ``date``)."""
    result: dict[str, Any] = {}
    for name in fields_of(kind, profile):
        if name not in data:
            continue
        value = data[name]
        if isinstance(model_field(kind, name), models.DateField) and value:
            value = date.fromisoformat(value)
        if value is None and not model_field(kind, name).null:
            continue
        result[name] = value
    return result


def display(kind: str, name: str, value: Any) -> str:
    """A stored value as a person reads it (dd/mm/yyyy dates, 1/0 booleans)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "1 (có)" if value else "0 (không)"
    if isinstance(model_field(kind, name), models.DateField):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def initial_from_record(kind: str, record: models.Model, profile: str = STATE) -> dict[str, Any]:
    """Values of an existing archive record, to start a sheet from what the inventory says."""
    values: dict[str, Any] = {}
    for name in fields_of(kind, profile):
        value = getattr(record, name, None)
        if isinstance(value, date):
            value = value.isoformat()
        values[name] = value
    return values
