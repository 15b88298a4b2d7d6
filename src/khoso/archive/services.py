"""Writes to the archive of record. Every rule of TT 05/2025 §2 is checked here, once.

Web forms, the CLI and (later) package import call these functions; each raises
:class:`khoso.core.errors.ValidationError` with a Vietnamese message naming the field and rule.

Access rights are not edited here (NĐ 30/2020/NĐ-CP, Phụ lục VI): a file's or a document's access
mode and a document's secret class are set when it is created, and change afterwards only through a
change a second person confirmed (``khoso.access.services.confirm`` passes it as ``access_change``).
Files in a locked set (``khoso.access.models.FileLock``) are not edited, moved or deleted.

The institution's profile (``khoso.archive.profiles``) adds its rules: a Party archive's documents need a
loại bản, and each of its fonds belongs to a group of the Party fonds list (QĐ 270-QĐ/TW).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils import timezone

from khoso.archive import profiles
from khoso.archive.models import (
    ArchiveFile,
    Document,
    Fonds,
    Institution,
    Vocabulary,
    VocabularyKind,
)
from khoso.archive.profiles import ProfileRuleError
from khoso.core import codes
from khoso.core.errors import ValidationError
from khoso.core.modelfields import concrete_field
from khoso.core.text import nfc

FILE_VOCABULARIES = {
    "maintenance": VocabularyKind.MAINTENANCE,
    "mode": VocabularyKind.MODE,
    "format": VocabularyKind.FORMAT,
    "confidence_level": VocabularyKind.CONFIDENCE_LEVEL,
    "risk_recovery_status": VocabularyKind.RISK_RECOVERY_STATUS,
}
DOCUMENT_VOCABULARIES = {
    **FILE_VOCABULARIES,
    "type_name": VocabularyKind.TYPE_NAME,
    "original_status": VocabularyKind.ORIGINAL_STATUS,
}
DIGITIZED = "02"


def _pk(value: Any) -> int | None:
    return getattr(value, "pk", value) if value not in (None, "") else None


def _access_guard(target: ArchiveFile | Document, data: dict[str, Any], access_change: Any) -> bool:
    """Refuse a change of access mode or secret class that is not a confirmed four-eyes change being
    applied; True when ``access_change`` is that change (it then passes a lock, being no edit of content)."""
    from khoso.access.errors import DirectAccessChangeError
    from khoso.access.services import check_applying

    fields = {"mode": ("Chế độ sử dụng", "Access mode")}
    if isinstance(target, Document):
        fields["secret_class"] = ("Độ mật", "Secret class")
        name = f"tài liệu {target.doc_code}"
    else:
        name = f"hồ sơ {target.file_code}"
    changed = {key: data[key] for key in fields if key in data and data[key] != getattr(target, key)}
    if access_change is not None and check_applying(access_change, target=target, values=changed):
        return True
    if changed:
        label, label_en = fields[next(iter(changed))]
        raise DirectAccessChangeError(field=label, field_en=label_en, target=name)
    return False


def _check_secret_class(data: dict[str, Any]) -> None:
    if data.get("secret_class"):
        check_vocabulary(VocabularyKind.SECRET_CLASS, data["secret_class"], label=_label(Document, "secret_class"))


def _clean_text(data: dict[str, Any]) -> dict[str, Any]:
    return {key: nfc(value).strip() if isinstance(value, str) else value for key, value in data.items()}


def _label(model: type[models.Model], field: str) -> str:
    return str(concrete_field(model, field).verbose_name)


def check_vocabulary(kind: str, code: str, *, label: str) -> None:
    if not Vocabulary.objects.filter(kind=kind, code=code, active=True).exists():
        allowed = ", ".join(Vocabulary.objects.filter(kind=kind, active=True).values_list("code", flat=True))
        raise ValidationError(reason=f"{label}: mã «{code}» không có trong danh mục {kind} (các mã hợp lệ: {allowed}).")


def check_languages(value: str, *, label: str) -> str:
    parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise ValidationError(reason=f"{label}: bắt buộc, ghi một hoặc nhiều mã ngôn ngữ 01–11.")
    for part in parts:
        check_vocabulary(VocabularyKind.LANGUAGE, part, label=label)
    return ",".join(parts)


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except DjangoValidationError as error:
        problems = []
        for field, messages in error.message_dict.items():
            name = _label(type(instance), field) if field != "__all__" else "Bản ghi"
            problems.append(f"{name}: {' '.join(messages)}")
        raise ValidationError(reason="; ".join(problems)) from error


RISK_RECOVERY_STATUS_REQUIRED = "bắt buộc khi Chế độ dự phòng = 1 (TT 05/2025)"
PAPER_FILE_CODE_REQUIRED = "bắt buộc với hồ sơ số hóa (mức độ tin cậy 02, TT 05/2025)"
END_BEFORE_START = "phải sau hoặc bằng thời gian bắt đầu"


def _check_coded_fields(model: type[models.Model], data: dict[str, Any], vocabularies: Mapping[str, str]) -> None:
    for field, kind in vocabularies.items():
        code = data.get(field)
        if code:
            check_vocabulary(kind, code, label=_label(model, field))
    if data.get("language") is not None:
        data["language"] = check_languages(data["language"], label=_label(model, "language"))
    if data.get("risk_recovery") and not data.get("risk_recovery_status"):
        raise ValidationError(reason=f"Tình trạng dự phòng: {RISK_RECOVERY_STATUS_REQUIRED}.")


def _party_groups() -> str:
    rows = Vocabulary.objects.filter(kind=VocabularyKind.PARTY_FONDS, active=True).values_list("code", "label_vi")
    return "; ".join(f"{code} – {label}" for code, label in rows)


def check_party_group(institution: Institution, party_group: str, *, fonds_code: str = "") -> None:
    """A fonds' group of the Party fonds list: required when the institution is a Party archive, and
    always one of the list's active codes when given."""
    where = f"phông {fonds_code}: " if fonds_code else ""
    where_en = f"fonds {fonds_code}: " if fonds_code else ""
    if not party_group:
        if profiles.is_party(institution.profile):
            raise ProfileRuleError(
                reason=f"{where}Nhóm phông Lưu trữ Đảng: bắt buộc với phông của cơ quan Lưu trữ Đảng "
                f"{institution.code}; chọn một nhóm trong danh mục Phông Lưu trữ Đảng ({profiles.FONDS_LIST_RULE}): "
                f"{_party_groups()}.",
                reason_en=f"{where_en}a fonds of Party archive {institution.code} belongs to a group of the Party "
                f"fonds list ({profiles.FONDS_LIST_RULE}).",
            )
        return
    if not Vocabulary.objects.filter(kind=VocabularyKind.PARTY_FONDS, code=party_group, active=True).exists():
        raise ProfileRuleError(
            reason=f"{where}Nhóm phông Lưu trữ Đảng: mã «{party_group}» không có trong danh mục Phông Lưu trữ Đảng "
            f"({profiles.FONDS_LIST_RULE}); các nhóm hợp lệ: {_party_groups()}.",
            reason_en=f"{where_en}«{party_group}» is not a group of the Party fonds list ({profiles.FONDS_LIST_RULE}).",
        )


