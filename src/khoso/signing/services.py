"""Writes of the signing area: sign each file's PDF/A, check received signatures, renew time stamps.

Decisions (issue 6 §4, standards.md §3.1-§3.2, §5.2):

- **The stored rendition is the signed PDF/A.** Signing is an incremental update, so the PDF/A the
  pipeline built is the first bytes of the signed file, byte for byte; it is not stored a second time
  (``RenditionSignature.pdfa_sha256``/``pdfa_size`` prove which bytes were signed). The signing runs
  before the object is stored and outside any database transaction (a TSA or CRL server may be slow).
- **Assembly never loses work to a key problem.** If the key is missing, the PIN wrong, the
  certificate expired or the TSA down, the unsigned PDF/A is stored as the rendition, the row says
  «Chưa ký số» with the Vietnamese reason, and :func:`sign_pending` (beat job, ``khoso signatures
  sign``) signs it once the cause is fixed.
- **Levels.** B-T when ``KHOSO_TSA_URL`` is set; B-LT when, besides, the CRL/OCSP answers of every
  certificate can be fetched (never in an enclave: ``KHOSO_ENCLAVE`` makes no outbound connection);
  B-LTA once :func:`retimestamp_due` has added an archive time stamp.
- **Nothing is overwritten.** Every version (unsigned, signed, re-time-stamped) stays a stored object
  with a :class:`~khoso.signing.models.RenditionVersion` row; ``ArchiveFile.pdf`` moves to the newest
  only if it still points where the job started (a concurrent re-assembly wins).
- **Received signatures are checked, never touched.** A signed PDF delivered for ingest is kept as
  delivered (capture stores the bytes before anything else); its signatures are verified against the
  configured trust roots and the verdict is a :class:`~khoso.signing.models.SignatureCheck`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from khoso import __version__
from khoso.core.errors import ArchiveError, DependencyError
from khoso.preservation.models import PremisEvent
from khoso.signing.models import RenditionSignature, RenditionVersion, SignatureCheck
from khoso.storage.cas import sha256_file
from khoso.storage.services import object_put_bytes, object_store

if TYPE_CHECKING:
    from khoso.signing.pades import LongTerm, PdfInput, SignatureReport, Signer, SigningError

# pyHanko (``pades``, ``ltv``) is imported by the functions that sign or verify, not with this module:
# capture imports it to assemble files, and a command or worker that signs nothing (``khoso ingest``
# without ``--wait``, a worker's start) should not pay ≈ 1.5 CPU-s for it.

SIGNING_AGENT = f"Kho Số {__version__} (khoso.signing, pyHanko)"

logger = logging.getLogger(__name__)

PDF = "application/pdf"


# -- the archive's key -------------------------------------------------------------------------------


def p12_signer() -> Signer:
    """The archive's PKCS#12 key (``KHOSO_SIGNING_P12``); a test CA is made when the setting was left empty."""
    from khoso.signing.pades import load_signer

    path = Path(settings.KHOSO_SIGNING_P12)
    password = (settings.KHOSO_SIGNING_P12_PASSWORD or "").encode()
    if not path.is_file():
        default = Path(settings.DATA_DIR) / "signing" / "archive.p12"
        if path != default:
            raise DependencyError(
                program="chứng thư số PKCS#12", need=str(path), reason="không tìm thấy tệp khóa ký của cơ quan lưu trữ"
            )
        from khoso.signing.testca import ensure_test_ca

        path = Path(ensure_test_ca(default.parent, agency_name=settings.KHOSO_ARCHIVE_NAME, password=password).p12_path)
    return load_signer(path, password)


