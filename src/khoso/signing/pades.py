"""Certified copies (bản sao có xác thực, TT 05/2025 Đ41): the archive's PAdES signature, and checking one.

What the rules ask (standards.md §3.1, §5.2, §6.4) and how this module meets them:

- **PAdES with an incremental update** (subfilter ``ETSI.CAdES.detached``, pyHanko). The signed copy is
  the original PDF/A byte for byte followed by one new revision, so the PDF/A built by the capture
  pipeline is never rewritten (re-writing would break ``/ByteRange`` and any timestamp): convert to
  PDF/A first, then sign.
- **Visible signature at the top right of page 1** whose appearance is text only, no seal image:
  «BẢN SAO» (the form of copy: Đ41 says the signature is rendered as these words), the agency name and
  the signing time in ISO 8601 with the Vietnam offset (``2026-05-08T14:03:21+07:00``), in Times New
  Roman 10 pt, black. Liberation Serif 2 stands in for Times New Roman (same metrics, every Vietnamese
  letter; see :mod:`khoso.signing.fonts`); pyHanko embeds a subset with a ToUnicode map, so the words can
  be copied out of the signature.
- **Levels.** B-B by default; B-T (an RFC 3161 signature timestamp from ``timestamp_url``) when the
  archive has a TSA; B-LT when ``long_term`` is given and the CRLs/OCSP answers of every certificate
  could be fetched (they go into the document security store, DSS, in the same update), so the
  signature can be checked after the CA is gone. B-LTA (document time stamps over the DSS, renewed
  before the TSA certificate expires) is :mod:`khoso.signing.ltv`.
- **Two appearances.** A certified copy's text is «BẢN SAO», agency, time (:func:`sign_certified_copy`);
  the archive's own signature on a digitized file's PDF/A (TT05 Đ8.1) is agency and time only
  (:func:`sign_rendition`).
- **Keys.** A PKCS#12 file (:func:`load_signer`) or a PKCS#11 token (:func:`open_pkcs11_signer`, a USB
  token or HSM; the private key never leaves it).

The displayed time, the ``/M`` entry of the signature dictionary and the CMS signing time are the same
instant. Pages with ``/Rotate`` are signed in user space (Kho Số's own PDF/A never sets ``/Rotate``:
deskew is a rotation inside the content stream).

This is the library core: bytes in, bytes out, no web framework, so the reader service, the CLI and
issue 6's long-term validation use the same code.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from khoso.core.errors import ArchiveError, CorruptFileError, ExitCode
from khoso.core.text import nfc
from khoso.signing.fonts import EDGE, LEADING, SIZE, font_path, text_width, wrap
from khoso.signing.stamps import COPY_MARK

logger = logging.getLogger(__name__)

#: Vietnam has kept UTC+07:00 without daylight saving since 1975.
VIETNAM = timezone(timedelta(hours=7), "ICT")
FIELD_PREFIX = "BanSao"
#: Padding between the widget's edge and its text.
PADDING = 2
#: The agency name wraps to this width (about 90 mm), so a long name does not run off the page.
MAX_TEXT_WIDTH = 255.0
TSA_TIMEOUT = 15
#: Text at its natural size (never shrunk: TT05 says 10 pt), from the top left of its box.
_TOP_LEFT = SimpleBoxLayoutRule(
    x_align=AxisAlignment.ALIGN_MIN,
    y_align=AxisAlignment.ALIGN_MAX,
    margins=Margins(),
    inner_content_scaling=InnerScaling.NO_SCALING,
)


class SigningError(ArchiveError):
    """A certified copy could not be signed (key, certificate, input PDF or timestamp server)."""

    code = "ky_so"
    message_vi = "Không ký số được bản sao: {reason}"
    message_en = "The copy could not be signed: {reason_en}"
    http_status = 500
    exit_code = ExitCode.other

    def __init__(self, detail: str = "", **params: Any) -> None:
        params.setdefault("reason_en", params.get("reason", ""))
        super().__init__(detail, **params)


class SigningKeyError(SigningError):
    """The archive's PKCS#12 file (``KHOSO_SIGNING_P12``) is missing, unreadable or the password is wrong."""

    code = "khoa_ky_so"
    message_vi = "Không dùng được tệp khóa ký số {path}: {reason}"
    message_en = "The signing key file {path} cannot be used: {reason_en}"


