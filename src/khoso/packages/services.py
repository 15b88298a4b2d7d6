"""Packages from and into the archive of record: export a hồ sơ as SIP/AIP/DIP, import a checked package.

Export reads the file, its documents and pages and hands a :class:`PackageSpec` to the Django-free
builder (tt05.py). A DIP carries only what a reader may receive: material in access mode 01 that is
not on the restricted-use list, and page renditions, never masters. Import unpacks into staging
(safezip.py), checks every rule (validation.py) and, only when nothing is broken, creates the file,
its documents and pages, and stores every object under its digest, in one transaction. Rows and
objects of a refused package are never written.

A transfer (nộp lưu, models.py) is import split in two: receiving keeps each ZIP in the batch's
staging folder and only checks it, so the archivist sees every broken rule first; accepting an item
imports it in the same transaction that records the decision. Rules that belong to the transfer,
not to the package (SIP only, the batch's fonds, permanent retention on a historical archive), are
findings too, and are checked again at acceptance.

A Party archive's packages carry its documents' Party fields (người ký, độ mật, loại bản, số lượng tệp,
chuyên đề) in the EAD_doc extension of tt05.py; they are read back on import whatever the receiving
archive's profile (a secret class is never dropped), and checked against the receiving profile's rules.
A State archive's packages are written exactly as before.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from lxml import etree

from khoso.access.selectors import effective_mode, restricted_now
from khoso.archive import profiles
from khoso.archive import services as archive_services
from khoso.archive.models import ArchiveFile, Document, DocumentLink, Fonds, Page, Vocabulary
from khoso.core import codes
from khoso.core.errors import ArchiveError, ExitCode, NotFoundError, ValidationError
from khoso.core.modelfields import concrete_field
from khoso.core.text import nfc
from khoso.packages.findings import Finding
from khoso.packages.models import PackageMember, PackageRecord, TransferBatch, TransferItem
from khoso.packages.safezip import UnsafePackageError, unpacked
from khoso.packages.tt05 import (
    REPRESENTATION,
    DocumentRecord,
    HoleyRef,
    PackageSpec,
    PackageType,
    PayloadFile,
    data_file_id,
    data_path,
    file_elements,
    folder_name,
    holey_payload,
    read_party_records,
    write_package,
)
from khoso.packages.validation import HoleyEntry, ParsedPackage, validate_tree
from khoso.storage.cas import sha256_file
from khoso.storage.models import StoredObject
from khoso.storage.services import object_put_file, object_store

PUBLIC = "01"
PERMANENT = "01"
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
#: TT 05 elements that are not model fields of the same (snake_case) name.
NOT_FIELDS = {"fileCode", "arcFileCode", "docId", "docCode", "arcDocCode", "docOrdinal"}


def snake(name: str) -> str:
    return CAMEL.sub("_", name).lower()


def tt05_text(value: Any) -> str:
    """A model value as TT 05 writes it: dates dd/mm/yyyy, booleans 1/0, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def package_type_of(name: str) -> PackageType:
    lookup = {"SIP": PackageType.SIP_HOSO, "AIP": PackageType.AIP_HOSO, "DIP": PackageType.DIP}
    lookup.update({member.value.upper(): member for member in PackageType})
    try:
        return lookup[name.upper()]
    except KeyError as error:
        raise ValidationError(
            reason=f"loại gói tin «{name}» không hợp lệ (SIP, AIP, DIP, SIP_hoso, AIP_hoso, SIP_tailieu, AIP_tailieu)."
        ) from error


# -- export -----------------------------------------------------------------------------------------


def _arc_file_code(archive_file: ArchiveFile) -> str:
    inventory = archive_file.inventory.number if archive_file.inventory is not None else None
    return codes.arc_file_code(archive_file.fonds.institution.code, archive_file.file_code, inventory)


def _file_fields(archive_file: ArchiveFile, package_type: PackageType, documents: list[Document]) -> dict[str, str]:
    values = {name: tt05_text(getattr(archive_file, snake(name), None)) for name in file_elements(package_type)}
    if package_type.oais == "SIP":
        values["fileCode"] = archive_file.file_code
    else:
        values["arcFileCode"] = _arc_file_code(archive_file)
    if "totalDoc" in values:
        values["totalDoc"] = str(len(documents))
    return values


def _document_fields(document: Document, package_type: PackageType, arc_file_code: str) -> dict[str, str]:
    from khoso.packages.tt05 import DOCUMENT_ELEMENTS

    values = {}
    for name in DOCUMENT_ELEMENTS[package_type]:
        values[name] = "" if name in NOT_FIELDS else tt05_text(getattr(document, snake(name), None))
    values.update(
        {key: value for key, value in {"docId": document.doc_id, "docCode": document.doc_code}.items() if key in values}
    )
    if "arcFileCode" in values:
        values["arcFileCode"] = arc_file_code
    if "docOrdinal" in values:
        values["docOrdinal"] = str(document.ordinal)
    if "arcDocCode" in values:
        values["arcDocCode"] = f"{arc_file_code}.{document.ordinal:0{codes.DOC_SEQUENCE_DIGITS}d}"
    return values


def _party_fields(document: Document) -> dict[str, str]:
    """A document's Party fields as the EAD_doc extension writes them (tt05.PARTY_ATTRIBUTES)."""
    return {field.element: tt05_text(getattr(document, field.name)) for field in profiles.PARTY_DOCUMENT_FIELDS}