@transaction.atomic
def fonds_create(*, institution: Institution, **fields: Any) -> Fonds:
    data = _clean_text(fields)
    if data.get("organ_id"):
        codes.validate_organ_id(data["organ_id"])
    if data.get("language") is not None:
        data["language"] = check_languages(data["language"], label=_label(Fonds, "language"))
    check_party_group(institution, data.get("party_group", ""), fonds_code=data.get("code", ""))
    fonds = Fonds(institution=institution, **data)
    _full_clean(fonds)
    fonds.save()
    return fonds


@transaction.atomic
def fonds_set_party_group(*, fonds: Fonds, party_group: str) -> Fonds:
    """File a fonds under a group of the Party fonds list (a State archive may do it before it switches)."""
    group = nfc(party_group or "").strip()
    check_party_group(fonds.institution, group, fonds_code=fonds.code)
    fonds.party_group = group
    fonds.save(update_fields=["party_group", "updated_at"])
    return fonds


def check_profile_change(institution: Institution, profile: str) -> None:
    """An institution becomes a Party archive only once every fonds it holds belongs to a group of the
    Party fonds list; going back to the State profile keeps the data and stops asking for it."""
    if profile not in Institution.Profile.values:
        raise ValidationError(reason=f"hệ thống lưu trữ «{profile}» không hợp lệ ({', '.join(Institution.Profile)}).")
    if not profiles.is_party(profile) or institution.pk is None:
        return
    valid = set(Vocabulary.objects.filter(kind=VocabularyKind.PARTY_FONDS, active=True).values_list("code", flat=True))
    outside = [
        code
        for code, group in institution.fonds.order_by("code").values_list("code", "party_group")
        if group not in valid
    ]
    if outside:
        raise ProfileRuleError(
            reason=f"cơ quan {institution.code} chưa chuyển sang Lưu trữ Đảng được: phông {', '.join(outside)} chưa "
            f"thuộc nhóm nào của danh mục Phông Lưu trữ Đảng ({profiles.FONDS_LIST_RULE}); hãy xếp nhóm phông trước.",
            reason_en=f"{institution.code} cannot become a Party archive: fonds {', '.join(outside)} belong to no "
            f"group of the Party fonds list ({profiles.FONDS_LIST_RULE}).",
        )