class SigningTokenError(SigningKeyError):
    """The archive's PKCS#11 token (KHOSO_SIGNING_PKCS11_MODULE and its siblings) cannot be opened or
    holds no usable key."""

    code = "thiet_bi_ky_so"
    message_vi = "Không dùng được thiết bị ký số {path}: {reason}"
    message_en = "The signing token {path} cannot be used: {reason_en}"


@dataclass(frozen=True)
class Signer:
    """The archive's signing key and certificate chain, loaded once and reused for every copy.

    ``pyhanko_signer`` is a :class:`~pyhanko.sign.signers.SimpleSigner` (PKCS#12) or a
    :class:`~pyhanko.sign.pkcs11.PKCS11Signer` (token); ``chain`` holds the issuing certificates.
    """

    pyhanko_signer: signers.Signer
    certificate: pyca_x509.Certificate
    subject_name: str
    not_after: datetime
    chain: tuple[pyca_x509.Certificate, ...] = ()


@dataclass(frozen=True)
class SignatureReport:
    """The verdict on a PDF's signatures, in words a reader understands.

    ``valid`` means every signature is intact (the signed bytes are unchanged), trusted (the
    certificate chains to one of the trusted roots) and nothing forbidden was changed after it.
    ``signed_at`` is the timestamp authority's time when there is one, otherwise the time the
    signer claims, in Vietnam time.
    """

    valid: bool
    intact: bool
    trusted: bool
    signer_name: str
    signed_at: datetime | None
    message_vi: str
    message_en: str
    signature_count: int = 0
    #: PAdES baseline level of the file as found: "B-B", "B-T", "B-LT", "B-LTA" ("" when unsigned).
    level: str = ""


@dataclass(frozen=True)
class LongTerm:
    """What B-LT needs: the roots to build the certificate paths to, and whether fetching CRL/OCSP is allowed."""

    trust_roots: tuple[Any, ...]
    fetch: bool = True