def _extension(name: str, mime: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else (mimetypes.guess_extension(mime) or ".bin")


def _payload_item(
    obj: StoredObject, name: str, use: str, *, document: str | None, page: int | None, original: str = ""
) -> PayloadFile:
    store = object_store()
    if not store.verify(obj.sha256):
        from khoso.core.errors import IntegrityError

        raise IntegrityError(reason=f"đối tượng {obj.sha256} sai mã băm SHA-256; không đóng gói bản hỏng.")
    return PayloadFile(
        name=name,
        source=store.path_for(obj.sha256),
        size=obj.size,
        sha256=obj.sha256,
        mime=obj.mime,
        use=use,
        document=document,
        page=page,
        original_name=original,
    )


def _package_type_for(archive_file: ArchiveFile, package_type: PackageType) -> PackageType:
    """SIP/AIP of a gói tài liệu are SIP_tailieu/AIP_tailieu; a hồ sơ is never sent as a gói tài liệu."""
    if archive_file.kind == ArchiveFile.Kind.LOOSE:
        return package_type.as_loose()
    if package_type.loose:
        raise ValidationError(
            reason=f"{archive_file.file_code} là hồ sơ, không phải gói tài liệu: dùng gói {package_type.oais}_hoso "
            "(TT 05/2025 Điều 17)."
        )
    return package_type


def export_type(*, file_code: str, package_type: PackageType) -> PackageType:
    """The package type an export of ``file_code`` as ``package_type`` writes (SIP of a gói tài liệu: SIP_tailieu)."""
    archive_file = ArchiveFile.objects.filter(file_code=file_code).first()
    if archive_file is None:
        raise NotFoundError(what="Hồ sơ", key=file_code)
    return _package_type_for(archive_file, package_type)


def _linked_documents(archive_file: ArchiveFile) -> list[Document]:
    """Documents filed elsewhere in the fonds that this hồ sơ or gói tài liệu also holds (DocumentLink)."""
    links = archive_file.links.select_related("document__file__fonds__institution", "document__file__inventory")
    return [
        link.document
        for link in links.filter(document__deleted_at__isnull=True, document__file__deleted_at__isnull=True)
    ]


@transaction.atomic
def document_link(*, archive_file: ArchiveFile, document: Document) -> DocumentLink:
    """Let a hồ sơ or gói tài liệu also hold a document filed elsewhere in the same fonds: its packages then
    reference the document's data sent earlier instead of carrying them again (Holey, TT 05 §6.3)."""
    if document.file_id == archive_file.pk:
        raise ValidationError(reason=f"tài liệu {document.doc_code} đã thuộc {archive_file.file_code}.")
    if document.deleted_at is not None or document.file.deleted_at is not None:
        raise ValidationError(reason=f"tài liệu {document.doc_code} đã bị xóa: không liên kết được.")
    if document.file.fonds_id != archive_file.fonds_id:
        raise ValidationError(
            reason=f"tài liệu {document.doc_code} thuộc phông khác: chỉ liên kết tài liệu trong cùng một phông "
            "(TT 05/2025, §6.3)."
        )
    last = archive_file.links.order_by("-position").values_list("position", flat=True).first() or 0
    link, _ = DocumentLink.objects.get_or_create(file=archive_file, document=document, defaults={"position": last + 1})
    return link


def _earlier_member(document: Document, sha256: str, package_type: PackageType, fonds: Fonds) -> PackageMember | None:
    """The data file of an earlier package of the same kind (SIP or AIP) and fonds that already held these bytes
    of ``document``: what a holey reference points at. The most recent such package wins."""
    return (
        PackageMember.objects.filter(
            document=document,
            sha256=sha256,
            record__fonds=fonds,
            record__package_type__startswith=package_type.oais + "_",
        )
        .select_related("record")
        .order_by("-record__created_at", "-record_id")
        .first()
    )


def _holey_items(
    document: Document, package_type: PackageType, fonds: Fonds, pages: Sequence[Page]
) -> list[PayloadFile]:
    """Stand-ins for the data of a linked document: each file must be in an earlier package (§6.3 Holey)."""
    items = []
    for page in pages:
        for obj, suffix in (
            (page.original, f".goc{_extension(page.original_name, page.original.mime)}"),
            (page.rendition, ".pdf"),
        ):
            if obj is None:
                continue
            name = f"{document.doc_id}.trang{page.number:04d}{suffix}"
            member = _earlier_member(document, obj.sha256, package_type, fonds)
            if member is None:
                raise ValidationError(
                    reason=f"tài liệu liên kết {document.doc_code} (hồ sơ {document.file.file_code}) chưa được gửi "
                    f"trong gói {package_type.oais} nào trước đây của phông {fonds.code}: gói tin chỉ tham chiếu "
                    f"(Holey) tài liệu đã nộp (TT 05/2025, §6.3); hãy xuất gói của hồ sơ "
                    f"{document.file.file_code} trước."
                )
            ref = HoleyRef(
                file_id=member.file_id,
                package_folder=folder_name(member.record.objid),
                path=member.path,
                size=member.size,
            )
            items.append(
                holey_payload(
                    package_type, name, ref, document=document.doc_id, page=None, original_name=page.original_name
                )
            )
    return items


def package_spec(
    archive_file: ArchiveFile, package_type: PackageType, *, package_uuid: uuid.UUID, created: datetime
) -> PackageSpec:
    documents = list(archive_file.documents.filter(deleted_at__isnull=True).order_by("ordinal"))
    linked = _linked_documents(archive_file) if package_type is not PackageType.DIP else []
    pages = list(archive_file.pages.select_related("original", "rendition", "document").order_by("number"))
    whole_file = True
    if package_type is PackageType.DIP:
        restricted = restricted_now()
        if (
            archive_file.mode != PUBLIC
            or archive_file.fonds_id in restricted.fonds_ids
            or archive_file.pk in restricted.file_ids
        ):
            raise ValidationError(
                reason=f"hồ sơ {archive_file.file_code} không ở chế độ sử dụng 01 (công khai) hoặc đang hạn chế "
                "sử dụng: không lập được gói DIP."
            )
        allowed = [
            document
            for document in documents
            if effective_mode(archive_file.mode, document.mode) == PUBLIC
            and document.pk not in restricted.document_ids
            and not document.secret_class
        ]
        whole_file = len(allowed) == len(documents)
        allowed_ids = {document.pk for document in allowed}
        documents = allowed
        pages = [page for page in pages if page.document_id is None or page.document_id in allowed_ids]
    arc = _arc_file_code(archive_file)
    payload: list[PayloadFile] = []
    for page in pages:
        document = page.document
        doc_id = document.doc_id if document is not None and document.deleted_at is None else None
        base = f"{doc_id or archive_file.file_code}.trang{page.number:04d}"
        if package_type is not PackageType.DIP:
            name = f"{base}.goc{_extension(page.original_name, page.original.mime)}"
            payload.append(
                _payload_item(
                    page.original, name, "Original", document=doc_id, page=page.number, original=page.original_name
                )
            )
        if page.rendition is not None:
            payload.append(_payload_item(page.rendition, f"{base}.pdf", "Rendition", document=doc_id, page=page.number))
    if whole_file and archive_file.pdf is not None:
        payload.append(
            _payload_item(archive_file.pdf, f"{archive_file.file_code}.pdf", "File", document=None, page=None)
        )
    fonds = archive_file.fonds
    for document in linked:
        if document.file.fonds_id != fonds.pk:
            raise ValidationError(
                reason=f"tài liệu liên kết {document.doc_code} thuộc phông khác: chỉ liên kết trong cùng một phông "
                "(TT 05/2025, §6.3)."
            )
        document_pages = document.pages.select_related("original", "rendition").order_by("number")
        payload.extend(_holey_items(document, package_type, fonds, list(document_pages)))
    party = profiles.is_party(fonds.institution.profile)
    records = [
        DocumentRecord(
            doc_id=document.doc_id,
            fields=_document_fields(document, package_type, arc),
            party=_party_fields(document) if party else {},
        )
        for document in documents
    ]
    records += [
        DocumentRecord(
            doc_id=document.doc_id,
            fields=_document_fields(document, package_type, _arc_file_code(document.file)),
            party=_party_fields(document) if party else {},
        )
        for document in linked
    ]
    return PackageSpec(
        package_type=package_type,
        package_uuid=package_uuid,
        created=created,
        fonds_code=fonds.code,
        institution_code=fonds.institution.code,
        institution_name=fonds.institution.name,
        label=archive_file.title,
        file_fields=_file_fields(archive_file, package_type, [*documents, *linked]),
        documents=records,
        payload=payload,
        fonds_urn=fonds.code if package_type.oais == "AIP" else "",
        party=party,
    )


# -- secret material (issue 6: only through an authorised, logged export with a reason) ----------------

SECRET = "03"
EXPORT_SECRET = "archive.export_secret"


class SecretExportError(ArchiveError):
    """An export of secret material without the right or without a reason: the message names the rule."""

    code = "xuat_tai_lieu_mat"
    message_vi = (
        "Không xuất được gói tin: {what}. Tài liệu Mật chỉ được đưa vào gói tin khi người xuất có quyền "
        "«Xuất gói tin chứa tài liệu Mật» (archive.export_secret) và ghi rõ lý do xuất. {missing}"
    )
    message_en = (
        "Package refused: {what_en}. Secret material goes into a package only when the exporting user holds "
        "archive.export_secret and gives a reason. {missing_en}"
    )
    http_status = 403
    exit_code = ExitCode.permission


def secret_material(archive_file: ArchiveFile) -> list[str]:
    """What makes this file's package secret: access mode 03 of the file, or a document (its own or linked)
    with access mode 03 or a state-secret class (độ mật). Empty when there is none."""
    found = []
    if archive_file.mode == SECRET:
        found.append(f"hồ sơ {archive_file.file_code} ở chế độ sử dụng 03 (Mật)")
    documents = [
        *archive_file.documents.filter(deleted_at__isnull=True).order_by("ordinal"),
        *_linked_documents(archive_file),
    ]
    for document in documents:
        if document.secret_class:
            found.append(f"tài liệu {document.doc_code} có độ mật «{document.secret_class}»")
        elif document.mode == SECRET:
            found.append(f"tài liệu {document.doc_code} ở chế độ sử dụng 03 (Mật)")
    return found


def _authorise_secret(found: list[str], user: Any, reason: str) -> None:
    missing = []
    missing_en = []
    if user is None or not getattr(user, "is_active", False) or not user.has_perm(EXPORT_SECRET):
        missing.append("Người xuất không có quyền archive.export_secret.")
        missing_en.append("The user lacks archive.export_secret.")
    if not reason:
        missing.append("Chưa ghi lý do xuất.")
        missing_en.append("No reason was given.")
    if missing:
        raise SecretExportError(
            what="; ".join(found),
            what_en=f"{len(found)} secret item(s)",
            missing=" ".join(missing),
            missing_en=" ".join(missing_en),
        )


def _register_export(
    spec: PackageSpec, package_objid: str, archive_file: ArchiveFile, *, by: Any, secret: bool, reason: str
) -> PackageRecord:
    """Keep what this package held, so later packages can reference it (Holey) and the export is on record."""
    record, _ = PackageRecord.objects.update_or_create(
        direction=PackageRecord.Direction.EXPORT,
        objid=package_objid,
        defaults={
            "package_type": spec.package_type.value,
            "fonds": archive_file.fonds,
            "archive_file": archive_file,
            "by": by if getattr(by, "pk", None) else None,
            "secret": secret,
            "reason": reason,
        },
    )
    record.members.all().delete()
    documents = {
        document.doc_id: document
        for document in Document.objects.filter(doc_id__in={item.document for item in spec.payload if item.document})
    }
    PackageMember.objects.bulk_create(
        PackageMember(
            record=record,
            file_id=data_file_id(spec.package_uuid, item.name),
            path=data_path(item.name),
            sha256=item.sha256,
            size=item.size,
            document=documents.get(item.document or ""),
        )
        for item in spec.payload
        if item.holey is None
    )
    return record


def _write_export(
    archive_file: ArchiveFile,
    package_type: PackageType,
    out: Path,
    *,
    package_uuid: uuid.UUID | None,
    created: datetime | None,
    by: Any,
    secret: bool,
    reason: str,
) -> str:
    spec = package_spec(
        archive_file, package_type, package_uuid=package_uuid or uuid.uuid4(), created=created or timezone.now()
    )
    package_objid = write_package(spec, out)
    with transaction.atomic():
        _register_export(spec, package_objid, archive_file, by=by, secret=secret, reason=reason)
    return package_objid


def secret_export(
    *,
    archive_file: ArchiveFile,
    package_type: PackageType,
    out: Path,
    user: Any,
    reason: str,
    found: list[str],
    package_uuid: uuid.UUID | None = None,
    created: datetime | None = None,
) -> str:
    """The one place secret material leaves the archive in a package: checks the right and the reason,
    writes the package and records who exported it, when and why (PackageRecord.secret/reason/by).
    The audit-trail entry for such exports belongs here."""
    reason = nfc(reason or "").strip()
    _authorise_secret(found, user, reason)
    return _write_export(
        archive_file, package_type, out, package_uuid=package_uuid, created=created, by=user, secret=True, reason=reason
    )


def package_export(
    *,
    file_code: str,
    package_type: PackageType,
    out: Path,
    package_uuid: uuid.UUID | None = None,
    created: datetime | None = None,
    user: Any = None,
    reason: str = "",
) -> str:
    """Write the package of one hồ sơ or gói tài liệu to ``out``; return its OBJID.

    SIP/AIP of a gói tài liệu become SIP_tailieu/AIP_tailieu. Secret material (file mode 03, or a
    document with mode 03 or a độ mật) goes only through :func:`secret_export` (right + reason); a DIP
    never carries it (only public documents without a độ mật go to readers)."""
    archive_file = (
        ArchiveFile.objects.select_related("fonds__institution", "inventory", "pdf")
        .filter(file_code=file_code, deleted_at__isnull=True)
        .first()
    )
    if archive_file is None:
        raise NotFoundError(what="Hồ sơ", key=file_code)
    package_type = _package_type_for(archive_file, package_type)
    found = secret_material(archive_file) if package_type is not PackageType.DIP else []
    if found:
        return secret_export(
            archive_file=archive_file,
            package_type=package_type,
            out=out,
            user=user,
            reason=reason,
            found=found,
            package_uuid=package_uuid,
            created=created,
        )
    return _write_export(
        archive_file, package_type, out, package_uuid=package_uuid, created=created, by=user, secret=False, reason=""
    )


# -- reading and import -----------------------------------------------------------------------------


def vocabularies() -> dict[str, set[str]]:
    codes_by_kind: dict[str, set[str]] = {}
    for kind, code in Vocabulary.objects.filter(active=True).values_list("kind", "code"):
        codes_by_kind.setdefault(kind, set()).add(code)
    return codes_by_kind


@dataclass
class PackageReport:
    """What checking one package found; ``summary`` names the hồ sơ when its EAD could be read."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    package_type: str = ""
    objid: str = ""
    file_code: str = ""
    title: str = ""
    maintenance: str = ""
    file_id: int | None = None
    fonds_code: str = ""
    institution_code: str = ""
    #: linked (holey) documents the package references instead of carrying
    linked_documents: int = 0
    #: the file's EAD.xml as read (TT 05 element → text), for transfer lists and receipts
    fields: dict[str, str] = field(default_factory=dict)
    data_files: int = 0
    data_bytes: int = 0

    @property
    def valid(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.name,
            "valid": self.valid,
            "type": self.package_type,
            "objid": self.objid,
            "file_code": self.file_code,
            "title": self.title,
            "fonds": self.fonds_code,
            "institution": self.institution_code,
            "linked_documents": self.linked_documents,
            "file_id": self.file_id,
            "findings": [finding.as_dict() for finding in self.findings],
        }


def _staging_parent() -> Path:
    return Path(settings.DATA_DIR) / "staging" / "packages"


def package_fonds(parsed: ParsedPackage) -> Fonds | None:
    """The fonds a package names: its mã phông (metsHdr CREATOR IDENTIFICATIONCODE) within the archive
    institution it names (ARCHIVIST IDENTIFICATIONCODE). Fonds codes are unique only per institution
    (Fonds: UniqueConstraint(institution, code)), so the code alone never decides."""
    if not parsed.fonds_code or not parsed.institution_code:
        return None
    return (
        Fonds.objects.select_related("institution")
        .filter(institution__code=parsed.institution_code, code=parsed.fonds_code)
        .first()
    )


#: Party record of one EAD_doc by its dmdSec ID (tt05.read_party_records)
type PartyRecords = dict[str, dict[str, str]]


def _party_findings(parsed: ParsedPackage, party: PartyRecords, fonds: Fonds | None) -> list[Finding]:
    """The Party fields of each document the package carries (not the linked ones, which are already
    here): codes of their vocabularies, a number, lengths; and, for a Party archive receiving it, the
    fields its profile requires (a package without the extension lacks them)."""
    found: list[Finding] = []
    profile = fonds.institution.profile if fonds is not None else profiles.STATE
    codes_by_kind = vocabularies()
    holey = {entry.document_dmd for entry in parsed.holey}
    for document in parsed.documents:
        dmd = document.get("_dmd", "")
        if dmd in holey:
            continue
        values = party.get(dmd, {})
        where = f"{REPRESENTATION}/EAD_doc {document.get('docId') or document.get('docCode') or dmd}"
        for spec in profiles.PARTY_DOCUMENT_FIELDS:
            text = values.get(spec.element, "")
            place = f"{where} dang:{spec.element}"
            if not text:
                if spec.required and profiles.is_party(profile):
                    found.append(
                        Finding(
                            "PARTY-REQUIRED",
                            f"{spec.title} (dang:{spec.element}): bắt buộc với tài liệu Lưu trữ Đảng "
                            f"({profiles.PARTY_RULE}); phông nhận thuộc cơ quan Lưu trữ Đảng.",
                            f"{spec.title_en} (dang:{spec.element}) is required by the receiving Party archive.",
                            place,
                        )
                    )
                continue
            if spec.vocabulary and text not in codes_by_kind.get(spec.vocabulary, set()):
                allowed = ", ".join(sorted(codes_by_kind.get(spec.vocabulary, set())))
                found.append(
                    Finding(
                        "PARTY-ENUM",
                        f"{spec.title} = «{text}» không phải mã trong danh mục {spec.vocabulary} (các mã: {allowed}).",
                        f"{spec.title_en} «{text}» is not a {spec.vocabulary} code.",
                        place,
                    )
                )
            limit = concrete_field(Document, spec.name).max_length
            if spec.name == "number_of_files":
                if not text.isdigit() or int(text) > 9999:
                    found.append(
                        Finding(
                            "PARTY-NUMBER",
                            f"{spec.title} = «{text}» phải là số nguyên từ 0 đến 9999.",
                            f"{spec.title_en} «{text}» must be a whole number 0–9999.",
                            place,
                        )
                    )
            elif limit and len(text) > limit:
                found.append(
                    Finding(
                        "PARTY-LENGTH",
                        f"{spec.title} dài {len(text)} ký tự, tối đa {limit} ký tự.",
                        f"{spec.title_en} has {len(text)} characters, at most {limit}.",
                        place,
                    )
                )
    return found


def _party_records(parsed: ParsedPackage) -> PartyRecords:
    """The EAD_doc extension of a checked package; a package the validator could not read has none."""
    if not parsed.documents:
        return {}
    try:
        return read_party_records(parsed.root)
    except (etree.XMLSyntaxError, OSError):
        return {}


def _party_values(values: dict[str, str]) -> dict[str, Any]:
    """A document's Party fields from its EAD_doc extension, as archive services take them."""
    result: dict[str, Any] = {}
    for spec in profiles.PARTY_DOCUMENT_FIELDS:
        text = values.get(spec.element, "")
        if spec.name == "number_of_files":
            result[spec.name] = int(text) if text.isdigit() else None
        else:
            result[spec.name] = text
    return result


def _import_findings(parsed: ParsedPackage, fonds: Fonds | None, party: PartyRecords | None = None) -> list[Finding]:
    """Rules that depend on this instance: the package type, the fonds, a file code already taken, the
    documents holey references name, and the Party fields against the receiving archive's profile."""
    found = _party_findings(parsed, party or {}, fonds)
    if parsed.package_type is PackageType.DIP:
        found.append(
            Finding(
                "IMPORT-DIP",
                "Gói DIP dùng để cung cấp cho độc giả, không nhập vào kho lưu trữ.",
                "A DIP is for delivery to readers; it is not imported into the archive.",
                "METS.xml",
            )
        )
    if fonds is None:
        found.append(
            Finding(
                "IMPORT-FONDS",
                f"Phông «{parsed.fonds_code}» của cơ quan lưu trữ «{parsed.institution_code}» (metsHdr agent "
                "IDENTIFICATIONCODE) chưa có trong hệ thống; mã phông chỉ duy nhất trong một cơ quan lưu trữ, "
                "hãy chọn phông nhận.",
                f"Fonds «{parsed.fonds_code}» of archive institution «{parsed.institution_code}» is not known here; "
                "fonds codes are unique only per institution, choose the receiving fonds.",
                "METS.xml metsHdr/agent",
            )
        )
    elif parsed.fonds_code != fonds.code:
        found.append(
            Finding(
                "IMPORT-FONDS",
                f"Gói tin thuộc phông «{parsed.fonds_code}», không phải phông nhận «{fonds.code}».",
                f"The package belongs to fonds «{parsed.fonds_code}», not to the receiving fonds «{fonds.code}».",
                "METS.xml metsHdr/agent",
            )
        )
    if ArchiveFile.objects.filter(file_code=parsed.file_code).exists():
        found.append(
            Finding(
                "IMPORT-EXISTS",
                f"Hồ sơ «{parsed.file_code}» đã có trong kho.",
                f"File «{parsed.file_code}» already exists in the archive.",
                "metadata/descriptive/EAD.xml",
            )
        )
    if fonds is not None and parsed.holey:
        found.extend(_resolve_holey(parsed, fonds)[1])
    return found


def _holey_finding(rule: str, vi: str, en: str, entry: HoleyEntry) -> Finding:
    return Finding(rule, vi, en, f"representations/rep1/data/{entry.name}.fetch.txt")


def _resolve_holey(parsed: ParsedPackage, fonds: Fonds) -> tuple[dict[str, Document], list[Finding]]:
    """Each holey reference → the document of this archive that holds those bytes (dmd → Document).

    The reference names a data file of an earlier package (its METS file ID; for an AIP also the
    package folder, path and size); the register (PackageRecord/PackageMember) says which document of
    which file holds it here. A reference to nothing known, to a deleted document or object, or to a
    document of another fonds is a finding (TT 05 §6.3: links stay within one fonds)."""
    resolved: dict[str, Document] = {}
    found: list[Finding] = []
    doc_codes = {document.get("_dmd", ""): document.get("docCode", "") for document in parsed.documents}
    store = object_store()
    for entry in parsed.holey:
        member = (
            PackageMember.objects.filter(file_id=entry.file_id)
            .select_related("record", "document__file__fonds")
            .order_by("-record__created_at", "-id")
            .first()
        )
        place = (entry.package_folder, entry.path, entry.size)
        if (
            member is not None
            and parsed.package_type.oais == "AIP"
            and place
            != (
                folder_name(member.record.objid),
                member.path,
                member.size,
            )
        ):
            member = None
        document = member.document if member is not None else None
        if (
            document is None
            or document.deleted_at is not None
            or document.file.deleted_at is not None
            or not store.exists(member.sha256 if member is not None else "")
        ):
            found.append(
                _holey_finding(
                    "HOLEY-MISSING",
                    f"Tài liệu liên kết «{doc_codes.get(entry.document_dmd, '')}»: tệp {entry.file_id} của gói tin nộp "
                    "trước không có trong kho; hãy nhập gói tin đó trước (TT 05/2025, §6.3).",
                    f"Linked document «{doc_codes.get(entry.document_dmd, '')}»: file {entry.file_id} of the earlier "
                    "package is not in this archive; import that package first.",
                    entry,
                )
            )
            continue
        if document.file.fonds_id != fonds.pk:
            found.append(
                _holey_finding(
                    "HOLEY-FONDS",
                    f"Tài liệu liên kết {document.doc_code} thuộc phông «{document.file.fonds.code}», không phải phông "
                    f"«{fonds.code}» của gói tin: chỉ được liên kết tài liệu trong cùng một phông (TT 05/2025, §6.3).",
                    f"Linked document {document.doc_code} belongs to fonds «{document.file.fonds.code}», not "
                    f"«{fonds.code}»: links stay within one fonds.",
                    entry,
                )
            )
            continue
        stated = doc_codes.get(entry.document_dmd, "")
        if stated and stated != document.doc_code:
            found.append(
                _holey_finding(
                    "HOLEY-DOCUMENT",
                    f"Tệp liên kết {entry.file_id} thuộc tài liệu {document.doc_code}, nhưng EAD_doc của gói ghi "
                    f"«{stated}».",
                    f"Linked file {entry.file_id} belongs to document {document.doc_code}; "
                    f"the EAD_doc says «{stated}».",
                    entry,
                )
            )
            continue
        previous = resolved.setdefault(entry.document_dmd, document)
        if previous.pk != document.pk:
            found.append(
                _holey_finding(
                    "HOLEY-DOCUMENT",
                    f"Các tệp liên kết của cùng một tài liệu trỏ tới hai tài liệu khác nhau ({previous.doc_code}, "
                    f"{document.doc_code}).",
                    "The linked files of one document point at two documents "
                    f"({previous.doc_code}, {document.doc_code}).",
                    entry,
                )
            )
    return resolved, found


def _model_values(values: dict[str, str], model: type[Model]) -> dict[str, Any]:
    names = {field.name: field for field in model._meta.fields}
    result: dict[str, Any] = {}
    for key, text in values.items():
        name = snake(key)
        if key in NOT_FIELDS or name not in names or key.startswith("_"):
            continue
        kind = names[name].get_internal_type()
        if kind == "DateField":
            result[name] = datetime.strptime(text, "%d/%m/%Y").date() if text else None
        elif kind == "BooleanField":
            result[name] = None if text == "" and names[name].null else text == "1"
        elif kind in ("PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"):
            result[name] = int(text) if text else None
        else:
            result[name] = text
    return result


def _store(entry: Any) -> StoredObject:
    obj = object_put_file(path=entry.path, mime=entry.mime)
    if obj.sha256 != entry.sha256:
        raise ValidationError(reason=f"tệp {entry.name}: mã băm khi lưu khác mã băm trong METS.")
    return obj


def _loose_file_values(parsed: ParsedPackage, holey: dict[str, Document]) -> dict[str, Any]:
    """A gói tài liệu's EAD carries title, source and description only; the archive's file row also needs
    retention, access mode, language and dates, taken from its documents: the longest retention (01
    first), the strictest mode, every language, the earliest and latest document date."""
    documents = [
        {**_model_values(values, Document), "_holey": holey.get(values.get("_dmd", ""))} for values in parsed.documents
    ]
    if not documents:
        raise ValidationError(reason="gói tài liệu không có tài liệu nào (TT 05/2025: totalDoc ≥ 1).")
    dates = []
    maintenance, modes, languages = set(), set(), []
    for values in documents:
        linked = values["_holey"]
        issued = linked.issued_date if linked is not None else values.get("issued_date")
        if issued:
            dates.append(issued)
        maintenance.add((linked.maintenance if linked is not None else values.get("maintenance")) or PERMANENT)
        modes.add((linked.mode if linked is not None else values.get("mode")) or PUBLIC)
        for code in ((linked.language if linked is not None else values.get("language")) or "").split(","):
            if code.strip() and code.strip() not in languages:
                languages.append(code.strip())
    if not dates:
        raise ValidationError(reason="gói tài liệu: không tài liệu nào có ngày tháng (issuedDate).")
    return {
        "kind": ArchiveFile.Kind.LOOSE,
        "maintenance": min(maintenance),
        "mode": max(modes),
        "language": ",".join(languages) or "01",
        "start_date": min(dates),
        "end_date": max(dates),
        "number_of_page": sum(int(values.get("number_of_page") or 0) for values in documents),
    }


def _create_from_package(
    parsed: ParsedPackage, fonds: Fonds, created_by: Any = None, party: PartyRecords | None = None
) -> ArchiveFile:
    party_records = party or {}
    holey, problems = _resolve_holey(parsed, fonds) if parsed.holey else ({}, [])
    if problems:
        raise ValidationError(reason="; ".join(finding.message for finding in problems))
    file_values = _model_values(parsed.file_fields, ArchiveFile)
    file_values.pop("total_doc", None)  # recounted as documents are created
    if parsed.package_type.loose:
        file_values.update(_loose_file_values(parsed, holey))
    if settings.KHOSO_ARCHIVE_ROLE == "co_quan":  # a unit's SIP received: the file is in the agency archive now
        file_values["archived_on"] = timezone.localdate()
    archive_file = archive_services.file_create(
        fonds=fonds, file_code=parsed.file_code, created_by=created_by, **file_values
    )
    documents_by_dmd: dict[str, Document] = {}
    links = 0
    for values in parsed.documents:
        linked = holey.get(values["_dmd"])
        if linked is not None:
            links += 1
            DocumentLink.objects.create(file=archive_file, document=linked, position=links)
            documents_by_dmd[values["_dmd"]] = linked
            continue
        code = values.get("docCode", "")
        ordinal = int(code.rpartition(".")[2]) if code else int(values.get("docOrdinal") or 0)
        fields = _model_values(values, Document)
        if values["_dmd"] in party_records:
            fields.update(_party_values(party_records[values["_dmd"]]))
        documents_by_dmd[values["_dmd"]] = archive_services.document_create(
            archive_file=archive_file, ordinal=ordinal, **fields
        )
    pages: dict[int, dict[str, Any]] = {}
    for entry in parsed.payload:
        if entry.use == "File":
            archive_file.pdf = _store(entry)
            archive_file.save(update_fields=["pdf"])
            continue
        if entry.page is None:
            continue
        page = pages.setdefault(entry.page, {"document": documents_by_dmd.get(entry.document_dmd or "")})
        if entry.use == "Original":
            page["original"] = _store(entry)
            page["original_name"] = entry.original_name or entry.name
        elif entry.use == "Rendition":
            page["rendition"] = _store(entry)
    for number in sorted(pages):
        values = pages[number]
        if "original" not in values:
            raise ValidationError(reason=f"trang {number} không có tệp gốc (USE=Original) trong gói tin.")
        Page.objects.create(
            file=archive_file,
            number=number,
            stage=Page.Stage.DONE if values.get("rendition") else Page.Stage.RECEIVED,
            processed_at=timezone.now(),
            **values,
        )
    _register_import(parsed, fonds, archive_file, documents_by_dmd, created_by)
    archive_file.refresh_from_db()
    return archive_file


def _register_import(
    parsed: ParsedPackage, fonds: Fonds, archive_file: ArchiveFile, documents: dict[str, Document], by: Any
) -> None:
    """Keep what the imported package held (METS file IDs, paths, digests, documents), so a later package
    of the same fonds may reference these files instead of carrying them again (Holey, §6.3)."""
    record, _ = PackageRecord.objects.update_or_create(
        direction=PackageRecord.Direction.IMPORT,
        objid=parsed.objid,
        defaults={
            "package_type": parsed.package_type.value,
            "fonds": fonds,
            "archive_file": archive_file,
            "by": by if getattr(by, "pk", None) else None,
        },
    )
    record.members.all().delete()
    PackageMember.objects.bulk_create(
        PackageMember(
            record=record,
            file_id=entry.file_id,
            path=data_path(entry.name),
            sha256=entry.sha256,
            size=entry.size,
            document=documents.get(entry.document_dmd or ""),
        )
        for entry in parsed.payload
    )


def _package_maintenance(parsed: ParsedPackage) -> str:
    """A hồ sơ states its retention; a gói tài liệu's is that of its documents: one code when they agree,
    else every code, so that a historical archive sees at once that not all are permanent."""
    if not parsed.package_type.loose:
        return parsed.file_fields.get("maintenance", "")
    codes_found = sorted({document.get("maintenance", "") for document in parsed.documents} - {""})
    return ",".join(codes_found)


def package_read(
    zip_path: Path,
    *,
    commit: bool = False,
    created_by: Any = None,
    check_instance: bool = True,
    fonds: Fonds | None = None,
) -> PackageReport:
    """Check a package ZIP; with ``commit`` and no finding, create its hồ sơ or gói tài liệu. Staging is
    always removed. ``fonds`` is the receiving fonds chosen by a person (a transfer batch, ``--fonds``);
    without it the package's own institution + fonds code decide."""
    report = PackageReport(name=zip_path.name)
    try:
        with unpacked(zip_path, parent=_staging_parent(), max_bytes=settings.KHOSO_PACKAGE_MAX_BYTES) as staging:
            parsed, findings = validate_tree(staging, vocabularies())
            report.findings.extend(findings)
            if parsed is None:
                return report
            report.package_type = parsed.package_type.value
            report.objid = parsed.objid
            report.file_code = parsed.file_code
            report.title = parsed.file_fields.get("title", "")
            report.maintenance = _package_maintenance(parsed)
            report.fonds_code = parsed.fonds_code
            report.institution_code = parsed.institution_code
            report.linked_documents = len({entry.document_dmd for entry in parsed.holey})
            report.fields = dict(parsed.file_fields)
            report.data_files = len(parsed.payload)
            report.data_bytes = sum(entry.size for entry in parsed.payload)
            target = fonds if fonds is not None else package_fonds(parsed)
            party = _party_records(parsed)
            if check_instance:
                report.findings.extend(_import_findings(parsed, target, party))
            if commit and report.valid and target is not None:
                try:
                    with transaction.atomic():
                        report.file_id = _create_from_package(parsed, target, created_by, party).pk
                except ArchiveError as error:
                    report.findings.append(
                        Finding("IMPORT-RULE", error.message, error.message_english, report.file_code)
                    )
    except UnsafePackageError as error:
        report.findings.extend(error.findings)
    return report


def package_import(zip_path: Path, *, created_by: Any = None, fonds: Fonds | None = None) -> PackageReport:
    return package_read(zip_path, commit=True, created_by=created_by, fonds=fonds)


# -- transfer between archives (nộp lưu) ------------------------------------------------------------

HISTORICAL_ARCHIVE = "lich_su"
COPY_CHUNK = 1 << 20


class TransferError(ArchiveError):
    """A transfer decision refused: the message names the rule."""

    code = "nop_luu"
    message_vi = "{reason}"
    message_en = "{reason_en}"
    exit_code = ExitCode.invalid_metadata


def transfer_staging_root() -> Path:
    return Path(settings.DATA_DIR) / "staging" / "transfers"


def batch_staging(batch: TransferBatch) -> Path:
    return transfer_staging_root() / batch.staging_key


def item_zip(item: TransferItem) -> Path:
    return batch_staging(item.batch) / f"{item.sequence:05d}.zip"


def _clip(text: str, field_name: str, model: type[Model] = TransferItem) -> str:
    return nfc(text or "")[: concrete_field(model, field_name).max_length]


def _number(text: str) -> int | None:
    return int(text) if text and text.isdigit() else None


def _finding(rule: str, vi: str, en: str, location: str = "") -> dict[str, str]:
    return Finding(rule, vi, en, location).as_dict()


def transfer_findings(
    *, batch: TransferBatch, package_type: str, fonds_code: str, maintenance: str, file_code: str
) -> list[dict[str, str]]:
    """Rules of a transfer beyond the package itself: the package kind, the batch's fonds and, on a
    historical archive, permanent retention only (standards.md §5.4, §6.2; TT 05 Điều 17)."""
    found = []
    if package_type and package_type not in (PackageType.SIP_HOSO.value, PackageType.SIP_TAILIEU.value):
        found.append(
            _finding(
                "TRANSFER-TYPE",
                f"Nộp lưu giữa hai hệ thống dùng gói SIP_hoso hoặc SIP_tailieu (TT 05/2025 Điều 17); gói này là "
                f"{package_type}.",
                f"A transfer between systems uses SIP_hoso or SIP_tailieu packages (TT 05/2025 art. 17); this is "
                f"{package_type}.",
                "METS.xml",
            )
        )
    if fonds_code and fonds_code != batch.fonds.code:
        found.append(
            _finding(
                "TRANSFER-FONDS",
                f"Gói tin thuộc phông «{fonds_code}», không phải phông «{batch.fonds.code}» của lần nộp lưu này.",
                f"The package belongs to fonds «{fonds_code}», not to this batch's fonds «{batch.fonds.code}».",
                "METS.xml metsHdr/agent",
            )
        )
    if settings.KHOSO_ARCHIVE_ROLE == HISTORICAL_ARCHIVE and maintenance and maintenance != PERMANENT:
        found.append(
            _finding(
                "TRANSFER-RETENTION",
                f"Lưu trữ lịch sử chỉ nhận hồ sơ bảo quản vĩnh viễn (thời hạn bảo quản 01); hồ sơ {file_code} "
                f"có thời hạn «{maintenance}».",
                f"A historical archive accepts permanent files only (retention 01); file {file_code} has "
                f"retention «{maintenance}».",
                "metadata/descriptive/EAD.xml maintenance",
            )
        )
    return found


def _chunks(source: Any) -> Iterator[bytes]:
    """The bytes of a Path, an uploaded file (Django ``chunks()``) or any readable object."""
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            yield from iter(lambda: handle.read(COPY_CHUNK), b"")
    elif hasattr(source, "chunks"):
        yield from source.chunks(COPY_CHUNK)
    else:
        yield from iter(lambda: source.read(COPY_CHUNK), b"")


def _copy_to_staging(source: Any, target: Path, limit: int) -> tuple[int, str] | None:
    """Copy ``source`` to ``target`` (temporary name, fsync, rename): its (size, sha256), or None when it is
    larger than ``limit``, and then nothing is left behind."""
    partial = target.with_name(f".{target.name}.part")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "wb") as out:
            for chunk in _chunks(source):
                size += len(chunk)
                if size > limit:
                    return None
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return size, digest.hexdigest()