@contextlib.contextmanager
def archive_signer() -> Iterator[Signer]:
    """The archive's key while in the block: the PKCS#11 token when configured, else the PKCS#12 file."""
    module = settings.KHOSO_SIGNING_PKCS11_MODULE
    if module:
        from khoso.signing.pades import open_pkcs11_signer

        with open_pkcs11_signer(
            module,
            token=settings.KHOSO_SIGNING_PKCS11_TOKEN,
            key=settings.KHOSO_SIGNING_PKCS11_KEY,
            pin=settings.KHOSO_SIGNING_PKCS11_PIN or None,
        ) as signer:
            yield signer
    else:
        yield p12_signer()


def _pem_files(entry: Path) -> list[Path]:
    if entry.is_dir():
        return sorted(p for p in entry.iterdir() if p.suffix.lower() in {".pem", ".crt", ".cer", ".der"})
    return [entry] if entry.is_file() else []


def trust_roots(signer: Signer | None = None) -> list[Any]:
    """Roots a signature must chain to: ``KHOSO_SIGNING_TRUST_ROOTS`` plus the archive's own CA.

    The setting lists PEM/DER files or folders of them (separated by commas). The CA that issued the
    archive's own key is trusted too (its self-signed certificates in the PKCS#12 chain, or the demo
    test CA's ``root.pem``), so the archive can always check what it signed itself.
    """
    roots: list[Any] = []
    configured = str(settings.KHOSO_SIGNING_TRUST_ROOTS or "")
    for item in (part.strip() for part in configured.split(",")):
        if item:
            roots += _pem_files(Path(item).expanduser())
    if signer is not None:
        roots += [cert for cert in signer.chain if cert.issuer == cert.subject]
    test_root = Path(settings.KHOSO_SIGNING_P12).with_name("root.pem")
    if test_root.is_file():
        roots.append(test_root)
    return roots


def long_term_for(signer: Signer) -> LongTerm | None:
    """B-LT is attempted only with a TSA (B-LT builds on B-T) and outside an offline enclave."""
    if not settings.KHOSO_TSA_URL or settings.KHOSO_ENCLAVE:
        return None
    from khoso.signing.pades import LongTerm

    return LongTerm(trust_roots=tuple(trust_roots(signer)), fetch=True)


def _own_roots() -> tuple[Any, ...]:
    """Trust roots including the archive's own CA, read from its key when that key can be opened."""
    try:
        with archive_signer() as signer:
            return tuple(trust_roots(signer))
    except ArchiveError:
        return tuple(trust_roots())  # the configured roots still let the data be collected


def _margin() -> timedelta:
    return timedelta(days=settings.KHOSO_RETIMESTAMP_MARGIN_DAYS)


# -- signing a new rendition ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What signing a freshly assembled PDF/A gave: the bytes to store and how to describe them.

    From :func:`sign_file`, ``data`` is empty: the signed file is the target, or, unsigned, the source.
    """

    data: bytes
    pdfa_sha256: str
    pdfa_size: int
    signed: bool
    level: str = ""
    signer_name: str = ""
    signed_at: datetime | None = None
    reason: str = ""
    timestamp_expires_at: datetime | None = None


def _error_text(error: Exception) -> str:
    return error.message if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"


def sign_bytes(pdf: bytes) -> Outcome:
    """Sign an unsigned PDF/A with the archive's key; on any key or TSA problem, say why and keep the input."""
    return _sign(pdf, hashlib.sha256(pdf).hexdigest(), len(pdf), output=None)


def sign_file(source: Path, target: Path) -> Outcome:
    """:func:`sign_bytes` for a PDF/A on disk, the signed PDF written to ``target``: neither is held in
    memory, which stays flat whatever the file's size (1,000 pages as JPEG make a 700 MB PDF/A)."""
    with open(source, "rb") as unsigned, open(target, "w+b") as signed:
        return _sign(unsigned, sha256_file(source), source.stat().st_size, output=signed)