#: A PDF to read: its bytes, or a seekable binary file (a large file is signed without loading it).
PdfInput = bytes | BinaryIO


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF and the level it reached (B-LT only when the revocation data really is embedded).

    ``data`` is empty when the signed PDF was written to an ``output`` file instead.
    """

    data: bytes
    level: str
    #: Why a higher level was not reached (Vietnamese), e.g. the CRL could not be fetched.
    note: str = ""


# -- loading the key -------------------------------------------------------------------------------


def load_signer(p12_path: Path, password: bytes | None) -> Signer:
    """Load the archive's key, certificate and chain from a PKCS#12 (.p12/.pfx) file.

    Raises :class:`SigningKeyError` (Vietnamese message first) when the file is missing or unreadable,
    the password is wrong, it holds no private key, or the certificate is not valid today.
    """
    path = Path(p12_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise SigningKeyError(path=path, reason="không có tệp này.", reason_en="no such file.") from error
    except OSError as error:
        raise SigningKeyError(
            path=path, reason=f"không đọc được tệp ({error.strerror}).", reason_en=f"unreadable ({error.strerror})."
        ) from error
    passphrase = password or None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as error:
        raise SigningKeyError(
            path=path,
            reason="sai mật khẩu, hoặc tệp không phải định dạng PKCS#12 (.p12/.pfx).",
            reason_en="wrong password, or not a PKCS#12 (.p12/.pfx) file.",
        ) from error
    if key is None or certificate is None:
        raise SigningKeyError(
            path=path,
            reason="tệp không chứa cả khóa bí mật lẫn chứng thư số.",
            reason_en="the file lacks the private key or the certificate.",
        )
    not_after = certificate.not_valid_after_utc.astimezone(VIETNAM)
    _check_validity(certificate, where=str(path))
    pyhanko_signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    return Signer(
        pyhanko_signer=pyhanko_signer,
        certificate=certificate,
        subject_name=_common_name(certificate),
        not_after=not_after,
        chain=tuple(chain),
    )


def _check_validity(
    certificate: pyca_x509.Certificate, *, where: str, error: type[SigningKeyError] = SigningKeyError
) -> None:
    now = datetime.now(VIETNAM)
    not_after = certificate.not_valid_after_utc.astimezone(VIETNAM)
    not_before = certificate.not_valid_before_utc.astimezone(VIETNAM)
    if not not_before <= now <= not_after:
        raise error(
            path=where,
            reason=f"chứng thư số chỉ có hiệu lực từ {not_before:%d/%m/%Y} đến {not_after:%d/%m/%Y}.",
            reason_en=f"the certificate is valid only from {not_before:%Y-%m-%d} to {not_after:%Y-%m-%d}.",
        )


@contextlib.contextmanager
def open_pkcs11_signer(module: str, *, token: str, key: str, pin: str | None) -> Iterator[Signer]:
    """The archive's key on a PKCS#11 token (USB token, HSM, SoftHSM): a session open while in the block.

    ``module`` is the vendor's PKCS#11 library, ``token`` the token label, ``key`` the label of the
    private key and of its certificate. Every failure (no library, no such token, wrong PIN, no key
    or certificate under that label, certificate not valid today) is a :class:`SigningTokenError` in
    Vietnamese first; the PIN never appears in a message.
    """
    where = f"PKCS#11 {module} / {token} / {key}"
    try:
        from pkcs11 import PKCS11Error
        from pyhanko.sign import pkcs11 as hanko_pkcs11
        from pyhanko.sign.pkcs11 import TokenCriteria
    except ImportError as error:  # pragma: no cover - python-pkcs11 is a dependency
        raise SigningTokenError(
            path=where, reason="thiếu gói python-pkcs11.", reason_en="python-pkcs11 is not installed."
        ) from error
    if not Path(module).is_file():
        raise SigningTokenError(
            path=where, reason="không có tệp thư viện PKCS#11 này.", reason_en="no such PKCS#11 library file."
        )
    try:
        session = hanko_pkcs11.open_pkcs11_session(module, token_criteria=TokenCriteria(label=token), user_pin=pin)
    except PKCS11Error as error:
        raise SigningTokenError(
            path=where,
            reason=f"không mở được thiết bị ký số (sai nhãn thiết bị hoặc mã PIN?): {type(error).__name__}.",
            reason_en=f"cannot open the token (wrong token label or PIN?): {type(error).__name__}.",
        ) from error
    try:
        pyhanko_signer = hanko_pkcs11.PKCS11Signer(session, cert_label=key, key_label=key, other_certs_to_pull=None)
        try:
            asyncio.run(pyhanko_signer.ensure_objects_loaded())
        except (PKCS11Error, PyHankoSigningError) as error:
            raise SigningTokenError(
                path=where,
                reason=f"trên thiết bị không có khóa và chứng thư số mang nhãn «{key}».",
                reason_en=f"the token holds no key and certificate labelled «{key}».",
            ) from error
        asn1_cert = pyhanko_signer.signing_cert
        if asn1_cert is None:  # pragma: no cover - ensure_objects_loaded raised already
            raise SigningTokenError(path=where, reason="không có chứng thư số.", reason_en="no certificate.")
        certificate = pyca_x509.load_der_x509_certificate(asn1_cert.dump())
        _check_validity(certificate, where=where, error=SigningTokenError)
        chain = tuple(
            pyca_x509.load_der_x509_certificate(other.dump())
            for other in pyhanko_signer.cert_registry
            if other.dump() != asn1_cert.dump()
        )
        yield Signer(
            pyhanko_signer=pyhanko_signer,
            certificate=certificate,
            subject_name=_common_name(certificate),
            not_after=certificate.not_valid_after_utc.astimezone(VIETNAM),
            chain=chain,
        )
    finally:
        session.close()


def _common_name(certificate: pyca_x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(pyca_x509.NameOID.COMMON_NAME)
    value = names[0].value if names else certificate.subject.rfc4514_string()
    return nfc(value if isinstance(value, str) else value.decode())


# -- signing ---------------------------------------------------------------------------------------


def iso_vietnam(moment: datetime) -> str:
    """``2026-05-08T14:03:21+07:00``: ISO 8601, to the second, in Vietnam time (TT05 Đ8.1)."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