@dataclass
class _Staged:
    """One package of a delivery as kept in staging: its name, size and digest, and what checking it found."""

    sequence: int
    name: str
    size: int = 0
    sha256: str = ""
    report: PackageReport | None = None


def _stage(folder: Path, sequence: int, name: str, source: Any) -> _Staged:
    staged = _Staged(sequence, _clip(Path(name).name or "goi-tin.zip", "package_name"))
    target = folder / f"{sequence:05d}.zip"
    copied = _copy_to_staging(source, target, settings.KHOSO_PACKAGE_MAX_BYTES)
    if copied is not None:
        staged.size, staged.sha256 = copied
        staged.report = package_read(target)
    return staged


def _item(batch: TransferBatch, staged: _Staged) -> TransferItem:
    item = TransferItem(
        batch=batch,
        sequence=staged.sequence,
        package_name=staged.name,
        package_size=staged.size,
        package_sha256=staged.sha256,
    )
    report = staged.report
    if report is None:
        limit = settings.KHOSO_PACKAGE_MAX_BYTES
        item.findings = [
            _finding(
                "TRANSFER-SIZE",
                f"Tệp gói tin lớn hơn giới hạn {limit} byte (KHOSO_PACKAGE_MAX_BYTES).",
                f"The package file is larger than the {limit}-byte limit (KHOSO_PACKAGE_MAX_BYTES).",
                staged.name,
            )
        ]
        return item
    fields = report.fields
    item.package_type = report.package_type
    item.objid = _clip(report.objid, "objid")
    item.fonds_code = _clip(report.fonds_code, "fonds_code")
    item.file_code = _clip(report.file_code, "file_code")
    item.title = _clip(report.title, "title")
    item.maintenance = _clip(report.maintenance, "maintenance")
    item.start_date = _clip(fields.get("startDate", ""), "start_date")
    item.end_date = _clip(fields.get("endDate", ""), "end_date")
    item.number_of_paper = _number(fields.get("numberOfPaper", ""))
    item.number_of_page = _number(fields.get("numberOfPage", ""))
    item.paper_file_code = _clip(fields.get("paperFileCode", ""), "paper_file_code")
    item.data_files, item.data_bytes = report.data_files, report.data_bytes
    item.findings = [finding.as_dict() for finding in report.findings] + transfer_findings(
        batch=batch,
        package_type=item.package_type,
        fonds_code=item.fonds_code,
        maintenance=item.maintenance,
        file_code=item.file_code,
    )
    return item


