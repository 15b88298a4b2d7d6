"""Keeping signatures verifiable for the retention period: PAdES B-LTA archive time stamps.

A signature proves something only while it can be checked. That needs the certificates, proof they
were not revoked (CRL or OCSP answers) and a time stamp saying the signature existed before any of them
expired. Time stamps themselves rest on a TSA certificate that expires too (typically after 5-10 years),
and hash algorithms weaken. Archives keep files for 50-70 years or permanently (standards.md §5.2), so
the rule of ETSI EN 319 142 (PAdES B-LTA) is applied on a schedule:

1. before the newest time stamp's TSA certificate expires (``margin`` ahead), or when its digest
   algorithm is weak, write the validation data of every signature and time stamp already in the file
   (certificates, CRLs, OCSP answers) into the document security store (DSS); then
2. add a **document time stamp** over the whole file, DSS included, from a TSA whose certificate is
   fresh. The new time stamp proves the old evidence existed while it was still valid; repeat for ever.

Both go into **one incremental update**: the bytes of the file before it stay a prefix of the bytes
after it, so every earlier signature's ``/ByteRange`` is untouched and the PDF/A stays PDF/A. No
Django here: the job in :mod:`khoso.signing.services` chooses the files and stores the result.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign._session_scope import run_and_release
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info

from khoso.core.errors import CorruptFileError
from khoso.signing.pades import (
    VIETNAM,
    LongTerm,
    PdfInput,
    SigningError,
    _UrlTimeStamper,
    iso_vietnam,
    pdf_stream,
    validation_context,
)

#: Digest algorithms no longer safe for evidence meant to last (collisions are practical).
WEAK_DIGESTS = frozenset({"md2", "md5", "sha1"})
#: RSA keys shorter than this are weakening (ETSI TS 119 312 plans 3072 bits beyond 2030).
WEAK_RSA_BITS = 2048


@dataclass(frozen=True)
class TimestampFact:
    """One RFC 3161 time stamp in a PDF: a signature's own (``signature``) or a document time stamp (``document``)."""

    kind: str
    time: datetime
    tsa_name: str
    tsa_not_after: datetime
    digest_algorithm: str
    key_bits: int
    revision: int


def _tst_fact(signed_data: cms.SignedData, *, kind: str, revision: int) -> TimestampFact:
    info = signed_data["encap_content_info"]["content"].parsed
    signer = signed_data["signer_infos"][0]
    sid = signer["sid"]
    certificate = None
    for choice in signed_data["certificates"] or []:
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if candidate.issuer == wanted["issuer"] and candidate.serial_number == wanted["serial_number"].native:
                certificate = candidate
                break
        elif candidate.key_identifier == sid.chosen.native:
            certificate = candidate
            break
    if certificate is None:
        raise CorruptFileError(name="PDF", reason="dấu thời gian không kèm chứng thư của máy chủ cấp dấu thời gian")
    subject = certificate.subject.native
    public_key = certificate.public_key
    bits = public_key.bit_size if public_key.algorithm == "rsa" else 0
    return TimestampFact(
        kind=kind,
        time=info["gen_time"].native.astimezone(VIETNAM),
        tsa_name=str(subject.get("common_name") or certificate.subject.human_friendly),
        tsa_not_after=certificate["tbs_certificate"]["validity"]["not_after"].native.astimezone(VIETNAM),
        digest_algorithm=info["message_imprint"]["hash_algorithm"]["algorithm"].native,
        key_bits=bits,
        revision=revision,
    )