class _UrlTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with the standard library (pyHanko's own client needs ``requests``)."""

    def __init__(self, url: str) -> None:
        if not url.startswith(("http://", "https://")):
            raise SigningError(
                reason=f"địa chỉ máy chủ dấu thời gian «{url}» phải bắt đầu bằng http:// hoặc https://.",
                reason_en=f"the timestamp server address «{url}» must start with http:// or https://.",
            )
        super().__init__()
        self.url = url

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        def task() -> tsp.TimeStampResp:
            request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
                self.url, data=req.dump(), headers={"Content-Type": "application/timestamp-query"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=TSA_TIMEOUT) as response:  # noqa: S310
                    kind = response.headers.get("Content-Type", "")
                    body = response.read()
            except (OSError, urllib.error.URLError) as error:
                raise TimestampRequestError(f"timestamp server unreachable: {error}") from error
            if kind.split(";")[0].strip() != "application/timestamp-reply":
                raise TimestampRequestError(f"timestamp server answered {kind or 'no content type'}")
            return tsp.TimeStampResp.load(body)

        return await asyncio.to_thread(task)


class _MilleGlyphs(GlyphAccumulator):
    """pyHanko's embedded-font engine with every width in thousandths of an em, as PDF requires.

    pyHanko 0.38 writes the CIDFont ``/W`` widths and the ``TJ`` adjustments in the font's own units,
    which is right only for fonts with 1000 units per em (its test fonts). Liberation Serif has 2048,
    so viewers spaced the letters twice as wide. Scaling HarfBuzz to 1000 and the widths by
    1000/unitsPerEm makes all three (``/W``, ``TJ``, the text box size) agree.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font_units = self.units_per_em
        self.units_per_em = 1000
        self.hb_font.scale = (1000, 1000)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        cached = self._glyphs.get(glyph_id)
        if cached is not None:
            return cached
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = result = (cid, round(width * 1000 / self._font_units))
        return result


@dataclass(frozen=True)
class _MilleGlyphsFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return _MilleGlyphs(
            writer=writer,
            font_handle=io.BytesIO(font_path().read_bytes()),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


@contextlib.contextmanager
def _quiet_font_subsetter() -> Any:
    """fontTools warns on every subset that it drops the FontForge ``FFTM`` table: noise in worker logs."""
    logger = logging.getLogger("fontTools.subset")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class _PdfSigner(signers.PdfSigner):
    """pyHanko's signer with the signing instant fixed, so text, ``/M`` and CMS time agree."""

    def __init__(self, *args: Any, system_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._system_time
        return session


def pdf_stream(pdf: PdfInput) -> BinaryIO:
    """``pdf`` as a stream to read from its start (bytes are wrapped; a file is rewound, not closed)."""
    if isinstance(pdf, bytes):
        return io.BytesIO(pdf)
    pdf.seek(0)
    return pdf


def _first_page_box(pdf: PdfInput) -> tuple[float, float, float, float]:
    try:
        with pikepdf.open(pdf_stream(pdf)) as document:
            if not document.pages:
                raise CorruptFileError(name="PDF", reason="tệp không có trang nào.")
            box = pikepdf.Rectangle(document.pages[0].cropbox)
            return float(box.llx), float(box.lly), float(box.urx), float(box.ury)
    except pikepdf.PasswordError as error:
        raise SigningError(reason="tệp PDF đã mã hóa.", reason_en="the PDF is encrypted.") from error
    except pikepdf.PdfError as error:
        raise CorruptFileError(name="PDF", reason=str(error)) from error


def _field_name(reader: PdfFileReader) -> str:
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(reader)}
    index = 1
    while f"{FIELD_PREFIX}{index}" in taken:
        index += 1
    return f"{FIELD_PREFIX}{index}"


def stamp_lines(agency_name: str, when: datetime) -> list[str]:
    """The visible text of a certified copy's signature, line by line."""
    return [COPY_MARK, *wrap(nfc(agency_name).strip(), MAX_TEXT_WIDTH), iso_vietnam(when)]


def _normalise_when(when: datetime | None) -> datetime:
    if when is None:
        when = datetime.now(VIETNAM)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=VIETNAM)
    return when.astimezone(VIETNAM).replace(microsecond=0)