def batch_receive(
    *,
    fonds: Fonds | None,
    packages: Sequence[tuple[str, Any]],
    source_agency: str = "",
    by: Any = None,
    note: str = "",
) -> TransferBatch:
    """Receive a delivery: keep each ZIP in the batch's staging folder and check it there; nothing
    enters the archive. ``packages`` are (name, Path or uploaded file). Without ``fonds``, the one
    fonds the packages name is used; without ``source_agency``, the fonds' name (the agency that formed
    it). Returns the batch with one item per package."""
    source_agency = nfc(source_agency or "").strip()
    if not packages:
        raise TransferError(reason="Chưa chọn gói tin nào để nộp lưu.", reason_en="No package was given.")
    staging_key = uuid.uuid4().hex
    folder = transfer_staging_root() / staging_key
    folder.mkdir(parents=True)
    try:
        staged = [_stage(folder, number, name, source) for number, (name, source) in enumerate(packages, start=1)]
        with transaction.atomic():
            fonds = fonds or _fonds_named_by(staged)
            batch = TransferBatch.objects.create(
                fonds=fonds,
                source_agency=_clip(source_agency or fonds.name, "source_agency", TransferBatch),
                note=nfc(note or "").strip(),
                received_by=by,
                staging_key=staging_key,
            )
            items = [_item(batch, entry) for entry in staged]
            _flag_duplicates(items)
            TransferItem.objects.bulk_create(items)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return batch