@transaction.atomic
def institution_set_profile(*, institution: Institution, profile: str) -> Institution:
    """Choose whose rules an institution's holdings follow (State: TT 05; Party: HD 40 and QĐ 270)."""
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    check_profile_change(locked, profile)
    locked.profile = profile
    locked.save(update_fields=["profile"])
    institution.profile = profile
    return locked


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _broken_file_rules(data: Mapping[str, Any]) -> list[tuple[str, str, ValidationError]]:
    """Each broken rule tying a file's fields together: the field to correct, the reason said beside
    it, and the error the file services raise."""
    broken: list[tuple[str, str, ValidationError]] = []
    start, end = _as_date(data.get("start_date")), _as_date(data.get("end_date"))
    if start and end and start > end:
        error = ValidationError(reason="Thời gian bắt đầu phải trước hoặc bằng thời gian kết thúc.")
        broken.append(("end_date", END_BEFORE_START, error))
    paper_file_code = data.get("paper_file_code")
    if data.get("confidence_level") == DIGITIZED and not paper_file_code:
        error = ValidationError(reason=f"{_label(ArchiveFile, 'paper_file_code')}: {PAPER_FILE_CODE_REQUIRED}.")
        broken.append(("paper_file_code", PAPER_FILE_CODE_REQUIRED, error))
    elif paper_file_code:
        try:
            codes.validate_paper_file_code(paper_file_code)
        except ValidationError as invalid:
            broken.append(("paper_file_code", invalid.message, invalid))
    if data.get("risk_recovery") and not data.get("risk_recovery_status"):
        error = ValidationError(reason=f"Tình trạng dự phòng: {RISK_RECOVERY_STATUS_REQUIRED}.")
        broken.append(("risk_recovery_status", RISK_RECOVERY_STATUS_REQUIRED, error))
    return broken


def file_rules(data: Mapping[str, Any]) -> dict[str, str]:
    """Every TT 05 rule tying a file's fields together that ``data`` breaks, as field → Vietnamese reason.

    For forms that show each wrong field at once (the cataloguing worksheet); dates may be ``date``
    objects or ISO strings. ``file_create`` and ``file_update`` apply the same rules and raise on the first.
    """
    return {field: reason for field, reason, _ in _broken_file_rules(data)}


def _file_rules(data: dict[str, Any]) -> None:
    for _, _, error in _broken_file_rules(data):
        raise error