def sign_certified_copy(
    pdf: bytes,
    *,
    signer: Signer,
    agency_name: str,
    when: datetime | None = None,
    timestamp_url: str | None = None,
    long_term: LongTerm | None = None,
) -> bytes:
    """Sign ``pdf`` as a certified copy (TT05 Đ41) and return the original bytes plus one new revision.

    ``when`` is the signing instant (default: now; a naive value is taken as Vietnam time); it is
    shown on the page, in ``/M`` and in the CMS. ``timestamp_url`` (an RFC 3161 TSA) raises the level
    from PAdES B-B to B-T; ``long_term`` to B-LT where the revocation data can be fetched.
    """
    agency_name = _agency(agency_name)
    when = _normalise_when(when)
    return sign_pdf(
        pdf,
        signer=signer,
        lines=stamp_lines(agency_name, when),
        name=agency_name,
        reason=f"{COPY_MARK} (TT 05/2025 Điều 41)",
        when=when,
        timestamp_url=timestamp_url,
        long_term=long_term,
    ).data


def rendition_lines(agency_name: str, when: datetime) -> list[str]:
    """The visible text of the archive's signature on a digitized file (TT05 Đ8.1): agency, then time."""
    return [*wrap(nfc(agency_name).strip(), MAX_TEXT_WIDTH), iso_vietnam(when)]


def sign_rendition(
    pdf: PdfInput,
    *,
    signer: Signer,
    agency_name: str,
    when: datetime | None = None,
    timestamp_url: str | None = None,
    long_term: LongTerm | None = None,
    output: BinaryIO | None = None,
) -> SignedPdf:
    """Sign a digitized file's PDF/A with the archive's signature (TT05 Đ8.1): agency name and ISO 8601 time.

    Same placement, type and incremental update as a certified copy, without «BẢN SAO» (this is the
    archive's own rendition, not a copy). Returns the bytes (or writes them to ``output``, see
    :func:`sign_pdf`) and the level reached.
    """
    agency_name = _agency(agency_name)
    when = _normalise_when(when)
    return sign_pdf(
        pdf,
        signer=signer,
        lines=rendition_lines(agency_name, when),
        name=agency_name,
        reason="Số hóa tài liệu lưu trữ (TT 05/2025 Điều 8)",
        when=when,
        timestamp_url=timestamp_url,
        long_term=long_term,
        output=output,
    )


def _agency(agency_name: str) -> str:
    agency_name = nfc(agency_name).strip()
    if not agency_name:
        raise ValueError("Tên cơ quan ký không được để trống. / The agency name must not be empty.")
    return agency_name


def _signature_box(pdf: PdfInput, lines: list[str]) -> tuple[int, int, int, int]:
    _llx, _lly, urx, ury = _first_page_box(pdf)
    width = max(text_width(line) for line in lines) + 2 * PADDING + 4
    height = LEADING * len(lines) + 2 * PADDING + 2
    right, top = urx - EDGE, ury - EDGE
    return (round(right - width), round(top - height), round(right), round(top))