def _fonds_named_by(staged: Sequence[_Staged]) -> Fonds:
    """The fonds the packages name when they all name one fonds known here: its code (metsHdr CREATOR
    IDENTIFICATIONCODE) within the institution they name (ARCHIVIST), since codes repeat across institutions."""
    named = {(entry.report.institution_code, entry.report.fonds_code) for entry in staged if entry.report is not None}
    fonds = [
        found
        for institution_code, code in named
        if (found := Fonds.objects.filter(institution__code=institution_code, code=code).first()) is not None
    ]
    if len(named) != 1 or len(fonds) != 1:
        listed = ", ".join(sorted(f"{code or '(trống)'} ({institution})" for institution, code in named))
        listed = listed or "(không đọc được)"
        raise TransferError(
            reason=f"Không xác định được phông nhận hồ sơ: các gói tin ghi phông {listed}; hãy chọn phông.",
            reason_en=f"The receiving fonds cannot be told from the packages (they name {listed}); choose the fonds.",
        )
    return fonds[0]


def _flag_duplicates(items: list[TransferItem]) -> None:
    seen: dict[str, int] = {}
    for item in items:
        if not item.file_code:
            continue
        if item.file_code in seen:
            item.findings = [
                *item.findings,
                _finding(
                    "TRANSFER-DUPLICATE",
                    f"Hồ sơ {item.file_code} đã có trong lần nộp lưu này (gói số {seen[item.file_code]}).",
                    f"File {item.file_code} is already in this batch (package {seen[item.file_code]}).",
                    item.package_name,
                ),
            ]
        else:
            seen[item.file_code] = item.sequence


