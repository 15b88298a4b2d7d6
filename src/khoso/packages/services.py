"""Packages from and into the archive of record: export a hồ sơ as SIP/AIP/DIP, import a checked package.

Export reads the file, its documents and pages and hands a :class:`PackageSpec` to the Django-free
builder (tt05.py). A DIP carries only what a reader may receive: material in access mode 01 that is
not on the restricted-use list, and page renditions, never masters. Import unpacks into staging
(safezip.py), checks every rule (validation.py) and, only when nothing is broken, creates the file,
its documents and pages, and stores every object under its digest, in one transaction. Rows and
objects of a refused package are never written.
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from khoso.access.selectors import effective_mode, restricted_now
from khoso.archive import services as archive_services
from khoso.archive.models import ArchiveFile, Document, Fonds, Page, Vocabulary
from khoso.core import codes
from khoso.core.errors import ArchiveError, NotFoundError, ValidationError
from khoso.packages.findings import Finding
from khoso.packages.safezip import UnsafePackageError, unpacked
from khoso.packages.tt05 import DocumentRecord, PackageSpec, PackageType, PayloadFile, file_elements, write_package
from khoso.packages.validation import ParsedPackage, validate_tree
from khoso.storage.models import StoredObject
from khoso.storage.services import object_put_file, object_store

PUBLIC = "01"
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
        raise ValidationError(reason=f"loại gói tin «{name}» không hợp lệ (SIP, AIP hoặc DIP).") from error


# -- export -----------------------------------------------------------------------------------------


def _arc_file_code(archive_file: ArchiveFile) -> str:
    inventory = archive_file.inventory.number if archive_file.inventory_id else None
    return codes.arc_file_code(archive_file.fonds.institution.code, archive_file.file_code, inventory)


def _file_fields(archive_file: ArchiveFile, package_type: PackageType, documents: list[Document]) -> dict[str, str]:
    values = {name: tt05_text(getattr(archive_file, snake(name), None)) for name in file_elements(package_type)}
    if package_type is PackageType.SIP_HOSO:
        values["fileCode"] = archive_file.file_code
    else:
        values["arcFileCode"] = _arc_file_code(archive_file)
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


def package_spec(
    archive_file: ArchiveFile, package_type: PackageType, *, package_uuid: uuid.UUID, created: datetime
) -> PackageSpec:
    documents = list(archive_file.documents.filter(deleted_at__isnull=True).order_by("ordinal"))
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
            if effective_mode(archive_file.mode, document.mode) == PUBLIC and document.pk not in restricted.document_ids
        ]
        whole_file = len(allowed) == len(documents)
        allowed_ids = {document.pk for document in allowed}
        documents = allowed
        pages = [page for page in pages if page.document_id is None or page.document_id in allowed_ids]
    arc = _arc_file_code(archive_file)
    payload: list[PayloadFile] = []
    for page in pages:
        doc_id = page.document.doc_id if page.document_id and page.document.deleted_at is None else None
        base = f"{doc_id or archive_file.file_code}.trang{page.number:04d}"
        if package_type is not PackageType.DIP:
            name = f"{base}.goc{_extension(page.original_name, page.original.mime)}"
            payload.append(
                _payload_item(
                    page.original, name, "Original", document=doc_id, page=page.number, original=page.original_name
                )
            )
        if page.rendition_id:
            payload.append(_payload_item(page.rendition, f"{base}.pdf", "Rendition", document=doc_id, page=page.number))
    if archive_file.pdf_id and whole_file:
        payload.append(
            _payload_item(archive_file.pdf, f"{archive_file.file_code}.pdf", "File", document=None, page=None)
        )
    fonds = archive_file.fonds
    return PackageSpec(
        package_type=package_type,
        package_uuid=package_uuid,
        created=created,
        fonds_code=fonds.code,
        institution_code=fonds.institution.code,
        institution_name=fonds.institution.name,
        label=archive_file.title,
        file_fields=_file_fields(archive_file, package_type, documents),
        documents=[
            DocumentRecord(doc_id=document.doc_id, fields=_document_fields(document, package_type, arc))
            for document in documents
        ],
        payload=payload,
        fonds_urn=fonds.code if package_type is PackageType.AIP_HOSO else "",
    )


def package_export(
    *,
    file_code: str,
    package_type: PackageType,
    out: Path,
    package_uuid: uuid.UUID | None = None,
    created: datetime | None = None,
) -> str:
    """Write the package of one hồ sơ to ``out``; return its OBJID."""
    archive_file = (
        ArchiveFile.objects.select_related("fonds__institution", "inventory", "pdf")
        .filter(file_code=file_code, deleted_at__isnull=True)
        .first()
    )
    if archive_file is None:
        raise NotFoundError(what="Hồ sơ", key=file_code)
    spec = package_spec(
        archive_file, package_type, package_uuid=package_uuid or uuid.uuid4(), created=created or timezone.now()
    )
    return write_package(spec, out)


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
            "file_id": self.file_id,
            "findings": [finding.as_dict() for finding in self.findings],
        }


def _staging_parent() -> Path:
    return Path(settings.DATA_DIR) / "staging" / "packages"


def _import_findings(parsed: ParsedPackage) -> list[Finding]:
    """Rules that depend on this instance: the package type, the fonds, a file code already taken."""
    found = []
    if parsed.package_type is PackageType.DIP:
        found.append(
            Finding(
                "IMPORT-DIP",
                "Gói DIP dùng để cung cấp cho độc giả, không nhập vào kho lưu trữ.",
                "A DIP is for delivery to readers; it is not imported into the archive.",
                "METS.xml",
            )
        )
    if not Fonds.objects.filter(code=parsed.fonds_code).exists():
        found.append(
            Finding(
                "IMPORT-FONDS",
                f"Phông «{parsed.fonds_code}» (metsHdr agent IDENTIFICATIONCODE) chưa có trong hệ thống.",
                f"Fonds «{parsed.fonds_code}» is not known to this archive.",
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
    return found


def _model_values(values: dict[str, str], model: type) -> dict[str, Any]:
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


def _create_from_package(parsed: ParsedPackage, created_by: Any = None) -> ArchiveFile:
    fonds = Fonds.objects.get(code=parsed.fonds_code)
    file_values = _model_values(parsed.file_fields, ArchiveFile)
    file_values.pop("total_doc", None)  # recounted as documents are created
    archive_file = archive_services.file_create(
        fonds=fonds, file_code=parsed.file_code, created_by=created_by, **file_values
    )
    documents_by_dmd: dict[str, Document] = {}
    for values in parsed.documents:
        code = values.get("docCode", "")
        ordinal = int(code.rpartition(".")[2]) if code else int(values.get("docOrdinal") or 0)
        fields = _model_values(values, Document)
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
    archive_file.refresh_from_db()
    return archive_file


def package_read(
    zip_path: Path, *, commit: bool = False, created_by: Any = None, check_instance: bool = True
) -> PackageReport:
    """Check a package ZIP; with ``commit`` and no finding, create its hồ sơ. Staging is always removed."""
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
            report.maintenance = parsed.file_fields.get("maintenance", "")
            if check_instance:
                report.findings.extend(_import_findings(parsed))
            if commit and report.valid:
                try:
                    with transaction.atomic():
                        report.file_id = _create_from_package(parsed, created_by).pk
                except ArchiveError as error:
                    report.findings.append(
                        Finding("IMPORT-RULE", error.message, error.message_english, report.file_code)
                    )
    except UnsafePackageError as error:
        report.findings.extend(error.findings)
    return report


def package_import(zip_path: Path, *, created_by: Any = None) -> PackageReport:
    return package_read(zip_path, commit=True, created_by=created_by)