def _stamp_style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=TextBoxStyle(
            font=_MilleGlyphsFactory(str(font_path()), font_size=round(SIZE)),
            font_size=round(SIZE),
            leading=round(LEADING),
            border_width=0,
            box_layout_rule=_TOP_LEFT,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MAX,
            margins=Margins.uniform(PADDING),
            inner_content_scaling=InnerScaling.NO_SCALING,
        ),
        border_width=0,
        background=None,
    )


def validation_context(long_term: LongTerm, *, moment: datetime | None = None) -> ValidationContext:
    """A context that fetches CRLs/OCSP answers (when allowed) and insists on having them for every certificate."""
    return ValidationContext(
        trust_roots=_asn1_certificates(list(long_term.trust_roots)),
        allow_fetching=long_term.fetch,
        revocation_mode="require",
        moment=moment,
    )


def sign_pdf(
    pdf: PdfInput,
    *,
    signer: Signer,
    lines: list[str],
    name: str,
    reason: str,
    when: datetime,
    timestamp_url: str | None = None,
    long_term: LongTerm | None = None,
    output: BinaryIO | None = None,
) -> SignedPdf:
    """One visible PAdES signature, top right of page 1, as an incremental update of ``pdf``.

    With ``long_term`` the CRLs/OCSP answers of the signer's and the TSA's certificates are fetched and
    embedded (B-LT). If they cannot be had (no distribution point, server down), the signature is made
    at B-T (or B-B) anyway and :attr:`SignedPdf.note` says why: a missing CRL must not stop the archive
    from signing, and the re-time-stamp job adds the data later.

    With ``output`` (a file opened ``"w+b"``) the signed PDF is written there, never held in memory, and
    ``data`` is empty; given a file as ``pdf`` too, memory stays flat whatever the size of the PDF.
    """
    box = _signature_box(pdf, lines)
    level = "B-T" if timestamp_url else "B-B"
    if long_term is not None:
        try:
            data = _sign_once(pdf, signer, lines, name, reason, when, box, timestamp_url, long_term, output)
        except SigningError as error:
            note = f"Chưa nhúng được thông tin thu hồi chứng thư (CRL/OCSP), chữ ký ở mức {level}: {error.message}"
            logger.warning("B-LT not reached, signing at %s: %s", level, error.message_english)
            if output is not None:  # start the file again for the signature without revocation data
                output.seek(0)
                output.truncate()
        else:
            return SignedPdf(data=data, level=pades_level(data if output is None else output))
    else:
        note = ""
    data = _sign_once(pdf, signer, lines, name, reason, when, box, timestamp_url, None, output)
    return SignedPdf(data=data, level=level, note=note)


def _sign_once(
    pdf: PdfInput,
    signer: Signer,
    lines: list[str],
    name: str,
    reason: str,
    when: datetime,
    box: tuple[int, int, int, int],
    timestamp_url: str | None,
    long_term: LongTerm | None,
    output: BinaryIO | None = None,
) -> bytes:
    """The signed PDF's bytes, or ``b""`` when it was written to ``output``."""
    try:
        writer = IncrementalPdfFileWriter(pdf_stream(pdf))
        field_name = _field_name(writer.prev)
    except Exception as error:  # pyHanko raises several types for unreadable input
        raise CorruptFileError(name="PDF", reason=str(error)) from error
    extra: dict[str, Any] = {}
    if long_term is not None:
        extra = {"embed_validation_info": True, "validation_context": validation_context(long_term)}
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=name,
        **extra,
    )
    pdf_signer = _PdfSigner(
        meta,
        signer=signer.pyhanko_signer,
        timestamper=_UrlTimeStamper(timestamp_url) if timestamp_url else None,
        stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=box),
        system_time=when,
    )
    try:
        with _quiet_font_subsetter():
            signed = pdf_signer.sign_pdf(writer, output=output, appearance_text_params={"lines": "\n".join(lines)})
    except TimestampRequestError as error:
        raise SigningError(
            reason=f"không lấy được dấu thời gian từ {timestamp_url} ({error}).",
            reason_en=f"no timestamp from {timestamp_url} ({error}).",
        ) from error
    except PyHankoSigningError as error:
        raise SigningError(reason=str(error)) from error
    except Exception as error:  # certificate path / revocation failures come as several validator types
        if long_term is None:
            raise
        kind = type(error).__name__
        raise SigningError(
            reason=f"không kiểm tra được đường dẫn chứng thư hoặc tình trạng thu hồi ({kind}: {error}).",
            reason_en=f"certificate path or revocation status could not be checked ({kind}: {error}).",
        ) from error
    return signed.getvalue() if output is None else b""