@transaction.atomic
def file_create(*, fonds: Fonds, file_code: str | None = None, created_by: Any = None, **fields: Any) -> ArchiveFile:
    """Create a hồ sơ. ``file_code`` is built from organ_id, file_catalog and file_notation when absent."""
    data = _clean_text(fields)
    if file_code:
        parts = codes.parse_file_code(nfc(file_code).strip())
        data.setdefault("organ_id", parts.organ_id)
        data.setdefault("file_catalog", parts.year)
        data.setdefault("file_notation", parts.notation)
        if (data["organ_id"], int(data["file_catalog"]), data["file_notation"]) != (
            parts.organ_id,
            parts.year,
            parts.notation,
        ):
            raise ValidationError(reason=f"Mã hồ sơ {file_code} không khớp với mã cơ quan, năm và số ký hiệu đã nhập.")
        code = str(parts)
    else:
        data.setdefault("organ_id", fonds.organ_id or fonds.code)
        code = codes.build_file_code(data["organ_id"], int(data["file_catalog"]), data["file_notation"])
    data.setdefault("maintenance", "01")
    data.setdefault("language", "01")
    _check_coded_fields(ArchiveFile, data, FILE_VOCABULARIES)
    _file_rules(data)
    archive_file = ArchiveFile(fonds=fonds, file_code=code, created_by=created_by, **data)
    _full_clean(archive_file, exclude=["pdf", "created_by"])
    archive_file.save()
    from khoso.search.services import file_changed

    file_changed(file_id=archive_file.pk, cascade=False)
    return archive_file


@transaction.atomic
def file_update(*, archive_file: ArchiveFile, access_change: Any = None, **fields: Any) -> ArchiveFile:
    """Change a file's TT 05 fields. Its access mode changes only through a confirmed ``access_change``;
    a locked file (or a move into a locked box or inventory) is refused."""
    data = _clean_text(fields)
    for protected in ("file_code", "organ_id", "file_catalog", "file_notation", "fonds"):
        data.pop(protected, None)
    if not _access_guard(archive_file, data, access_change):
        from khoso.access.services import check_unlocked

        check_unlocked(
            archive_file,
            box_id=_pk(data.get("box", data.get("box_id"))),
            inventory_id=_pk(data.get("inventory", data.get("inventory_id"))),
        )
    _check_coded_fields(ArchiveFile, data, FILE_VOCABULARIES)
    merged = {field.name: getattr(archive_file, field.name) for field in ArchiveFile._meta.fields}
    merged.update(data)
    _file_rules(merged)
    # Title, access mode and language are also part of the file's documents' and pages' index entries.
    cascade = any(
        data.get(key, getattr(archive_file, key)) != getattr(archive_file, key) for key in ("mode", "title", "language")
    )
    for key, val in data.items():
        setattr(archive_file, key, val)
    _full_clean(archive_file, exclude=["pdf", "created_by"])
    archive_file.save()
    from khoso.search.services import file_changed

    file_changed(file_id=archive_file.pk, cascade=cascade)
    return archive_file


def _check_profile(profile: str, data: dict[str, Any], names: set[str] | None = None) -> None:
    missing = profiles.required_missing(profile, data, names)
    if missing is not None:
        raise missing


#: Fields a document keeps for life: its file, its place in it and the codes derived from them.
DOCUMENT_PROTECTED = ("file", "file_id", "ordinal", "doc_id", "doc_code")