def _sign(pdf: PdfInput, digest: str, size: int, *, output: BinaryIO | None) -> Outcome:
    from khoso.signing import ltv
    from khoso.signing.pades import sign_rendition

    when = timezone.now()
    try:
        with archive_signer() as signer:
            result = sign_rendition(
                pdf,
                signer=signer,
                agency_name=settings.KHOSO_ARCHIVE_NAME,
                when=when,
                timestamp_url=settings.KHOSO_TSA_URL or None,
                long_term=long_term_for(signer),
                output=output,
            )
            name = signer.subject_name
    except Exception as error:  # noqa: BLE001 - any failure of key, token or TSA: keep the PDF/A, say why
        reason = f"Chưa ký số bản PDF/A: {_error_text(error)}"
        logger.warning("rendition not signed: %s", reason, exc_info=not isinstance(error, ArchiveError))
        kept = pdf if isinstance(pdf, bytes) else b""
        return Outcome(data=kept, pdfa_sha256=digest, pdfa_size=size, signed=False, reason=reason)
    newest = ltv.newest_timestamp(result.data if output is None else output)
    return Outcome(
        data=result.data,
        pdfa_sha256=digest,
        pdfa_size=size,
        signed=True,
        level=result.level,
        signer_name=name,
        signed_at=when,
        reason=result.note,
        timestamp_expires_at=newest.tsa_not_after if newest else None,
    )


def record_rendition(*, archive_file: Any, stored: Any, outcome: Outcome, previous: Any = None) -> RenditionSignature:
    """Write the signature row and the version row of a rendition just stored (inside the caller's transaction)."""
    row, _ = RenditionSignature.objects.update_or_create(
        file=archive_file,
        defaults={
            "state": RenditionSignature.State.SIGNED if outcome.signed else RenditionSignature.State.UNSIGNED,
            "level": outcome.level,
            "pdfa_sha256": outcome.pdfa_sha256,
            "pdfa_size": outcome.pdfa_size,
            "signer_name": outcome.signer_name,
            "signed_at": outcome.signed_at,
            "timestamp_expires_at": outcome.timestamp_expires_at,
            "reason": outcome.reason[:2000],
        },
    )
    RenditionSignature.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
    RenditionVersion.objects.create(
        file=archive_file,
        content=stored,
        previous=previous,
        kind=RenditionVersion.Kind.SIGNED if outcome.signed else RenditionVersion.Kind.UNSIGNED,
        level=outcome.level,
        note=outcome.reason[:2000],
    )
    _premis(
        PremisEvent.Type.SIGNATURE_GENERATION,
        succeeded=outcome.signed,
        sha256=stored.pk,
        detail=(
            f"Ký số PAdES {outcome.level} bản PDF/A của hồ sơ {archive_file.file_code} ({outcome.signer_name})"
            if outcome.signed
            else f"Chưa ký số bản PDF/A của hồ sơ {archive_file.file_code}: {outcome.reason}"
        ),
    )
    return row


def _premis(event_type: str, *, succeeded: bool, sha256: str, detail: str) -> None:
    from khoso.preservation.services import premis_event_record

    premis_event_record(event_type, succeeded=succeeded, sha256=sha256, detail=detail, agent=SIGNING_AGENT)


def signing_enabled() -> bool:
    return bool(settings.KHOSO_SIGN_RENDITIONS)


def get_ready_to_sign() -> None:
    """Do ahead what the first signature of a process pays before it can sign: import pyHanko and
    reportlab (≈ 1.3 CPU-s), register the signature's typeface and make sure the PKCS#12 key is there
    and opens (the test CA is made on first use).

    ``khoso ingest --wait`` calls it on a thread while the last pages are still being recognised and a
    core would otherwise stand idle, so that the file's signature follows its last page at once. Any
    problem is left for the signature itself to report, in its own words.
    """
    if not signing_enabled():
        return
    try:
        from khoso.signing import fonts, ltv, pades  # noqa: F401 - imported to have them loaded

        fonts.font_name()
        if not settings.KHOSO_SIGNING_PKCS11_MODULE:  # a token's session is opened only to sign
            p12_signer()
    except Exception:  # noqa: BLE001 - reported by the signature that follows, not here
        logger.debug("getting ready to sign failed; the signature will say why", exc_info=True)