def timestamps(pdf: PdfInput) -> list[TimestampFact]:
    """Every time stamp of ``pdf`` (signature time stamps and document time stamps), oldest first."""
    try:
        reader = PdfFileReader(pdf_stream(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # noqa: BLE001 - any parse failure: not a readable PDF
        raise CorruptFileError(name="PDF", reason=str(error)) from error
    facts: list[TimestampFact] = []
    for signature in embedded:
        if signature.sig_object_type == "/DocTimeStamp":
            facts.append(_tst_fact(signature.signed_data, kind="document", revision=signature.signed_revision))
            continue
        unsigned = signature.signer_info["unsigned_attrs"]
        if unsigned.native is None:
            continue
        for attribute in unsigned:
            if attribute["type"].native == "signature_time_stamp_token":
                for token in attribute["values"]:
                    facts.append(_tst_fact(token["content"], kind="signature", revision=signature.signed_revision))
    return sorted(facts, key=lambda fact: (fact.revision, fact.time))


def newest_timestamp(pdf: PdfInput) -> TimestampFact | None:
    found = timestamps(pdf)
    return found[-1] if found else None


def retimestamp_reason(pdf: bytes, *, margin: timedelta, now: datetime | None = None) -> str | None:
    """Why ``pdf`` needs a new archive time stamp now (Vietnamese), or ``None`` when it does not.

    Due when the file has no time stamp at all, when the newest one's TSA certificate expires within
    ``margin``, or when its digest algorithm or TSA key is weak.
    """
    now = now or datetime.now(VIETNAM)
    newest = newest_timestamp(pdf)
    if newest is None:
        return "chữ ký chưa có dấu thời gian"
    if newest.tsa_not_after <= now + margin:
        return (
            f"chứng thư của máy chủ cấp dấu thời gian «{newest.tsa_name}» hết hạn ngày {newest.tsa_not_after:%d/%m/%Y}"
        )
    if newest.digest_algorithm in WEAK_DIGESTS:
        return f"dấu thời gian dùng thuật toán băm {newest.digest_algorithm.upper()} đã yếu"
    if 0 < newest.key_bits < WEAK_RSA_BITS:
        return f"khóa RSA {newest.key_bits} bit của máy chủ cấp dấu thời gian đã yếu"
    return None


def add_archive_timestamp(pdf: bytes, *, timestamp_url: str, long_term: LongTerm) -> bytes:
    """Add the validation data of every signature and time stamp plus one document time stamp (PAdES B-LTA).

    One incremental update: the input bytes stay a prefix of the output. Raises :class:`SigningError`
    when the TSA does not answer or a certificate's path or revocation status cannot be established
    (then nothing is written: better no new revision than one resting on missing evidence).
    """
    if not timestamp_url:
        raise SigningError(
            reason="chưa cấu hình máy chủ cấp dấu thời gian (KHOSO_TSA_URL).",
            reason_en="no time-stamp authority configured (KHOSO_TSA_URL).",
        )
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # noqa: BLE001
        raise CorruptFileError(name="PDF", reason=str(error)) from error
    if not embedded:
        raise SigningError(reason="tệp không có chữ ký số.", reason_en="the file carries no signature.")
    context = validation_context(long_term)
    stamper = _UrlTimeStamper(timestamp_url)

    async def work() -> io.BytesIO:
        paths: list = []
        for signature in embedded:
            paths += await collect_validation_info(signature, context)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        DocumentSecurityStore.supply_dss_in_writer(writer, None, validation_context=context, paths=paths)
        timestamper = PdfTimeStamper(stamper, field_name=_field_name(reader))
        return await timestamper.async_timestamp_pdf(writer, "sha256", validation_context=context)

    try:
        # One event loop for fetching and stamping; run_and_release closes the fetchers' HTTP sessions.
        output = asyncio.run(run_and_release(work(), context))
    except TimestampRequestError as error:
        raise SigningError(
            reason=f"không lấy được dấu thời gian từ {timestamp_url} ({error}).",
            reason_en=f"no timestamp from {timestamp_url} ({error}).",
        ) from error
    except SigningError:
        raise
    except Exception as error:  # certificate path / revocation failures come as several validator types
        kind = type(error).__name__
        raise SigningError(
            reason=f"không thu thập được dữ liệu kiểm tra chữ ký (chứng thư, CRL/OCSP): {kind}: {error}.",
            reason_en=f"validation data (certificates, CRL/OCSP) could not be collected: {kind}: {error}.",
        ) from error
    return output.getvalue()


def _field_name(reader: PdfFileReader) -> str:
    from pyhanko.sign import fields

    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(reader)}
    index = 1
    while f"DauThoiGian{index}" in taken:
        index += 1
    return f"DauThoiGian{index}"


def describe(fact: TimestampFact) -> str:
    """One line for people: «dấu thời gian tài liệu 2026-05-08T14:03:21+07:00, TSA …, hết hạn 08/05/2036»."""
    kind = "dấu thời gian tài liệu" if fact.kind == "document" else "dấu thời gian của chữ ký"
    return f"{kind} {iso_vietnam(fact.time)}, {fact.tsa_name}, chứng thư hết hạn {fact.tsa_not_after:%d/%m/%Y}"


__all__ = ["TimestampFact", "add_archive_timestamp", "newest_timestamp", "retimestamp_reason", "timestamps"]