@transaction.atomic
def document_update(*, document: Document, access_change: Any = None, **fields: Any) -> Document:
    """Change a document's TT 05 fields with the same checks as ``document_create``.

    Its file, ordinal and the codes derived from them never change. Its access mode and secret class
    change only through a confirmed ``access_change``, and that reindexes the document's pages, which
    are searched under them. A document of a locked file is not edited.
    """
    data = _clean_text(fields)
    for protected in DOCUMENT_PROTECTED:
        data.pop(protected, None)
    if not _access_guard(document, data, access_change):
        from khoso.access.services import check_unlocked

        check_unlocked(document.file)
    _check_secret_class(data)
    merged = {field.name: getattr(document, field.name) for field in Document._meta.fields} | data
    _check_coded_fields(Document, merged, DOCUMENT_VOCABULARIES)
    # A field the profile requires may not be emptied; an older record lacking one is still editable.
    _check_profile(profiles.of_document(document), merged, names=set(data))
    if "language" in data:
        data["language"] = merged["language"]  # normalised: "01, 02" → "01,02"
    # These fields are also part of the document's pages' index entries.
    cascade = any(
        key in data and data[key] != getattr(document, key) for key in ("mode", "secret_class", "type_name", "language")
    )
    cascade = cascade or ("issued_date" in data and _as_date(data["issued_date"]) != document.issued_date)
    for key, val in data.items():
        setattr(document, key, val)
    _full_clean(document)
    document.save()
    from khoso.search.services import document_changed

    document_changed(document_id=document.pk, cascade=cascade)
    return document


@transaction.atomic
def document_create(*, archive_file: ArchiveFile, ordinal: int | None = None, **fields: Any) -> Document:
    """Create a document; docId and docCode (7-digit sequence) are derived from the file code."""
    from khoso.access.services import check_unlocked

    check_unlocked(archive_file)
    data = _clean_text(fields)
    _check_secret_class(data)
    if ordinal is None:
        last = archive_file.documents.order_by("-ordinal").values_list("ordinal", flat=True).first()
        ordinal = (last or 0) + 1
    data.setdefault("maintenance", archive_file.maintenance)
    data.setdefault("mode", archive_file.mode)
    data.setdefault("language", archive_file.language)
    data.setdefault("risk_recovery", archive_file.risk_recovery)
    data.setdefault("risk_recovery_status", archive_file.risk_recovery_status)
    _check_coded_fields(Document, data, DOCUMENT_VOCABULARIES)
    _check_profile(profiles.of_file(archive_file), data)
    document = Document(
        file=archive_file,
        ordinal=ordinal,
        doc_id=codes.doc_id(archive_file.file_code, ordinal),
        doc_code=codes.doc_code(archive_file.file_code, ordinal),
        **data,
    )
    _full_clean(document)
    document.save()
    ArchiveFile.objects.filter(pk=archive_file.pk).update(total_doc=archive_file.documents.count())
    from khoso.search.services import document_changed

    document_changed(document_id=document.pk, cascade=False)
    return document


def _deletion_reason(reason: str) -> str:
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError(reason="Lý do xóa: bắt buộc.")
    if len(reason) > 500:
        raise ValidationError(reason="Lý do xóa: tối đa 500 ký tự.")
    return reason


@transaction.atomic
def file_delete(*, archive_file: ArchiveFile, reason: str, user: Any = None) -> ArchiveFile:
    """Soft-delete a file: it stays in the database, but is 404 everywhere and leaves the search index
    with its documents and pages. Deleting a deleted file changes nothing."""
    reason = _deletion_reason(reason)
    from khoso.access.services import check_unlocked

    check_unlocked(archive_file)
    if archive_file.deleted_at is None:
        archive_file.deleted_at = timezone.now()
        archive_file.deleted_reason = reason
        archive_file.save(update_fields=["deleted_at", "deleted_reason", "updated_at"])
        from khoso.search.services import file_changed

        file_changed(file_id=archive_file.pk, cascade=True)
    return archive_file


@transaction.atomic
def document_delete(*, document: Document, reason: str, user: Any = None) -> Document:
    """Soft-delete a document: 404 everywhere, out of the search index with its pages."""
    reason = _deletion_reason(reason)
    from khoso.access.services import check_unlocked

    check_unlocked(document.file)
    if document.deleted_at is None:
        document.deleted_at = timezone.now()
        document.deleted_reason = reason
        document.save(update_fields=["deleted_at", "deleted_reason", "updated_at"])
        from khoso.search.services import document_changed

        document_changed(document_id=document.pk, cascade=True)
    return document