def sign_pending(limit: int | None = None) -> dict[str, int]:
    """Sign every rendition recorded «Chưa ký số» (the key is back, the TSA answers again)."""
    from khoso.archive.models import ArchiveFile

    counts = {"signed": 0, "unsigned": 0, "skipped": 0}
    if not signing_enabled():
        return counts
    rows = RenditionSignature.objects.filter(state=RenditionSignature.State.UNSIGNED).order_by("updated_at")
    for row in rows[:limit] if limit else rows:
        archive_file = ArchiveFile.objects.get(pk=row.file_id)
        if archive_file.pdf_id != row.pdfa_sha256:
            counts["skipped"] += 1  # re-assembled since: its own assembly signs (or records) it
            continue
        outcome = sign_bytes(object_store().read_bytes(row.pdfa_sha256))
        if not outcome.signed:
            RenditionSignature.objects.filter(pk=row.pk).update(reason=outcome.reason[:2000], attempts=row.attempts + 1)
            counts["unsigned"] += 1
            continue
        with transaction.atomic():
            stored = object_put_bytes(data=outcome.data, mime=PDF)
            moved = ArchiveFile.objects.filter(pk=archive_file.pk, pdf_id=row.pdfa_sha256).update(pdf=stored)
            if not moved:
                counts["skipped"] += 1
                continue
            record_rendition(archive_file=archive_file, stored=stored, outcome=outcome, previous=archive_file.pdf)
        counts["signed"] += 1
    return counts


# -- re-time-stamping (PAdES B-LTA) --------------------------------------------------------------------


@dataclass(frozen=True)
class RetimestampResult:
    renewed: list[str]
    failed: dict[str, str]
    not_due: int


