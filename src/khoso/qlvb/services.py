"""Ingest of records pushed by a document-management system (QLVB), NĐ 30/2020 Phụ lục VI.

Each record is judged and stored on its own: every broken rule is reported, and a rejected record
writes nothing to the archive (its own transaction) while the others of the batch still go in. A record
lands as a document in the hồ sơ its FileCode names, in a fonds the sending account may edit (the
agency's Danh mục hồ sơ); its files go through the capture path every scan takes (preflight by content,
originals into the object store, signed PDFs verified and kept byte-identical, page tasks queued on
commit). Writes go through ``archive.services`` and ``capture.services``, never around them.

Idempotency: the QLVB's document identifier with the agency code names a record for life. A resend
with the same content is "unchanged" and returns the archived document; a resend with different content
is refused (409), because an archived record is not rewritten: a replacement is a new document with a
new identifier. The file's row lock (PostgreSQL) and SQLite's immediate transactions serialise
concurrent sends; the ingest log's partial unique constraint is the last guard.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from khoso.access.selectors import editable_fonds_ids, restrict
from khoso.access.services import check_unlocked
from khoso.archive import services as archive_services
from khoso.archive.models import ArchiveFile, Document, Page
from khoso.capture import services as capture
from khoso.capture.models import Delivery
from khoso.capture.preflight import preflight
from khoso.core.errors import ArchiveError
from khoso.qlvb import errors
from khoso.qlvb.errors import Problem
from khoso.qlvb.models import IngestRecord
from khoso.qlvb.records import (
    FileSpec,
    ParsedRecord,
    Vocabularies,
    first_unstorable_character,
    nfc_deep,
    parse_record,
)

MAX_RECORDS = 100
CHUNK = 1024 * 1024

CREATED = IngestRecord.Result.CREATED
UNCHANGED = IngestRecord.Result.UNCHANGED
REJECTED = IngestRecord.Result.REJECTED


class BatchError(ArchiveError):
    """The request as a whole cannot be read as a batch of records (nothing is judged or stored)."""

    code = "lo_ban_ghi_khong_hop_le"
    message_vi = "Không đọc được lô văn bản gửi đến: {reason}"
    message_en = "The batch of records cannot be read: {reason_en}"

    def __init__(self, reason: str, reason_en: str) -> None:
        super().__init__(reason=reason, reason_en=reason_en)


@dataclass
class RecordResult:
    index: int
    status: str
    external_id: str = ""
    organ_id: str = ""
    file_code: str = ""
    document: Document | None = None
    problems: list[Problem] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    log_id: int | None = None

    @property
    def http_status(self) -> int:
        if self.status == CREATED:
            return 201
        if self.status == UNCHANGED:
            return 200
        return max((problem.http_status for problem in self.problems), default=400)

    def as_dict(self) -> dict[str, Any]:
        document = self.document
        return {
            "index": self.index,
            "status": self.status,
            "httpStatus": self.http_status,
            "DocId": self.external_id,
            "OrganId": self.organ_id,
            "FileCode": self.file_code,
            "document": None
            if document is None
            else {
                "id": document.pk,
                "docId": document.doc_id,
                "docCode": document.doc_code,
                "ordinal": document.ordinal,
            },
            "errors": [problem.as_dict() for problem in self.problems],
            "files": self.files,
            "ingestRecord": self.log_id,
        }


@dataclass
class BatchResult:
    results: list[RecordResult]

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def http_status(self) -> int:
        if all(result.status == CREATED for result in self.results):
            return 201
        if all(result.status == REJECTED for result in self.results):
            return 400
        return 200

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": {status: self.count(status) for status in (CREATED, UNCHANGED, REJECTED)},
            "results": [result.as_dict() for result in self.results],
        }


def records_of(payload: Any) -> list[Any]:
    """The records of a request body: one record object, a list, or ``{"records": [...]}``."""
    if isinstance(payload, Mapping) and "records" in payload:
        payload = payload["records"]
    elif isinstance(payload, Mapping):
        payload = [payload]
    if not isinstance(payload, list):
        raise BatchError(
            'nội dung phải là một bản ghi (đối tượng JSON), một danh sách bản ghi hoặc {"records": [...]}.',
            'the body must be one record (a JSON object), a list of records or {"records": [...]}.',
        )
    if not payload:
        raise BatchError("lô không có bản ghi nào.", "the batch holds no record.")
    bad = first_unstorable_character(payload)
    if bad is not None:  # PostgreSQL stores neither NUL nor a lone surrogate: refuse before anything is logged
        raise BatchError(
            f"nội dung chứa ký tự không hợp lệ U+{ord(bad):04X} (ký tự điều khiển hoặc nửa cặp UTF-16).",
            f"the body holds an invalid character U+{ord(bad):04X} (a control character or a lone surrogate).",
        )
    if len(payload) > MAX_RECORDS:
        raise BatchError(
            f"lô có {len(payload)} bản ghi, tối đa {MAX_RECORDS} bản ghi mỗi lần gửi; hãy chia thành nhiều lô.",
            f"the batch has {len(payload)} records, at most {MAX_RECORDS} per request.",
        )
    return payload


def ingest_batch(
    *, user: Any, records: Sequence[Any], parts: Mapping[str, Any] | None = None, request_id: str = ""
) -> BatchResult:
    """Judge and store each record on its own; ``parts`` are the multipart uploads records name in ``Part``."""
    vocabularies = Vocabularies()
    parts = parts or {}
    results = []
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR, prefix="qlvb-") as workdir:
        for index, raw in enumerate(records):
            parsed = parse_record(index, raw, vocabularies)
            folder = Path(workdir) / f"{index:04d}"
            folder.mkdir()
            result = _ingest_one(user=user, parsed=parsed, raw=raw, parts=parts, folder=folder, request_id=request_id)
            results.append(result)
    batch = BatchResult(results)
    _audit(batch)
    return batch


def _audit(batch: BatchResult) -> None:
    """One audit entry for the batch (the request's entry inside a web request)."""
    from khoso.audit.services import record

    first = next((r for r in batch.results if r.status == CREATED), None) or batch.results[0]
    obj = IngestRecord.objects.filter(pk=first.log_id).first() if first.log_id else None
    detail = {
        **batch.as_dict()["summary"],
        "van_ban": [f"{r.organ_id}/{r.external_id}: {r.status}" for r in batch.results][:50],
    }
    record("qlvb.nhan_van_ban", obj=obj, detail=detail)


@dataclass
class _Arrived:
    spec: FileSpec
    path: Path
    sha256: str


def _ingest_one(
    *, user: Any, parsed: ParsedRecord, raw: Any, parts: Mapping[str, Any], folder: Path, request_id: str
) -> RecordResult:
    result = RecordResult(
        index=parsed.index,
        status=REJECTED,
        external_id=parsed.external_id,
        organ_id=parsed.organ_id,
        file_code=parsed.file_code,
    )
    problems = list(parsed.problems)
    archive_file = _file_for(user, parsed.file_code) if parsed.file_code else None
    if parsed.file_code and archive_file is None:
        problems.append(errors.file_code_unknown(parsed.file_code))
    arrived = _receive_files(parsed.files, parts, folder, problems)
    digests = [item.sha256 for item in arrived]
    content_digest = parsed.digest(digests)
    result.files = [{"name": item.spec.name, "sha256": item.sha256} for item in arrived]
    existing = _created(parsed) if parsed.external_id and parsed.organ_id else None
    if existing is not None and not problems:
        return _repeat(user, parsed, result, existing, content_digest, raw, request_id)
    if archive_file is not None:
        problems.extend(_preflight_problems(arrived))
    if problems or archive_file is None:
        result.problems = problems
        return _log_refusal(user, parsed, result, content_digest, raw, request_id, archive_file)
    try:
        with transaction.atomic():
            return _store(user, parsed, result, archive_file, arrived, content_digest, raw, request_id)
    except _AlreadyArchived as repeat:
        return _repeat(user, parsed, result, repeat.record, content_digest, raw, request_id)
    except IntegrityError:
        # Another request archived the same identifier in between (the log's unique constraint).
        existing = _created(parsed)
        if existing is None:
            raise
        return _repeat(user, parsed, result, existing, content_digest, raw, request_id)
    except ArchiveError as error:
        result.problems = [Problem.of(error, _field_of(error))]
        return _log_refusal(user, parsed, result, content_digest, raw, request_id, archive_file)


class _AlreadyArchived(Exception):
    def __init__(self, record: IngestRecord) -> None:
        super().__init__(record.pk)
        self.record = record


def _field_of(error: ArchiveError) -> str:
    from khoso.access.errors import LockedError

    if isinstance(error, _OrdinalTaken):
        return "DocOrdinal"
    return "FileCode" if isinstance(error, LockedError) else ""


def _file_for(user: Any, file_code: str) -> ArchiveFile | None:
    """The hồ sơ of the sender's Danh mục: a live file, in a fonds the account may edit and see, in an
    access mode it may see. Anything else is answered as missing."""
    files = restrict(ArchiveFile.objects.filter(deleted_at__isnull=True, kind=ArchiveFile.Kind.FILE), user)
    editable = editable_fonds_ids(user)
    if editable is not None:
        files = files.filter(fonds_id__in=editable)
    return files.select_related("fonds").filter(file_code=file_code).first()


def _created(parsed: ParsedRecord) -> IngestRecord | None:
    return (
        IngestRecord.objects.filter(organ_id=parsed.organ_id, external_id=parsed.external_id, result=CREATED)
        .select_related("document", "file")
        .first()
    )


def _receive_files(
    specs: Sequence[FileSpec], parts: Mapping[str, Any], folder: Path, problems: list[Problem]
) -> list[_Arrived]:
    """Write each file to ``folder`` (hashing as it goes) and check it against its declared SHA-256."""
    arrived = []
    for spec in specs:
        path = folder / f"{spec.index:04d}"
        digest = hashlib.sha256()
        if spec.content is not None:
            path.write_bytes(spec.content)
            digest.update(spec.content)
        else:
            upload = parts.get(spec.part)
            if upload is None:
                problems.append(
                    errors.file_problem(
                        spec.index,
                        "thieu_phan_tep",
                        f"Tệp {spec.name}: không có phần multipart tên «{spec.part}» trong yêu cầu.",
                        f"File {spec.name}: the request has no multipart part named {spec.part!r}.",
                    )
                )
                continue
            with open(path, "wb") as target:
                for chunk in upload.chunks(CHUNK):
                    target.write(chunk)
                    digest.update(chunk)
        actual = digest.hexdigest()
        if actual != spec.sha256:
            problems.append(errors.digest_mismatch(spec.index, spec.name, spec.sha256, actual))
            continue
        arrived.append(_Arrived(spec, path, actual))
    return arrived


def _preflight_problems(arrived: Sequence[_Arrived]) -> list[Problem]:
    """The capture preflight, by content, of every file (the same rules as a scan upload)."""
    problems = []
    for item in arrived:
        try:
            preflight(item.path, name=item.spec.name, limits=capture.limits())
        except ArchiveError as error:
            problems.append(Problem.of(error, f"Files[{item.spec.index}]"))
    return problems


def _store(
    user: Any,
    parsed: ParsedRecord,
    result: RecordResult,
    archive_file: ArchiveFile,
    arrived: Sequence[_Arrived],
    content_digest: str,
    raw: Any,
    request_id: str,
) -> RecordResult:
    archive_file = ArchiveFile.objects.select_for_update().select_related("fonds").get(pk=archive_file.pk)
    existing = _created(parsed)  # again, under the file's lock: a concurrent send may have won
    if existing is not None:
        raise _AlreadyArchived(existing)
    check_unlocked(archive_file)
    if parsed.ordinal is not None and archive_file.documents.filter(ordinal=parsed.ordinal).exists():
        raise _OrdinalTaken(parsed.ordinal, archive_file.file_code)
    first_page = (Page.objects.filter(file=archive_file).aggregate(last=Max("number"))["last"] or 0) + 1
    delivery = capture.deliver(
        archive_file=archive_file,
        arrivals=[capture.Arrival(path=item.path, name=item.spec.name) for item in arrived],
        source=Delivery.Source.UPLOAD,
        user=user,
    )
    fields = dict(parsed.document_fields)
    fields.setdefault("number_of_page", delivery.page_count)
    document = archive_services.document_create(
        archive_file=archive_file, ordinal=parsed.ordinal, first_page=first_page, **fields
    )
    Page.objects.filter(delivery=delivery).update(document=document)
    checks = {check.original_name: check for check in delivery.signature_checks.all()}  # type: ignore[attr-defined]
    for entry in result.files:
        check = checks.get(entry["name"])
        if check is not None:
            entry["signature"] = {
                "valid": check.valid,
                "intact": check.intact,
                "trusted": check.trusted,
                "level": check.level,
                "signer": check.signer_name,
                "message": check.message_vi,
                "message_en": check.message_en,
            }
    log = IngestRecord.objects.create(
        organ_id=parsed.organ_id,
        external_id=parsed.external_id,
        file_code=parsed.file_code,
        result=CREATED,
        content_digest=content_digest,
        file_digests=[item.sha256 for item in arrived],
        metadata=_metadata(raw),
        fonds_id=archive_file.fonds_id,
        file=archive_file,
        document=document,
        delivery=delivery,
        sent_by=_account(user),
        request_id=request_id,
    )
    result.status, result.document, result.log_id = CREATED, document, log.pk
    return result


class _OrdinalTaken(ArchiveError):
    code = "so_thu_tu_da_dung"
    message_vi = "{vi}"
    message_en = "{en}"
    http_status = 409

    def __init__(self, ordinal: int, file_code: str) -> None:
        problem = errors.ordinal_taken(ordinal, file_code)
        super().__init__(vi=problem.message, en=problem.message_en)


def _repeat(
    user: Any,
    parsed: ParsedRecord,
    result: RecordResult,
    existing: IngestRecord,
    content_digest: str,
    raw: Any,
    request_id: str,
) -> RecordResult:
    """A record already archived under this identifier: the same content is "unchanged", other content refused."""
    fonds_ids = editable_fonds_ids(user)
    visible = fonds_ids is None or existing.fonds_id in fonds_ids
    if visible and existing.content_digest == content_digest:
        result.status, result.document = UNCHANGED, existing.document
    else:
        doc_code = existing.document.doc_code if visible and existing.document else None
        result.problems = [errors.record_changed(parsed.external_id, parsed.organ_id, doc_code)]
    log = IngestRecord.objects.create(
        organ_id=parsed.organ_id,
        external_id=parsed.external_id,
        file_code=parsed.file_code,
        result=result.status,
        content_digest=content_digest,
        file_digests=[entry["sha256"] for entry in result.files],
        metadata=_metadata(raw),
        fonds_id=existing.fonds_id if visible else None,
        file_id=existing.file_id if visible else None,
        document=result.document,
        errors=[problem.as_dict() for problem in result.problems],
        sent_by=_account(user),
        request_id=request_id,
    )
    result.log_id = log.pk
    return result


def _log_refusal(
    user: Any,
    parsed: ParsedRecord,
    result: RecordResult,
    content_digest: str,
    raw: Any,
    request_id: str,
    archive_file: ArchiveFile | None,
) -> RecordResult:
    """Log a refused record (after its transaction rolled back: the log is all it leaves)."""
    log = IngestRecord.objects.create(
        organ_id=parsed.organ_id[:35],
        external_id=parsed.external_id[:100],
        file_code=parsed.file_code[:100],
        result=REJECTED,
        content_digest=content_digest,
        file_digests=[entry["sha256"] for entry in result.files],
        metadata=_metadata(raw),
        fonds_id=archive_file.fonds_id if archive_file else None,
        file=archive_file,
        errors=[problem.as_dict() for problem in result.problems],
        sent_by=_account(user),
        request_id=request_id,
    )
    result.log_id = log.pk
    return result


def _metadata(raw: Any) -> Any:
    """The record as received (NFC), without the files' base64 content (the digests stand for it)."""
    if not isinstance(raw, Mapping):
        return {"value": str(raw)[:1000]}
    kept = {}
    for key, value in raw.items():
        if str(key).lower() == "files" and isinstance(value, list):
            value = [
                {k: v for k, v in item.items() if str(k).lower() != "content"} if isinstance(item, Mapping) else item
                for item in value
            ]
        kept[key] = value
    return nfc_deep(kept)


def _account(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
