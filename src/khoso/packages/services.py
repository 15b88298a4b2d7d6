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

from khoso.access.selectors import effective_mode, restricted_now
from khoso.archive import services as archive_services
from khoso.archive.models import ArchiveFile, Document, Fonds, Page, Vocabulary
from khoso.core import codes
from khoso.core.errors import ArchiveError, ExitCode, NotFoundError, ValidationError
from khoso.core.modelfields import concrete_field
from khoso.core.text import nfc
from khoso.packages.findings import Finding
from khoso.packages.models import TransferBatch, TransferItem
from khoso.packages.safezip import UnsafePackageError, unpacked
from khoso.packages.tt05 import DocumentRecord, PackageSpec, PackageType, PayloadFile, file_elements, write_package
from khoso.packages.validation import ParsedPackage, validate_tree
from khoso.storage.cas import sha256_file
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
    inventory = archive_file.inventory.number if archive_file.inventory is not None else None
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
    fonds_code: str = ""
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
            report.fonds_code = parsed.fonds_code
            report.fields = dict(parsed.file_fields)
            report.data_files = len(parsed.payload)
            report.data_bytes = sum(entry.size for entry in parsed.payload)
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


# -- transfer between archives (nộp lưu) ------------------------------------------------------------

PERMANENT = "01"
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
    if package_type and package_type != PackageType.SIP_HOSO.value:
        found.append(
            _finding(
                "TRANSFER-TYPE",
                f"Nộp lưu giữa hai hệ thống dùng gói SIP_hoso (TT 05/2025 Điều 17); gói này là {package_type}.",
                f"A transfer between systems uses SIP_hoso packages (TT 05/2025 art. 17); this is {package_type}.",
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
    """The fonds the packages name (metsHdr CREATOR IDENTIFICATIONCODE) when they all name one known fonds."""
    named = {entry.report.fonds_code for entry in staged if entry.report is not None}
    fonds = list(Fonds.objects.filter(code__in=named - {""})[:2])
    if len(named) != 1 or len(fonds) != 1:
        listed = ", ".join(sorted(code or "(trống)" for code in named)) or "(không đọc được)"
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
        report = package_read(path, commit=True, created_by=by)
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