def retimestamp_due(*, everything: bool = False, now: datetime | None = None) -> RetimestampResult:
    """Add validation data and an archive time stamp to every signed rendition whose evidence is ageing.

    Chosen from the database: signed renditions with no time stamp, or whose newest time stamp's TSA
    certificate expires within ``KHOSO_RETIMESTAMP_MARGIN_DAYS``. ``everything`` examines every signed
    rendition (a weak hash or key is only seen in the file). Each file is read and judged again by
    :func:`khoso.signing.ltv.retimestamp_reason` before anything is written.
    """
    from django.db.models import Q

    from khoso.archive.models import ArchiveFile

    now = now or timezone.now()
    margin = _margin()
    rows = RenditionSignature.objects.filter(state=RenditionSignature.State.SIGNED)
    if not everything:
        rows = rows.filter(Q(timestamp_expires_at__isnull=True) | Q(timestamp_expires_at__lte=now + margin))
    renewed: list[str] = []
    failed: dict[str, str] = {}
    not_due = 0
    if not settings.KHOSO_TSA_URL:
        for row in rows.select_related("file"):
            failed[row.file.file_code] = "Chưa cấu hình máy chủ cấp dấu thời gian (KHOSO_TSA_URL)."
        return RetimestampResult(renewed, failed, not_due)
    from khoso.signing import ltv
    from khoso.signing.pades import LongTerm, pades_level

    roots: tuple[Any, ...] | None = None
    for row in rows.select_related("file").order_by("timestamp_expires_at", "pk"):
        archive_file = row.file
        if not archive_file.pdf_id:
            continue
        old = archive_file.pdf_id
        data = object_store().read_bytes(old)
        try:
            reason = ltv.retimestamp_reason(data, margin=margin, now=now)
            if reason is None:
                newest = ltv.newest_timestamp(data)
                RenditionSignature.objects.filter(pk=row.pk).update(
                    timestamp_expires_at=newest.tsa_not_after if newest else None
                )
                not_due += 1
                continue
            if roots is None:
                roots = _own_roots()
            updated = ltv.add_archive_timestamp(
                data,
                timestamp_url=settings.KHOSO_TSA_URL,
                long_term=LongTerm(trust_roots=roots, fetch=not settings.KHOSO_ENCLAVE),
            )
        except (ArchiveError, OSError, ValueError) as error:
            failed[archive_file.file_code] = _error_text(error)
            RenditionSignature.objects.filter(pk=row.pk).update(
                reason=f"Chưa đóng được dấu thời gian lưu trữ: {_error_text(error)}"[:2000]
            )
            _premis(
                PremisEvent.Type.SIGNATURE_GENERATION,
                succeeded=False,
                sha256=old,
                detail=f"Chưa đóng được dấu thời gian lưu trữ cho hồ sơ {archive_file.file_code}: {_error_text(error)}",
            )
            logger.warning("re-time-stamp of %s failed: %s", archive_file.file_code, _error_text(error))
            continue
        newest = ltv.newest_timestamp(updated)
        note = f"Đóng dấu thời gian lưu trữ vì {reason}."
        with transaction.atomic():
            stored = object_put_bytes(data=updated, mime=PDF)
            if not ArchiveFile.objects.filter(pk=archive_file.pk, pdf_id=old).update(pdf=stored):
                continue  # re-assembled meanwhile: the new rendition has its own signature
            level = pades_level(updated)
            RenditionSignature.objects.filter(pk=row.pk).update(
                level=level,
                timestamp_expires_at=newest.tsa_not_after if newest else None,
                reason=note[:2000],
            )
            RenditionVersion.objects.create(
                file=archive_file,
                content=stored,
                previous_id=old,
                kind=RenditionVersion.Kind.RETIMESTAMP,
                level=level,
                note=note[:2000],
            )
            _premis(
                PremisEvent.Type.SIGNATURE_GENERATION,
                succeeded=True,
                sha256=stored.pk,
                detail=f"Dấu thời gian lưu trữ (PAdES {level}) cho hồ sơ {archive_file.file_code}: {note}",
            )
        renewed.append(archive_file.file_code)
    return RetimestampResult(renewed, failed, not_due)


# -- signatures on received PDFs -----------------------------------------------------------------------


def verify_received(pdf: bytes) -> SignatureReport:
    """Check every signature of a received PDF against the configured roots (no network: offline-safe)."""
    from khoso.signing.pades import verify_pdf

    return verify_pdf(pdf, trust_roots=trust_roots())


def check_delivered(
    *, archive_file: Any, delivery: Any, content: Any, name: str, report: SignatureReport
) -> SignatureCheck:
    """Record the verdict on a delivered PDF's signatures (inside the delivery's transaction)."""
    _premis(
        PremisEvent.Type.SIGNATURE_VALIDATION,
        succeeded=report.valid,
        sha256=content.pk,
        detail=f"Kiểm tra {report.signature_count} chữ ký số của tệp {name} (hồ sơ {archive_file.file_code}): "
        f"{report.message_vi}",
    )
    return SignatureCheck.objects.create(
        file=archive_file,
        delivery=delivery,
        content=content,
        original_name=name[:255],
        signature_count=report.signature_count,
        valid=report.valid,
        intact=report.intact,
        trusted=report.trusted,
        level=report.level,
        signer_name=report.signer_name[:500],
        signed_at=report.signed_at,
        message_vi=report.message_vi[:2000],
        message_en=report.message_en[:2000],
    )


def __getattr__(name: str) -> Any:
    if name == "SigningError":  # exported (``__all__``) without importing pyHanko with this module
        from khoso.signing.pades import SigningError

        return SigningError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Outcome",
    "RetimestampResult",
    "SigningError",
    "archive_signer",
    "check_delivered",
    "p12_signer",
    "record_rendition",
    "retimestamp_due",
    "sign_bytes",
    "sign_file",
    "sign_pending",
    "trust_roots",
    "verify_received",
]