def pades_level(pdf: PdfInput) -> str:
    """The PAdES baseline level of ``pdf`` as it stands: "B-B", "B-T", "B-LT", "B-LTA" or "" (no signature).

    B-T: the newest ordinary signature has a signature time stamp; B-LT: besides, the document
    security store holds revocation data (CRL or OCSP); B-LTA: besides, a document time stamp comes
    after the signature.
    """
    try:
        reader = PdfFileReader(pdf_stream(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - unreadable: no level
        return ""
    ordinary = [sig for sig in embedded if sig.sig_object_type != "/DocTimeStamp"]
    if not ordinary:
        return ""
    newest = ordinary[-1]
    unsigned = newest.signer_info["unsigned_attrs"]
    has_ts = unsigned.native is not None and any(
        attr["type"].native == "signature_time_stamp_token" for attr in unsigned
    )
    if not has_ts:
        return "B-B"
    if "/DSS" not in reader.root:
        return "B-T"
    dss = reader.root["/DSS"]  # [] dereferences an indirect object, .get() would not
    if not any(key in dss and len(dss[key]) for key in ("/CRLs", "/OCSPs")):
        return "B-T"
    later_doc_ts = [
        sig
        for sig in embedded
        if sig.sig_object_type == "/DocTimeStamp" and sig.signed_revision > newest.signed_revision
    ]
    return "B-LTA" if later_doc_ts else "B-LT"


# -- verifying -------------------------------------------------------------------------------------


def _asn1_certificates(trust_roots: list) -> list[asn1_x509.Certificate]:
    """Trust roots given as paths, PEM/DER bytes, ``cryptography`` or ``asn1crypto`` certificates."""
    certificates: list[asn1_x509.Certificate] = []
    for root in trust_roots:
        if isinstance(root, asn1_x509.Certificate):
            certificates.append(root)
        elif isinstance(root, pyca_x509.Certificate):
            certificates.append(asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER)))
        elif isinstance(root, bytes | bytearray):
            certificates.extend(load_certs_from_pemder_data(bytes(root)))
        elif isinstance(root, str | Path):
            certificates.extend(load_certs_from_pemder_data(Path(root).read_bytes()))
        else:
            raise TypeError(f"unsupported trust root {type(root).__name__}")
    return certificates


def _report(
    *,
    valid: bool = False,
    intact: bool = False,
    trusted: bool = False,
    signer_name: str = "",
    signed_at: datetime | None = None,
    message_vi: str,
    message_en: str,
    signature_count: int = 0,
    level: str = "",
) -> SignatureReport:
    return SignatureReport(
        level=level,
        valid=valid,
        intact=intact,
        trusted=trusted,
        signer_name=signer_name,
        signed_at=signed_at,
        message_vi=message_vi,
        message_en=message_en,
        signature_count=signature_count,
    )


def _status_name(status: Any) -> str:
    certificate = status.signing_cert
    if certificate is None:
        return ""
    native = certificate.subject.native
    return nfc(str(native.get("common_name") or native.get("organization_name") or certificate.subject.human_friendly))


