"""The two archive profiles an institution follows, and what the Party profile adds to a document.

A Party archive (HD 40-HD/VPTW, seed 003) describes its documents with the TT 05 fields and five more,
and files every fonds under a group of the Party fonds list (QĐ 270-QĐ/TW); codes, packages, search
and access work as for a State archive. So the profile is a column of ``Institution``, not a second set
of models, and this one table names the Party fields with their Party titles, their vocabularies and
whether they are required: services, forms, catalogue columns, packages and reports read it, and
cannot drift apart.

- Độ mật is the existing ``secret_class``: a document with a secret class is mode 03 everywhere, in
  either profile. The Party profile lists it as a field of its own; its vocabulary is checked as always.
- Loại bản is the existing ``original_status`` ("độ gốc": bản gốc, bản chính, bản thảo, bản sao …,
  standards.md §2.4), not a second field: the Party lists name the same property. The Party profile
  requires it (QĐ 270-QĐ/TW Điều 2: originals and master copies are kept, a legal copy only when
  neither survives, so which one a document is must be known).
- Chuyên đề is free text with suggestions (the topics the institution already used): no Party topic
  list was found to load as a vocabulary, and topics differ from one archive to the next.
- Người ký and số lượng tệp are optional: a draft has no signer, and files are counted once scanned.

In the State profile none of them is shown or required (secret class and độ gốc keep their TT 05 place).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from khoso.archive.models import Institution, VocabularyKind
from khoso.core.errors import ValidationError

if TYPE_CHECKING:
    from khoso.archive.models import ArchiveFile, Document, Fonds

STATE = Institution.Profile.STATE.value
PARTY = Institution.Profile.PARTY.value
PARTY_RULE = "HD 40-HD/VPTW"
FONDS_LIST_RULE = "QĐ 270-QĐ/TW"


class ProfileRuleError(ValidationError):
    """A rule of the institution's profile broken, named in Vietnamese and in English."""

    code = "quy_tac_luu_tru_dang"
    message_vi = "Dữ liệu không hợp lệ: {reason}"
    message_en = "Invalid data: {reason_en}"


@dataclass(frozen=True)
class ProfileField:
    """One document field of a profile: the model field, its title in that profile's lists, the name it
    travels under in packages and catalogue headings, its vocabulary and whether it is required."""

    name: str
    title: str
    title_en: str
    element: str
    vocabulary: str = ""
    required: bool = False


#: The Party fields in the order of the Party document list (standards.md §3.6).
PARTY_DOCUMENT_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("signer", "Người ký", "Signer", "signer"),
    ProfileField("secret_class", "Độ mật", "Secret class", "secretClass", VocabularyKind.SECRET_CLASS),
    ProfileField(
        "original_status", "Loại bản", "Copy type", "originalStatus", VocabularyKind.ORIGINAL_STATUS, required=True
    ),
    ProfileField("number_of_files", "Số lượng tệp", "Number of files", "numberOfFiles"),
    ProfileField("topic", "Chuyên đề", "Topic", "topic"),
)
DOCUMENT_FIELDS: dict[str, tuple[ProfileField, ...]] = {STATE: (), PARTY: PARTY_DOCUMENT_FIELDS}


def document_fields(profile: str) -> tuple[ProfileField, ...]:
    """The fields ``profile`` adds to a document's description (none for the State profile)."""
    return DOCUMENT_FIELDS.get(profile, ())


def document_field(profile: str, name: str) -> ProfileField | None:
    return next((field for field in document_fields(profile) if field.name == name), None)


def title(profile: str, name: str, default: str) -> str:
    """A document field's title in ``profile`` ("Loại bản" in a Party list), else ``default``."""
    field = document_field(profile, name)
    return field.title if field is not None else default


def is_party(profile: str) -> bool:
    return profile == PARTY


def of_fonds(fonds: Fonds) -> str:
    return fonds.institution.profile


def of_file(archive_file: ArchiveFile) -> str:
    return of_fonds(archive_file.fonds)


def of_document(document: Document) -> str:
    return of_file(document.file)


def required_missing(profile: str, data: dict[str, object], names: set[str] | None = None) -> ProfileRuleError | None:
    """The error for the first field ``profile`` requires that ``data`` leaves empty (only among ``names``,
    the fields being written, when given), or None."""
    for field in document_fields(profile):
        if field.required and (names is None or field.name in names) and data.get(field.name) in (None, ""):
            return ProfileRuleError(
                reason=f"{field.title}: bắt buộc với tài liệu Lưu trữ Đảng ({PARTY_RULE}).",
                reason_en=f"{field.title_en} is required for a Party archive document ({PARTY_RULE}).",
            )
    return None