def _locked_undecided(item: TransferItem) -> TransferItem:
    locked = TransferItem.objects.select_for_update().select_related("batch__fonds").get(pk=item.pk)
    if locked.state != TransferItem.State.RECEIVED:
        raise TransferError(
            reason=f"Hồ sơ số {locked.sequence} đã được quyết định ({locked.get_state_display()}).",
            reason_en=f"Item {locked.sequence} has already been decided.",
        )
    return locked


def item_accept(*, item: TransferItem, by: Any) -> TransferItem:
    """Accept one received file: import its package into the archive in one transaction with the decision.

    Refused (nothing written) when the item has findings, when a historical archive is offered
    anything but permanent retention, or when the package no longer passes the import checks; the
    new findings are then recorded on the item."""
    refused: PackageReport | None = None
    with transaction.atomic():
        item = _locked_undecided(item)
        rules = transfer_findings(
            batch=item.batch,
            package_type=item.package_type,
            fonds_code=item.fonds_code,
            maintenance=item.maintenance,
            file_code=item.file_code,
        )
        retention = [rule for rule in rules if rule["rule"] == "TRANSFER-RETENTION"]
        if retention:
            raise TransferError(
                reason=f"Không chấp nhận được: {retention[0]['message']}",
                reason_en=f"Refused: {retention[0]['message_en']}",
            )
        if item.findings or rules:
            raise TransferError(
                reason=f"Hồ sơ số {item.sequence} có {len(item.findings) or len(rules)} lỗi khi kiểm tra: "
                "chỉ chấp nhận hồ sơ hợp lệ.",
                reason_en=f"Item {item.sequence} has findings: only a valid file may be accepted.",
            )
        path = item_zip(item)
        if not path.is_file() or sha256_file(path) != item.package_sha256:
            raise TransferError(
                reason=f"Tệp gói tin của hồ sơ số {item.sequence} không còn trong thư mục tạm hoặc đã bị thay đổi.",
                reason_en=f"The package of item {item.sequence} is gone from staging or was changed.",
            )
        report = package_read(path, commit=True, created_by=by, fonds=item.batch.fonds)
        if report.valid and report.file_id:
            item.state = TransferItem.State.ACCEPTED
            item.archive_file_id = report.file_id
            item.decided_by = by
            item.decided_at = timezone.now()
            item.save()
            _close_if_decided(item.batch)
        else:
            item.findings = [finding.as_dict() for finding in report.findings]
            item.save(update_fields=["findings"])
            refused = report
    if refused is not None:
        raise TransferError(
            reason=f"Không nhập được hồ sơ số {item.sequence}: " + "; ".join(f.message for f in refused.findings),
            reason_en=f"Item {item.sequence} could not be imported: "
            + "; ".join(f.message_en for f in refused.findings),
        )
    return item


def item_reject(*, item: TransferItem, by: Any, reason: str) -> TransferItem:
    """Reject one received file with a reason; nothing is written into the archive."""
    reason = nfc(reason or "").strip()
    if not reason:
        raise TransferError(
            reason="Từ chối hồ sơ nộp lưu phải ghi rõ lý do.", reason_en="Rejecting a transferred file needs a reason."
        )
    with transaction.atomic():
        item = _locked_undecided(item)
        item.state = TransferItem.State.REJECTED
        item.reason = reason
        item.decided_by = by
        item.decided_at = timezone.now()
        item.save()
        _close_if_decided(item.batch)
    return item


def _close_if_decided(batch: TransferBatch) -> None:
    """Close the batch once every item is decided; its staged ZIPs are removed after the commit."""
    if batch.closed_at or batch.items.filter(state=TransferItem.State.RECEIVED).exists():
        return
    batch.closed_at = timezone.now()
    batch.save(update_fields=["closed_at"])
    folder = batch_staging(batch)
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