def _status_time(status: Any) -> datetime | None:
    if not hasattr(status, "signer_reported_dt"):  # a document time stamp: its own time
        moment = getattr(status, "timestamp", None)
        return moment.astimezone(VIETNAM) if moment is not None else None
    timestamp = getattr(status, "timestamp_validity", None)
    moment = timestamp.timestamp if timestamp is not None and timestamp.valid else status.signer_reported_dt
    return moment.astimezone(VIETNAM) if moment is not None else None


def verify_pdf(pdf: bytes, *, trust_roots: list) -> SignatureReport:
    """Check every signature of ``pdf`` with pyHanko's validator against ``trust_roots`` only.

    No network: certificates are not fetched and revocation is checked only where the file carries
    the information (soft-fail otherwise, which is what a test CA without CRL can offer). The report
    describes the newest signature; it is valid only if all signatures are.
    """
    try:
        roots = _asn1_certificates(trust_roots)
    except (OSError, ValueError) as error:
        raise ValueError(f"Không đọc được chứng thư gốc tin cậy. / Cannot read a trust root: {error}") from error
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as error:  # any parse failure means: not a readable PDF
        return _report(
            message_vi=f"Không đọc được tệp PDF (tệp hỏng hoặc không phải PDF): {error}",
            message_en=f"The PDF cannot be read (corrupt or not a PDF): {error}",
        )
    if not signatures:
        return _report(
            message_vi="Tệp PDF không có chữ ký số: đây không phải bản sao có xác thực.",
            message_en="The PDF carries no digital signature: it is not a certified copy.",
        )
    statuses: list[Any] = []
    signer_statuses: list[Any] = []
    for embedded in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            if embedded.sig_object_type == "/DocTimeStamp":  # PAdES B-LTA archive time stamp
                statuses.append(validate_pdf_timestamp(embedded, validation_context=context))
            else:
                status = validate_pdf_signature(embedded, signer_validation_context=context)
                statuses.append(status)
                signer_statuses.append(status)
        except Exception as error:  # a byte flipped inside the CMS blob makes it unparsable
            return _report(
                signature_count=len(signatures),
                message_vi=f"Chữ ký số bị hỏng, không kiểm tra được: {error}",
                message_en=f"The signature is damaged and cannot be checked: {error}",
            )
    newest = (signer_statuses or statuses)[-1]
    intact = all(status.intact and status.valid for status in statuses)
    trusted = all(status.trusted for status in statuses)
    valid = intact and trusted and all(getattr(status, "bottom_line", True) for status in statuses)
    name = _status_name(newest)
    signed_at = _status_time(newest)
    when_vi = f" lúc {iso_vietnam(signed_at)}" if signed_at else ""
    if valid:
        message_vi = (
            f"Chữ ký số hợp lệ: {name} đã ký{when_vi}; tài liệu không bị thay đổi sau khi ký "
            "và chứng thư số được tin cậy."
        )
        message_en = (
            f"Valid signature by {name}; the document is unchanged since signing and the certificate is trusted."
        )
    elif not intact:
        message_vi = "Chữ ký số KHÔNG hợp lệ: nội dung tài liệu đã bị thay đổi sau khi ký."
        message_en = "INVALID signature: the document was altered after it was signed."
    elif not trusted:
        message_vi = (
            f"Tài liệu không bị thay đổi sau khi ký, nhưng chứng thư số của {name} không thuộc "
            "tổ chức chứng thực được tin cậy, hoặc đã hết hiệu lực."
        )
        message_en = f"The document is unchanged, but {name}'s certificate is not trusted or no longer valid."
    else:
        message_vi = "Chữ ký số KHÔNG hợp lệ: tài liệu đã bị sửa đổi sau khi ký, hoặc dấu thời gian không hợp lệ."
        message_en = "INVALID signature: the document was modified after signing, or its timestamp is not valid."
    return _report(
        valid=valid,
        intact=intact,
        trusted=trusted,
        signer_name=name,
        signed_at=signed_at,
        message_vi=message_vi,
        message_en=message_en,
        signature_count=len(signatures),
        level=pades_level(pdf),
    )
